using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;

namespace AstralytiQ.Interop.Client;

/// <summary>
/// The client side of grpc's interop test cases (doc/interop-test-descriptions.md, "Client"),
/// plus two message-size cases. Each case throws <see cref="InteropFailure"/> when an assertion fails.
/// </summary>
public sealed class InteropClient(Uri address) : IDisposable
{
    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";
    private const string SpecialStatusMessage = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";

    // Above the 4 MiB default receive limit of every gRPC implementation.
    private const int OversizedMessageBytes = 5 * 1024 * 1024;

    private static readonly int[] RequestSizes = [27182, 8, 1828, 45904];
    private static readonly int[] ResponseSizes = [31415, 9, 2653, 58979];

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(address);

    private TestService.TestServiceClient Client => new(_channel);

    /// <summary>Every case by its interop name.</summary>
    public static IReadOnlyDictionary<string, Func<InteropClient, Task>> Cases { get; } = new Dictionary<string, Func<InteropClient, Task>>(StringComparer.Ordinal)
    {
        ["empty_unary"] = c => c.EmptyUnaryAsync(),
        ["large_unary"] = c => c.LargeUnaryAsync(),
        ["client_streaming"] = c => c.ClientStreamingAsync(),
        ["server_streaming"] = c => c.ServerStreamingAsync(),
        ["ping_pong"] = c => c.PingPongAsync(),
        ["empty_stream"] = c => c.EmptyStreamAsync(),
        ["custom_metadata"] = c => c.CustomMetadataAsync(),
        ["status_code_and_message"] = c => c.StatusCodeAndMessageAsync(),
        ["special_status_message"] = c => c.SpecialStatusMessageAsync(),
        ["unimplemented_method"] = c => c.UnimplementedMethodAsync(),
        ["unimplemented_service"] = c => c.UnimplementedServiceAsync(),
        ["cancel_after_begin"] = c => c.CancelAfterBeginAsync(),
        ["cancel_after_first_response"] = c => c.CancelAfterFirstResponseAsync(),
        ["timeout_on_sleeping_server"] = c => c.TimeoutOnSleepingServerAsync(),
        ["oversized_response"] = c => c.OversizedResponseAsync(),
        ["oversized_request"] = c => c.OversizedRequestAsync(),
    };

    public void Dispose() => _channel.Dispose();

    private async Task EmptyUnaryAsync()
    {
        var response = await Client.EmptyCallAsync(new Empty());
        Assert(response is not null, "response is null");
    }

