using AstralytiQ.Portal.Infrastructure;
using AstralytiQ.Portal.Infrastructure.Session;
using AstralytiQ.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Portal;

/// <summary>The portal's composition: what Program runs, and what tests host in-process.</summary>
public static class PortalApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Pinned so pages and static assets are found when a test host, not Program, is the entry point.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(PortalApp).Assembly.GetName().Name });
        builder.Configuration.AddEnvironmentVariables("ASTQ__");
        configure?.Invoke(builder);

        builder.AddServerLogging("portal");
        builder.Services.AddRazorPages(options => options.Conventions.RequireSignInByDefault());
        builder.Services.AddServerClients();
        builder.Services.AddPortalSessions();

        var app = builder.Build();
        app.UseExceptionHandler("/Error");
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseStaticFiles();
        app.UseRouting();
        app.UsePortalSessions();
        app.MapRazorPages();
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await Build(args).RunAsync();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("AstralytiQ portal cannot start: invalid configuration.");
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  - " + failure);
            }
            return 2;
        }
    }
}
