using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;

namespace AstralytiQ.Server.Tests.Infrastructure;

/// <summary>The real server, composed exactly as Program composes it, listening on free loopback ports.</summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerHost(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Http = new HttpClient { BaseAddress = HttpAddress };
    }

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    public GrpcChannel Channel { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A fixed key for tests, so tests can also forge and inspect tokens.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("astralytiq-test-signing-key-0123456789-abcdefghij"));

    public static async Task<ServerHost> StartAsync(string postgresConnectionString, IDictionary<string, string?>? settings = null, Action<WebApplication>? map = null)
    {
        var grpcPort = TestEnvironment.FreePort();
        var httpPort = TestEnvironment.FreePort();
        var configuration = new Dictionary<string, string?>
        {
            ["Server:GrpcUrl"] = $"http://127.0.0.1:{grpcPort}",
            ["Server:HttpUrl"] = $"http://127.0.0.1:{httpPort}",
            ["Postgres:ConnectionString"] = postgresConnectionString,
            ["Redis:Endpoint"] = TestEnvironment.RedisEndpoint,
            ["Logging:MinimumLevel"] = "Warning",
            ["Health:CheckInterval"] = "00:00:00.200",
            ["Auth:SigningKey"] = SigningKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        var app = ServerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(configuration));
        map?.Invoke(app);
        await app.StartAsync();
        return new ServerHost(app, grpcPort, httpPort);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
