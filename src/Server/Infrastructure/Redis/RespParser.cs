using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// Incremental RESP2 reply parser. It keeps its place between reads, so a reply that arrives over
/// many socket reads (a 50 MB bulk string, an array of a million elements) is consumed as it
/// arrives: a bulk payload is copied once into its final array, and array elements already
/// parsed are never parsed again. One instance per connection; not thread-safe.
/// </summary>
internal sealed class RespParser
{
    private const int MaxLineLength = 1024 * 1024;

    private readonly List<ArrayFrame> _frames = [];
    private byte[]? _bulk;
    private int _bulkFilled;

    /// <summary>
    /// Reads the next complete top-level reply from <paramref name="reader"/>, consuming what it
    /// uses. Returns false when more bytes are needed; whatever it consumed so far is remembered.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not valid RESP2.</exception>
    public bool TryRead(ref SequenceReader<byte> reader, out RedisResult? reply)
    {
        while (true)
        {
            RedisResult? value;
            if (_bulk is not null)
            {
                if (!TryContinueBulk(ref reader, out value))
                {
                    reply = null;
                    return false;
                }
            }
            else
            {
                if (!TryReadElement(ref reader, out value, out var arrayLength))
                {
                    reply = null;
                    return false;
                }

                if (value is null)
                {
                    if (arrayLength < 0)
                    {
                        continue; // a bulk string header was consumed; its payload follows
                    }

                    _frames.Add(new ArrayFrame(new RedisResult[arrayLength]));
                    continue;
                }
            }

            // Attach the value to the innermost open array, closing arrays that become full.
            while (_frames.Count > 0)
            {
                var frame = _frames[^1];
                frame.Items[frame.Count++] = value!;
                if (frame.Count < frame.Items.Length)
                {
                    value = null;
                    break;
                }

                _frames.RemoveAt(_frames.Count - 1);
                value = RedisResult.ArrayOf(frame.Items);
            }

            if (value is not null)
            {
                reply = value;
                return true;
            }
        }
    }

    /// <summary>
    /// Reads one element header (and, for scalars, the whole element). On success either
    /// <paramref name="value"/> is set, or it is null and <paramref name="arrayLength"/> is the
    /// length of a non-empty array whose elements follow, or -1 when a bulk payload is pending.
    /// </summary>
    private bool TryReadElement(ref SequenceReader<byte> reader, out RedisResult? value, out int arrayLength)
    {
        value = null;
        arrayLength = -1;
        var attempt = reader;
        if (!attempt.TryRead(out var prefix) || !TryReadLine(ref attempt, out var line))
        {
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                value = line.Length == 2 && line.FirstSpan.Length == 2 && line.FirstSpan.SequenceEqual("OK"u8) ? RedisResult.Ok
                    : line.Length == 4 && line.FirstSpan.Length == 4 && line.FirstSpan.SequenceEqual("PONG"u8) ? RedisResult.Pong
                    : RedisResult.SimpleString(Encoding.UTF8.GetString(line));
                break;
            case (byte)'-':
                value = RedisResult.Error(Encoding.UTF8.GetString(line));
                break;
            case (byte)':':
                value = RedisResult.Integer(ParseInteger(line));
                break;
            case (byte)'$':
                var length = ParseLength(line, "bulk string");
                if (length < 0)
                {
                    value = RedisResult.NullBulk;
                }
                else if (attempt.Remaining >= length + 2L)
                {
                    var bytes = length == 0 ? [] : new byte[length];
                    attempt.UnreadSequence.Slice(0, length).CopyTo(bytes);
                    attempt.Advance(length);
                    ExpectCrlf(ref attempt);
                    value = RedisResult.Bulk(bytes);
                }
                else
                {
                    // Not all here yet: take the payload over as it arrives instead of re-parsing it.
                    _bulk = new byte[length];
                    _bulkFilled = 0;
                    reader = attempt;
                    return true;
                }

                break;
            case (byte)'*':
                var count = ParseLength(line, "array");
                if (count < 0)
                {
                    value = RedisResult.NullArray;
                }
                else if (count == 0)
                {
                    value = RedisResult.EmptyArray;
                }
                else
                {
                    arrayLength = count;
                }

                break;
            default:
                throw new InvalidDataException($"Unexpected RESP type marker 0x{prefix:x2}.");
        }

        reader = attempt;
        return true;
    }

    private bool TryContinueBulk(ref SequenceReader<byte> reader, out RedisResult? value)
    {
        var bulk = _bulk!;
        var missing = bulk.Length - _bulkFilled;
        if (missing > 0)
        {
            var take = (int)Math.Min(missing, reader.Remaining);
            reader.UnreadSequence.Slice(0, take).CopyTo(bulk.AsSpan(_bulkFilled));
            reader.Advance(take);
            _bulkFilled += take;
            if (take < missing)
            {
                value = null;
                return false;
            }
        }

        if (reader.Remaining < 2)
        {
            value = null;
            return false;
        }

        ExpectCrlf(ref reader);
        _bulk = null;
        value = RedisResult.Bulk(bulk);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        if (reader.TryReadTo(out line, "\r\n"u8))
        {
            return true;
        }

        if (reader.Remaining > MaxLineLength)
        {
            throw new InvalidDataException($"A RESP line is longer than {MaxLineLength} bytes.");
        }

        return false;
    }

    private static void ExpectCrlf(ref SequenceReader<byte> reader)
    {
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new InvalidDataException("A RESP bulk string is not followed by CRLF.");
        }
    }

    private static long ParseInteger(ReadOnlySequence<byte> line)
    {
        Span<byte> buffer = stackalloc byte[24];
        if (line.Length is > 0 and <= 24)
        {
            var span = line.IsSingleSegment ? line.FirstSpan : buffer[..(int)line.Length];
            if (!line.IsSingleSegment)
            {
                line.CopyTo(buffer);
            }

            if (Utf8Parser.TryParse(span, out long value, out var consumed) && consumed == span.Length)
            {
                return value;
            }
        }

        throw new InvalidDataException("A RESP integer is malformed.");
    }

    private static int ParseLength(ReadOnlySequence<byte> line, string what)
    {
        var length = ParseInteger(line);
        if (length < -1 || length > Array.MaxLength)
        {
            throw new InvalidDataException($"A RESP {what} length of {length} is out of range.");
        }

        return (int)length;
    }

    private sealed class ArrayFrame(RedisResult[] items)
    {
        public RedisResult[] Items { get; } = items;

        public int Count { get; set; }
    }
}
