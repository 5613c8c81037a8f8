using System.Buffers;
using System.Text;
using AstralytiQ.Server.Infrastructure.Redis;

namespace AstralytiQ.Server.Tests.Redis;

/// <summary>The RESP2 encoder and the incremental parser, without a server.</summary>
public sealed class RespProtocolTests
{
    // One of every reply kind, back to back, as Redis would stream them on one connection.
    private const string Stream =
        "+OK\r\n" +
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" +
        ":-42\r\n" +
        "$5\r\nhe\r\nl\r\n" +
        "$0\r\n\r\n" +
        "$-1\r\n" +
        "*0\r\n" +
        "*-1\r\n" +
        "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n-ERR inner\r\n" +
        "*2\r\n*1\r\n*1\r\n+deep\r\n$3\r\nend\r\n" +
        "+PONG\r\n";

    [Fact]
    public void Every_reply_kind_parses()
    {
        var replies = Parse(Encoding.UTF8.GetBytes(Stream), chunkSize: int.MaxValue, segmentSize: int.MaxValue);

        Assert.Equal(
            [
                "SimpleString:OK",
                "Error:(error) WRONGTYPE Operation against a key holding the wrong kind of value",
                "Integer:-42",
                "BulkString:he\r\nl",
                "BulkString:",
                "BulkString:(nil)",
                "Array:[]",
                "Array:(nil)",
                "Array:[1, [a, (nil)], (error) ERR inner]",
                "Array:[[[deep]], end]",
                "SimpleString:PONG",
            ],
            replies.Select(r => $"{r.Type}:{r}"));
        Assert.True(replies[5].IsNull);
        Assert.True(replies[7].IsNull);
        Assert.False(replies[6].IsNull);
        Assert.Equal(ResultType.Error, replies[8][2].Type);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 1000)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(7, 3)]
    [InlineData(13, 5)]
    [InlineData(64, 1)]
    public void Replies_split_across_reads_and_buffer_segments_parse_the_same(int chunkSize, int segmentSize)
    {
        var data = Encoding.UTF8.GetBytes(Stream);
        var whole = Parse(data, int.MaxValue, int.MaxValue).Select(r => r.ToString());

        var split = Parse(data, chunkSize, segmentSize).Select(r => r.ToString());

        Assert.Equal(whole, split);
    }

    [Fact]
    public void Large_bulk_string_arriving_in_pieces_is_assembled_byte_exact()
    {
        var payload = new byte[3 * 1024 * 1024 + 17];
        new Random(3).NextBytes(payload);
        var data = Encoding.ASCII.GetBytes($"${payload.Length}\r\n").Concat(payload).Concat("\r\n:7\r\n"u8.ToArray()).ToArray();

        var replies = Parse(data, chunkSize: 65_536, segmentSize: 4096);

        Assert.Equal(2, replies.Count);
        Assert.True(payload.AsSpan().SequenceEqual((byte[]?)replies[0]));
        Assert.Equal(7, (long)replies[1]);
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData(":12x\r\n")]
    [InlineData(":\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("$3\r\nabcXY")]
    [InlineData("*-5\r\n")]
    public void Malformed_input_is_a_protocol_error(string text) =>
        Assert.Throws<InvalidDataException>(() => Parse(Encoding.ASCII.GetBytes(text), int.MaxValue, int.MaxValue));

    [Fact]
    public void Incomplete_input_waits_for_more_bytes()
    {
        var parser = new RespParser();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("*2\r\n$3\r\nfo"u8.ToArray()));

        Assert.False(parser.TryRead(ref reader, out _));
        Assert.Equal(0, reader.Remaining);

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("o\r\n:5"u8.ToArray()));
        Assert.False(parser.TryRead(ref reader, out _));
        Assert.Equal(2, reader.Remaining); // ":5" has no CRLF yet, so it stays unconsumed

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(":5\r\n"u8.ToArray()));
        Assert.True(parser.TryRead(ref reader, out var reply));
        Assert.Equal("[foo, 5]", reply!.ToString());
    }

    [Fact]
    public void Command_is_written_as_an_array_of_bulk_strings()
    {
        var buffer = new ArrayBufferWriter<byte>();

        RespWriter.WriteCommand(buffer, "SET", ["ké", new byte[] { 0, 13, 10 }, -12L, RedisValue.Null, 1.5]);

        Assert.Equal(
            "*6\r\n$3\r\nSET\r\n$3\r\nk\u00c3\u00a9\r\n$3\r\n\0\r\n\r\n$3\r\n-12\r\n$0\r\n\r\n$3\r\n1.5\r\n",
            Encoding.Latin1.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Long_string_argument_is_encoded_in_chunks_without_loss()
    {
        var text = string.Concat(Enumerable.Repeat("日本語 text ✓ ", 10_000));
        var buffer = new ArrayBufferWriter<byte>(256);

        RespWriter.WriteCommand(buffer, "ECHO", [text]);

        var expected = $"*2\r\n$4\r\nECHO\r\n${Encoding.UTF8.GetByteCount(text)}\r\n{text}\r\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Values_convert_like_stackexchange_redis()
    {
        RedisValue fromString = "123";
        RedisValue fromBytes = "123"u8.ToArray();
        RedisValue fromLong = 123L;

        Assert.Equal(fromString, fromBytes);
        Assert.Equal(fromBytes, fromLong);
        Assert.Equal(fromString.GetHashCode(), fromLong.GetHashCode());
        Assert.Equal(123, (long)fromBytes);
        Assert.Equal(123.0, (double)fromString);
        Assert.True((bool)fromLong);
        Assert.Equal(0, (long)RedisValue.Null);
        Assert.Null((long?)RedisValue.Null);
        Assert.Null((string?)RedisValue.Null);
        Assert.True(RedisValue.Null.IsNullOrEmpty);
        Assert.True(RedisValue.EmptyString.IsNullOrEmpty);
        Assert.False(RedisValue.EmptyString.IsNull);
        Assert.NotEqual(RedisValue.Null, RedisValue.EmptyString);
        Assert.Throws<InvalidCastException>(() => (long)(RedisValue)"12a");
        Assert.Equal("+inf", (string?)(RedisValue)double.PositiveInfinity);
    }

    private static List<RedisResult> Parse(byte[] data, int chunkSize, int segmentSize)
    {
        // Feeds the parser as a pipe would: each read appends a chunk to what is still unconsumed.
        var parser = new RespParser();
        var replies = new List<RedisResult>();
        var unconsumed = Array.Empty<byte>();
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var chunk = data.AsSpan(offset, Math.Min(chunkSize, data.Length - offset));
            unconsumed = [.. unconsumed, .. chunk];
            var reader = new SequenceReader<byte>(Segmented(unconsumed, segmentSize));
            while (parser.TryRead(ref reader, out var reply))
            {
                replies.Add(reply!);
            }

            unconsumed = unconsumed[(int)reader.Consumed..];
        }

        Assert.Empty(unconsumed);
        return replies;
    }

    private static ReadOnlySequence<byte> Segmented(byte[] data, int segmentSize)
    {
        if (data.Length <= segmentSize)
        {
            return new ReadOnlySequence<byte>(data);
        }

        var first = new Segment(data.AsMemory(0, segmentSize), 0);
        var last = first;
        for (var offset = segmentSize; offset < data.Length; offset += segmentSize)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
