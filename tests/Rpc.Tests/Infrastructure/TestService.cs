using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

/// <summary>Implements rpctest.v1.TestService; each request says how the server should behave.</summary>
public sealed class TestServiceImpl(CallTracker tracker) : TestService.TestServiceBase
{
    public override async Task<EchoResponse> Unary(EchoRequest request, ServerCallContext context)
    {
        using var tracked = Track(request, context, out var call);
        try
        {
            var response = Respond(request, context, 0);
            if (request.EchoMetadata)
            {
                await EchoMetadataAsync(request, context, response);
            }
            await BehaveAsync(request, context, call);
            call?.Finish(context, "ok");
            return response;
        }
        catch (Exception ex)
        {
            call?.Finish(context, ex.GetType().Name);
            throw;
        }
    }

    public override async Task<EchoResponse> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var count = 0;
        var total = 0;
        EchoRequest? last = null;
        IDisposable? tracked = null;
        TrackedCall? call = null;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                if (count == 0)
                {
                    tracked = Track(request, context, out call);
                }
                count++;
                total += request.Payload.Length;
                last = request;
                await BehaveAsync(request, context, call);
            }
            var response = Respond(last ?? new EchoRequest(), context, 0);
            response.ReceivedCount = count;
            response.Message = $"{count} messages, {total} bytes";
            call?.Finish(context, "ok");
            return response;
        }
        catch (Exception ex)
        {
            call?.Finish(context, ex.GetType().Name);
            throw;
        }
        finally
        {
            tracked?.Dispose();
        }
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        using var tracked = Track(request, context, out var call);
        try
        {
            if (request.NoCompress)
            {
                responseStream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
            }
            if (request.EchoMetadata)
            {
                await EchoMetadataAsync(request, context, new EchoResponse());
            }
            for (var i = 0; i < request.StreamCount; i++)
            {
                if (i > 0 && request.StreamIntervalMs > 0)
                {
                    await Task.Delay(request.StreamIntervalMs, context.CancellationToken);
                }
                await responseStream.WriteAsync(Respond(request, context, i));
            }
            await BehaveAsync(request, context, call);
            call?.Finish(context, "ok");
        }
        catch (Exception ex)
        {
            call?.Finish(context, ex.GetType().Name);
            throw;
        }
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var index = 0;
        IDisposable? tracked = null;
        TrackedCall? call = null;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                if (index == 0)
                {
                    tracked = Track(request, context, out call);
                }
                await BehaveAsync(request, context, call);
                for (var i = 0; i < Math.Max(1, request.StreamCount); i++)
                {
                    await responseStream.WriteAsync(Respond(request, context, index++));
                }
            }
            call?.Finish(context, "ok");
        }
        catch (Exception ex)
        {
            call?.Finish(context, ex.GetType().Name);
            throw;
        }
        finally
        {
            tracked?.Dispose();
        }
    }

    private IDisposable? Track(EchoRequest request, ServerCallContext context, out TrackedCall? call)
    {
        if (request.CallId.Length == 0)
        {
            call = null;
            return null;
        }
        call = tracker[request.CallId];
        return call.Begin(context);
    }

    private async Task BehaveAsync(EchoRequest request, ServerCallContext context, TrackedCall? call)
    {
        var token = request.IgnoreCancellation ? CancellationToken.None : context.CancellationToken;
        if (request.Barrier.Length > 0)
        {
            await tracker.ArriveAsync(request.Barrier, request.BarrierCount, token);
        }
        if (request.WaitForRelease && call is not null)
        {
            await call.Release.Task.WaitAsync(token);
        }
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, token);
        }
        if (request.ThrowException)
        {
            throw new InvalidOperationException("secret internal detail");
        }
        if (request.FailCode != 0)
        {
            context.ResponseTrailers.Add("context-trailer", "added-before-throw");
            var trailers = new Metadata { { "failure-reason", "requested" }, { "failure-detail-bin", new byte[] { 0, 1, 2, 255 } } };
            throw new RpcException(new Status((StatusCode)request.FailCode, request.FailMessage), trailers);
        }
        if (request.SetStatusCode != 0)
        {
            context.ResponseTrailers.Add("status-set-by", "context");
            context.Status = new Status((StatusCode)request.SetStatusCode, request.SetStatusMessage);
        }
    }

    private static async Task EchoMetadataAsync(EchoRequest request, ServerCallContext context, EchoResponse response)
    {
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith("x-", StringComparison.Ordinal))
            {
                headers.Add(entry);
                context.ResponseTrailers.Add(entry.IsBinary
                    ? new Metadata.Entry(entry.Key[..^4] + "-trailer-bin", entry.ValueBytes)
                    : new Metadata.Entry(entry.Key + "-trailer", entry.Value));
            }
        }
        await context.WriteResponseHeadersAsync(headers);
        if (request.WriteHeadersTwice)
        {
            try
            {
                await context.WriteResponseHeadersAsync(new Metadata { { "x-second", "never" } });
                response.SecondHeadersError = "none";
            }
            catch (Exception ex)
            {
                response.SecondHeadersError = ex.GetType().Name;
            }
        }
    }

    private static EchoResponse Respond(EchoRequest request, ServerCallContext context, int index)
    {
        var http = context.GetHttpContext();
        if (request.NoCompress)
        {
            context.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
        }
        var response = new EchoResponse
        {
            Message = request.Message,
            Index = index,
            Peer = context.Peer,
            Method = context.Method,
            Host = context.Host,
            DeadlineUnixMs = context.Deadline == DateTime.MaxValue ? 0 : new DateTimeOffset(context.Deadline).ToUnixTimeMilliseconds(),
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(Pattern(request.ResponseSize)) : ByteString.Empty,
            Protocol = http.Request.Protocol,
            Scheme = http.Request.Scheme,
            ConnectionId = http.Connection.Id,
            RequestEncoding = http.Request.Headers["grpc-encoding"].ToString(),
            UserState = context.UserState.TryGetValue("trace", out var trace) ? trace as string ?? "" : "",
        };
        foreach (var entry in context.RequestHeaders)
        {
            if (!entry.IsBinary)
            {
                response.Headers[entry.Key] = entry.Value;
            }
            response.RequestMetadata.Add(entry.IsBinary
                ? new EchoResponse.Types.MetadataEntry { Key = entry.Key, ValueBytes = ByteString.CopyFrom(entry.ValueBytes), Kind = EchoResponse.Types.MetadataEntry.Types.Kind.Binary }
                : new EchoResponse.Types.MetadataEntry { Key = entry.Key, Value = entry.Value });
        }
        return response;
    }

    /// <summary>A deterministic byte pattern, so tests can check large payloads arrived intact.</summary>
    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) + (i >> 8));
        }
        return bytes;
    }
}
