using System.Net;
using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

/// <summary>IGrpcCallObserver sees every call once started and once completed, with the final status.</summary>
public sealed class ObserverTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    private TestService.TestServiceClient Client => fixture.Client;

    private static Metadata Named(string id) => new() { { "x-call-id", id } };

    [Fact]
    public async Task Successful_calls_of_every_kind_are_observed_with_OK()
    {
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid().ToString()).ToArray();

        await Client.UnaryAsync(new EchoRequest(), Named(ids[0]));
        using (var call = Client.ClientStream(Named(ids[1])))
        {
            await call.RequestStream.CompleteAsync();
            await call;
        }
        using (var call = Client.ServerStream(new EchoRequest { StreamCount = 2 }, Named(ids[2])))
        {
            await call.ResponseStream.ReadAllAsync().CountAsync();
        }
        using (var call = Client.Duplex(Named(ids[3])))
        {
            await call.RequestStream.CompleteAsync();
            await call.ResponseStream.ReadAllAsync().CountAsync();
        }

        var observed = await Task.WhenAll(ids.Select(Server.Observer.WaitForCompletedAsync));
        Assert.Equal([MethodType.Unary, MethodType.ClientStreaming, MethodType.ServerStreaming, MethodType.DuplexStreaming], observed.Select(o => o.Type));
        Assert.Equal(["/rpctest.v1.TestService/Unary", "/rpctest.v1.TestService/ClientStream", "/rpctest.v1.TestService/ServerStream", "/rpctest.v1.TestService/Duplex"], observed.Select(o => o.Method));
        Assert.All(observed, o => Assert.Equal(StatusCode.OK, o.Status?.StatusCode));
        Assert.All(observed, o => Assert.Equal(1, o.CompletedCount));
        Assert.All(observed, o => Assert.True(o.Elapsed > TimeSpan.Zero));
        Assert.All(ids, id => Assert.Single(Server.Observer.Calls, c => c.CallId == id));
    }

    [Fact]
    public async Task Failed_calls_are_observed_with_their_status()
    {
        var failed = Guid.NewGuid().ToString();
        var thrown = Guid.NewGuid().ToString();
        var setStatus = Guid.NewGuid().ToString();

        await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.NotFound, FailMessage = "nope" }, Named(failed)).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { ThrowException = true }, Named(thrown)).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { SetStatusCode = (int)StatusCode.Aborted }, Named(setStatus)).ResponseAsync);

        Assert.Equal(new Status(StatusCode.NotFound, "nope"), (await Server.Observer.WaitForCompletedAsync(failed)).Status);
        var unknown = (await Server.Observer.WaitForCompletedAsync(thrown)).Status!.Value;
        Assert.Equal(StatusCode.Unknown, unknown.StatusCode);
        Assert.IsType<InvalidOperationException>(unknown.DebugException);
        Assert.Equal(StatusCode.Aborted, (await Server.Observer.WaitForCompletedAsync(setStatus)).Status?.StatusCode);
    }

    [Fact]
    public async Task Unimplemented_calls_are_observed()
    {
        var id = Guid.NewGuid().ToString();

        await Assert.ThrowsAsync<RpcException>(() => fixture.Channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("rpctest.v1.TestService", "Nope"), null, new CallOptions(Named(id)), new EchoRequest()).ResponseAsync);

        var observed = await Server.Observer.WaitForCompletedAsync(id);
        Assert.Equal("/rpctest.v1.TestService/Nope", observed.Method);
        Assert.Equal(new Status(StatusCode.Unimplemented, "Method is unimplemented."), observed.Status);
    }

    [Fact]
    public async Task Calls_that_pass_their_deadline_are_observed_as_DEADLINE_EXCEEDED()
    {
        var unary = Guid.NewGuid().ToString();
        var streaming = Guid.NewGuid().ToString();

        await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { DelayMs = 10_000 }, Named(unary), DateTime.UtcNow.AddMilliseconds(200)).ResponseAsync);
        using (var call = Client.ServerStream(new EchoRequest { StreamCount = 100, StreamIntervalMs = 50 }, Named(streaming), DateTime.UtcNow.AddMilliseconds(300)))
        {
            await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().CountAsync().AsTask());
        }

        // The server's deadline and the client's run from nearly the same instant; whichever fires first,
        // the server must not record the call as a handler failure.
        foreach (var id in new[] { unary, streaming })
        {
            var status = (await Server.Observer.WaitForCompletedAsync(id)).Status!.Value.StatusCode;
            Assert.True(status is StatusCode.DeadlineExceeded or StatusCode.Cancelled, $"{id}: {status}");
        }
    }

    [Fact]
    public async Task Calls_refused_before_the_handler_are_observed()
    {
        using var http = Server.CreateRawClient();
        var badType = Guid.NewGuid().ToString();
        var tooBig = Guid.NewGuid().ToString();

        await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, new ByteArrayContent([]), "application/json", ("x-call-id", badType)));
        await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, [.. RawGrpc.Header(5 * 1024 * 1024), 0], ("x-call-id", tooBig)));

        Assert.Equal(StatusCode.Internal, (await Server.Observer.WaitForCompletedAsync(badType)).Status?.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, (await Server.Observer.WaitForCompletedAsync(tooBig)).Status?.StatusCode);
    }
}
