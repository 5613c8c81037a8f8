using System.Buffers;
using System.IO.Compression;
using Grpc.Core;

namespace Grpc.Net.Compression;

/// <summary>A message compression algorithm named by <c>grpc-encoding</c>.</summary>
public interface ICompressionProvider
{
    /// <summary>The encoding name, e.g. <c>gzip</c>.</summary>
    string EncodingName { get; }

    /// <summary>Wraps a stream so that what is written to it is compressed into <paramref name="stream"/>.</summary>
    Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel);

    /// <summary>Wraps a stream of compressed bytes so that reading it yields the original bytes.</summary>
    Stream CreateDecompressionStream(Stream stream);
}

/// <summary>gzip (RFC 1952).</summary>
public sealed class GzipCompressionProvider(CompressionLevel defaultCompressionLevel = CompressionLevel.Fastest) : ICompressionProvider
{
    /// <inheritdoc />
    public string EncodingName => "gzip";

    /// <inheritdoc />
    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? defaultCompressionLevel, leaveOpen: true);

    /// <inheritdoc />
    public Stream CreateDecompressionStream(Stream stream) => new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
}

/// <summary>deflate (zlib, RFC 1950), as gRPC's "deflate" encoding means.</summary>
public sealed class DeflateCompressionProvider(CompressionLevel defaultCompressionLevel = CompressionLevel.Fastest) : ICompressionProvider
{
    /// <inheritdoc />
    public string EncodingName => "deflate";

    /// <inheritdoc />
    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new ZLibStream(stream, compressionLevel ?? defaultCompressionLevel, leaveOpen: true);

    /// <inheritdoc />
    public Stream CreateDecompressionStream(Stream stream) => new ZLibStream(stream, CompressionMode.Decompress, leaveOpen: true);
}

internal static class CompressionHelper
{
    public static ICompressionProvider[] DefaultProviders() => [new GzipCompressionProvider(), new DeflateCompressionProvider()];

    public static ICompressionProvider? Find(IReadOnlyList<ICompressionProvider> providers, string name)
    {
        foreach (var provider in providers)
        {
            if (string.Equals(provider.EncodingName, name, StringComparison.Ordinal))
            {
                return provider;
            }
        }
        return null;
    }

    public static string AcceptEncodingValue(IReadOnlyList<ICompressionProvider> providers) =>
        "identity," + string.Join(',', providers.Select(p => p.EncodingName));

    public static bool AcceptsEncoding(string? acceptEncoding, string name)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }
        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(part, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Decompresses one message, refusing output larger than <paramref name="maxLength"/>.</summary>
    public static byte[] Decompress(ICompressionProvider provider, in ReadOnlySequence<byte> payload, int? maxLength)
    {
        using var input = new MemoryStream(payload.ToArray(), writable: false);
        using var decompressor = provider.CreateDecompressionStream(input);
        using var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = decompressor.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, read);
                if (maxLength is { } max && output.Length > max)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size ({max} bytes) after decompression."));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return output.ToArray();
    }

    public static byte[] Compress(ICompressionProvider provider, ReadOnlySpan<byte> payload, CompressionLevel? level)
    {
        using var output = new MemoryStream();
        using (var compressor = provider.CreateCompressionStream(output, level))
        {
            compressor.Write(payload);
        }
        return output.ToArray();
    }
}
