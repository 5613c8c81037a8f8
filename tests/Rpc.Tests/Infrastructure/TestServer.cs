using System.Net;
using AstralytiQ.Rpc.Tests.Proto;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AstralytiQ.Rpc.Tests;

/// <summary>
/// A real Kestrel server on a loopback port (HTTP/2 only unless a test says otherwise) hosting the
/// test service, health and reflection, with a <see cref="CallTracker"/>, a
/// <see cref="RecordingObserver"/> and a log sink for server-side observation.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, IReadOnlyList<Uri> addresses, LogSink logs)
    {
        _app = app;
        Addresses = addresses;
        Logs = logs;
    }

    /// <summary>The first endpoint, HTTP/2 only.</summary>
    public Uri Address => Addresses[0];

    /// <summary>Every endpoint, in the order they were configured.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    public IServiceProvider Services => _app.Services;

    public CallTracker Tracker => _app.Services.GetRequiredService<CallTracker>();

    public RecordingObserver Observer => _app.Services.GetRequiredService<RecordingObserver>();

    public LogSink Logs { get; }

    public static async Task<TestServer> StartAsync(
        Action<GrpcServiceOptions>? configureGrpc = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null,
        Action<ListenOptions>? configureListen = null,
        string scheme = "http",
        Action<KestrelServerOptions>? configureKestrel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                configureListen?.Invoke(listen);
            });
            configureKestrel?.Invoke(kestrel);
        });
        builder.Services.AddGrpc(o => configureGrpc?.Invoke(o));
        builder.Services.AddSingleton<CallTracker>();
        builder.Services.AddSingleton<RecordingObserver>();
        builder.Services.AddSingleton<IGrpcCallObserver>(sp => sp.GetRequiredService<RecordingObserver>());
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGrpcService<TestServiceImpl>();
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
        configureApp?.Invoke(app);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select((a, i) => new Uri($"{(i == 0 ? scheme : new Uri(a).Scheme)}://127.0.0.1:{new Uri(a).Port}"))
            .ToArray();
        return new TestServer(app, addresses, logs);
    }

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options);

    /// <summary>A plain HTTP client for crafting raw gRPC requests and inspecting raw responses.</summary>
    public HttpClient CreateRawClient(Version? version = null) => new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
    {
        BaseAddress = Address,
        DefaultRequestVersion = version ?? HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Shares one default server among the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private TestServer? _server;
    private GrpcChannel? _channel;

    public TestServer Server => _server ?? throw new InvalidOperationException("Fixture not started.");

    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("Fixture not started.");

    public TestService.TestServiceClient Client => new(Channel);

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _channel = _server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Captures the runtime's log entries.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly Lock _sync = new();
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_sync)
            {
                return _entries.ToArray();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => category.StartsWith("Grpc", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            lock (sink._sync)
            {
                sink._entries.Add(new LogEntry(category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}

public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);
