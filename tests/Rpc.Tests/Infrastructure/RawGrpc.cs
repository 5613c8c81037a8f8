using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace AstralytiQ.Rpc.Tests;

/// <summary>
/// Raw gRPC over a plain HttpClient HTTP/2 request: the test controls every byte of the request body
/// and sees the response exactly as it came (headers, body bytes, trailers).
/// </summary>
public static class RawGrpc
{
    public const string UnaryPath = "/rpctest.v1.TestService/Unary";
    public const string ClientStreamPath = "/rpctest.v1.TestService/ClientStream";
    public const string ServerStreamPath = "/rpctest.v1.TestService/ServerStream";
    public const string DuplexPath = "/rpctest.v1.TestService/Duplex";

    public static byte[] Frame(IMessage message, bool compressedFlag = false) => Frame(message.ToByteArray(), compressedFlag);

    public static byte[] Frame(byte[] payload, bool compressedFlag = false) => Header(payload.Length, compressedFlag).Concat(payload).ToArray();

    public static byte[] Header(long length, bool compressedFlag = false)
    {
        var header = new byte[5];
        header[0] = compressedFlag ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)length);
        return header;
    }

    public static HttpRequestMessage Request(string path, HttpContent content, string contentType = "application/grpc", params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return request;
    }

    public static HttpRequestMessage Request(string path, byte[] body, params (string Name, string Value)[] headers) =>
        Request(path, new ByteArrayContent(body), "application/grpc", headers);

    /// <summary>Sends a request and reads the whole response, trailers included.</summary>
    public static async Task<RawResponse> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WithTimeout();
        var body = await response.Content.ReadAsByteArrayAsync().WithTimeout();
        return new RawResponse(
            response.StatusCode,
            response.Version,
            Flatten(response.Headers, response.Content.Headers),
            Flatten(response.TrailingHeaders),
            body);
    }

    public static IReadOnlyList<(bool Compressed, byte[] Payload)> ParseFrames(byte[] body)
    {
        var frames = new List<(bool, byte[])>();
        var offset = 0;
        while (offset < body.Length)
        {
            Assert.True(body.Length - offset >= 5, "Truncated message header in response body.");
            var compressed = body[offset] == 1;
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            Assert.True(body.Length - offset - 5 >= length, "Truncated message in response body.");
            frames.Add((compressed, body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }
        return frames;
    }

    private static Dictionary<string, string> Flatten(params HttpHeaders[] sources)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var headers in sources)
        {
            foreach (var header in headers.NonValidated)
            {
                result[header.Key] = header.Value.ToString();
            }
        }
        return result;
    }
}

public sealed record RawResponse(HttpStatusCode StatusCode, Version Version, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Trailers, byte[] Body)
{
    /// <summary>grpc-status wherever it came: trailers, or headers of a Trailers-Only response.</summary>
    public string? GrpcStatus => Trailers.TryGetValue("grpc-status", out var t) ? t : Headers.TryGetValue("grpc-status", out var h) ? h : null;

    public string? GrpcMessage => Trailers.TryGetValue("grpc-message", out var t) ? t : Headers.TryGetValue("grpc-message", out var h) ? h : null;

    /// <summary>A Trailers-Only response: the status in the headers, no body, no trailers.</summary>
    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status") && Body.Length == 0 && Trailers.Count == 0;
}

/// <summary>A request body the test writes piece by piece while the call runs.</summary>
public sealed class ControlledContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Stream> Stream => _stream.Task.WithTimeout();

    /// <summary>Writes and flushes one chunk (it goes out as its own DATA frame).</summary>
    public async Task WriteAsync(byte[] bytes)
    {
        var stream = await Stream;
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    /// <summary>Ends the request body (END_STREAM).</summary>
    public void Complete() => _done.TrySetResult();

    /// <summary>Ends the request body with an error, which resets the stream.</summary>
    public void Fail() => _done.TrySetException(new IOException("The test abandoned the request body."));

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        _stream.TrySetResult(stream);
        return _done.Task;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
