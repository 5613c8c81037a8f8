using System.Globalization;
using System.Text;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>The kind of a RESP2 reply.</summary>
public enum ResultType
{
    None = 0,
    SimpleString = 1,
    Error = 2,
    Integer = 3,
    BulkString = 4,
    Array = 5,
}

/// <summary>
/// A reply from Redis: simple string, error (only inside arrays; a top-level error is thrown as
/// <see cref="RedisServerException"/>), integer, bulk string or array, any of the last two possibly null.
/// Converted with explicit casts, as StackExchange.Redis's RedisResult is.
/// </summary>
public sealed class RedisResult
{
    private static readonly RedisResult[] SmallIntegers = CreateSmallIntegers();

    private readonly object? _value; // string (simple, error), byte[] (bulk), RedisResult[] (array)
    private readonly long _integer;

    private RedisResult(ResultType type, object? value, long integer)
    {
        Type = type;
        _value = value;
        _integer = integer;
    }

    internal static RedisResult Ok { get; } = new(ResultType.SimpleString, "OK", 0);

    internal static RedisResult Pong { get; } = new(ResultType.SimpleString, "PONG", 0);

    internal static RedisResult NullBulk { get; } = new(ResultType.BulkString, null, 0);

    internal static RedisResult EmptyBulk { get; } = new(ResultType.BulkString, Array.Empty<byte>(), 0);

    internal static RedisResult NullArray { get; } = new(ResultType.Array, null, 0);

    internal static RedisResult EmptyArray { get; } = new(ResultType.Array, Array.Empty<RedisResult>(), 0);

    public ResultType Type { get; }

    /// <summary>True for a null bulk string ($-1) or a null array (*-1).</summary>
    public bool IsNull => _value is null && Type is ResultType.BulkString or ResultType.Array;

    /// <summary>The number of elements of an array reply; -1 for anything else or a null array.</summary>
    public int Length => _value is RedisResult[] items ? items.Length : -1;

    public RedisResult this[int index] => AsArray()[index];

    /// <summary>The message of an error element, else null.</summary>
    public string? ErrorMessage => Type == ResultType.Error ? (string)_value! : null;

    public static explicit operator string?(RedisResult result) => result.Type switch
    {
        ResultType.SimpleString or ResultType.Error => (string)result._value!,
        ResultType.BulkString => result._value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null,
        ResultType.Integer => result._integer.ToString(CultureInfo.InvariantCulture),
        _ => result.IsNull ? null : throw result.CannotConvert("string"),
    };

    public static explicit operator byte[]?(RedisResult result) => result.Type switch
    {
        ResultType.BulkString => (byte[]?)result._value,
        ResultType.Array when result.IsNull => null,
        _ => (byte[]?)result.AsRedisValue(),
    };

    public static explicit operator long(RedisResult result) => (long)result.AsRedisValue();

    public static explicit operator long?(RedisResult result) => (long?)result.AsRedisValue();

    public static explicit operator int(RedisResult result) => (int)result.AsRedisValue();

    public static explicit operator double(RedisResult result) => (double)result.AsRedisValue();

    public static explicit operator bool(RedisResult result) => (bool)result.AsRedisValue();

    public static explicit operator RedisValue(RedisResult result) => result.AsRedisValue();

    public static explicit operator RedisResult[]?(RedisResult result) =>
        result.Type == ResultType.Array ? (RedisResult[]?)result._value : throw result.CannotConvert("an array");

    public static explicit operator RedisValue[]?(RedisResult result) =>
        ((RedisResult[]?)result)?.Select(static r => r.AsRedisValue()).ToArray();

    public static explicit operator string?[]?(RedisResult result) =>
        ((RedisResult[]?)result)?.Select(static r => (string?)r).ToArray();

    /// <summary>Reads an array of alternating names and values (HGETALL, CONFIG GET) as a dictionary.</summary>
    public Dictionary<string, RedisResult> ToDictionary()
    {
        var items = AsArray();
        if (items.Length % 2 != 0)
        {
            throw new InvalidCastException("The Redis array has an odd number of elements; it is not a list of pairs.");
        }

        var dictionary = new Dictionary<string, RedisResult>(items.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i += 2)
        {
            dictionary[(string?)items[i] ?? string.Empty] = items[i + 1];
        }

        return dictionary;
    }

    public override string ToString() => Type switch
    {
        ResultType.Array when _value is RedisResult[] items => $"[{string.Join(", ", items.Select(static i => i.ToString()))}]",
        ResultType.Error => $"(error) {_value}",
        _ => IsNull ? "(nil)" : (string?)this ?? string.Empty,
    };

    internal static RedisResult SimpleString(string value) => new(ResultType.SimpleString, value, 0);

    internal static RedisResult Error(string message) => new(ResultType.Error, message, 0);

    internal static RedisResult Integer(long value) =>
        value is >= -1 and < 255 ? SmallIntegers[value + 1] : new RedisResult(ResultType.Integer, null, value);

    internal static RedisResult Bulk(byte[] value) =>
        value.Length == 0 ? EmptyBulk : new RedisResult(ResultType.BulkString, value, 0);

    internal static RedisResult ArrayOf(RedisResult[] items) =>
        items.Length == 0 ? EmptyArray : new RedisResult(ResultType.Array, items, 0);

    internal RedisValue AsRedisValue() => Type switch
    {
        ResultType.Integer => _integer,
        ResultType.SimpleString => (string)_value!,
        ResultType.BulkString => (byte[]?)_value,
        ResultType.Array when IsNull => RedisValue.Null,
        _ => throw CannotConvert("a single value"),
    };

    private RedisResult[] AsArray() =>
        (RedisResult[]?)this ?? throw new InvalidCastException("The Redis reply is a null array.");

    private InvalidCastException CannotConvert(string target) =>
        new($"Unable to convert a Redis {Type} reply to {target}.");

    private static RedisResult[] CreateSmallIntegers()
    {
        var results = new RedisResult[256];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = new RedisResult(ResultType.Integer, null, i - 1);
        }

        return results;
    }
}
