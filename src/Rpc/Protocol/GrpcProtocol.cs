using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Grpc.Core.Internal;

/// <summary>Constants and small codecs from grpc/grpc doc/PROTOCOL-HTTP2.md.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string StatusDetailsHeader = "grpc-status-details-bin";
    public const string TeHeader = "te";
    public const string UserAgentHeader = "user-agent";

    /// <summary>Client-side convention (shared with grpc-dotnet) to ask for compressed request messages.</summary>
    public const string RequestEncodingMetadataKey = "grpc-internal-encoding-request";

    public const int HeaderSize = 5;
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (contentType.Length == ContentType.Length)
        {
            return true;
        }
        // application/grpc+proto and application/grpc;param=... are the same protocol.
        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    /// <summary>Headers that the protocol owns; they never appear in user metadata.</summary>
    public static bool IsReservedHeader(string name) =>
        name.Length == 0
        || name[0] == ':'
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase)
        || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals(TimeoutHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(EncodingHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(AcceptEncodingHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(StatusHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(MessageHeader, StringComparison.OrdinalIgnoreCase);

    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>Reads a message header from the start of <paramref name="buffer"/> if five bytes are there.</summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out bool compressed, out uint length)
    {
        if (buffer.Length < HeaderSize)
        {
            compressed = false;
            length = 0;
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        compressed = header[0] != 0;
        length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        return true;
    }

    // ---- binary metadata: base64, accept padded and unpadded, emit unpadded ----

    public static string EncodeBinaryHeader(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    public static byte[] DecodeBinaryHeader(string value)
    {
        var trimmed = value.Trim();
        var padding = (4 - (trimmed.Length % 4)) % 4;
        if (padding == 3)
        {
            throw new FormatException("Invalid base64 length in binary header.");
        }
        return Convert.FromBase64String(padding == 0 ? trimmed : trimmed + new string('=', padding));
    }

    // ---- grpc-message percent-encoding ----

    /// <summary>Percent-encodes a status message: UTF-8 bytes outside 0x20..0x7E and '%' become %XX.</summary>
    public static string EncodeMessage(string message)
    {
        var needsEncoding = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needsEncoding = true;
                break;
            }
        }
        if (!needsEncoding)
        {
            return message;
        }
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == (byte)'%')
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
            else
            {
                builder.Append((char)b);
            }
        }
        return builder.ToString();

        static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);
    }

    /// <summary>Decodes a percent-encoded status message; malformed escapes are kept as they are.</summary>
    public static string DecodeMessage(string value)
    {
        if (value.IndexOf('%', StringComparison.Ordinal) < 0)
        {
            return value;
        }
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add((byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2])));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());

        static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';
        static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    // ---- grpc-timeout ----

    /// <summary>Parses <c>TimeoutValue TimeoutUnit</c>: at most 8 digits and one of H M S m u n.</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        long amount = 0;
        for (var i = 0; i < value.Length - 1; i++)
        {
            var c = value[i];
            if (c is < '0' or > '9')
            {
                return false;
            }
            amount = (amount * 10) + (c - '0');
        }
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * (TimeSpan.TicksPerMillisecond / 1000); break;
            case 'n': ticks = amount / 100; break;
            default: return false;
        }
        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Formats a timeout in the finest unit whose value fits in 8 digits.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }
        const long max = 99_999_999;
        var ticks = timeout.Ticks;
        // Round up so a client never asks for less time than it has.
        var micros = (ticks + 9) / 10;
        if (ticks <= max / 100)
        {
            return (ticks * 100).ToString(System.Globalization.CultureInfo.InvariantCulture) + "n";
        }
        if (micros <= max)
        {
            return micros.ToString(System.Globalization.CultureInfo.InvariantCulture) + "u";
        }
        var millis = (micros + 999) / 1000;
        if (millis <= max)
        {
            return millis.ToString(System.Globalization.CultureInfo.InvariantCulture) + "m";
        }
        var seconds = (millis + 999) / 1000;
        if (seconds <= max)
        {
            return seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "S";
        }
        var minutes = (seconds + 59) / 60;
        if (minutes <= max)
        {
            return minutes.ToString(System.Globalization.CultureInfo.InvariantCulture) + "M";
        }
        return Math.Min((minutes + 59) / 60, max).ToString(System.Globalization.CultureInfo.InvariantCulture) + "H";
    }

    // ---- doc/http-grpc-status-mapping.md ----

    public static StatusCode StatusFromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    public static bool TryParseStatusCode(string? value, out StatusCode code)
    {
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            code = (StatusCode)number;
            return true;
        }
        code = StatusCode.Unknown;
        return false;
    }
}
