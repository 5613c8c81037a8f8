using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task All_four_call_kinds_work_over_loopback_http2()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        var client = new TestService.TestServiceClient(channel);

        var unary = await client.UnaryAsync(new EchoRequest { Message = "hello", ResponseSize = 10 });
        Assert.Equal("hello", unary.Message);
        Assert.Equal(10, unary.Payload.Length);
        Assert.Equal("/rpctest.v1.TestService/Unary", unary.Method);

        using var clientStream = client.ClientStream();
        for (var i = 0; i < 3; i++)
        {
            await clientStream.RequestStream.WriteAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[100]) });
        }
        await clientStream.RequestStream.CompleteAsync();
        var summary = await clientStream;
        Assert.Equal(3, summary.ReceivedCount);

        using var serverStream = client.ServerStream(new EchoRequest { StreamCount = 5 });
        var indexes = new List<int>();
        await foreach (var response in serverStream.ResponseStream.ReadAllAsync())
        {
            indexes.Add(response.Index);
        }
        Assert.Equal([0, 1, 2, 3, 4], indexes);
        Assert.Equal(StatusCode.OK, serverStream.GetStatus().StatusCode);

        using var duplex = client.Duplex();
        for (var i = 0; i < 3; i++)
        {
            await duplex.RequestStream.WriteAsync(new EchoRequest { Message = $"m{i}" });
            Assert.True(await duplex.ResponseStream.MoveNext());
            Assert.Equal($"m{i}", duplex.ResponseStream.Current.Message);
        }
        await duplex.RequestStream.CompleteAsync();
        Assert.False(await duplex.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Errors_deadlines_and_unknown_methods_map_to_statuses()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        var client = new TestService.TestServiceClient(channel);

        var failed = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.NotFound, FailMessage = "no such thing: ü 100%" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, failed.StatusCode);
        Assert.Equal("no such thing: ü 100%", failed.Status.Detail);
        Assert.Equal("requested", failed.Trailers.GetValue("failure-reason"));

        var thrown = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { ThrowException = true }).ResponseAsync);
        Assert.Equal(StatusCode.Unknown, thrown.StatusCode);
        Assert.DoesNotContain("secret", thrown.Status.Detail, StringComparison.Ordinal);

        var late = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { DelayMs = 5000 }, deadline: DateTime.UtcNow.AddMilliseconds(200)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);

        var unknown = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "rpctest.v1.Nope", "Missing",
            Marshallers.Create<EchoRequest>((m, c) => c.Complete(Google.Protobuf.MessageExtensions.ToByteArray(m)), c => EchoRequest.Parser.ParseFrom(c.PayloadAsNewBuffer())),
            Marshallers.Create<EchoResponse>((m, c) => c.Complete(Google.Protobuf.MessageExtensions.ToByteArray(m)), c => EchoResponse.Parser.ParseFrom(c.PayloadAsNewBuffer())));
        var unimplemented = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(unknown, null, default, new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, unimplemented.StatusCode);
        Assert.Equal("Service is unimplemented.", unimplemented.Status.Detail);
    }
}
