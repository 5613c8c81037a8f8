using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// A value sent to or read from Redis: null, a string, raw bytes or a 64-bit integer. Shaped like
/// StackExchange.Redis's RedisValue so that callers convert with the same casts.
/// </summary>
public readonly struct RedisValue : IEquatable<RedisValue>
{
    private readonly object? _object; // string or byte[]
    private readonly long _integer;
    private readonly StorageKind _kind;

    private RedisValue(object? value, long integer, StorageKind kind)
    {
        _object = value;
        _integer = integer;
        _kind = kind;
    }

    private enum StorageKind : byte
    {
        Null = 0,
        String,
        Bytes,
        Int64,
    }

    public static RedisValue Null => default;

    public static RedisValue EmptyString { get; } = new(string.Empty, 0, StorageKind.String);

    public bool IsNull => _kind == StorageKind.Null;

    public bool HasValue => _kind != StorageKind.Null;

    public bool IsInteger => _kind == StorageKind.Int64;

    public bool IsNullOrEmpty => _kind switch
    {
        StorageKind.Null => true,
        StorageKind.String => ((string)_object!).Length == 0,
        StorageKind.Bytes => ((byte[])_object!).Length == 0,
        _ => false,
    };

    public static implicit operator RedisValue(string? value) =>
        value is null ? default : new RedisValue(value, 0, StorageKind.String);

    public static implicit operator RedisValue(byte[]? value) =>
        value is null ? default : new RedisValue(value, 0, StorageKind.Bytes);

    public static implicit operator RedisValue(long value) => new(null, value, StorageKind.Int64);

    public static implicit operator RedisValue(int value) => new(null, value, StorageKind.Int64);

    public static implicit operator RedisValue(bool value) => new(null, value ? 1 : 0, StorageKind.Int64);

    public static implicit operator RedisValue(double value) => new(FormatDouble(value), 0, StorageKind.String);

    public static implicit operator string?(RedisValue value) => value._kind switch
    {
        StorageKind.Null => null,
        StorageKind.String => (string)value._object!,
        StorageKind.Bytes => Encoding.UTF8.GetString((byte[])value._object!),
        _ => value._integer.ToString(CultureInfo.InvariantCulture),
    };

    public static implicit operator byte[]?(RedisValue value) => value._kind switch
    {
        StorageKind.Null => null,
        StorageKind.String => Encoding.UTF8.GetBytes((string)value._object!),
        StorageKind.Bytes => (byte[])value._object!,
        _ => Encoding.ASCII.GetBytes(value._integer.ToString(CultureInfo.InvariantCulture)),
    };

    /// <summary>Null converts to 0, as in StackExchange.Redis; use the <c>long?</c> cast to tell them apart.</summary>
    public static explicit operator long(RedisValue value) =>
        value.IsNull ? 0 : value.TryParseInt64(out var result) ? result : throw value.CannotConvert("long");

    public static explicit operator long?(RedisValue value) => value.IsNull ? null : (long)value;

    public static explicit operator int(RedisValue value) => checked((int)(long)value);

    public static explicit operator int?(RedisValue value) => value.IsNull ? null : (int)value;

    public static explicit operator double(RedisValue value)
    {
        if (value.IsNull)
        {
            return 0;
        }

        if (value._kind == StorageKind.Int64)
        {
            return value._integer;
        }

        var text = (string)value!;
        return text switch
        {
            "+inf" or "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw value.CannotConvert("double"),
        };
    }

    public static explicit operator double?(RedisValue value) => value.IsNull ? null : (double)value;

    public static explicit operator bool(RedisValue value) => (long)value != 0;

    public static bool operator ==(RedisValue left, RedisValue right) => left.Equals(right);

    public static bool operator !=(RedisValue left, RedisValue right) => !left.Equals(right);

    /// <summary>Values are equal when Redis would store the same bytes for them (so "1" equals 1).</summary>
    public bool Equals(RedisValue other)
    {
        if (IsNull || other.IsNull)
        {
            return IsNull && other.IsNull;
        }

        if (_kind == StorageKind.Int64 && other._kind == StorageKind.Int64)
        {
            return _integer == other._integer;
        }

        if (_kind == StorageKind.String && other._kind == StorageKind.String)
        {
            return string.Equals((string)_object!, (string)other._object!, StringComparison.Ordinal);
        }

        return ((ReadOnlySpan<byte>)(byte[])this!).SequenceEqual((byte[])other!);
    }

    public override bool Equals(object? obj) => obj is RedisValue other && Equals(other);

    public override int GetHashCode() =>
        IsNull ? 0 : StringComparer.Ordinal.GetHashCode((string)this!);

    public override string ToString() => (string?)this ?? string.Empty;

    internal static RedisValue FromObject(object? value, string parameterName) => value switch
    {
        null => throw new ArgumentException("Redis command arguments cannot be null.", parameterName),
        RedisValue v => v,
        RedisKey k => k.Value,
        string s => s,
        byte[] b => b,
        long l => l,
        int i => i,
        short s => s,
        byte b => (int)b,
        uint u => (long)u,
        bool b => b,
        double d => d,
        float f => (double)f,
        _ => throw new ArgumentException(
            $"Redis command arguments must be strings, byte arrays, numbers, RedisKey or RedisValue; got {value.GetType().Name}.",
            parameterName),
    };

    /// <summary>Number of bytes this value occupies on the wire (its bulk string payload).</summary>
    internal int GetByteCount() => _kind switch
    {
        StorageKind.Null => 0,
        StorageKind.String => Encoding.UTF8.GetByteCount((string)_object!),
        StorageKind.Bytes => ((byte[])_object!).Length,
        _ => CountDigits(_integer),
    };

    internal bool TryGetString(out string? value)
    {
        value = _object as string;
        return _kind == StorageKind.String;
    }

    internal bool TryGetBytes(out byte[]? value)
    {
        value = _object as byte[];
        return _kind == StorageKind.Bytes;
    }

    internal bool TryGetInt64(out long value)
    {
        value = _integer;
        return _kind == StorageKind.Int64;
    }

    private bool TryParseInt64(out long result)
    {
        switch (_kind)
        {
            case StorageKind.Int64:
                result = _integer;
                return true;
            case StorageKind.Bytes:
                var bytes = (byte[])_object!;
                return Utf8Parser.TryParse(bytes, out result, out var consumed) && consumed == bytes.Length && bytes.Length > 0;
            case StorageKind.String:
                return long.TryParse((string)_object!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
            default:
                result = 0;
                return false;
        }
    }

    private InvalidCastException CannotConvert(string target) =>
        new($"Unable to convert the Redis value to {target}.");

    private static int CountDigits(long value)
    {
        Span<byte> buffer = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, buffer, out var written);
        return written;
    }

    private static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(value) => throw new ArgumentOutOfRangeException(nameof(value), "Redis cannot store NaN."),
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
