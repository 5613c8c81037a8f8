return await AstralytiQ.Portal.PortalApp.RunAsync(args);
