using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace AstralytiQ.Interop.Server;

/// <summary>
/// The server side of grpc's interop test cases (doc/interop-test-descriptions.md, "Server"):
/// payloads of the requested sizes, echoed status, echoed metadata and interval_us pauses.
/// UnimplementedCall is deliberately left to the generated base, which answers UNIMPLEMENTED.
/// </summary>
public sealed class InteropTestService : TestService.TestServiceBase
{
    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        EnsurePayloadType(request.ResponseType);
        EndWithRequestedStatus(request.ResponseStatus);
        return new SimpleResponse { Payload = CreatePayload(request.ResponseSize) };
    }

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        await RespondAsync(request, responseStream, context);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var total = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            total += requestStream.Current.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await RespondAsync(requestStream.Current, responseStream, context);
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var requests = new List<StreamingOutputCallRequest>();
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            requests.Add(requestStream.Current);
        }
        foreach (var request in requests)
        {
            await RespondAsync(request, responseStream, context);
        }
    }

    private static async Task RespondAsync(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        EnsurePayloadType(request.ResponseType);
        EndWithRequestedStatus(request.ResponseStatus);
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            }
            await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = CreatePayload(parameters.Size) }, context.CancellationToken);
        }
    }

    /// <summary>
    /// Sends x-grpc-test-echo-initial back in the response headers and x-grpc-test-echo-trailing-bin
    /// in the trailers, whatever way the call ends.
    /// </summary>
    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var initial = context.RequestHeaders.Get(EchoInitialKey);
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitialKey, initial.Value } });
        }
        var trailing = context.RequestHeaders.Get(EchoTrailingKey);
        if (trailing is not null)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing.ValueBytes);
        }
    }

    private static void EnsurePayloadType(PayloadType type)
    {
        if (type != PayloadType.Compressable)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Payload type {type} is not supported."));
        }
    }

    private static void EndWithRequestedStatus(EchoStatus? status)
    {
        if (status is not null && status.Code != 0)
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }

    private static Payload CreatePayload(int size)
    {
        if (size < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Payload size {size} is negative."));
        }
        return new Payload { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };
    }
}
