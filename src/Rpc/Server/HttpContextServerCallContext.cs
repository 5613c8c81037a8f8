using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.IO.Pipelines;
using Grpc.Core;
using Grpc.Core.Internal;
using Grpc.Net.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>Per-call options resolved once per method.</summary>
internal sealed class MethodOptions(GrpcServiceOptions options)
{
    public int? MaxReceiveMessageSize { get; } = options.MaxReceiveMessageSize;
    public int? MaxSendMessageSize { get; } = options.MaxSendMessageSize;
    public bool EnableDetailedErrors { get; } = options.EnableDetailedErrors;
    public string? ResponseCompressionAlgorithm { get; } = options.ResponseCompressionAlgorithm;
    public CompressionLevel? ResponseCompressionLevel { get; } = options.ResponseCompressionLevel;
    public ICompressionProvider[] CompressionProviders { get; } = options.CompressionProviders.ToArray();
    public string AcceptEncoding { get; } = CompressionHelper.AcceptEncodingValue(options.CompressionProviders.ToArray());
    public InterceptorRegistration[] Interceptors { get; } = options.Interceptors.ToArray();
}

/// <summary>
/// The server side of one call on an HTTP/2 stream: reads request frames, writes response frames,
/// and ends the call with a status in trailers (or in headers alone: Trailers-Only).
/// </summary>
internal sealed class HttpContextServerCallContext : ServerCallContext
{
    private const string DeadlineExceededMessage = "Deadline Exceeded";
    private const string CancelledByClientMessage = "Call canceled by the client.";

    private readonly MethodOptions _options;
    private readonly IMethod _method;
    private readonly ILogger _logger;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Status _status = Status.DefaultSuccess;
    private WriteOptions? _writeOptions;
    private DateTime _deadline = DateTime.MaxValue;
    private CancellationTokenSource? _deadlineCts;
    private CancellationToken _requestAborted;
    private Timer? _deadlineTimer;
    private CancellationToken _callToken;
    private TimeSpan _timeout;
    private SemaphoreSlim? _writeLock;
    private FramingSerializationContext? _serializationContext;
    private PayloadDeserializationContext? _deserializationContext;
    private bool _writing;
    private bool _responseBlocked;

    public HttpContextServerCallContext(HttpContext httpContext, MethodOptions options, IMethod method, ILogger logger)
    {
        HttpContext = httpContext;
        _options = options;
        _method = method;
        _logger = logger;
    }

    public HttpContext HttpContext { get; }

    public IMethod MethodInfo => _method;

    /// <summary>True once headers (or a message) have gone out: the status must then go in trailers.</summary>
    public bool ResponseStarted { get; private set; }

    /// <summary>True once the status has been written; nothing more may be written.</summary>
    public bool CallEnded { get; private set; }

    public bool DeadlineExceeded { get; private set; }

    public ICompressionProvider? RequestDecompressor { get; private set; }

