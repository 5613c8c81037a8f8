namespace Grpc.Core;

/// <summary>What a server handler knows about its call: headers, deadline, cancellation, peer, and the response status and trailers.</summary>
public abstract class ServerCallContext
{
    private Dictionary<object, object>? _userState;

    /// <summary>The method's full name, <c>/service/method</c>.</summary>
    public string Method => MethodCore;

    /// <summary>The host (HTTP/2 <c>:authority</c>) the client called.</summary>
    public string Host => HostCore;

    /// <summary>The client's address, e.g. <c>ipv4:127.0.0.1:51234</c>.</summary>
    public string Peer => PeerCore;

    /// <summary>The call's deadline in UTC, or <see cref="DateTime.MaxValue"/> when none was sent.</summary>
    public DateTime Deadline => DeadlineCore;

    /// <summary>The request headers (custom metadata only; HTTP/2 reserved headers are left out).</summary>
    public Metadata RequestHeaders => RequestHeadersCore;

    /// <summary>Cancelled when the client cancels, the deadline passes, or the connection drops.</summary>
    public CancellationToken CancellationToken => CancellationTokenCore;

    /// <summary>Trailers to send with the status.</summary>
    public Metadata ResponseTrailers => ResponseTrailersCore;

    /// <summary>The status to send when the handler completes normally.</summary>
    public Status Status
    {
        get => StatusCore;
        set => StatusCore = value;
    }

    /// <summary>Options for response writes.</summary>
    public WriteOptions? WriteOptions
    {
        get => WriteOptionsCore;
        set => WriteOptionsCore = value;
    }

    /// <summary>State shared by interceptors and the handler for this call.</summary>
    public IDictionary<object, object> UserState => UserStateCore;

    /// <summary>Sends the response headers now; may be called once, before the first response message.</summary>
    public Task WriteResponseHeadersAsync(Metadata responseHeaders) => WriteResponseHeadersAsyncCore(responseHeaders);

    /// <summary>Implements <see cref="Method"/>.</summary>
    protected abstract string MethodCore { get; }

    /// <summary>Implements <see cref="Host"/>.</summary>
    protected abstract string HostCore { get; }

    /// <summary>Implements <see cref="Peer"/>.</summary>
    protected abstract string PeerCore { get; }

    /// <summary>Implements <see cref="Deadline"/>.</summary>
    protected abstract DateTime DeadlineCore { get; }

    /// <summary>Implements <see cref="RequestHeaders"/>.</summary>
    protected abstract Metadata RequestHeadersCore { get; }

    /// <summary>Implements <see cref="CancellationToken"/>.</summary>
    protected abstract CancellationToken CancellationTokenCore { get; }

    /// <summary>Implements <see cref="ResponseTrailers"/>.</summary>
    protected abstract Metadata ResponseTrailersCore { get; }

    /// <summary>Implements <see cref="Status"/>.</summary>
    protected abstract Status StatusCore { get; set; }

    /// <summary>Implements <see cref="WriteOptions"/>.</summary>
    protected abstract WriteOptions? WriteOptionsCore { get; set; }

    /// <summary>Implements <see cref="UserState"/>.</summary>
    protected virtual IDictionary<object, object> UserStateCore => _userState ??= [];

    /// <summary>Implements <see cref="WriteResponseHeadersAsync"/>.</summary>
    protected abstract Task WriteResponseHeadersAsyncCore(Metadata responseHeaders);
}
