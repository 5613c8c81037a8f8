using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AstralytiQ.Rpc.Tests;

public sealed class UnaryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestService.TestServiceClient Client => fixture.Client;

    [Fact]
    public async Task Unary_call_returns_the_response_headers_and_OK_status()
    {
        using var call = Client.UnaryAsync(new EchoRequest { Message = "hello", ResponseSize = 10 });

        var response = await call.ResponseAsync;
        var headers = await call.ResponseHeadersAsync;

        Assert.Equal("hello", response.Message);
        Assert.Equal(TestServiceImpl.Pattern(10), response.Payload.ToByteArray());
        Assert.Equal("/rpctest.v1.TestService/Unary", response.Method);
        Assert.Equal("HTTP/2", response.Protocol);
        Assert.DoesNotContain(headers, h => h.Key.StartsWith("grpc-", StringComparison.Ordinal) || h.Key == "content-type");
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("", call.GetStatus().Detail);
        Assert.Empty(call.GetTrailers());
    }

    [Fact]
    public async Task Empty_request_and_empty_response_messages_are_valid()
    {
        // An EchoRequest with every field default serializes to zero bytes.
        using var http = fixture.Server.CreateRawClient();
        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame([])));

        var response = await Client.UnaryAsync(new EchoRequest());

        Assert.Equal("0", raw.GrpcStatus);
        Assert.Equal("", response.Message);
    }

    [Fact]
    public async Task Three_megabyte_messages_cross_many_DATA_frames_intact_both_ways()
    {
        var payload = TestServiceImpl.Pattern(3 * 1024 * 1024);

        var response = await Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload), ResponseSize = payload.Length });

        Assert.Equal(payload, response.Payload.ToByteArray());
    }

    [Fact]
    public async Task Blocking_unary_call_returns_the_response()
    {
        var response = await Task.Run(() => Client.Unary(new EchoRequest { Message = "sync" }));

        Assert.Equal("sync", response.Message);
    }

    [Fact]
    public async Task Blocking_unary_call_throws_RpcException_for_an_error_status()
    {
        var error = await Task.Run(() => Assert.Throws<RpcException>(() => Client.Unary(new EchoRequest { FailCode = (int)StatusCode.NotFound })));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Five_hundred_concurrent_unary_calls_on_one_channel_all_succeed()
    {
        var calls = Enumerable.Range(0, 500).Select(i => Client.UnaryAsync(new EchoRequest { Message = $"m{i}", ResponseSize = 100 }).ResponseAsync).ToArray();

        var responses = await Task.WhenAll(calls).WithTimeout();

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"m{i}"), responses.Select(r => r.Message));
    }

    [Fact]
    public async Task Calls_beyond_the_servers_stream_limit_open_more_HTTP2_connections()
    {
        await using var server = await TestServer.StartAsync(configureKestrel: k => k.Limits.Http2.MaxStreamsPerConnection = 5);
        using var channel = server.CreateChannel();
        var client = new TestService.TestServiceClient(channel);
        var barrier = Guid.NewGuid().ToString();

        // Every call waits in its handler until all 20 are there at once: only possible over 4+ connections.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.UnaryAsync(new EchoRequest { Barrier = barrier, BarrierCount = 20 }).ResponseAsync)).WithTimeout();

        Assert.True(responses.Select(r => r.ConnectionId).Distinct().Count() >= 4);
    }

    [Fact]
    public async Task Host_peer_and_method_are_on_the_server_context()
    {
        var response = await Client.UnaryAsync(new EchoRequest());

        Assert.Equal($"127.0.0.1:{fixture.Server.Address.Port}", response.Host);
        Assert.Matches(@"^ipv4:127\.0\.0\.1:\d+$", response.Peer);
        Assert.Equal("/rpctest.v1.TestService/Unary", response.Method);
        Assert.Equal("http", response.Scheme);
        Assert.Equal("HTTP/2", response.Protocol);
    }

    [Fact]
    public async Task Server_sending_two_messages_on_a_unary_call_is_an_INTERNAL_error_on_the_client()
    {
        await using var server = await TestServer.StartAsync(configureApp: app => app.MapPost("/raw.Bad/TwoMessages", async http =>
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.WriteAsync(RawGrpc.Frame(new EchoResponse { Message = "one" }).Concat(RawGrpc.Frame(new EchoResponse { Message = "two" })).ToArray());
            http.Response.AppendTrailer("grpc-status", "0");
        }));
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("raw.Bad", "TwoMessages"), null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Server_ending_a_unary_call_OK_without_a_message_is_an_INTERNAL_error_on_the_client()
    {
        await using var server = await TestServer.StartAsync(configureApp: app => app.MapPost("/raw.Bad/NoMessage", async http =>
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.StartAsync();
            http.Response.AppendTrailer("grpc-status", "0");
        }));
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("raw.Bad", "NoMessage"), null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }
}
