using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>
/// A binary COPY into a table, written in PostgreSQL's binary COPY format (header, rows of
/// length-prefixed big-endian fields, trailer) through Npgsql's raw COPY stream. Values are encoded
/// exactly as Npgsql's <c>NpgsqlBinaryImporter</c> encodes the same .NET types (dates and timestamps at
/// their minimum and maximum are -infinity and infinity) for a fraction of its CPU: the importer
/// resolves and binds a parameter per field, which cost more than reading, converting and profiling
/// the value together. Like the importer, disposing it without <see cref="CompleteAsync"/> cancels the
/// COPY.
/// </summary>
/// <remarks>Format: https://www.postgresql.org/docs/current/sql-copy.html (Binary Format).</remarks>
internal sealed class BinaryCopyWriter : IAsyncDisposable
{
    private const int BufferBytes = 1 << 16;
    private const long PostgresEpochTicks = 630822816000000000L; // 2000-01-01
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly NpgsqlRawCopyStream _stream;
    private byte[] _buffer = CreateBuffer();
    private int _length = Header.Length + 8;
    private bool _completed;

    private BinaryCopyWriter(NpgsqlRawCopyStream stream) => _stream = stream;

    /// <summary>Starts <paramref name="copyCommand"/> (a <c>COPY ... FROM STDIN (FORMAT BINARY)</c>).</summary>
    public static async Task<BinaryCopyWriter> BeginAsync(NpgsqlConnection connection, string copyCommand, CancellationToken cancellationToken) =>
        new(await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken));

    private static ReadOnlySpan<int> PowersOfTen => [1, 10, 100, 1000];

    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private static byte[] CreateBuffer()
    {
        // Signature, then a flags word and a header extension length, both 0.
        var buffer = new byte[BufferBytes];
        Header.CopyTo(buffer);
        return buffer;
    }

    public void StartRow(int columns) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), (short)columns);

    public void WriteNull() => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1);

    public void WriteBoolean(bool value) => Field(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Field(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Field(8), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleBigEndian(Field(8), value);

    /// <summary>A date: days since 2000-01-01.</summary>
    public void WriteDate(DateOnly value) => WriteInt32(
        value == DateOnly.MaxValue ? int.MaxValue : value == DateOnly.MinValue ? int.MinValue : value.DayNumber - PostgresEpochDay);

    /// <summary>A timestamp or timestamptz: microseconds since 2000-01-01 (sub-microsecond ticks dropped, as Npgsql does).</summary>
    public void WriteTimestamp(DateTime value) => WriteInt64(
        value == DateTime.MaxValue ? long.MaxValue : value == DateTime.MinValue ? long.MinValue : (value.Ticks - PostgresEpochTicks) / 10);

    public void WriteText(string value)
    {
        // The worst case for short strings saves counting; long ones are counted so the buffer stays small.
        var field = Reserve(4 + (value.Length <= 4096 ? Utf8.GetMaxByteCount(value.Length) : Utf8.GetByteCount(value)));
        var written = Utf8.GetBytes(value, field[4..]);
        BinaryPrimitives.WriteInt32BigEndian(field, written);
        _length -= field.Length - 4 - written;
    }

    /// <summary>
    /// A numeric: base-10000 digits, most significant first, the weight (power of 10000) of the first,
    /// the sign and the display scale (the decimal's own, so 1.50 stays 1.50). Trailing zero digits are
    /// left out, as PostgreSQL stores them.
    /// </summary>
    public void WriteNumeric(decimal value)
    {
        const int Base = 10_000;
        Span<short> digits = stackalloc short[8]; // a 96-bit mantissa has at most 29 decimal digits
        var scale = value.Scale;
        var mantissa = Mantissa(value);
        var count = 0;
        // Digits come from the least significant end; the first sits at the decimal point's alignment
        // (the scale rounded up to whole base-10000 digits), so a scale that is not a multiple of four
        // takes one division by the power of ten left over.
        var position = -((scale + 3) / 4);
        var divisor = scale % 4 > 0 ? PowersOfTen[scale % 4] : Base;
        var lift = Base / divisor; // the places a partial first digit lacks
        while (mantissa != 0)
        {
            var digit = (int)(uint)(mantissa % (uint)divisor) * lift;
            mantissa /= (uint)divisor;
            (divisor, lift) = (Base, 1);
            if (count > 0 || digit != 0)
            {
                digits[^++count] = (short)digit;
            }
            position++;
        }
        var field = Field(8 + 2 * count);
        BinaryPrimitives.WriteInt16BigEndian(field, (short)count);
        BinaryPrimitives.WriteInt16BigEndian(field[2..], (short)(count == 0 ? 0 : position - 1));
        BinaryPrimitives.WriteUInt16BigEndian(field[4..], value < 0 ? (ushort)0x4000 : (ushort)0);
        BinaryPrimitives.WriteInt16BigEndian(field[6..], (short)scale);
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(field[(8 + 2 * i)..], digits[^(count - i)]);
        }
    }

    /// <summary>Writes the trailer and what is still buffered, and ends the COPY (PostgreSQL checks the rows then).</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), -1);
        await _stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        _length = 0;
        _completed = true;
        await _stream.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }
        try
        {
            await _stream.CancelAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection broke or the COPY had already ended: its transaction is rolled back either way.
        }
    }

    private void Flush()
    {
        _stream.Write(_buffer, 0, _length);
        _length = 0;
    }

    private static UInt128 Mantissa(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        return new UInt128((uint)bits[2], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
    }

    /// <summary>Room for a field of <paramref name="size"/> bytes after its length word, which it writes.</summary>
    private Span<byte> Field(int size)
    {
        var span = Reserve(4 + size);
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        return span[4..];
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            Flush();
            if (size > _buffer.Length)
            {
                _buffer = new byte[size];
            }
        }
        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }
}
