return await AstralytiQ.Server.ServerApp.RunAsync(args);
