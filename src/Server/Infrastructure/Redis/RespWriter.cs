using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>Encodes a command as RESP2 wants it from clients: an array of bulk strings.</summary>
internal static class RespWriter
{
    // Strings up to this many UTF-8 bytes are encoded straight into one span; longer ones in chunks.
    private const int DirectEncodeLimit = 16 * 1024;

    public static void WriteCommand(IBufferWriter<byte> writer, string command, ReadOnlySpan<RedisValue> args)
    {
        WriteHeader(writer, (byte)'*', args.Length + 1);
        WriteString(writer, command);
        foreach (var arg in args)
        {
            WriteBulk(writer, arg);
        }
    }

    private static void WriteBulk(IBufferWriter<byte> writer, in RedisValue value)
    {
        if (value.TryGetString(out var text))
        {
            WriteString(writer, text!);
        }
        else if (value.TryGetBytes(out var bytes))
        {
            WriteHeader(writer, (byte)'$', bytes!.Length);
            writer.Write(bytes);
            WriteCrlf(writer);
        }
        else if (value.TryGetInt64(out var integer))
        {
            Span<byte> digits = stackalloc byte[20];
            Utf8Formatter.TryFormat(integer, digits, out var length);
            WriteHeader(writer, (byte)'$', length);
            var span = writer.GetSpan(length + 2);
            digits[..length].CopyTo(span);
            span[length] = (byte)'\r';
            span[length + 1] = (byte)'\n';
            writer.Advance(length + 2);
        }
        else
        {
            // Redis has no null argument; like other clients, send an empty string.
            WriteHeader(writer, (byte)'$', 0);
            WriteCrlf(writer);
        }
    }

    private static void WriteString(IBufferWriter<byte> writer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteHeader(writer, (byte)'$', length);
        if (length <= DirectEncodeLimit)
        {
            var span = writer.GetSpan(length + 2);
            Encoding.UTF8.GetBytes(text, span);
            span[length] = (byte)'\r';
            span[length + 1] = (byte)'\n';
            writer.Advance(length + 2);
        }
        else
        {
            Encoding.UTF8.GetBytes(text.AsSpan(), writer);
            WriteCrlf(writer);
        }
    }

    private static void WriteHeader(IBufferWriter<byte> writer, byte prefix, int count)
    {
        var span = writer.GetSpan(16);
        span[0] = prefix;
        Utf8Formatter.TryFormat(count, span[1..], out var written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        writer.Advance(written + 3);
    }

    private static void WriteCrlf(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        writer.Advance(2);
    }
}
