using System.Net;
using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AstralytiQ.Rpc.Tests;

public sealed class ProtocolErrorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Unknown_service_is_UNIMPLEMENTED_with_its_own_message()
    {
        var invoker = fixture.Channel.CreateCallInvoker();

        var error = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(TestMethods.Unary("rpctest.v1.Nope", "Unary"), null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("Service is unimplemented.", error.Status.Detail);
    }

    [Fact]
    public async Task Unknown_method_of_a_known_service_is_UNIMPLEMENTED_with_its_own_message()
    {
        var invoker = fixture.Channel.CreateCallInvoker();

        var error = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(TestMethods.Unary("rpctest.v1.TestService", "Missing"), null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("Method is unimplemented.", error.Status.Detail);
    }

    [Theory]
    [InlineData(MethodType.ServerStreaming)]
    [InlineData(MethodType.ClientStreaming)]
    [InlineData(MethodType.DuplexStreaming)]
    public async Task Unknown_streaming_method_is_UNIMPLEMENTED_for_every_call_kind(MethodType type)
    {
        var invoker = fixture.Channel.CreateCallInvoker();
        var method = TestMethods.Of(type, "rpctest.v1.TestService", "Missing");

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            switch (type)
            {
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, default, new EchoRequest()))
                    {
                        await call.ResponseStream.MoveNext();
                    }
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, default))
                    {
                        await call.ResponseAsync;
                    }
                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, default))
                    {
                        await call.ResponseStream.MoveNext();
                    }
                    break;
            }
        });

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task Unknown_method_is_a_Trailers_Only_response_seen_by_the_observer()
    {
        using var http = Server.CreateRawClient();
        var id = Guid.NewGuid().ToString();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request("/rpctest.v1.Nope/Thing", RawGrpc.Frame([]), ("x-call-id", id)));

        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.True(raw.IsTrailersOnly);
        Assert.Equal("12", raw.GrpcStatus);
        var observed = await Server.Observer.WaitForCompletedAsync(id);
        Assert.Equal("/rpctest.v1.Nope/Thing", observed.Method);
        Assert.Equal(StatusCode.Unimplemented, observed.Status?.StatusCode);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/grpc-web")]
    [InlineData("application/grpcx")]
    public async Task Wrong_content_type_is_refused_with_415(string contentType)
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, new ByteArrayContent(RawGrpc.Frame(new EchoRequest())), contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, raw.StatusCode);
        Assert.Equal("13", raw.GrpcStatus);
        Assert.Empty(raw.Body);
    }

    [Theory]
    [InlineData("application/grpc")]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc; charset=utf-8")]
    [InlineData("Application/GRPC")]
    public async Task Grpc_content_type_variants_are_accepted(string contentType)
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, new ByteArrayContent(RawGrpc.Frame(new EchoRequest { Message = "ok" })), contentType));

        Assert.Equal("0", raw.GrpcStatus);
        Assert.Equal("ok", EchoResponse.Parser.ParseFrom(RawGrpc.ParseFrames(raw.Body)[0].Payload).Message);
    }

    [Fact]
    public async Task Non_POST_request_is_refused_with_405()
    {
        using var http = Server.CreateRawClient();

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, RawGrpc.UnaryPath) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", response.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task Non_POST_request_to_an_unknown_path_is_a_plain_404()
    {
        using var http = Server.CreateRawClient();

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/no.such.Service/Method") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task HTTP1_request_reaching_a_gRPC_method_is_refused_with_426_and_a_status()
    {
        await using var server = await TestServer.StartAsync(configureKestrel: k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        using var http = new HttpClient { BaseAddress = server.Addresses[1], DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var request = RawGrpc.Request(RawGrpc.UnaryPath, new ByteArrayContent(RawGrpc.Frame(new EchoRequest())));
        request.Version = HttpVersion.Version11;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("13", response.Headers.NonValidated["grpc-status"].ToString());
    }

    [Fact]
    public async Task HTTP1_request_to_the_HTTP2_only_endpoint_is_refused_by_Kestrel()
    {
        using var http = new HttpClient { BaseAddress = Server.Address };
        var request = RawGrpc.Request(RawGrpc.UnaryPath, new ByteArrayContent(RawGrpc.Frame(new EchoRequest())));
        request.Version = HttpVersion.Version11;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
    }

    [Fact]
    public async Task Truncated_unary_request_is_INTERNAL()
    {
        using var http = Server.CreateRawClient();
        var frame = RawGrpc.Frame(new EchoRequest { Message = "truncated", Payload = ByteString.CopyFrom(new byte[100]) });

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, frame[..^10]));

        Assert.Equal("13", raw.GrpcStatus);
        Assert.Equal("Incomplete message.", raw.GrpcMessage);
        Assert.True(raw.IsTrailersOnly);
    }

    [Fact]
    public async Task Truncated_message_header_is_INTERNAL()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, [0, 0, 0]));

        Assert.Equal("13", raw.GrpcStatus);
        Assert.Equal("Incomplete message.", raw.GrpcMessage);
    }

    [Fact]
    public async Task Unary_request_without_a_message_is_INTERNAL()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, []));

        Assert.Equal("13", raw.GrpcStatus);
        Assert.Equal("Request did not include a message.", raw.GrpcMessage);
    }

    [Theory]
    [InlineData(RawGrpc.UnaryPath)]
    [InlineData(RawGrpc.ServerStreamPath)]
    public async Task Trailing_bytes_after_the_single_request_message_are_INTERNAL(string path)
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(path, [.. RawGrpc.Frame(new EchoRequest()), 1, 2, 3]));

        Assert.Equal("13", raw.GrpcStatus);
        Assert.Equal("Additional data after the message received.", raw.GrpcMessage);
    }

    [Fact]
    public async Task Second_message_on_a_unary_request_is_INTERNAL()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, [.. RawGrpc.Frame(new EchoRequest()), .. RawGrpc.Frame(new EchoRequest())]));

        Assert.Equal("13", raw.GrpcStatus);
    }

    [Fact]
    public async Task Trailing_bytes_in_a_later_DATA_frame_are_INTERNAL()
    {
        using var http = Server.CreateRawClient();
        var id = Guid.NewGuid().ToString();
        var content = new ControlledContent();
        var sending = http.SendAsync(RawGrpc.Request(RawGrpc.UnaryPath, content, "application/grpc", ("x-call-id", id)), HttpCompletionOption.ResponseHeadersRead);

        await content.WriteAsync(RawGrpc.Frame(new EchoRequest { CallId = id }));
        await content.WriteAsync([42]);
        content.Complete();
        using var response = await sending.WithTimeout();
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("13", response.Headers.NonValidated["grpc-status"].ToString());
        Assert.False(Server.Tracker[id].Started.Task.IsCompleted, "the handler must not run");
    }

    [Fact]
    public async Task Truncated_last_message_of_a_client_stream_is_INTERNAL()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.ClientStreamPath, [.. RawGrpc.Frame(new EchoRequest()), .. RawGrpc.Header(10), 1, 2]));

        Assert.Equal("13", raw.GrpcStatus);
        Assert.Equal("Incomplete message.", raw.GrpcMessage);
    }

    [Fact]
    public async Task Request_message_that_is_not_valid_protobuf_is_INTERNAL()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame([0xFF, 0xFF, 0xFF])));

        Assert.Equal("13", raw.GrpcStatus);
        Assert.Equal("Failed to deserialize the message.", raw.GrpcMessage);
    }

    [Fact]
    public async Task Request_headers_that_are_not_valid_metadata_are_dropped_and_the_call_succeeds()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest()),
            ("x-good", "kept"), ("x-odd!name", "v"), ("x-tab", "a\tb"), ("x-data-bin", "!!not base64!!")));

        Assert.Equal("0", raw.GrpcStatus);
        var response = EchoResponse.Parser.ParseFrom(RawGrpc.ParseFrames(raw.Body)[0].Payload);
        Assert.Equal("kept", response.Headers["x-good"]);
        Assert.DoesNotContain(response.RequestMetadata, e => e.Key is "x-odd!name" or "x-tab" or "x-data-bin");
    }

    [Fact]
    public async Task Non_gRPC_request_to_an_unknown_path_is_a_plain_404()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request("/some/page", new ByteArrayContent([]), "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
        Assert.Null(raw.GrpcStatus);
    }
}
