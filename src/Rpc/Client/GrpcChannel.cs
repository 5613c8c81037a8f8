using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client.Internal;
using Grpc.Net.Compression;

namespace Grpc.Net.Client;

/// <summary>Options for <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The HTTP handler; by default a <see cref="SocketsHttpHandler"/> allowing several HTTP/2 connections.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Dispose <see cref="HttpHandler"/> with the channel; default true for the built-in handler, false for one you pass.</summary>
    public bool? DisposeHttpHandler { get; set; }

    /// <summary>Largest response message accepted, in bytes; default 4 MiB; null for no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = Grpc.Core.Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent, in bytes; default no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Encodings the client can decode (and use for requests); gzip and deflate by default.</summary>
    public IList<ICompressionProvider>? CompressionProviders { get; set; }

    /// <summary>When true, a cancelled call throws <see cref="OperationCanceledException"/> instead of an <see cref="RpcException"/> with CANCELLED.</summary>
    public bool ThrowOperationCanceledOnCancellation { get; set; }

    /// <summary>The <c>user-agent</c> sent with every call.</summary>
    public string UserAgent { get; set; } = "grpc-dotnet-astralytiq/1.0";
}

/// <summary>A channel to one gRPC server over HTTP/2 (h2c for http://, TLS with ALPN for https://).</summary>
public sealed class GrpcChannel : ChannelBase, IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly bool _disposeHandler;
    private readonly ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly HttpClientCallInvoker _callInvoker;

    private GrpcChannel(Uri address, GrpcChannelOptions options)
        : base(address.Authority)
    {
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' must use http:// or https://.", nameof(address));
        }
        Address = address;
        Options = options;
        var handler = options.HttpHandler ?? CreateDefaultHandler();
        _disposeHandler = options.DisposeHttpHandler ?? options.HttpHandler is null;
        _invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        _disposeHandlerInstance = handler;
        CompressionProviders = (options.CompressionProviders ?? CompressionHelper.DefaultProviders()).ToArray();
        AcceptEncoding = CompressionHelper.AcceptEncodingValue(CompressionProviders);
        _callInvoker = new HttpClientCallInvoker(this);
    }

    private readonly HttpMessageHandler _disposeHandlerInstance;

    /// <summary>The server address.</summary>
    public Uri Address { get; }

    internal GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker HttpInvoker => _invoker;

    internal ICompressionProvider[] CompressionProviders { get; }

    internal string AcceptEncoding { get; }

    internal CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>Creates a channel for an address such as <c>http://127.0.0.1:5100</c>.</summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return ForAddress(new Uri(address, UriKind.Absolute), options);
    }

    /// <summary>Creates a channel for an address.</summary>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    /// <inheritdoc />
    public override CallInvoker CreateCallInvoker() => _callInvoker;

    internal Uri GetMethodUri(string fullName) => _methodUris.GetOrAdd(fullName, static (name, address) => new Uri(address, name), Address);

    /// <summary>Cancels calls in flight and closes connections.</summary>
    public void Dispose()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }
        _shutdown.Cancel();
        _invoker.Dispose();
        if (_disposeHandler)
        {
            _disposeHandlerInstance.Dispose();
        }
    }

    /// <inheritdoc />
    protected override Task ShutdownAsyncCore()
    {
        Dispose();
        return Task.CompletedTask;
    }

    private static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        // gRPC targets are explicit addresses; an environment proxy would break h2c.
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(20),
    };
}