    private async Task LargeUnaryAsync()
    {
        var response = await Client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) });
        AssertZeros(response.Payload, 314159);
    }

    private async Task ClientStreamingAsync()
    {
        using var call = Client.StreamingInputCall();
        foreach (var size in RequestSizes)
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Assert(response.AggregatedPayloadSize == 74922, $"aggregated_payload_size {response.AggregatedPayloadSize}, expected 74922");
    }

    private async Task ServerStreamingAsync()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.AddRange(ResponseSizes.Select(size => new ResponseParameters { Size = size }));
        using var call = Client.StreamingOutputCall(request);
        var sizes = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            AssertZeros(call.ResponseStream.Current.Payload, call.ResponseStream.Current.Payload.Body.Length);
            sizes.Add(call.ResponseStream.Current.Payload.Body.Length);
        }
        Assert(sizes.SequenceEqual(ResponseSizes), $"response sizes [{string.Join(", ", sizes)}], expected [{string.Join(", ", ResponseSizes)}]");
        Assert(call.GetStatus().StatusCode == StatusCode.OK, $"status {call.GetStatus()}");
    }

    private async Task PingPongAsync()
    {
        using var call = Client.FullDuplexCall();
        for (var i = 0; i < RequestSizes.Length; i++)
        {
            var request = new StreamingOutputCallRequest { Payload = Zeros(RequestSizes[i]) };
            request.ResponseParameters.Add(new ResponseParameters { Size = ResponseSizes[i] });
            await call.RequestStream.WriteAsync(request);
            Assert(await call.ResponseStream.MoveNext(CancellationToken.None), $"stream ended before response {i + 1}");
            AssertZeros(call.ResponseStream.Current.Payload, ResponseSizes[i]);
        }
        await call.RequestStream.CompleteAsync();
        Assert(!await call.ResponseStream.MoveNext(CancellationToken.None), "more than four responses");
        Assert(call.GetStatus().StatusCode == StatusCode.OK, $"status {call.GetStatus()}");
    }

    private async Task EmptyStreamAsync()
    {
        using var call = Client.FullDuplexCall();
        await call.RequestStream.CompleteAsync();
        Assert(!await call.ResponseStream.MoveNext(CancellationToken.None), "a response arrived on an empty stream");
        Assert(call.GetStatus().StatusCode == StatusCode.OK, $"status {call.GetStatus()}");
    }

    private async Task CustomMetadataAsync()
    {
        byte[] trailingValue = [0xab, 0xab, 0xab];
        var headers = new Metadata
        {
            { EchoInitialKey, "test_initial_metadata_value" },
            { EchoTrailingKey, trailingValue },
        };

        using (var unary = Client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, headers))
        {
            var response = await unary.ResponseAsync;
            AssertZeros(response.Payload, 314159);
            AssertEchoed(await unary.ResponseHeadersAsync, unary.GetTrailers(), trailingValue, "UnaryCall");
        }

        using var duplex = Client.FullDuplexCall(headers);
        var request = new StreamingOutputCallRequest { Payload = Zeros(271828) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 314159 });
        await duplex.RequestStream.WriteAsync(request);
        await duplex.RequestStream.CompleteAsync();
        Assert(await duplex.ResponseStream.MoveNext(CancellationToken.None), "FullDuplexCall: no response");
        AssertZeros(duplex.ResponseStream.Current.Payload, 314159);
        Assert(!await duplex.ResponseStream.MoveNext(CancellationToken.None), "FullDuplexCall: more than one response");
        AssertEchoed(await duplex.ResponseHeadersAsync, duplex.GetTrailers(), trailingValue, "FullDuplexCall");
    }

    private Task StatusCodeAndMessageAsync() => EchoStatusAsync("test status message", duplexToo: true);

    private Task SpecialStatusMessageAsync() => EchoStatusAsync(SpecialStatusMessage, duplexToo: false);

    private async Task EchoStatusAsync(string message, bool duplexToo)
    {
        var status = new EchoStatus { Code = (int)StatusCode.Unknown, Message = message };
        var unary = await ExpectFailureAsync(() => Client.UnaryCallAsync(new SimpleRequest { ResponseStatus = status }).ResponseAsync);
        AssertStatus(unary, StatusCode.Unknown, message, "UnaryCall");
        if (!duplexToo)
        {
            return;
        }
        using var call = Client.FullDuplexCall();
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = status });
        await call.RequestStream.CompleteAsync();
        var duplex = await ExpectFailureAsync(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        AssertStatus(duplex, StatusCode.Unknown, message, "FullDuplexCall");
    }

    private async Task UnimplementedMethodAsync()
    {
        var error = await ExpectFailureAsync(() => Client.UnimplementedCallAsync(new Empty()).ResponseAsync);
        AssertStatus(error, StatusCode.Unimplemented, null, "TestService/UnimplementedCall");
    }

    private async Task UnimplementedServiceAsync()
    {
        var client = new UnimplementedService.UnimplementedServiceClient(_channel);
        var error = await ExpectFailureAsync(() => client.UnimplementedCallAsync(new Empty()).ResponseAsync);
        AssertStatus(error, StatusCode.Unimplemented, null, "UnimplementedService/UnimplementedCall");
    }

    private async Task CancelAfterBeginAsync()
    {
        using var cts = new CancellationTokenSource();
        using var call = Client.StreamingInputCall(cancellationToken: cts.Token);
        await cts.CancelAsync();
        var error = await ExpectFailureAsync(() => call.ResponseAsync);
        AssertStatus(error, StatusCode.Cancelled, null, "StreamingInputCall");
    }

    private async Task CancelAfterFirstResponseAsync()
    {
        using var cts = new CancellationTokenSource();
        using var call = Client.FullDuplexCall(cancellationToken: cts.Token);
        var request = new StreamingOutputCallRequest { Payload = Zeros(27182) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 31415 });
        await call.RequestStream.WriteAsync(request);
        Assert(await call.ResponseStream.MoveNext(CancellationToken.None), "no first response");
        AssertZeros(call.ResponseStream.Current.Payload, 31415);
        await cts.CancelAsync();
        var error = await ExpectFailureAsync(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        AssertStatus(error, StatusCode.Cancelled, null, "FullDuplexCall");
    }

    private async Task TimeoutOnSleepingServerAsync()
    {
        using var call = Client.FullDuplexCall(deadline: DateTime.UtcNow.AddMilliseconds(1));
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) });
        }
        catch (RpcException)
        {
            // The deadline may already have passed: the write fails, the status below is what counts.
        }
        catch (InvalidOperationException)
        {
            // Same: the call is already over.
        }
        var error = await ExpectFailureAsync(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        AssertStatus(error, StatusCode.DeadlineExceeded, null, "FullDuplexCall");
    }

    private async Task OversizedResponseAsync()
    {
        // The server may send it; this client must refuse to receive it, and the channel must stay usable.
        var error = await ExpectFailureAsync(() => Client.UnaryCallAsync(new SimpleRequest { ResponseSize = OversizedMessageBytes }).ResponseAsync);
        AssertStatus(error, StatusCode.ResourceExhausted, null, "UnaryCall with a 5 MiB response");
        await LargeUnaryAsync();
    }

    private async Task OversizedRequestAsync()
    {
        // This client may send it; the server must refuse to receive it, and the channel must stay usable.
        var error = await ExpectFailureAsync(() => Client.UnaryCallAsync(new SimpleRequest { ResponseSize = 1, Payload = Zeros(OversizedMessageBytes) }).ResponseAsync);
        AssertStatus(error, StatusCode.ResourceExhausted, null, "UnaryCall with a 5 MiB request");
        await LargeUnaryAsync();
    }

    // ------------------------------------------------------------------ helpers

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static void AssertZeros(Payload? payload, int size)
    {
        Assert(payload is not null, "response has no payload");
        Assert(payload!.Body.Length == size, $"payload of {payload.Body.Length} bytes, expected {size}");
        Assert(!payload.Body.Span.ContainsAnyExcept((byte)0), "payload is not all zeros");
    }

    private static void AssertEchoed(Metadata headers, Metadata trailers, byte[] trailingValue, string call)
    {
        var initial = headers.Get(EchoInitialKey);
        Assert(initial is not null && initial.Value == "test_initial_metadata_value", $"{call}: {EchoInitialKey} not echoed in the response headers (got '{initial}')");
        var trailing = trailers.Get(EchoTrailingKey);
        Assert(trailing is not null && trailing.ValueBytes.AsSpan().SequenceEqual(trailingValue), $"{call}: {EchoTrailingKey} not echoed in the trailers (got '{trailing}')");
    }

    private static async Task<RpcException> ExpectFailureAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException ex)
        {
            return ex;
        }
        throw new InteropFailure("the call succeeded, expected it to fail");
    }

    private static void AssertStatus(RpcException error, StatusCode code, string? message, string call)
    {
        Assert(error.StatusCode == code, $"{call}: status {error.StatusCode} ('{error.Status.Detail}'), expected {code}");
        if (message is not null)
        {
            Assert(error.Status.Detail == message, $"{call}: status message '{Escape(error.Status.Detail)}', expected '{Escape(message)}'");
        }
    }

    private static string Escape(string text) => text.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static void Assert(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InteropFailure(failure);
        }
    }
}

/// <summary>An interop assertion that did not hold.</summary>
public sealed class InteropFailure(string message) : Exception(message);
