using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AstralytiQ.Rpc.Tests;

public sealed class MessageSizeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const int FourMiB = 4 * 1024 * 1024;

    private TestService.TestServiceClient Client => fixture.Client;

    /// <summary>A request whose serialized size is exactly <paramref name="size"/> bytes (tag, varint length, payload).</summary>
    private static EchoRequest RequestOfSize(int size)
    {
        for (var payload = size - 2; payload > 0; payload--)
        {
            var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[payload]) };
            if (request.CalculateSize() == size)
            {
                return request;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(size));
    }

    [Fact]
    public async Task Server_accepts_a_request_of_exactly_4_MiB_by_default()
    {
        var response = await Client.UnaryAsync(RequestOfSize(FourMiB));

        Assert.NotNull(response);
    }

    [Fact]
    public async Task Server_refuses_a_request_one_byte_over_4_MiB_by_default_with_RESOURCE_EXHAUSTED()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(RequestOfSize(FourMiB + 1)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Received message exceeds the maximum configured message size", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_refuses_an_oversized_message_in_a_client_stream()
    {
        using var call = Client.ClientStream();
        await call.RequestStream.WriteAsync(new EchoRequest());

        var write = await Record.ExceptionAsync(() => call.RequestStream.WriteAsync(RequestOfSize(FourMiB + 1)));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.True(write is null or RpcException { StatusCode: StatusCode.ResourceExhausted }, write?.ToString());
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Client_refuses_a_response_over_4_MiB_by_default_with_RESOURCE_EXHAUSTED()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest { ResponseSize = FourMiB + 1 }).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Received message exceeds", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_refuses_an_oversized_message_in_a_server_stream_after_the_ones_before_it()
    {
        using var call = Client.Duplex();
        await call.RequestStream.WriteAsync(new EchoRequest { ResponseSize = 10 });
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.WriteAsync(new EchoRequest { ResponseSize = FourMiB + 1 });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Server_limits_are_configurable()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MaxReceiveMessageSize = 1024;
            o.MaxSendMessageSize = 2048;
        });
        using var channel = server.CreateChannel();
        var client = new TestService.TestServiceClient(channel);

        var tooBig = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(RequestOfSize(1025)).ResponseAsync);
        var fits = await client.UnaryAsync(RequestOfSize(1024));
        var sendTooBig = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { ResponseSize = 4096 }).ResponseAsync);
        using var stream = client.ServerStream(new EchoRequest { StreamCount = 2, ResponseSize = 4096 });
        var streamTooBig = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.ResourceExhausted, tooBig.StatusCode);
        Assert.NotNull(fits);
        Assert.Equal(StatusCode.ResourceExhausted, sendTooBig.StatusCode);
        Assert.Contains("Sending message exceeds", sendTooBig.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, streamTooBig.StatusCode);
    }

    [Fact]
    public async Task Server_without_a_receive_limit_accepts_large_messages()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxReceiveMessageSize = null);
        using var channel = server.CreateChannel();

        var response = await new TestService.TestServiceClient(channel).UnaryAsync(RequestOfSize(FourMiB + 1024));

        Assert.NotNull(response);
    }

    [Fact]
    public async Task Client_limits_are_configurable()
    {
        using var channel = fixture.Server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 8 * 1024 * 1024, MaxSendMessageSize = 1024 });
        var client = new TestService.TestServiceClient(channel);

        var large = await client.UnaryAsync(new EchoRequest { ResponseSize = 5 * 1024 * 1024 });
        var sendTooBig = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(RequestOfSize(1025)).ResponseAsync);
        using var stream = client.ClientStream();
        var streamTooBig = await Assert.ThrowsAsync<RpcException>(() => stream.RequestStream.WriteAsync(RequestOfSize(1025)));

        Assert.Equal(5 * 1024 * 1024, large.Payload.Length);
        Assert.Equal(StatusCode.ResourceExhausted, sendTooBig.StatusCode);
        Assert.Contains("Sending message exceeds", sendTooBig.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, streamTooBig.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, stream.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_refuses_to_send_an_oversized_request_without_contacting_the_server()
    {
        using var silent = new SilentServer();
        using var channel = GrpcChannel.ForAddress(silent.Address, new GrpcChannelOptions { MaxSendMessageSize = 100 });

        var error = await Assert.ThrowsAsync<RpcException>(() => new TestService.TestServiceClient(channel).UnaryAsync(RequestOfSize(101)).ResponseAsync).WithTimeout();

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(0, silent.Connections);
    }

    [Fact]
    public async Task Server_refuses_an_oversized_message_from_its_header_before_the_body_arrives()
    {
        using var http = fixture.Server.CreateRawClient();
        var id = Guid.NewGuid().ToString();
        var content = new ControlledContent();
        var sending = http.SendAsync(RawGrpc.Request(RawGrpc.UnaryPath, content, "application/grpc", ("x-call-id", id)), HttpCompletionOption.ResponseHeadersRead);

        // Announce 100 MiB, send 10 bytes of it, and never send the rest.
        await content.WriteAsync([.. RawGrpc.Header(100 * 1024 * 1024), .. new byte[10]]);
        using var response = await sending.WithTimeout();

        Assert.Equal("8", response.Headers.NonValidated["grpc-status"].ToString());
        Assert.False(fixture.Server.Tracker[id].Started.Task.IsCompleted);
        content.Complete();
    }

    [Fact]
    public async Task Client_refuses_an_oversized_message_from_its_header_before_the_body_arrives()
    {
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(configureApp: app => app.MapPost("/raw.Big/Announce", async http =>
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.WriteAsync(RawGrpc.Header(100 * 1024 * 1024).Concat(new byte[10]).ToArray());
            await http.Response.Body.FlushAsync();
            await stalled.Task.WaitAsync(http.RequestAborted);
        }));
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("raw.Big", "Announce"), null, default, new EchoRequest()).ResponseAsync).WithTimeout();

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        stalled.TrySetResult();
    }
}
