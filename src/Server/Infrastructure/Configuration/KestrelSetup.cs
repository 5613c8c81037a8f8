using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Infrastructure.Configuration;

public static class KestrelSetup
{
    /// <summary>
    /// Two listeners: Server:GrpcUrl speaks HTTP/2 only (gRPC needs it and h2c has no upgrade path),
    /// Server:HttpUrl speaks HTTP/1.1 for health probes and Prometheus.
    /// </summary>
    public static void AddServerEndpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ServerOptions>(ServerOptions.SectionName);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<ServerOptions>>().Value;
            Listen(kestrel, options.GetGrpcUri(), HttpProtocols.Http2, options);
            Listen(kestrel, options.GetHttpUri(), HttpProtocols.Http1, options);
            // Uploads stream many chunks; give HTTP/2 windows room so a fast client is not throttled.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            kestrel.AddServerHeader = false;
        });
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, Uri uri, HttpProtocols protocols, ServerOptions options)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                listen.UseHttps(options.CertificatePath!, options.CertificatePassword);
            }
        }

        var host = uri.Host;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(uri.Port, Configure);
        }
        else if (host is "0.0.0.0" or "*" or "+" or "[::]")
        {
            kestrel.ListenAnyIP(uri.Port, Configure);
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            kestrel.Listen(address, uri.Port, Configure);
        }
        else
        {
            throw new OptionsValidationException(ServerOptions.SectionName, typeof(ServerOptions),
                [$"{ServerOptions.SectionName}: '{uri}' must name an IP address, localhost or 0.0.0.0 to listen on."]);
        }
    }
}
