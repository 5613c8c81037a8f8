using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

/// <summary>Implements rpctest.v1.TestService; each request says how the server should behave.</summary>
public sealed class TestServiceImpl : TestService.TestServiceBase
{
    public override async Task<EchoResponse> Unary(EchoRequest request, ServerCallContext context)
    {
        await BehaveAsync(request, context);
        if (request.EchoMetadata)
        {
            await EchoMetadataAsync(context);
        }
        return Respond(request, context, 0);
    }

    public override async Task<EchoResponse> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var count = 0;
        var total = 0;
        EchoRequest? last = null;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            count++;
            total += request.Payload.Length;
            last = request;
            await BehaveAsync(request, context);
        }
        var response = Respond(last ?? new EchoRequest(), context, 0);
        response.ReceivedCount = count;
        response.Message = $"{count} messages, {total} bytes";
        return response;
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        if (request.EchoMetadata)
        {
            await EchoMetadataAsync(context);
        }
        for (var i = 0; i < request.StreamCount; i++)
        {
            if (i > 0 && request.StreamIntervalMs > 0)
            {
                await Task.Delay(request.StreamIntervalMs, context.CancellationToken);
            }
            await responseStream.WriteAsync(Respond(request, context, i));
        }
        await BehaveAsync(request, context);
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await BehaveAsync(request, context);
            await responseStream.WriteAsync(Respond(request, context, index++));
        }
    }

    private static async Task BehaveAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Task.Delay(request.DelayMs, request.IgnoreCancellation ? CancellationToken.None : context.CancellationToken);
        }
        if (request.ThrowException)
        {
            throw new InvalidOperationException("secret internal detail");
        }
        if (request.FailCode != 0)
        {
            var trailers = new Metadata { { "failure-reason", "requested" } };
            throw new RpcException(new Status((StatusCode)request.FailCode, request.FailMessage), trailers);
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith("x-", StringComparison.Ordinal))
            {
                headers.Add(entry);
                context.ResponseTrailers.Add(entry.IsBinary ? new Metadata.Entry(entry.Key, entry.ValueBytes) : new Metadata.Entry(entry.Key + "-trailer", entry.Value));
            }
        }
        await context.WriteResponseHeadersAsync(headers);
    }

    private static EchoResponse Respond(EchoRequest request, ServerCallContext context, int index)
    {
        var response = new EchoResponse
        {
            Message = request.Message,
            Index = index,
            Peer = context.Peer,
            Method = context.Method,
            Host = context.Host,
            DeadlineUnixMs = context.Deadline == DateTime.MaxValue ? 0 : new DateTimeOffset(context.Deadline).ToUnixTimeMilliseconds(),
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : ByteString.Empty,
        };
        foreach (var entry in context.RequestHeaders)
        {
            if (!entry.IsBinary)
            {
                response.Headers[entry.Key] = entry.Value;
            }
        }
        return response;
    }
}
