using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Core.Internal;
using Grpc.Net.Compression;

namespace Grpc.Net.Client.Internal;

/// <summary>
/// One client call as one HTTP/2 request. The status comes from the trailers, from the headers of a
/// Trailers-Only response, from the HTTP status when grpc-status is missing, or from local events
/// (deadline, cancellation, transport failure); whichever is known first wins.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    private const string CancelledMessage = "Call canceled by the client.";

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly string? _host;
    private readonly CallOptions _options;
    private readonly DateTime? _deadline;
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationToken _token;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PayloadDeserializationContext _deserializationContext = new();
    private readonly Lock _sync = new();
    private readonly TaskCompletionSource<Status> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _userRegistration;
    private CancellationTokenRegistration _shutdownRegistration;
    private Status? _cancelReason;
    private Status? _status;
    private Metadata? _trailers;
    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private Stream? _responseStream;
    private PipeReader? _reader;
    private ICompressionProvider? _requestCompressor;
    private ICompressionProvider? _responseDecompressor;
    private Task<HttpResponseMessage?>? _sendTask;
    private PushStreamContent? _pushContent;
    private bool _writeInProgress;
    private bool _requestCompleted;
    private int _disposed;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _host = host;
        _options = options;
        _token = _cts.Token;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            _deadline = deadline.Kind == DateTimeKind.Local ? deadline.ToUniversalTime() : DateTime.SpecifyKind(deadline, DateTimeKind.Utc);
        }
        if (options.CancellationToken.CanBeCanceled)
        {
            _userRegistration = options.CancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(new Status(StatusCode.Cancelled, CancelledMessage)), this);
        }
        _shutdownRegistration = channel.ShutdownToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(new Status(StatusCode.Unavailable, "The channel was shut down.")), this);
        // Cancelling only the token leaves an HTTP/2 stream open when nothing is reading it; disposing the
        // response resets the stream (RST_STREAM CANCEL) so the server learns of it at once.
        _token.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).AbortResponse(), this);
        ResponseStream = new ClientResponseStream(this);
        RequestStream = new ClientRequestStream(this);
    }

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() => _trailers ?? throw new InvalidOperationException("Can't get the call trailers because the call has not completed successfully.");

    // ------------------------------------------------------------------ call kinds

    public async Task<TResponse> RunUnaryAsync(TRequest request)
    {
        try
        {
            var content = new FramedContent(SerializeRequest(request));
            var response = await SendAsync(CreateRequest(content)).ConfigureAwait(false);
            return await ReadSingleResponseAsync(response).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw ToCallException(ex);
        }
        finally
        {
            Cleanup();
        }
    }

    public async Task<TResponse> RunClientStreamingAsync()
    {
        try
        {
            _pushContent = new PushStreamContent();
            var response = await SendAsync(CreateRequest(_pushContent)).ConfigureAwait(false);
            return await ReadSingleResponseAsync(response).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw ToCallException(ex);
        }
        finally
        {
            Cleanup();
        }
    }

    public void StartServerStreaming(TRequest request)
    {
        HttpContent content;
        try
        {
            content = new FramedContent(SerializeRequest(request));
        }
        catch (Exception ex)
        {
            _ = ToCallException(ex);
            _sendTask = Task.FromResult<HttpResponseMessage?>(null);
            return;
        }
        _sendTask = SendWithoutThrowingAsync(CreateRequest(content));
    }

    public void StartDuplexStreaming()
    {
        _pushContent = new PushStreamContent();
        _sendTask = SendWithoutThrowingAsync(CreateRequest(_pushContent));
    }

    private async Task<TResponse> ReadSingleResponseAsync(HttpResponseMessage? response)
    {
        if (response is null)
        {
            throw CreateException(_status!.Value, _trailers);
        }
        var (hasMessage, message) = await ReadMessageAsync(_token).ConfigureAwait(false);
        if (hasMessage)
        {
            var (extra, _) = await ReadMessageAsync(_token).ConfigureAwait(false);
            if (extra)
            {
                Finish(new Status(StatusCode.Internal, "The server sent more than one message for a call with a single response."), null);
                CancelTransport();
                throw CreateException(_status!.Value, _trailers);
            }
        }
        var status = FinishFromTrailers();
        if (status.StatusCode != StatusCode.OK)
        {
            throw CreateException(status, _trailers);
        }
        if (!hasMessage)
        {
            _status = new Status(StatusCode.Internal, "The server ended the call with OK but sent no response message.");
            throw CreateException(_status.Value, _trailers);
        }
        return message!;
    }

    // ------------------------------------------------------------------ request

    private HttpRequestMessage CreateRequest(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetMethodUri(_method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, "trailers");
        headers.TryAddWithoutValidation(GrpcProtocol.UserAgentHeader, _channel.Options.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, _channel.AcceptEncoding);
        if (_host is not null)
        {
            headers.Host = _host;
        }
        if (_deadline is { } deadline)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(deadline - DateTime.UtcNow));
        }
        if (_options.Headers is { Count: > 0 } metadata)
        {
            foreach (var entry in metadata)
            {
                if (GrpcProtocol.IsReservedHeader(entry.Key) || entry.Key == GrpcProtocol.RequestEncodingMetadataKey)
                {
                    continue;
                }
                var value = entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.RawValueBytes) : entry.Value;
                if (!headers.TryAddWithoutValidation(entry.Key, value))
                {
                    throw new RpcException(new Status(StatusCode.Internal, $"Metadata key '{entry.Key}' cannot be sent as an HTTP/2 header."));
                }
            }
        }
        content.Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
        _request = request;
        return request;
    }

    private ReadOnlyMemory<byte> SerializeRequest(TRequest message)
    {
        ResolveRequestCompression();
        var buffer = new ArrayBufferWriter<byte>();
        var context = new FramingSerializationContext();
        var compressor = _options.WriteOptions.Has(WriteFlags.NoCompress) ? null : _requestCompressor;
        context.Reset(buffer, _channel.Options.MaxSendMessageSize, compressor, null);
        context.Serialize(_method.RequestMarshaller.ContextualSerializer, message);
        return buffer.WrittenMemory;
    }

    private void ResolveRequestCompression()
    {
        if (_options.Headers?.GetValue(GrpcProtocol.RequestEncodingMetadataKey) is { } name && name != "identity")
        {
            _requestCompressor = CompressionHelper.Find(_channel.CompressionProviders, name)
                ?? throw new RpcException(new Status(StatusCode.Internal, $"Could not find a compression provider for '{name}'."));
        }
    }

    private async Task<HttpResponseMessage?> SendWithoutThrowingAsync(HttpRequestMessage request)
    {
        try
        {
            return await SendAsync(request).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _ = ToCallException(ex);
            return null;
        }
    }

    /// <summary>Sends the request and reads the response headers; null when the headers already ended the call.</summary>
    private async Task<HttpResponseMessage?> SendAsync(HttpRequestMessage request)
    {
        if (_pushContent is not null)
        {
            ResolveRequestCompression();
        }
        // Here rather than in CreateRequest: a streaming call's request exists before its compression is resolved.
        if (_requestCompressor is not null)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, _requestCompressor.EncodingName);
        }
        if (_deadline is { } deadline)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                Finish(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
                return null;
            }
            if (remaining.TotalMilliseconds < uint.MaxValue - 1)
            {
                _cts.CancelAfter(remaining);
            }
        }
        if (_token.IsCancellationRequested)
        {
            Finish(_cancelReason ?? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
            return null;
        }

        HttpResponseMessage response;
        try
        {
            response = await _channel.HttpInvoker.SendAsync(request, _token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw ToCallException(ex, "Error starting gRPC call.");
        }
        Volatile.Write(ref _response, response);
        if (_token.IsCancellationRequested)
        {
            AbortResponse(); // cancelled while the headers arrived, before the callback could see the response
        }

        var headerMetadata = ReadMetadata(response.Headers, out var statusText, out var messageText);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = statusText is not null && GrpcProtocol.TryParseStatusCode(statusText, out var code)
                ? new Status(code, messageText is null ? "" : GrpcProtocol.DecodeMessage(messageText))
                : new Status(GrpcProtocol.StatusFromHttpStatus((int)response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}");
            _headers.TrySetResult(headerMetadata);
            Finish(status.StatusCode == StatusCode.OK ? new Status(StatusCode.Internal, $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}") : status, headerMetadata);
            return null;
        }
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            _headers.TrySetResult(headerMetadata);
            Finish(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}"), headerMetadata);
            return null;
        }
        if (statusText is not null)
        {
            // Trailers-Only: the headers are the trailers and the call is over.
            _headers.TrySetResult(headerMetadata);
            Finish(ParseStatus(statusText, messageText), headerMetadata);
            return null;
        }
        if (response.Headers.NonValidated.TryGetValues(GrpcProtocol.EncodingHeader, out var encodingValues))
        {
            var encoding = encodingValues.ToString();
            if (encoding != "identity")
            {
                _responseDecompressor = CompressionHelper.Find(_channel.CompressionProviders, encoding);
                if (_responseDecompressor is null)
                {
                    _headers.TrySetResult(headerMetadata);
                    Finish(new Status(StatusCode.Internal, $"The server used grpc-encoding '{encoding}', which this client does not support."), null);
                    CancelTransport();
                    return null;
                }
            }
        }
        _headers.TrySetResult(headerMetadata);
        try
        {
            _responseStream = await response.Content.ReadAsStreamAsync(_token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw ToCallException(ex, "Error reading the response.");
        }
        _reader = PipeReader.Create(_responseStream, new StreamPipeReaderOptions(leaveOpen: true));
        return response;
    }

    // ------------------------------------------------------------------ response

    private async ValueTask<(bool HasMessage, TResponse? Message)> ReadMessageAsync(CancellationToken token)
    {
        var reader = _reader!;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw ToCallException(ex, "Error reading next message.");
            }
            var buffer = result.Buffer;
            bool found;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                found = MessageFrames.TryReadMessage(ref buffer, _channel.Options.MaxReceiveMessageSize, out compressed, out payload);
            }
            catch (RpcException ex)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                Finish(ex.Status, null);
                CancelTransport();
                throw CreateException(ex.Status, null);
            }
            if (found)
            {
                try
                {
                    var message = MessageFrames.Deserialize(_deserializationContext, _method.ResponseMarshaller.ContextualDeserializer, payload, compressed, _responseDecompressor, _channel.Options.MaxReceiveMessageSize);
                    return (true, message);
                }
                catch (RpcException ex)
                {
                    Finish(ex.Status, null);
                    CancelTransport();
                    throw CreateException(ex.Status, null);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }
            if (result.IsCompleted)
            {
                var incomplete = !buffer.IsEmpty;
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (incomplete)
                {
                    Finish(new Status(StatusCode.Internal, "Incomplete message."), null);
                    throw CreateException(_status!.Value, null);
                }
                return (false, default);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private Status FinishFromTrailers()
    {
        if (_status is { } finished)
        {
            return finished;
        }
        var trailers = ReadMetadata(_response!.TrailingHeaders, out var statusText, out var messageText);
        var status = statusText is null
            ? new Status(StatusCode.Unknown, "No grpc-status found on response.")
            : ParseStatus(statusText, messageText);
        Finish(status, trailers);
        return status;
    }

    private static Status ParseStatus(string statusText, string? messageText)
    {
        var message = messageText is null ? "" : GrpcProtocol.DecodeMessage(messageText);
        return GrpcProtocol.TryParseStatusCode(statusText, out var code)
            ? new Status(code, message)
            : new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{statusText}'. {message}".TrimEnd());
    }

    private static Metadata ReadMetadata(HttpHeaders headers, out string? statusText, out string? messageText)
    {
        statusText = null;
        messageText = null;
        var metadata = new Metadata();
        foreach (var header in headers.NonValidated)
        {
            var name = header.Key;
            if (string.Equals(name, GrpcProtocol.StatusHeader, StringComparison.OrdinalIgnoreCase))
            {
                statusText = header.Value.ToString();
                continue;
            }
            if (string.Equals(name, GrpcProtocol.MessageHeader, StringComparison.OrdinalIgnoreCase))
            {
                messageText = header.Value.ToString();
                continue;
            }
            if (GrpcProtocol.IsReservedHeader(name))
            {
                continue;
            }
            var key = name.ToLowerInvariant();
            var binary = Metadata.Entry.IsBinaryKey(key);
            foreach (var value in header.Value)
            {
                try
                {
                    if (binary)
                    {
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
                    // A malformed header from the peer is dropped rather than failing the whole call.
                }
            }
        }
        return metadata;
    }

    // ------------------------------------------------------------------ streams

    private async Task<bool> MoveNextAsync(ClientResponseStream stream, CancellationToken cancellationToken)
    {
        if (_status is { } done)
        {
            return done.StatusCode == StatusCode.OK ? false : throw CreateException(done, _trailers);
        }
        // Registered before waiting for the response headers, which a server may hold back for as long as it likes.
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(new Status(StatusCode.Cancelled, CancelledMessage)), this)
            : default;
        var response = await _sendTask!.ConfigureAwait(false);
        if (response is null)
        {
            var status = _status!.Value;
            return status.StatusCode == StatusCode.OK ? false : throw CreateException(status, _trailers);
        }
        var (hasMessage, message) = await ReadMessageAsync(_token).ConfigureAwait(false);
        if (hasMessage)
        {
            stream.Current = message!;
            return true;
        }
        var final = FinishFromTrailers();
        Cleanup();
        return final.StatusCode == StatusCode.OK ? false : throw CreateException(final, _trailers);
    }

    private async Task WriteAsync(TRequest message, WriteOptions? writeOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_requestCompleted)
        {
            throw new InvalidOperationException("Request stream has already been completed.");
        }
        if (_status is { } done)
        {
            throw done.StatusCode == StatusCode.OK
                ? new InvalidOperationException("Can't write the message because the call is complete.")
                : CreateException(done, _trailers);
        }
        if (_writeInProgress)
        {
            throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
        }
        _writeInProgress = true;
        try
        {
            var buffer = new ArrayBufferWriter<byte>();
            var context = new FramingSerializationContext();
            var options = writeOptions ?? _options.WriteOptions;
            var compressor = options.Has(WriteFlags.NoCompress) ? null : _requestCompressor;
            context.Reset(buffer, _channel.Options.MaxSendMessageSize, compressor, null);
            context.Serialize(_method.RequestMarshaller.ContextualSerializer, message);

            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_token, cancellationToken) : null;
            var token = linked?.Token ?? _token;
            var stream = await _pushContent!.GetStreamAsync(token).ConfigureAwait(false);
            await stream.WriteAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
            if (!options.Has(WriteFlags.BufferHint))
            {
                await stream.FlushAsync(token).ConfigureAwait(false);
            }
        }
        // ObjectDisposedException is an InvalidOperationException, but here it is the transport torn down under a
        // write (the server ended the call): it gets the call's status like any other transport failure.
        catch (Exception ex) when (ex is not InvalidOperationException || ex is ObjectDisposedException)
        {
            if (_status is null && (ex is RpcException || (cancellationToken.IsCancellationRequested && !_token.IsCancellationRequested)))
            {
                // A message refused locally (too large) or a write cancelled half-way leaves the stream unusable: end the call.
                var reason = ex is RpcException rpc ? rpc.Status : new Status(StatusCode.Cancelled, CancelledMessage);
                Cancel(reason);
                Finish(reason, null);
            }
            // The transport failed because the call ended; its status, arriving on the response side, explains why.
            var status = _status ?? await WaitForStatusAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false) ?? StatusFromException(ex, "Error writing the request stream.");
            if (status.StatusCode == StatusCode.OK)
            {
                // The server answered and stopped reading: the same refusal as a write after the call ended.
                throw new InvalidOperationException("Can't write the message because the call is complete.", ex);
            }
            throw CreateException(status, _trailers);
        }
        finally
        {
            _writeInProgress = false;
        }
    }

    private Task CompleteRequestAsync()
    {
        if (_requestCompleted)
        {
            return Task.CompletedTask;
        }
        if (_writeInProgress)
        {
            throw new InvalidOperationException("Can't complete the request stream while a write is in progress.");
        }
        _requestCompleted = true;
        _pushContent?.Complete();
        return Task.CompletedTask;
    }

    // ------------------------------------------------------------------ ending

    private void Cancel(Status reason)
    {
        lock (_sync)
        {
            _cancelReason ??= reason;
        }
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task<Status?> WaitForStatusAsync(TimeSpan timeout)
    {
        try
        {
            return await _finished.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private void AbortResponse() => Volatile.Read(ref _response)?.Dispose();

    private void CancelTransport()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Finish(Status status, Metadata? trailers)
    {
        lock (_sync)
        {
            if (_status is not null)
            {
                return;
            }
            _status = status;
            _trailers = trailers ?? [];
        }
        _finished.TrySetResult(status);
        if (status.StatusCode != StatusCode.OK)
        {
            _headers.TrySetException(CreateException(status, _trailers));
            _ = _headers.Task.Exception; // observed: callers often never await the headers
        }
        else
        {
            _headers.TrySetResult([]);
        }
        _pushContent?.Abort();
    }

    private Exception ToCallException(Exception ex, string? context = null)
    {
        if (ex is RpcException rpc && _status is null)
        {
            Finish(rpc.Status, rpc.Trailers);
        }
        var status = _status ?? StatusFromException(ex, context);
        if (_status is null)
        {
            Finish(status, null);
        }
        CancelTransport();
        return CreateException(_status!.Value, _trailers);
    }

    private Status StatusFromException(Exception ex, string? context)
    {
        if (_token.IsCancellationRequested)
        {
            return _cancelReason ?? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        var prefix = context is null ? "" : context + " ";
        return ex switch
        {
            RpcException rpc => rpc.Status,
            HttpProtocolException protocol => new Status(Http2ErrorToStatus(protocol.ErrorCode), $"{prefix}Error received from peer: HTTP/2 error code {protocol.ErrorCode}.", ex),
            HttpRequestException request => new Status(StatusCode.Unavailable, $"{prefix}{request.GetType().Name}: {request.Message}", ex),
            IOException io => new Status(StatusCode.Unavailable, $"{prefix}{io.GetType().Name}: {io.Message}", ex),
            OperationCanceledException => new Status(StatusCode.Cancelled, CancelledMessage, ex),
            _ => new Status(StatusCode.Internal, $"{prefix}{ex.GetType().Name}: {ex.Message}", ex),
        };
    }

    private static StatusCode Http2ErrorToStatus(long errorCode) => errorCode switch
    {
        0x0 or 0x1 or 0x2 or 0x6 => StatusCode.Internal,
        0x7 => StatusCode.Unavailable,          // REFUSED_STREAM: never processed, safe to retry
        0x8 => StatusCode.Cancelled,            // CANCEL
        0xb => StatusCode.ResourceExhausted,    // ENHANCE_YOUR_CALM
        0xc => StatusCode.PermissionDenied,     // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };

    private Exception CreateException(Status status, Metadata? trailers)
    {
        if (status.StatusCode == StatusCode.Cancelled && _channel.Options.ThrowOperationCanceledOnCancellation)
        {
            return new OperationCanceledException(status.Detail);
        }
        return new RpcException(status, trailers ?? Metadata.Empty);
    }

    private void Cleanup()
    {
        if (_status is null)
        {
            return;
        }
        _userRegistration.Dispose();
        _shutdownRegistration.Dispose();
        try
        {
            _cts.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
        if (_status.Value.StatusCode != StatusCode.OK)
        {
            CancelTransport();
        }
        _reader?.Complete();
        _responseStream?.Dispose();
        _response?.Dispose();
        _request?.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (_status is null)
        {
            Cancel(new Status(StatusCode.Cancelled, "gRPC call disposed."));
            Finish(_cancelReason!.Value, null);
        }
        Cleanup();
    }

    private sealed class ClientResponseStream(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    {
        public TResponse Current { get; set; } = default!;

        public Task<bool> MoveNext(CancellationToken cancellationToken) => call.MoveNextAsync(this, cancellationToken);
    }

    private sealed class ClientRequestStream(GrpcCall<TRequest, TResponse> call) : IClientStreamWriter<TRequest>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(TRequest message) => call.WriteAsync(message, WriteOptions, CancellationToken.None);

        public Task WriteAsync(TRequest message, CancellationToken cancellationToken) => call.WriteAsync(message, WriteOptions, cancellationToken);

        public Task CompleteAsync() => call.CompleteRequestAsync();
    }
}

/// <summary>A request body that is one pre-framed message.</summary>
internal sealed class FramedContent(ReadOnlyMemory<byte> frame) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(frame).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(frame, cancellationToken).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        // No content-length: some peers treat it as a hint they don't expect on gRPC requests.
        length = -1;
        return false;
    }
}

/// <summary>A request body written message by message while the call runs; it ends on Complete.</summary>
internal sealed class PushStreamContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Stream> GetStreamAsync(CancellationToken cancellationToken) => _stream.Task.WaitAsync(cancellationToken);

    public void Complete() => _done.TrySetResult();

    public void Abort()
    {
        _stream.TrySetCanceled();
        _done.TrySetResult();
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        // SocketsHttpHandler holds back an HTTP/2 request's HEADERS until its body is first flushed: without
        // this, a streaming call would not reach the server before its first message (or at all without one).
        await stream.FlushAsync().ConfigureAwait(false);
        _stream.TrySetResult(stream);
        await _done.Task.ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
