using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace AstralytiQ.Rpc.Tests;

public sealed class StatusTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestService.TestServiceClient Client => fixture.Client;

    [Fact]
    public async Task Successful_call_sends_grpc_status_and_grpc_message_in_trailers_after_the_message()
    {
        using var http = fixture.Server.CreateRawClient();

        var response = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Message = "hi" })));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Headers["content-type"]);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
        Assert.Equal("0", response.Trailers["grpc-status"]);
        Assert.True(response.Trailers.ContainsKey("grpc-message"), "grpc-message must always be present");
        var frame = Assert.Single(RawGrpc.ParseFrames(response.Body));
        Assert.Equal("hi", EchoResponse.Parser.ParseFrom(frame.Payload).Message);
    }

    [Fact]
    public async Task Failed_streaming_call_after_messages_sends_status_in_trailers()
    {
        using var http = fixture.Server.CreateRawClient();

        var response = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.ServerStreamPath,
            RawGrpc.Frame(new EchoRequest { StreamCount = 2, FailCode = (int)StatusCode.Aborted, FailMessage = "late" })));

        Assert.Equal(2, RawGrpc.ParseFrames(response.Body).Count);
        Assert.Equal("10", response.Trailers["grpc-status"]);
        Assert.Equal("late", response.Trailers["grpc-message"]);
        Assert.Equal("requested", response.Trailers["failure-reason"]);
    }

    [Fact]
    public async Task Error_before_any_message_is_a_Trailers_Only_response()
    {
        using var http = fixture.Server.CreateRawClient();

        var response = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath,
            RawGrpc.Frame(new EchoRequest { FailCode = (int)StatusCode.NotFound, FailMessage = "gone" })));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.IsTrailersOnly, "status must ride in the headers with no body and no trailers");
        Assert.Equal("application/grpc", response.Headers["content-type"]);
        Assert.Equal("5", response.Headers["grpc-status"]);
        Assert.Equal("gone", response.Headers["grpc-message"]);
        Assert.Equal("requested", response.Headers["failure-reason"]);
    }

    [Theory]
    [InlineData("café ü", "caf%C3%A9 %C3%BC")]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("line1\nline2\ttab\r\u0001", "line1%0Aline2%09tab%0D%01")]
    [InlineData("emoji 😀", "emoji %F0%9F%98%80")]
    [InlineData("plain ~!@#$^&*()", "plain ~!@#$^&*()")]
    public async Task Status_message_is_percent_encoded_on_the_wire(string detail, string onTheWire)
    {
        using var http = fixture.Server.CreateRawClient();

        var response = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath,
            RawGrpc.Frame(new EchoRequest { FailCode = (int)StatusCode.InvalidArgument, FailMessage = detail })));

        Assert.Equal(onTheWire, response.GrpcMessage);
    }

    [Theory]
    [InlineData("café ü")]
    [InlineData("100% sure %41 %%")]
    [InlineData("line1\nline2\ttab\r\u0001\u007f")]
    [InlineData("emoji 😀 and 中文")]
    [InlineData("")]
    public async Task Status_message_round_trips_through_the_client(string detail)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.InvalidArgument, FailMessage = detail }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(detail, error.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(ErrorCodes))]
    public async Task Every_error_code_thrown_by_a_handler_reaches_the_client(StatusCode code)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { FailCode = (int)code, FailMessage = code.ToString() }).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Equal(code.ToString(), error.Status.Detail);
    }

    public static TheoryData<StatusCode> ErrorCodes() => new(Enum.GetValues<StatusCode>().Where(c => c != StatusCode.OK));

    [Fact]
    public async Task RpcException_trailers_are_merged_with_trailers_the_handler_added()
    {
        using var call = Client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = "no" });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal("added-before-throw", error.Trailers.GetValue("context-trailer"));
        Assert.Equal("requested", error.Trailers.GetValue("failure-reason"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, error.Trailers.GetValueBytes("failure-detail-bin"));
        Assert.Equal(StatusCode.FailedPrecondition, call.GetStatus().StatusCode);
        Assert.Equal("requested", call.GetTrailers().GetValue("failure-reason"));
    }

    [Fact]
    public async Task Setting_context_Status_without_throwing_ends_a_unary_call_with_that_status_and_no_message()
    {
        using var http = fixture.Server.CreateRawClient();
        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath,
            RawGrpc.Frame(new EchoRequest { SetStatusCode = (int)StatusCode.PermissionDenied, SetStatusMessage = "not yours" })));

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { SetStatusCode = (int)StatusCode.PermissionDenied, SetStatusMessage = "not yours" }).ResponseAsync);

        Assert.Empty(raw.Body);
        Assert.Equal("7", raw.GrpcStatus);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("not yours", error.Status.Detail);
        Assert.Equal("context", error.Trailers.GetValue("status-set-by"));
    }

    [Fact]
    public async Task Setting_context_Status_after_streamed_messages_ends_the_stream_with_that_status()
    {
        using var call = Client.ServerStream(new EchoRequest { StreamCount = 3, SetStatusCode = (int)StatusCode.ResourceExhausted, SetStatusMessage = "quota" });

        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var unused in call.ResponseStream.ReadAllAsync())
            {
                received++;
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("quota", error.Status.Detail);
    }

    [Fact]
    public async Task Handler_exception_becomes_UNKNOWN_without_its_message_or_stack_trace()
    {
        using var http = fixture.Server.CreateRawClient();

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { ThrowException = true }).ResponseAsync);
        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { ThrowException = true })));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("Exception was thrown by handler.", error.Status.Detail);
        Assert.Equal("2", raw.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", raw.GrpcMessage);
        Assert.DoesNotContain(raw.Headers.Concat(raw.Trailers), h => h.Value.Contains("secret", StringComparison.Ordinal) || h.Value.Contains("TestServiceImpl", StringComparison.Ordinal));
        Assert.Contains(fixture.Server.Logs.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException { Message: "secret internal detail" });
    }

    [Fact]
    public async Task Detailed_errors_send_the_exception_type_and_message_but_never_the_stack_trace()
    {
        await using var server = await TestServer.StartAsync(o => o.EnableDetailedErrors = true);
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest { ThrowException = true }).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("Exception was thrown by handler. InvalidOperationException: secret internal detail", error.Status.Detail);
        Assert.DoesNotContain(" at ", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_status_and_trailers_are_available_only_after_the_call_completes()
    {
        var id = Guid.NewGuid().ToString();
        using var call = Client.ServerStream(new EchoRequest { StreamCount = 1, WaitForRelease = true, CallId = id });

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());
        fixture.Server.Tracker[id].Release.TrySetResult();
        Assert.False(await call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Empty(call.GetTrailers());
    }
}
