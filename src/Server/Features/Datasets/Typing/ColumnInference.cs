using System.Globalization;

namespace AstralytiQ.Server.Features.Datasets.Typing;

/// <summary>
/// Infers one column's type over every value of the file: the set of types all values so far fit
/// only ever shrinks (a column widens when a later value does not fit). Only the types still
/// possible are tried, so a settled column costs one parse per value.
/// </summary>
public sealed class ColumnInference
{
    private const int ShadowMinimum = 100;

    private uint _shadow;
    private long _shadowFit;
    private long _shadowMiss;

    public ColumnInference(SqlType? declared = null)
    {
        Declared = declared;
        Mask = declared is { } type ? Fits.Of(type) | Fits.Text : Fits.All;
    }

    /// <summary>A type the uploader asked for; values that do not fit are bad rows.</summary>
    public SqlType? Declared { get; }

    public uint Mask { get; private set; }

    public long NonNullCount { get; private set; }

    /// <summary>The value that made the column text although earlier values were typed, and its line.</summary>
    public string? Breaker { get; private set; }

    public long BreakerLine { get; private set; }

    /// <summary>Which type the column had before a value made it text.</summary>
    public SqlType? TypeBeforeBreak { get; private set; }

    /// <summary>Values that still fit <see cref="TypeBeforeBreak"/> after the break, and values that did not.</summary>
    public (long Fit, long Miss) AfterBreak => (_shadowFit, _shadowMiss);

    /// <summary>Takes one non-null value; false when it does not fit the declared type.</summary>
    public bool Observe(ReadOnlySpan<char> value, FieldKind kind, long line)
    {
        var fits = ValueParser.Classify(value, kind, Mask);
        if (Declared is { } declared && declared != SqlType.Text && (fits & Mask & ~Fits.Text) == 0)
        {
            return false;
        }
        NonNullCount++;
        var narrowed = Mask & fits;
        if (narrowed == Fits.Text && Mask != Fits.Text)
        {
            if (NonNullCount > ShadowMinimum)
            {
                // Mostly typed values, then one that is not: keep counting how many still fit, to
                // report "mixed types coerced to text" with the offending value.
                Breaker = value.Length > 100 ? string.Concat(value[..100], "…") : value.ToString();
                BreakerLine = line;
                TypeBeforeBreak = Fits.Resolve(Mask, true).Type;
                _shadow = Mask & ~Fits.Text;
                _shadowMiss = 1;
            }
        }
        if (Mask == Fits.Text && _shadow != 0)
        {
            if ((ValueParser.Classify(value, kind, _shadow) & _shadow) != 0)
            {
                _shadowFit++;
            }
            else if (++_shadowMiss * 10 > _shadowFit)
            {
                // Not "mostly typed" any more: stop paying for the check.
                _shadow = 0;
                Breaker = null;
                TypeBeforeBreak = null;
            }
        }
        Mask = narrowed;
        return true;
    }

    public (SqlType Type, DateOrder Order, bool AmbiguousDates) Resolve() =>
        Declared is { } declared
            ? (declared, Fits.Resolve(Mask, NonNullCount > 0).Order, false)
            : Fits.Resolve(Mask, NonNullCount > 0);

    public string DescribeBreak(long totalNonNull) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{totalNonNull - _shadowMiss:N0} of {totalNonNull:N0} values are {Describe(TypeBeforeBreak)}, but line {BreakerLine:N0} has '{Breaker}' (and {_shadowMiss - 1:N0} more like it): stored as text");

    private static string Describe(SqlType? type) => type switch
    {
        SqlType.Boolean => "booleans",
        SqlType.Integer or SqlType.BigInt or SqlType.Numeric or SqlType.Double => "numbers",
        SqlType.Date => "dates",
        SqlType.Timestamp or SqlType.TimestampTz => "timestamps",
        _ => "typed",
    };
}

/// <summary>A converted value, ready for COPY and the profiler (no boxing).</summary>
public struct TypedValue
{
    public bool IsNull;
    public bool Bool;
    public long Long;
    public double Double;
    public decimal Decimal;
    public string? Text;
    public DateTime DateTime;
}

