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
                if (int.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var i)
                    && (ValueParser.ClassifyNumber(value.Trim()) & Fits.Int32) != 0)
                {
                    result.Long = i;
                    return true;
                }
                return false;
            case SqlType.BigInt:
                if (kind is FieldKind.Boolean or FieldKind.String) return false;
                return (ValueParser.ClassifyNumber(value.Trim()) & Fits.Int64) != 0
                    && long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result.Long);
            case SqlType.Numeric:
                if (kind is FieldKind.Boolean or FieldKind.String) return false;
                return (ValueParser.ClassifyNumber(value.Trim()) & Fits.Decimal) != 0
                    && decimal.TryParse(value.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out result.Decimal);
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
