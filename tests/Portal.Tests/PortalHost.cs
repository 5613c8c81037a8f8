extern alias server;

using System.Reflection;
using AstralytiQ.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace AstralytiQ.Portal.Tests;

/// <summary>The real portal on a free loopback port, talking to <paramref name="serverAddress"/> over gRPC.</summary>
public sealed class PortalHost(WebApplication app, Uri address) : IAsyncDisposable
{
    public HttpClient Http { get; } = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = address };

    public Uri Address { get; } = address;

    public IServiceProvider Services => app.Services;

    public static async Task<PortalHost> StartAsync(Uri serverAddress, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var port = TestEnvironment.FreePort();
        var configuration = new Dictionary<string, string?>
        {
            ["Portal:ServerAddress"] = serverAddress.ToString(),
            ["Logging:MinimumLevel"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        var contentRoot = typeof(PortalHost).Assembly.GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PortalContentRoot").Value!;
        var app = PortalApp.Build(["--contentRoot", contentRoot], builder =>
        {
            builder.Configuration.AddInMemoryCollection(configuration);
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new PortalHost(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>The real server in-process, for portal tests that go end to end.</summary>
public sealed class ServerProcessHost(WebApplication app, Uri grpcAddress, string signingKey) : IAsyncDisposable
{
    public Uri GrpcAddress { get; } = grpcAddress;

    /// <summary>Base64 HMAC key the server signs access tokens with (tests sign their own tokens with it).</summary>
    public string SigningKey { get; } = signingKey;

    public static async Task<ServerProcessHost> StartAsync(string postgresConnectionString, IDictionary<string, string?>? overrides = null)
    {
        var grpcPort = TestEnvironment.FreePort();
        var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        var settings = new Dictionary<string, string?>
        {
            ["Server:GrpcUrl"] = $"http://127.0.0.1:{grpcPort}",
            ["Server:HttpUrl"] = $"http://127.0.0.1:{TestEnvironment.FreePort()}",
            ["Postgres:ConnectionString"] = postgresConnectionString,
            ["Redis:Endpoint"] = TestEnvironment.RedisEndpoint,
            ["Logging:MinimumLevel"] = "Warning",
            ["Health:CheckInterval"] = "00:00:00.200",
            ["Auth:SigningKey"] = signingKey,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var app = server::AstralytiQ.Server.ServerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync();
        return new ServerProcessHost(app, new Uri($"http://127.0.0.1:{grpcPort}"), signingKey);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
