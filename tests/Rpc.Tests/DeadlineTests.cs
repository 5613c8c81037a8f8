using System.Diagnostics;
using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;
using Grpc.Core.Internal;
using Grpc.Net.Client;

namespace AstralytiQ.Rpc.Tests;

public sealed class DeadlineTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestService.TestServiceClient Client => fixture.Client;

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("1500m", 15_000_000L)]
    [InlineData("2500000u", 25_000_000L)]
    [InlineData("99999999n", 999_999L)]
    [InlineData("00000007S", 70_000_000L)]
    [InlineData("0S", 0L)]
    [InlineData("99999999H", 99_999_999L * 36_000_000_000L)]
    public void Grpc_timeout_parses_every_unit(string header, long expectedTicks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(header, out var timeout));
        Assert.Equal(expectedTicks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("123456789S")]
    [InlineData("1s")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    [InlineData("1 S")]
    [InlineData("1X")]
    [InlineData("１S")]
    public void Grpc_timeout_rejects_malformed_values(string header) =>
        Assert.False(GrpcProtocol.TryParseTimeout(header, out _));

    [Theory]
    [InlineData(0.5)]
    [InlineData(1_500)]
    [InlineData(86_400_000)]
    [InlineData(3_000_000_000_000)]
    public void Formatted_timeout_parses_back_to_at_least_the_time_left(double milliseconds)
    {
        var timeout = TimeSpan.FromMilliseconds(milliseconds);
        var header = GrpcProtocol.FormatTimeout(timeout);

        Assert.True(header.Length <= 9, header);
        Assert.True(GrpcProtocol.TryParseTimeout(header, out var parsed), header);
        Assert.True(parsed >= timeout, $"{header} -> {parsed} < {timeout}");
    }

    [Theory]
    [InlineData("1H", 3_600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("30S", 30_000)]
    [InlineData("20000m", 20_000)]
    [InlineData("15000000u", 15_000)]
    public async Task Server_deadline_follows_the_grpc_timeout_header(string header, long expectedMs)
    {
        using var http = fixture.Server.CreateRawClient();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest()), ("grpc-timeout", header)));

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal("0", raw.GrpcStatus);
        var deadline = EchoResponse.Parser.ParseFrom(RawGrpc.ParseFrames(raw.Body)[0].Payload).DeadlineUnixMs;
        Assert.InRange(deadline, before + expectedMs - 50, after + expectedMs + 50);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("1s")]
    [InlineData("123456789S")]
    [InlineData("-5S")]
    [InlineData("soon")]
    public async Task Invalid_grpc_timeout_header_is_ignored(string header)
    {
        using var http = fixture.Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest()), ("grpc-timeout", header)));

        Assert.Equal("0", raw.GrpcStatus);
        Assert.Equal(0, EchoResponse.Parser.ParseFrom(RawGrpc.ParseFrames(raw.Body)[0].Payload).DeadlineUnixMs);
    }

    [Fact]
    public async Task Client_deadline_is_visible_to_the_handler()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);

        var response = await Client.UnaryAsync(new EchoRequest(), deadline: deadline);

        // grpc-timeout is relative, so the server's deadline trails the client's by the transit time.
        var expected = new DateTimeOffset(deadline).ToUnixTimeMilliseconds();
        Assert.InRange(response.DeadlineUnixMs, expected - 50, expected + 5_000);
    }

    [Fact]
    public async Task Local_time_deadline_is_converted_to_UTC()
    {
        var deadline = DateTime.Now.AddSeconds(30);

        var response = await Client.UnaryAsync(new EchoRequest(), deadline: deadline);

        var expected = new DateTimeOffset(deadline.ToUniversalTime()).ToUnixTimeMilliseconds();
        Assert.InRange(response.DeadlineUnixMs, expected - 50, expected + 5_000);
    }

    [Fact]
    public async Task Call_without_deadline_has_no_deadline_on_the_server()
    {
        var response = await Client.UnaryAsync(new EchoRequest());

        Assert.Equal(0, response.DeadlineUnixMs);
    }

    [Fact]
    public async Task Server_ends_call_with_DEADLINE_EXCEEDED_when_the_handler_observes_its_token()
    {
        using var http = fixture.Server.CreateRawClient();
        var id = Guid.NewGuid().ToString();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath,
            RawGrpc.Frame(new EchoRequest { CallId = id, WaitForRelease = true }), ("grpc-timeout", "200m"), ("x-call-id", id)));

        Assert.Equal("4", raw.GrpcStatus);
        Assert.Equal("Deadline Exceeded", raw.GrpcMessage);
        Assert.Equal("TaskCanceledException", await fixture.Server.Tracker[id].Completed.Task.WithTimeout());
        var observed = await fixture.Server.Observer.WaitForCompletedAsync(id);
        Assert.Equal(StatusCode.DeadlineExceeded, observed.Status?.StatusCode);
        Assert.DoesNotContain(fixture.Server.Logs.Entries, e => e.Message.Contains(id, StringComparison.Ordinal) || e.Level >= Microsoft.Extensions.Logging.LogLevel.Error && e.Exception is OperationCanceledException);
    }

    [Fact]
    public async Task Server_ends_call_with_DEADLINE_EXCEEDED_even_when_the_handler_ignores_its_token()
    {
        using var http = fixture.Server.CreateRawClient();
        var id = Guid.NewGuid().ToString();
        var tracked = fixture.Server.Tracker[id];

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath,
            RawGrpc.Frame(new EchoRequest { CallId = id, WaitForRelease = true, IgnoreCancellation = true }), ("grpc-timeout", "200m"), ("x-call-id", id)));

        Assert.Equal("4", raw.GrpcStatus);
        Assert.True(raw.IsTrailersOnly);
        Assert.False(tracked.Completed.Task.IsCompleted, "the status must not wait for the handler");
        await tracked.TokenCancelled.Task.WithTimeout();
        tracked.Release.TrySetResult();
        Assert.Equal("ok", await tracked.Completed.Task.WithTimeout());
        var observed = await fixture.Server.Observer.WaitForCompletedAsync(id);
        Assert.Equal(StatusCode.DeadlineExceeded, observed.Status?.StatusCode);
        Assert.Equal(1, observed.CompletedCount);
    }

    [Fact]
    public async Task Deadline_on_a_streaming_call_sends_the_status_then_resets_the_stream()
    {
        using var http = fixture.Server.CreateRawClient();
        var id = Guid.NewGuid().ToString();
        var content = new ControlledContent();
        var sending = http.SendAsync(RawGrpc.Request(RawGrpc.DuplexPath, content, "application/grpc", ("grpc-timeout", "300m"), ("x-call-id", id)), HttpCompletionOption.ResponseHeadersRead);
        await content.WriteAsync(RawGrpc.Frame(new EchoRequest { CallId = id, Message = "first" }));

        using var response = await sending.WithTimeout();
        var body = await response.Content.ReadAsByteArrayAsync().WithTimeout();

        Assert.Single(RawGrpc.ParseFrames(body));
        Assert.Equal("4", response.TrailingHeaders.NonValidated["grpc-status"].ToString());
        // The server reset the stream: the request body can no longer be sent.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await content.WriteAsync(RawGrpc.Frame(new EchoRequest { Message = "too late" }));
                await Task.Delay(10);
            }
        }).WithTimeout();
        await fixture.Server.Tracker[id].TokenCancelled.Task.WithTimeout();
    }

    [Fact]
    public async Task Client_enforces_its_deadline_without_any_answer_from_the_server()
    {
        using var silent = new SilentServer();
        using var channel = GrpcChannel.ForAddress(silent.Address);
        var client = new TestService.TestServiceClient(channel);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync).WithTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 250, 5_000);
    }

    [Fact]
    public async Task Client_enforces_its_deadline_on_a_streaming_read_without_any_answer()
    {
        using var silent = new SilentServer();
        using var channel = GrpcChannel.ForAddress(silent.Address);
        using var call = new TestService.TestServiceClient(channel).Duplex(deadline: DateTime.UtcNow.AddMilliseconds(300));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext()).WithTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Deadline_already_passed_fails_fast_without_sending_anything()
    {
        using var silent = new SilentServer();
        using var channel = GrpcChannel.ForAddress(silent.Address);
        var client = new TestService.TestServiceClient(channel);
        var watch = Stopwatch.StartNew();

        var unary = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(-1)).ResponseAsync).WithTimeout();
        using var stream = client.ServerStream(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(-1));
        var streaming = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext()).WithTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, unary.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, streaming.StatusCode);
        Assert.True(watch.ElapsedMilliseconds < 1_000, $"took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(0, silent.Connections);
    }

    [Fact]
    public async Task Server_stream_longer_than_the_deadline_ends_with_DEADLINE_EXCEEDED_after_the_messages_so_far()
    {
        using var call = Client.ServerStream(new EchoRequest { StreamCount = 100, StreamIntervalMs = 100 }, deadline: DateTime.UtcNow.AddMilliseconds(500));
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                received++;
            }
        }).WithTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(received, 1, 10);
    }

    [Fact]
    public async Task Server_deadline_ends_a_stream_whose_client_stopped_reading()
    {
        using var http = fixture.Server.CreateRawClient();
        var id = Guid.NewGuid().ToString();

        // 200 x 64 KiB responses: far more than flow control lets through while the client reads nothing.
        using var response = await http.SendAsync(RawGrpc.Request(RawGrpc.ServerStreamPath,
            RawGrpc.Frame(new EchoRequest { StreamCount = 200, ResponseSize = 64 * 1024 }), ("grpc-timeout", "300m"), ("x-call-id", id)),
            HttpCompletionOption.ResponseHeadersRead).WithTimeout();

        var observed = await fixture.Server.Observer.WaitForCompletedAsync(id);
        Assert.Equal(StatusCode.DeadlineExceeded, observed.Status?.StatusCode);
        // The status could not overtake the unread messages, so the stream was reset.
        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync()).WithTimeout();
        Assert.Equal(0x8, Assert.IsType<HttpProtocolException>(error.InnerException).ErrorCode);
    }

    [Theory]
    [InlineData("1n")]
    [InlineData("0S")]
    [InlineData("1u")]
    public async Task Deadline_that_has_already_passed_on_arrival_ends_every_call_kind_with_DEADLINE_EXCEEDED(string timeout)
    {
        using var http = fixture.Server.CreateRawClient();
        var paths = new[] { RawGrpc.UnaryPath, RawGrpc.ClientStreamPath, RawGrpc.ServerStreamPath, RawGrpc.DuplexPath };

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            RawGrpc.SendAsync(http, RawGrpc.Request(paths[i % 4], RawGrpc.Frame(new EchoRequest { DelayMs = 1_000 }), ("grpc-timeout", timeout)))));

        Assert.All(responses, r => Assert.Equal("4", r.GrpcStatus));
        Assert.DoesNotContain(fixture.Server.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
