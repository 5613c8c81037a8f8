using System.IO.Compression;
using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AstralytiQ.Rpc.Tests;

public sealed class CompressionTests(CompressionTests.GzipServerFixture fixture) : IClassFixture<CompressionTests.GzipServerFixture>
{
    private static readonly Metadata GzipRequests = new() { { "grpc-internal-encoding-request", "gzip" } };

    private TestServer Server => fixture.Server;

    private TestService.TestServiceClient Client => new(fixture.Channel);

    [Fact]
    public async Task Gzip_request_from_the_client_is_decoded_by_the_server()
    {
        var payload = new byte[1024 * 1024];

        var response = await Client.UnaryAsync(new EchoRequest { Message = "zipped", Payload = ByteString.CopyFrom(payload) }, GzipRequests);

        Assert.Equal("gzip", response.RequestEncoding);
        Assert.Equal("zipped", response.Message);
        Assert.DoesNotContain(response.RequestMetadata, e => e.Key.StartsWith("grpc-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Client_stream_compressed_with_each_encoding_mixing_uncompressed_messages_is_decoded(string encoding)
    {
        using var call = Client.ClientStream(new Metadata { { "grpc-internal-encoding-request", encoding } });

        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[1000]) });
        call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[10]) });
        call.RequestStream.WriteOptions = null;
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[100]) });
        await call.RequestStream.CompleteAsync();
        var response = await call;

        Assert.Equal("3 messages, 1110 bytes", response.Message);
        Assert.Equal(encoding, response.RequestEncoding);
    }

    [Fact]
    public async Task Raw_gzip_frame_with_grpc_encoding_is_decoded_by_the_server()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(Gzip(new EchoRequest { Message = "raw" }.ToByteArray()), compressedFlag: true), ("grpc-encoding", "gzip")));

        Assert.Equal("0", raw.GrpcStatus);
        var frame = Assert.Single(RawGrpc.ParseFrames(raw.Body));
        Assert.Equal("raw", EchoResponse.Parser.ParseFrom(frame.Compressed ? Gunzip(frame.Payload) : frame.Payload).Message);
    }

    [Fact]
    public async Task Server_compresses_responses_with_gzip_when_the_client_accepts_it()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.ServerStreamPath, RawGrpc.Frame(new EchoRequest { StreamCount = 2, ResponseSize = 10_000 }), ("grpc-accept-encoding", "identity,gzip")));

        Assert.Equal("gzip", raw.Headers["grpc-encoding"]);
        var frames = RawGrpc.ParseFrames(raw.Body);
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.True(f.Compressed));
        Assert.All(frames, f => Assert.True(f.Payload.Length < 10_000));
        Assert.Equal(TestServiceImpl.Pattern(10_000), EchoResponse.Parser.ParseFrom(Gunzip(frames[1].Payload)).Payload.ToByteArray());
    }

    [Fact]
    public async Task Server_sends_uncompressed_responses_to_a_client_that_does_not_accept_gzip()
    {
        using var http = Server.CreateRawClient();

        var withoutHeader = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { ResponseSize = 1000 })));
        var deflateOnly = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { ResponseSize = 1000 }), ("grpc-accept-encoding", "identity,deflate")));

        foreach (var raw in new[] { withoutHeader, deflateOnly })
        {
            Assert.False(raw.Headers.ContainsKey("grpc-encoding"));
            Assert.False(Assert.Single(RawGrpc.ParseFrames(raw.Body)).Compressed);
        }
    }

    [Fact]
    public async Task Client_decodes_compressed_responses_transparently()
    {
        var response = await Client.UnaryAsync(new EchoRequest { ResponseSize = 2 * 1024 * 1024 });
        using var stream = Client.ServerStream(new EchoRequest { StreamCount = 3, ResponseSize = 100_000 });
        var streamed = await stream.ResponseStream.ReadAllAsync().CountAsync();

        Assert.Equal(TestServiceImpl.Pattern(2 * 1024 * 1024), response.Payload.ToByteArray());
        Assert.Equal(3, streamed);
    }

    [Fact]
    public async Task WriteFlags_NoCompress_sends_a_message_uncompressed_on_a_compressed_call()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.ServerStreamPath, RawGrpc.Frame(new EchoRequest { StreamCount = 2, ResponseSize = 1000, NoCompress = true }), ("grpc-accept-encoding", "identity,gzip")));

        Assert.Equal("gzip", raw.Headers["grpc-encoding"]);
        var frames = RawGrpc.ParseFrames(raw.Body);
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.False(f.Compressed));
        Assert.Equal(1000, EchoResponse.Parser.ParseFrom(frames[0].Payload).Payload.Length);
    }

    [Fact]
    public async Task Unsupported_request_encoding_is_UNIMPLEMENTED_with_the_supported_encodings()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest()), ("grpc-encoding", "br")));

        Assert.True(raw.IsTrailersOnly);
        Assert.Equal("12", raw.GrpcStatus);
        Assert.Equal("identity,gzip,deflate", raw.Headers["grpc-accept-encoding"]);
        Assert.Contains("br", Uri.UnescapeDataString(raw.GrpcMessage!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compressed_flag_without_a_grpc_encoding_is_INTERNAL()
    {
        using var http = Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(Gzip(new EchoRequest().ToByteArray()), compressedFlag: true)));

        Assert.Equal("13", raw.GrpcStatus);
    }

    [Fact]
    public async Task Compressed_request_that_inflates_beyond_the_receive_limit_is_RESOURCE_EXHAUSTED()
    {
        using var http = Server.CreateRawClient();
        var bomb = Gzip(new EchoRequest { Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) }.ToByteArray());

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(bomb, compressedFlag: true), ("grpc-encoding", "gzip")));

        Assert.True(bomb.Length < 100_000);
        Assert.Equal("8", raw.GrpcStatus);
    }

    [Fact]
    public async Task Client_refuses_a_compressed_response_without_grpc_encoding_and_an_unknown_encoding()
    {
        await using var server = await TestServer.StartAsync(configureApp: app =>
        {
            app.MapPost("/raw.Zip/NoEncoding", http => WriteAsync(http, null));
            app.MapPost("/raw.Zip/Brotli", http => WriteAsync(http, "br"));
        });
        using var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker();

        var noEncoding = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(TestMethods.Unary("raw.Zip", "NoEncoding"), null, default, new EchoRequest()).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(TestMethods.Unary("raw.Zip", "Brotli"), null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Internal, noEncoding.StatusCode);
        Assert.Equal(StatusCode.Internal, unknown.StatusCode);

        static async Task WriteAsync(HttpContext http, string? encoding)
        {
            http.Response.ContentType = "application/grpc";
            if (encoding is not null)
            {
                http.Response.Headers["grpc-encoding"] = encoding;
            }
            await http.Response.Body.WriteAsync(RawGrpc.Frame(Gzip(new EchoResponse().ToByteArray()), compressedFlag: true));
            http.Response.AppendTrailer("grpc-status", "0");
        }
    }

    [Fact]
    public async Task Client_asked_for_an_unknown_request_encoding_fails_without_sending()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(new EchoRequest(), new Metadata { { "grpc-internal-encoding-request", "br" } }).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>A server that compresses responses with gzip when the client accepts it.</summary>
    public sealed class GzipServerFixture : IAsyncLifetime
    {
        private TestServer? _server;
        private Grpc.Net.Client.GrpcChannel? _channel;

        public TestServer Server => _server!;

        public Grpc.Net.Client.GrpcChannel Channel => _channel!;

        public async Task InitializeAsync()
        {
            _server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
            _channel = _server.CreateChannel();
        }

        public async Task DisposeAsync()
        {
            _channel?.Dispose();
            await _server!.DisposeAsync();
        }
    }
}
