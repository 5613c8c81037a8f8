using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;
using Grpc.Net.Client;

namespace AstralytiQ.Rpc.Tests;

public sealed class CancellationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestService.TestServiceClient Client => fixture.Client;

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Cancelling_a_unary_call_fires_the_handler_token_and_the_client_sees_CANCELLED()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        using var cts = new CancellationTokenSource();
        using var call = Client.UnaryAsync(new EchoRequest { CallId = id, WaitForRelease = true }, new Metadata { { "x-call-id", id } }, cancellationToken: cts.Token);
        await tracked.Started.Task.WithTimeout();

        cts.Cancel();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync).WithTimeout();
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        await tracked.TokenCancelled.Task.WithTimeout();
        Assert.Equal("TaskCanceledException", await tracked.Completed.Task.WithTimeout());
        var observed = await Server.Observer.WaitForCompletedAsync(id);
        Assert.Equal(StatusCode.Cancelled, observed.Status?.StatusCode);
    }

    [Fact]
    public async Task Disposing_a_server_streaming_call_fires_the_handler_token()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        var call = Client.ServerStream(new EchoRequest { CallId = id, StreamCount = 1, WaitForRelease = true });
        Assert.True(await call.ResponseStream.MoveNext().WithTimeout());

        call.Dispose();

        await tracked.TokenCancelled.Task.WithTimeout();
        Assert.Equal("TaskCanceledException", await tracked.Completed.Task.WithTimeout());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Disposing_a_unary_call_in_flight_fires_the_handler_token()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        var call = Client.UnaryAsync(new EchoRequest { CallId = id, WaitForRelease = true });
        await tracked.Started.Task.WithTimeout();

        call.Dispose();

        await tracked.TokenCancelled.Task.WithTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync).WithTimeout();
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_duplex_read_cancels_the_whole_call()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        using var call = Client.Duplex();
        await call.RequestStream.WriteAsync(new EchoRequest { CallId = id, WaitForRelease = true });
        await tracked.Started.Task.WithTimeout();
        using var cts = new CancellationTokenSource();

        var reading = call.ResponseStream.MoveNext(cts.Token);
        cts.Cancel();

        var error = await Assert.ThrowsAsync<RpcException>(() => reading).WithTimeout();
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await tracked.TokenCancelled.Task.WithTimeout();
        var writeError = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
        Assert.Equal(StatusCode.Cancelled, writeError.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_client_streaming_call_between_writes_fires_the_handler_token()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        using var cts = new CancellationTokenSource();
        using var call = Client.ClientStream(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new EchoRequest { CallId = id });
        await tracked.Started.Task.WithTimeout();

        cts.Cancel();

        await tracked.TokenCancelled.Task.WithTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync).WithTimeout();
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
    }

    [Fact]
    public async Task Already_cancelled_token_fails_the_call_without_sending_it()
    {
        using var silent = new SilentServer();
        using var channel = GrpcChannel.ForAddress(silent.Address);
        var client = new TestService.TestServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest(), cancellationToken: new CancellationToken(true)).ResponseAsync).WithTimeout();

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(0, silent.Connections);
    }

    [Fact]
    public async Task Cancelling_while_the_server_never_answers_ends_the_call_at_once()
    {
        using var silent = new SilentServer();
        using var channel = GrpcChannel.ForAddress(silent.Address);
        using var cts = new CancellationTokenSource();
        var call = new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest(), cancellationToken: cts.Token);

        cts.CancelAfter(100);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync).WithTimeout();
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task ThrowOperationCanceledOnCancellation_turns_CANCELLED_into_OperationCanceledException()
    {
        using var channel = Server.CreateChannel(new GrpcChannelOptions { ThrowOperationCanceledOnCancellation = true });
        var client = new TestService.TestServiceClient(channel);
        var id = Guid.NewGuid().ToString();
        using var cts = new CancellationTokenSource();
        var call = client.UnaryAsync(new EchoRequest { CallId = id, WaitForRelease = true }, cancellationToken: cts.Token);
        await Server.Tracker[id].Started.Task.WithTimeout();

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.ResponseAsync).WithTimeout();
        var streamId = Guid.NewGuid().ToString();
        using var streamCts = new CancellationTokenSource();
        using var stream = client.ServerStream(new EchoRequest { CallId = streamId, StreamCount = 1, WaitForRelease = true }, cancellationToken: streamCts.Token);
        Assert.True(await stream.ResponseStream.MoveNext());
        streamCts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ResponseStream.MoveNext()).WithTimeout();
    }

    [Fact]
    public async Task ThrowOperationCanceledOnCancellation_leaves_other_errors_as_RpcException()
    {
        using var channel = Server.CreateChannel(new GrpcChannelOptions { ThrowOperationCanceledOnCancellation = true });
        var client = new TestService.TestServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.Aborted }).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
    }

    [Fact]
    public async Task Handler_that_swallows_cancellation_still_ends_as_CANCELLED_on_the_server()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        using var cts = new CancellationTokenSource();
        using var call = Client.UnaryAsync(new EchoRequest { CallId = id, WaitForRelease = true, IgnoreCancellation = true }, new Metadata { { "x-call-id", id } }, cancellationToken: cts.Token);
        await tracked.Started.Task.WithTimeout();

        cts.Cancel();
        await tracked.TokenCancelled.Task.WithTimeout();
        tracked.Release.TrySetResult();

        Assert.Equal("ok", await tracked.Completed.Task.WithTimeout());
        var observed = await Server.Observer.WaitForCompletedAsync(id);
        Assert.Equal(StatusCode.Cancelled, observed.Status?.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_server_stream_between_reads_fires_the_handler_token_at_once()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        using var cts = new CancellationTokenSource();
        using var call = Client.ServerStream(new EchoRequest { CallId = id, StreamCount = 1, WaitForRelease = true }, cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext());

        // No read is pending: the cancellation itself must reset the stream.
        cts.Cancel();

        await tracked.TokenCancelled.Task.WithTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Deadline_passing_between_reads_fires_the_handler_token()
    {
        var id = Guid.NewGuid().ToString();
        var tracked = Server.Tracker[id];
        using var call = Client.ServerStream(new EchoRequest { CallId = id, StreamCount = 1, WaitForRelease = true, IgnoreCancellation = true }, deadline: DateTime.UtcNow.AddMilliseconds(500));
        Assert.True(await call.ResponseStream.MoveNext());

        await tracked.TokenCancelled.Task.WithTimeout();
        tracked.Release.TrySetResult();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }
}
