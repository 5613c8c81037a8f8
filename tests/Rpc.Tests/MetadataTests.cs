using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

public sealed class MetadataTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly byte[] AllBytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    private TestService.TestServiceClient Client => fixture.Client;

    [Fact]
    public async Task Text_and_binary_request_headers_reach_the_handler()
    {
        var headers = new Metadata { { "x-text", "hello world" }, { "X-Upper-Case", "v" }, { "x-data-bin", AllBytes }, { "x-empty-bin", Array.Empty<byte>() } };

        var response = await Client.UnaryAsync(new EchoRequest(), headers);

        Assert.Equal("hello world", Single(response, "x-text").Value);
        Assert.Equal("v", Single(response, "x-upper-case").Value);
        Assert.Equal(AllBytes, Single(response, "x-data-bin").ValueBytes.ToByteArray());
        Assert.Empty(Single(response, "x-empty-bin").ValueBytes);
    }

    [Fact]
    public async Task Response_headers_and_trailers_reach_the_client_with_text_and_binary_values()
    {
        var headers = new Metadata { { "x-text", "t" }, { "x-data-bin", AllBytes } };
        using var call = Client.UnaryAsync(new EchoRequest { EchoMetadata = true }, headers);

        var responseHeaders = await call.ResponseHeadersAsync;
        await call.ResponseAsync;
        var trailers = call.GetTrailers();

        Assert.Equal("t", responseHeaders.GetValue("x-text"));
        Assert.Equal(AllBytes, responseHeaders.GetValueBytes("x-data-bin"));
        Assert.Equal("t", trailers.GetValue("x-text-trailer"));
        Assert.Equal(AllBytes, trailers.GetValueBytes("x-data-trailer-bin"));
        Assert.True(trailers.Get("x-data-trailer-bin")!.IsBinary);
    }

    [Fact]
    public async Task Response_headers_arrive_before_the_first_streamed_message()
    {
        var id = Guid.NewGuid().ToString();
        using var call = Client.ServerStream(new EchoRequest { EchoMetadata = true, StreamCount = 0, CallId = id, WaitForRelease = true }, new Metadata { { "x-early", "yes" } });

        var headers = await call.ResponseHeadersAsync.WithTimeout();

        Assert.Equal("yes", headers.GetValue("x-early"));
        fixture.Server.Tracker[id].Release.TrySetResult();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal("yes", call.GetTrailers().GetValue("x-early-trailer"));
    }

    [Fact]
    public async Task Repeated_binary_request_headers_arrive_as_separate_entries_in_order()
    {
        var headers = new Metadata { { "x-multi-bin", new byte[] { 1 } }, { "x-multi-bin", new byte[] { 2, 3 } } };

        var response = await Client.UnaryAsync(new EchoRequest(), headers);

        Assert.Equal([[1], [2, 3]], response.RequestMetadata.Where(e => e.Key == "x-multi-bin").Select(e => e.ValueBytes.ToByteArray()));
    }

    [Fact]
    public async Task Repeated_text_request_headers_arrive_comma_joined()
    {
        // SocketsHttpHandler joins the values of one header name into one HTTP/2 field, as HTTP allows;
        // the server cannot split them back without breaking values that contain commas.
        var headers = new Metadata { { "x-multi", "a" }, { "x-multi", "b" } };

        var response = await Client.UnaryAsync(new EchoRequest(), headers);

        Assert.Equal("a, b", string.Join(", ", response.RequestMetadata.Where(e => e.Key == "x-multi").Select(e => e.Value)));
    }

    [Fact]
    public async Task Repeated_response_headers_and_trailers_arrive_as_separate_entries()
    {
        var headers = new Metadata { { "x-multi", "a" }, { "x-multi", "b" }, { "x-multi-bin", new byte[] { 1 } }, { "x-multi-bin", new byte[] { 2 } } };
        using var call = Client.ServerStream(new EchoRequest { EchoMetadata = true }, headers);

        Assert.False(await call.ResponseStream.MoveNext());
        var responseHeaders = await call.ResponseHeadersAsync;
        var trailers = call.GetTrailers();

        // The request's two text values arrived joined (see above), so one entry comes back for them.
        Assert.Equal([[1], [2]], responseHeaders.GetAll("x-multi-bin").Select(e => e.ValueBytes));
        Assert.Equal([[1], [2]], trailers.GetAll("x-multi-trailer-bin").Select(e => e.ValueBytes));
        Assert.Equal("a, b", string.Join(", ", responseHeaders.GetAll("x-multi").Select(e => e.Value)));
    }

    [Fact]
    public async Task Reserved_and_pseudo_headers_do_not_appear_in_RequestHeaders()
    {
        var headers = new Metadata { { "x-visible", "1" } };

        var response = await Client.UnaryAsync(new EchoRequest(), headers, deadline: DateTime.UtcNow.AddMinutes(1));

        var keys = response.RequestMetadata.Select(e => e.Key).ToArray();
        Assert.Contains("x-visible", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith(':') || k.StartsWith("grpc-", StringComparison.Ordinal)
            || k is "te" or "content-type" or "host" or "content-length" or "transfer-encoding");
    }

    [Fact]
    public async Task Reserved_keys_in_client_metadata_are_not_sent()
    {
        var headers = new Metadata { { "grpc-status", "13" }, { "grpc-timeout", "1n" }, { "content-type", "text/plain" }, { "te", "gzip" }, { "x-fine", "yes" } };

        var response = await Client.UnaryAsync(new EchoRequest(), headers);

        Assert.Equal("yes", response.Headers["x-fine"]);
        Assert.Equal(0, response.DeadlineUnixMs);
    }

    [Fact]
    public async Task Response_headers_can_be_written_only_once()
    {
        using var call = Client.UnaryAsync(new EchoRequest { EchoMetadata = true, WriteHeadersTwice = true }, new Metadata { { "x-once", "1" } });

        var response = await call.ResponseAsync;
        var headers = await call.ResponseHeadersAsync;

        Assert.Equal(nameof(InvalidOperationException), response.SecondHeadersError);
        Assert.Equal("1", headers.GetValue("x-once"));
        Assert.Null(headers.Get("x-second"));
    }

    [Fact]
    public async Task Binary_headers_sent_padded_or_unpadded_both_decode()
    {
        using var http = fixture.Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest()), ("x-padded-bin", "AAE="), ("x-unpadded-bin", "AAE")));

        var response = EchoResponse.Parser.ParseFrom(RawGrpc.ParseFrames(raw.Body)[0].Payload);
        Assert.Equal([0, 1], Single(response, "x-padded-bin").ValueBytes.ToByteArray());
        Assert.Equal([0, 1], Single(response, "x-unpadded-bin").ValueBytes.ToByteArray());
    }

    [Fact]
    public async Task Binary_response_metadata_is_sent_unpadded_base64()
    {
        using var http = fixture.Server.CreateRawClient();

        var raw = await RawGrpc.SendAsync(http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { EchoMetadata = true }), ("x-data-bin", "AAE")));

        Assert.Equal("AAE", raw.Headers["x-data-bin"]);
        Assert.Equal("AAE", raw.Trailers["x-data-trailer-bin"]);
    }

    [Fact]
    public async Task Handler_reads_the_HTTP_context_through_GetHttpContext()
    {
        var response = await Client.UnaryAsync(new EchoRequest());

        Assert.Equal("HTTP/2", response.Protocol);
        Assert.Equal("http", response.Scheme);
        Assert.NotEmpty(response.ConnectionId);
    }

    private static EchoResponse.Types.MetadataEntry Single(EchoResponse response, string key) =>
        Assert.Single(response.RequestMetadata, e => e.Key == key);
}
