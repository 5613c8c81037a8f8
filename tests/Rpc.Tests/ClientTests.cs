using System.Net;
using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AstralytiQ.Rpc.Tests;

public sealed class ClientTests(ClientTests.RawEndpointsFixture fixture) : IClassFixture<ClientTests.RawEndpointsFixture>
{
    private TestServer Server => fixture.Server;

    private Task<EchoResponse> CallRaw(string method, CallOptions options = default) =>
        fixture.Channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary("raw.Endpoint", method), null, options, new EchoRequest()).ResponseAsync;

    [Theory]
    [InlineData("ftp://127.0.0.1:1")]
    [InlineData("127.0.0.1:5000")]
    public void Channel_refuses_an_address_that_is_not_http_or_https(string address)
    {
        Assert.ThrowsAny<Exception>(() => GrpcChannel.ForAddress(address));
    }

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    [InlineData(302, StatusCode.Unknown)]
    public async Task HTTP_status_without_grpc_status_maps_to_a_gRPC_status(int httpStatus, StatusCode expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CallRaw("Http" + httpStatus));

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_status_in_a_non_200_response_wins_over_the_HTTP_status()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CallRaw("Http503WithStatus"));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("slow down", error.Status.Detail);
    }

    [Fact]
    public async Task Response_that_is_not_gRPC_is_INTERNAL()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CallRaw("Html"));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("content-type", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_without_grpc_status_is_UNKNOWN()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CallRaw("NoStatus"));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
    }

    [Fact]
    public async Task Grpc_status_that_is_not_a_number_is_UNKNOWN()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CallRaw("BadStatus"));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("oops", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_message_decoding_accepts_lowercase_escapes_and_keeps_malformed_ones()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CallRaw("OddMessage"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("ü %zz 100% %4", error.Status.Detail);
    }

    [Fact]
    public async Task Stream_reset_by_the_server_with_CANCEL_is_CANCELLED_and_INTERNAL_ERROR_is_INTERNAL()
    {
        var cancel = await Assert.ThrowsAsync<RpcException>(() => CallRaw("ResetCancel"));
        var internalError = await Assert.ThrowsAsync<RpcException>(() => CallRaw("ResetInternal"));

        Assert.Equal(StatusCode.Cancelled, cancel.StatusCode);
        Assert.Equal(StatusCode.Internal, internalError.StatusCode);
    }

    [Fact]
    public async Task Unreachable_server_is_UNAVAILABLE()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<RpcException>(() => new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Disposing_the_channel_ends_calls_in_flight_with_UNAVAILABLE_and_refuses_new_ones()
    {
        var channel = Server.CreateChannel();
        var client = new TestService.TestServiceClient(channel);
        var id = Guid.NewGuid().ToString();
        using var call = client.ServerStream(new EchoRequest { CallId = id, StreamCount = 1, WaitForRelease = true });
        Assert.True(await call.ResponseStream.MoveNext());

        channel.Dispose();

        var inFlight = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext()).WithTimeout();
        var after = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest()).ResponseAsync).WithTimeout();
        Assert.Equal(StatusCode.Unavailable, inFlight.StatusCode);
        Assert.Equal(StatusCode.Unavailable, after.StatusCode);
        await Server.Tracker[id].TokenCancelled.Task.WithTimeout();
    }

    [Fact]
    public async Task ShutdownAsync_ends_calls_in_flight()
    {
        var channel = Server.CreateChannel();
        var id = Guid.NewGuid().ToString();
        var call = new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest { CallId = id, WaitForRelease = true });
        await Server.Tracker[id].Started.Task.WithTimeout();

        await channel.ShutdownAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync).WithTimeout();
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Client_sends_its_user_agent_and_accepted_encodings()
    {
        using var channel = Server.CreateChannel(new GrpcChannelOptions { UserAgent = "astq-tests/1" });

        var response = await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest());

        Assert.Equal("astq-tests/1", response.Headers["user-agent"]);
        Assert.Equal("grpc-dotnet-astralytiq/1.0", (await new TestService.TestServiceClient(fixture.Channel).UnaryAsync(new EchoRequest())).Headers["user-agent"]);
    }

    [Fact]
    public async Task Channel_uses_the_HTTP_handler_it_is_given_and_leaves_it_undisposed()
    {
        var counting = new CountingHandler(new SocketsHttpHandler());
        using (var channel = Server.CreateChannel(new GrpcChannelOptions { HttpHandler = counting }))
        {
            await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest());
            await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest());
        }

        Assert.Equal(2, counting.Requests);
        Assert.False(counting.Disposed);
        counting.Dispose();
    }

    [Fact]
    public async Task Streaming_call_reaches_the_server_before_its_first_message()
    {
        var id = Guid.NewGuid().ToString();
        using var call = new TestService.TestServiceClient(fixture.Channel).Duplex(new Metadata { { "x-call-id", id } });

        var started = await Server.Observer.WaitForStartedAsync(id);

        Assert.Equal(MethodType.DuplexStreaming, started.Type);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Response_headers_of_a_call_whose_server_speaks_first_arrive_before_any_request_message()
    {
        using var call = fixture.Channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Of(MethodType.ClientStreaming, "raw.Endpoint", "HeadersFirst"), null, default);

        var headers = await call.ResponseHeadersAsync.WithTimeout();

        Assert.Equal("early", headers.GetValue("x-greeting"));
        await call.RequestStream.CompleteAsync();
        Assert.NotNull(await call.ResponseAsync.WithTimeout());
    }

    [Fact]
    public async Task Writing_to_a_call_the_server_already_completed_with_OK_is_refused_as_complete()
    {
        using var call = fixture.Channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Of(MethodType.ClientStreaming, "raw.Endpoint", "AnswerAtOnce"), null, default);

        var response = await call.ResponseAsync.WithTimeout();
        var error = await Record.ExceptionAsync(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[10_000]) });
            }
        });

        Assert.Equal("done", response.Message);
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Write_in_flight_when_the_server_completes_with_OK_is_refused_as_complete()
    {
        using var call = fixture.Channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Of(MethodType.ClientStreaming, "raw.Endpoint", "AnswerAfterFirstByte"), null, default);

        // Far more than flow control lets through to a server that stops reading after one byte.
        var error = await Record.ExceptionAsync(() => call.RequestStream.WriteAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[3_000_000]) })).WithTimeout();

        Assert.Equal("done", (await call.ResponseAsync.WithTimeout()).Message);
        Assert.True(error is InvalidOperationException, error?.ToString());
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int Requests { get; private set; }

        public bool Disposed { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return base.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A server with hand-written endpoints that answer the way a broken or foreign server might.</summary>
    public sealed class RawEndpointsFixture : IAsyncLifetime
    {
        private TestServer? _server;
        private GrpcChannel? _channel;

        public TestServer Server => _server!;

        public GrpcChannel Channel => _channel!;

        public async Task InitializeAsync()
        {
            _server = await TestServer.StartAsync(configureApp: app =>
            {
                foreach (var code in new[] { 400, 401, 403, 404, 429, 502, 503, 504, 500, 302 })
                {
                    app.MapPost($"/raw.Endpoint/Http{code}", http =>
                    {
                        http.Response.StatusCode = code;
                        return Task.CompletedTask;
                    });
                }
                app.MapPost("/raw.Endpoint/Http503WithStatus", http =>
                {
                    http.Response.StatusCode = 503;
                    http.Response.Headers["grpc-status"] = "8";
                    http.Response.Headers["grpc-message"] = "slow down";
                    return Task.CompletedTask;
                });
                app.MapPost("/raw.Endpoint/Html", http =>
                {
                    http.Response.ContentType = "text/html";
                    return http.Response.WriteAsync("<html></html>");
                });
                app.MapPost("/raw.Endpoint/NoStatus", async http =>
                {
                    http.Response.ContentType = "application/grpc";
                    await http.Response.Body.WriteAsync(RawGrpc.Frame(new EchoResponse()));
                });
                app.MapPost("/raw.Endpoint/BadStatus", http => TrailersOnly(http, "oops", "x"));
                app.MapPost("/raw.Endpoint/OddMessage", http => TrailersOnly(http, "3", "%c3%bc %zz 100% %4"));
                app.MapPost("/raw.Endpoint/ResetCancel", http => ResetAsync(http, 0x8));
                app.MapPost("/raw.Endpoint/ResetInternal", http => ResetAsync(http, 0x2));
                app.MapPost("/raw.Endpoint/AnswerAtOnce", async http =>
                {
                    http.Response.ContentType = "application/grpc";
                    await http.Response.Body.WriteAsync(RawGrpc.Frame(new EchoResponse { Message = "done" }));
                    http.Response.AppendTrailer("grpc-status", "0");
                });
                app.MapPost("/raw.Endpoint/AnswerAfterFirstByte", async http =>
                {
                    await http.Request.Body.ReadExactlyAsync(new byte[1]);
                    http.Response.ContentType = "application/grpc";
                    await http.Response.Body.WriteAsync(RawGrpc.Frame(new EchoResponse { Message = "done" }));
                    http.Response.AppendTrailer("grpc-status", "0");
                });
                app.MapPost("/raw.Endpoint/HeadersFirst", async http =>
                {
                    http.Response.ContentType = "application/grpc";
                    http.Response.Headers["x-greeting"] = "early";
                    await http.Response.StartAsync();
                    await http.Response.Body.FlushAsync();
                    await http.Request.Body.CopyToAsync(Stream.Null);
                    await http.Response.Body.WriteAsync(RawGrpc.Frame(new EchoResponse()));
                    http.Response.AppendTrailer("grpc-status", "0");
                });
            });
            _channel = _server.CreateChannel();
        }

        public async Task DisposeAsync()
        {
            _channel?.Dispose();
            await _server!.DisposeAsync();
        }

        private static Task TrailersOnly(HttpContext http, string status, string message)
        {
            http.Response.ContentType = "application/grpc";
            http.Response.Headers["grpc-status"] = status;
            http.Response.Headers["grpc-message"] = message;
            return Task.CompletedTask;
        }

        private static async Task ResetAsync(HttpContext http, int errorCode)
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.FlushAsync();
            http.Features.Get<IHttpResetFeature>()!.Reset(errorCode);
        }
    }
}