/// <summary>Converts text to a column's final type (pass two); false when it does not fit.</summary>
public static class ValueConverter
{
    public static bool TryConvert(ReadOnlySpan<char> value, FieldKind kind, SqlType type, DateOrder order, ref TypedValue result)
    {
        result.IsNull = false;
        switch (type)
        {
            case SqlType.Text:
                result.Text = kind == FieldKind.Boolean ? (value.Length > 0 && value[0] is 't' or 'T' ? "true" : "false") : value.ToString();
                return true;
            case SqlType.Boolean:
                return ValueParser.TryParseBool(value.Trim(), out result.Bool);
            case SqlType.Integer:
                if (kind is FieldKind.Boolean or FieldKind.String) return false;
                return FastDecimal.TryParseInteger(value.Trim(), out result.Long) && result.Long is >= int.MinValue and <= int.MaxValue;
            case SqlType.BigInt:
                if (kind is FieldKind.Boolean or FieldKind.String) return false;
                return FastDecimal.TryParseInteger(value.Trim(), out result.Long);
            case SqlType.Numeric:
                if (kind is FieldKind.Boolean or FieldKind.String) return false;
                if (FastDecimal.TryParse(value.Trim(), out result.Decimal, out result.Double))
                {
                    return true;
                }
                if ((ValueParser.ClassifyNumber(value.Trim()) & Fits.Decimal) != 0
                    && decimal.TryParse(value.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out result.Decimal))
                {
                    result.Double = (double)result.Decimal;
                    return true;
                }
                return false;
            case SqlType.Double:
                if (kind is FieldKind.Boolean or FieldKind.String) return false;
                return (ValueParser.ClassifyNumber(value.Trim()) & Fits.Double) != 0
                    && double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out result.Double);
            case SqlType.Date:
                if (kind is FieldKind.Boolean or FieldKind.Number) return false;
                if (ValueParser.TryParseDate(value, order, out var date))
                {
                    result.DateTime = date.ToDateTime(TimeOnly.MinValue);
                    return true;
                }
                return false;
            case SqlType.Timestamp:
                if (kind is FieldKind.Boolean or FieldKind.Number) return false;
                return ValueParser.TryParseTimestamp(value, order, out result.DateTime, out var zoned) && !zoned;
            case SqlType.TimestampTz:
                if (kind is FieldKind.Boolean or FieldKind.Number) return false;
                if (ValueParser.TryParseTimestamp(value, order, out var stamp, out var hadOffset))
                {
                    // Times without an offset are read as UTC.
                    result.DateTime = hadOffset ? stamp : DateTime.SpecifyKind(stamp, DateTimeKind.Utc);
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>Why a value does not fit a type, for bad-row reports.</summary>
    public static string Expected(SqlType type) => type switch
    {
        SqlType.Boolean => "a boolean (true/false, yes/no)",
        SqlType.Integer => "a whole number between -2147483648 and 2147483647",
        SqlType.BigInt => "a whole number",
        SqlType.Numeric => "a decimal number",
        SqlType.Double => "a number",
        SqlType.Date => "a date such as 2024-03-31",
        SqlType.Timestamp => "a date and time such as 2024-03-31 14:05:00",
        SqlType.TimestampTz => "a date and time such as 2024-03-31T14:05:00Z",
        _ => "text",
    };
}

/// <summary>
/// Allocation-free readers for the common shapes of numbers (at most 18 digits, no exponent), with the
/// same rules as inference (sign, no leading zeros); anything else goes to the framework's parsers.
/// </summary>
public static class FastDecimal
{
    private static readonly double[] Powers = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseInteger(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i = 1;
        }
        var digits = s.Length - i;
        if (digits is <= 0 or > 18 || (digits > 1 && s[i] == '0'))
        {
            return digits is > 18 and <= 19 && (ValueParser.ClassifyNumber(s) & Fits.Int64) != 0
                && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }
        long result = 0;
        for (; i < s.Length; i++)
        {
            var d = s[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }
            result = result * 10 + d;
        }
        value = negative ? -result : result;
        return true;
    }

    /// <summary>Both the exact decimal and its double (for statistics) in one scan.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<char> s, out decimal value, out double approximate)
    {
        value = 0;
        approximate = 0;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i = 1;
        }
        long mantissa = 0;
        var digits = 0;
        var intDigits = 0;
        var scale = -1;
        var firstDigit = i;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.')
            {
                if (scale >= 0)
                {
                    return false;
                }
                intDigits = digits;
                scale = 0;
                continue;
            }
            var d = c - '0';
            if ((uint)d > 9 || ++digits > 18)
            {
                return false;
            }
            mantissa = mantissa * 10 + d;
            if (scale >= 0)
            {
                scale++;
            }
        }
        if (scale < 0)
        {
            intDigits = digits;
            scale = 0;
        }
        if (digits == 0 || (intDigits > 1 && s[firstDigit] == '0'))
        {
            return false;
        }
        value = new decimal((int)(mantissa & 0xFFFFFFFF), (int)(mantissa >> 32), 0, negative, (byte)scale);
        approximate = (negative ? -mantissa : mantissa) / Powers[scale];
        return true;
    }
}