    public ICompressionProvider? ResponseCompressor { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    protected override string MethodCore => _method.FullName;

    protected override string HostCore => HttpContext.Request.Host.Value ?? "";

    protected override string PeerCore => FormatPeer(HttpContext.Connection);

    protected override DateTime DeadlineCore => _deadline;

    protected override Metadata RequestHeadersCore => _requestHeaders ??= ReadRequestHeaders(HttpContext.Request.Headers);

    // Cached when the deadline source is made: reading the token after the call (and its source) ended must not throw.
    protected override CancellationToken CancellationTokenCore => _deadlineCts is null ? HttpContext.RequestAborted : _callToken;

    protected override Metadata ResponseTrailersCore => _responseTrailers ??= [];

    protected override Status StatusCore
    {
        get => _status;
        set => _status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => _writeOptions;
        set => _writeOptions = value;
    }

    /// <summary>Reads deadline and encodings from the request; returns an error status when the request cannot be served.</summary>
    public Status? Initialize()
    {
        var headers = HttpContext.Request.Headers;

        var encoding = headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && !string.Equals(encoding, "identity", StringComparison.Ordinal))
        {
            RequestDecompressor = CompressionHelper.Find(_options.CompressionProviders, encoding);
            if (RequestDecompressor is null)
            {
                HttpContext.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = _options.AcceptEncoding;
                return new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {_options.AcceptEncoding}");
            }
        }

        if (_options.ResponseCompressionAlgorithm is { } algorithm
            && CompressionHelper.AcceptsEncoding(headers[GrpcProtocol.AcceptEncodingHeader].ToString(), algorithm))
        {
            ResponseCompressor = CompressionHelper.Find(_options.CompressionProviders, algorithm);
        }

        var timeoutHeader = headers[GrpcProtocol.TimeoutHeader].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (GrpcProtocol.TryParseTimeout(timeoutHeader, out var timeout))
            {
                StartDeadline(timeout);
            }
            else
            {
                _logger.LogDebug("Ignoring invalid grpc-timeout header {Timeout}", timeoutHeader);
            }
        }
        return null;
    }

    private void StartDeadline(TimeSpan timeout)
    {
        var now = DateTime.UtcNow;
        _deadline = timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
        // Timers cannot wait longer than about 49 days; such a deadline will never matter.
        if (timeout.TotalMilliseconds >= uint.MaxValue - 1)
        {
            return;
        }
        _writeLock = new SemaphoreSlim(1, 1);
        _requestAborted = HttpContext.RequestAborted;
        _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(_requestAborted);
        _callToken = _deadlineCts.Token;
        _timeout = timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout;
    }

    /// <summary>
    /// Starts the deadline clock. Called once the request thread has finished setting the call up, so
    /// a deadline that is already due cannot write the status while the call is still being prepared.
    /// </summary>
    public void ArmDeadline()
    {
        if (_deadlineCts is null)
        {
            return;
        }
        // A timer of its own, not CancelAfter on the handler's token: token callbacks run newest first,
        // so a handler woken by its token could end the call (as UNKNOWN) and the request (disposing the
        // HttpContext) before a deadline callback on the same token ever ran.
        _deadlineTimer = new Timer(static state => ((HttpContextServerCallContext)state!).OnDeadline(), this, _timeout, Timeout.InfiniteTimeSpan);
    }

    private void OnDeadline()
    {
        // Never touch the HttpContext here: the call may have ended and the request with it.
        if (CallEnded || _requestAborted.IsCancellationRequested)
        {
            return;
        }
        // Decide the status before waking the handler, which may end the call inside Cancel.
        DeadlineExceeded = true;
        try
        {
            _deadlineCts!.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return; // the call ended meanwhile
        }
        catch (AggregateException ex)
        {
            _logger.LogDebug(ex, "A cancellation callback of call {Method} failed at its deadline", _method.FullName);
        }
        _ = EndWithDeadlineExceededAsync();
    }

    private async Task EndWithDeadlineExceededAsync()
    {
        // Wait for any write in progress: the response must never be touched by two threads.
        await _writeLock!.WaitAsync().ConfigureAwait(false);
        try
        {
            if (CallEnded)
            {
                return;
            }
            DeadlineExceeded = true;
            _status = new Status(StatusCode.DeadlineExceeded, DeadlineExceededMessage);
            if (_responseBlocked)
            {
                CallEnded = true;
                return;
            }
            WriteStatus();
            await HttpContext.Response.CompleteAsync().ConfigureAwait(false);
            // The response is complete; tell the client to stop sending (RST_STREAM NO_ERROR).
            HttpContext.Features.Get<IHttpResetFeature>()?.Reset(0);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Error while ending call {Method} after its deadline", _method.FullName);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads the one request message of a unary or server-streaming call, refusing missing, truncated or trailing data.</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(Func<DeserializationContext, T> deserializer)
    {
        var reader = HttpContext.Request.BodyReader;
        var token = CancellationTokenCore;
        while (true)
        {
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool found;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                found = MessageFrames.TryReadMessage(ref buffer, _options.MaxReceiveMessageSize, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            if (found)
            {
                if (!buffer.IsEmpty)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new RpcException(new Status(StatusCode.Internal, "Additional data after the message received."));
                }
                T message;
                try
                {
                    message = MessageFrames.Deserialize(_deserializationContext ??= new(), deserializer, payload, compressed, RequestDecompressor, _options.MaxReceiveMessageSize);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
                if (!result.IsCompleted)
                {
                    await ExpectEndOfRequestAsync(reader, token).ConfigureAwait(false);
                }
                return message;
            }
            if (result.IsCompleted)
            {
                var empty = result.Buffer.IsEmpty;
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new RpcException(new Status(StatusCode.Internal, empty ? "Request did not include a message." : "Incomplete message."));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async ValueTask ExpectEndOfRequestAsync(PipeReader reader, CancellationToken token)
    {
        while (true)
        {
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var hasData = !result.Buffer.IsEmpty;
            reader.AdvanceTo(result.Buffer.End);
            if (hasData)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Additional data after the message received."));
            }
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Reads the next message of a request stream, or returns false at its end.</summary>
    public async ValueTask<(bool HasMessage, T? Message)> ReadStreamMessageAsync<T>(Func<DeserializationContext, T> deserializer, CancellationToken token)
    {
        var reader = HttpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool found;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                found = MessageFrames.TryReadMessage(ref buffer, _options.MaxReceiveMessageSize, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            if (found)
            {
                try
                {
                    return (true, MessageFrames.Deserialize(_deserializationContext ??= new(), deserializer, payload, compressed, RequestDecompressor, _options.MaxReceiveMessageSize));
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }
            if (result.IsCompleted)
            {
                var empty = buffer.IsEmpty;
                reader.AdvanceTo(buffer.Start, buffer.End);
                return empty
                    ? (false, default)
                    : throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    // ---------------------------------------------------------------- writing

    protected override async Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        await EnterWriteAsync().ConfigureAwait(false);
        try
        {
            if (ResponseStarted)
            {
                throw new InvalidOperationException("Response headers can only be sent once per call.");
            }
            AppendMetadata(HttpContext.Response.Headers, responseHeaders);
            StartResponse();
            await HttpContext.Response.BodyWriter.FlushAsync(HttpContext.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            ExitWrite();
        }
    }

    /// <summary>Writes the single response of a unary or client-streaming call; Kestrel sends it with the trailers.</summary>
    public ValueTask WriteUnaryResponseAsync<T>(T message, Action<T, SerializationContext> serializer)
    {
        if (_writeLock is null)
        {
            if (CallEnded || HttpContext.RequestAborted.IsCancellationRequested)
            {
                return ValueTask.CompletedTask;
            }
            WriteMessage(message, serializer, _writeOptions);
            return ValueTask.CompletedTask;
        }
        return WriteLockedAsync(message, serializer);

        async ValueTask WriteLockedAsync(T m, Action<T, SerializationContext> s)
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!CallEnded && !HttpContext.RequestAborted.IsCancellationRequested)
                {
                    WriteMessage(m, s, _writeOptions);
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }

    /// <summary>Writes one message of a response stream and flushes it to the client.</summary>
    public async Task WriteStreamMessageAsync<T>(T message, Action<T, SerializationContext> serializer, WriteOptions? writeOptions, CancellationToken cancellationToken)
    {
        await EnterWriteAsync().ConfigureAwait(false);
        try
        {
            if (CallEnded)
            {
                throw new InvalidOperationException("Can't write the message because the call is complete.");
            }
            HttpContext.RequestAborted.ThrowIfCancellationRequested();
            cancellationToken.ThrowIfCancellationRequested();
            WriteMessage(message, serializer, writeOptions ?? _writeOptions);
            if (!(writeOptions ?? _writeOptions).Has(WriteFlags.BufferHint))
            {
                using var linked = cancellationToken.CanBeCanceled
                    ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, HttpContext.RequestAborted)
                    : null;
                // Only while this flush runs (the call cannot end meanwhile, so the HttpContext is safe to use).
                using var onDeadline = _deadlineCts is null
                    ? default
                    : _deadlineCts.Token.UnsafeRegister(static state => ((HttpContextServerCallContext)state!).ResetBlockedResponse(), this);
                await HttpContext.Response.BodyWriter.FlushAsync(linked?.Token ?? HttpContext.RequestAborted).ConfigureAwait(false);
            }
        }
        finally
        {
            ExitWrite();
        }
    }

    private async ValueTask EnterWriteAsync()
    {
        if (_writing)
        {
            throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
        }
        _writing = true;
        if (_writeLock is not null)
        {
            try
            {
                await _writeLock.WaitAsync().ConfigureAwait(false);
            }
            catch
            {
                _writing = false;
                throw;
            }
        }
    }

    private void ExitWrite()
    {
        _writeLock?.Release();
        _writing = false;
    }

    private void WriteMessage<T>(T message, Action<T, SerializationContext> serializer, WriteOptions? writeOptions)
    {
        StartResponse();
        var compressor = writeOptions.Has(WriteFlags.NoCompress) ? null : ResponseCompressor;
        var context = _serializationContext ??= new FramingSerializationContext();
        context.Reset(HttpContext.Response.BodyWriter, _options.MaxSendMessageSize, compressor, _options.ResponseCompressionLevel);
        context.Serialize(serializer, message);
    }

    private void StartResponse()
    {
        if (ResponseStarted)
        {
            return;
        }
        var response = HttpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;
        if (ResponseCompressor is not null)
        {
            response.Headers[GrpcProtocol.EncodingHeader] = ResponseCompressor.EncodingName;
        }
        ResponseStarted = true;
    }

    // ---------------------------------------------------------------- ending

    /// <summary>Turns a handler's exception into the call's status.</summary>
    public void ProcessHandlerError(Exception exception)
    {
        if (DeadlineExceeded)
        {
            _status = new Status(StatusCode.DeadlineExceeded, DeadlineExceededMessage);
            return;
        }
        if (HttpContext.RequestAborted.IsCancellationRequested)
        {
            _status = new Status(StatusCode.Cancelled, CancelledByClientMessage);
            _logger.LogDebug("Call {Method} was cancelled by the client", _method.FullName);
            return;
        }
        if (exception is RpcException rpc)
        {
            _status = rpc.Status;
            if (rpc.Trailers.Count > 0)
            {
                foreach (var entry in rpc.Trailers)
                {
                    ResponseTrailersCore.Add(entry);
                }
            }
            if (rpc.StatusCode is StatusCode.Internal or StatusCode.Unknown)
            {
                _logger.LogWarning(exception, "Call {Method} ended with {StatusCode}: {Detail}", _method.FullName, rpc.StatusCode, rpc.Status.Detail);
            }
            return;
        }
        _logger.LogError(exception, "Handler of {Method} threw an exception", _method.FullName);
        var detail = _options.EnableDetailedErrors
            ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
            : "Exception was thrown by handler.";
        _status = new Status(StatusCode.Unknown, detail, exception);
    }

    /// <summary>Writes the status (and trailers) unless the deadline already ended the call.</summary>
    public ValueTask EndCallAsync()
    {
        if (_writeLock is null)
        {
            EndCallCore();
            return ValueTask.CompletedTask;
        }
        return EndLockedAsync();

        async ValueTask EndLockedAsync()
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                EndCallCore();
            }
            finally
            {
                _writeLock.Release();
            }
            _deadlineTimer?.Dispose();
            _deadlineCts!.Dispose();
        }
    }

    private void EndCallCore()
    {
        if (CallEnded)
        {
            return;
        }
        if (_responseBlocked)
        {
            CallEnded = true;
            _status = new Status(StatusCode.DeadlineExceeded, DeadlineExceededMessage);
            return;
        }
        if (HttpContext.RequestAborted.IsCancellationRequested)
        {
            CallEnded = true;
            if (_status.StatusCode == StatusCode.OK)
            {
                _status = new Status(StatusCode.Cancelled, CancelledByClientMessage);
            }
            return;
        }
        WriteStatus();
    }

    /// <summary>
    /// At the deadline, a flush stuck on flow control would hold the write lock for as long as the client
    /// reads nothing, and the status could not overtake the messages ahead of it anyway: reset the stream
    /// (CANCEL), which also ends the flush.
    /// </summary>
    private void ResetBlockedResponse()
    {
        if (!DeadlineExceeded)
        {
            return;
        }
        _responseBlocked = true;
        HttpContext.Features.Get<IHttpResetFeature>()?.Reset(8);
    }

    /// <summary>Ends the call before any handler ran, e.g. for a bad request; always Trailers-Only.</summary>
    public void EndWithStatus(Status status)
    {
        _status = status;
        WriteStatus();
    }

    private void WriteStatus()
    {
        CallEnded = true;
        var response = HttpContext.Response;
        if (!ResponseStarted && !response.HasStarted)
        {
            // Trailers-Only: the status rides in the one HEADERS frame, which ends the stream.
            response.ContentType = GrpcProtocol.ContentType;
            var headers = response.Headers;
            headers[GrpcProtocol.StatusHeader] = StatusCodeText(_status.StatusCode);
            // Always sent, even empty (as grpc-go does), so every status carries both fields.
            headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(_status.Detail);
            if (_responseTrailers is { Count: > 0 })
            {
                AppendMetadata(headers, _responseTrailers);
            }
            ResponseStarted = true;
            return;
        }
        var trailers = HttpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers
            ?? throw new InvalidOperationException("The HTTP connection does not support trailers; gRPC needs HTTP/2.");
        trailers[GrpcProtocol.StatusHeader] = StatusCodeText(_status.StatusCode);
        trailers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(_status.Detail);
        if (_responseTrailers is { Count: > 0 })
        {
            AppendMetadata(trailers, _responseTrailers);
        }
    }

    public Status FinalStatus => _status;

    // ---------------------------------------------------------------- helpers

    private static readonly string[] StatusCodeStrings = Enumerable.Range(0, 17).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusCodeText(StatusCode code)
    {
        var value = (int)code;
        return (uint)value < StatusCodeStrings.Length ? StatusCodeStrings[value] : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata metadata)
    {
        foreach (var entry in metadata)
        {
            if (GrpcProtocol.IsReservedHeader(entry.Key))
            {
                continue;
            }
            var value = entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.RawValueBytes) : entry.Value;
            headers.Append(entry.Key, value);
        }
    }

    private static Metadata ReadRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key))
            {
                continue;
            }
            var key = header.Key.ToLowerInvariant();
            var binary = Metadata.Entry.IsBinaryKey(key);
            foreach (var value in header.Value)
            {
                if (value is null)
                {
                    continue;
                }
                try
                {
                    if (binary)
                    {
                        // Several binary values may arrive comma-joined in one field.
                        foreach (var part in value.Split(','))
                        {
                            metadata.Add(key, GrpcProtocol.DecodeBinaryHeader(part));
                        }
                    }
                    else
                    {
                        metadata.Add(key, value);
                    }
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    // Valid HTTP but not valid gRPC metadata (a key with '!', a tab in a value, bad base64):
                    // dropped, as the client does, rather than failing the call from inside the handler.
                }
            }
        }
        return metadata;
    }

    private static string FormatPeer(ConnectionInfo connection)
    {
        var address = connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"ipv6:[{address}]:{connection.RemotePort}"
            : $"ipv4:{address}:{connection.RemotePort}";
    }
}
