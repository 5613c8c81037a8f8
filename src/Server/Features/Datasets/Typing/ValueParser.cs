using System.Globalization;

namespace AstralytiQ.Server.Features.Datasets.Typing;

/// <summary>How day, month and year are written in a column of dates.</summary>
public enum DateOrder
{
    /// <summary>2024-03-31 (ISO 8601, first choice).</summary>
    Iso = 0,

    /// <summary>2024/03/31</summary>
    YmdSlash = 1,

    /// <summary>03/31/2024 (United States).</summary>
    Mdy = 2,

    /// <summary>31/03/2024</summary>
    Dmy = 3,

    /// <summary>31.03.2024</summary>
    DmyDot = 4,
}

/// <summary>What a field is, as its format says: raw text (CSV, Excel strings), a JSON string, number or boolean.</summary>
public enum FieldKind : byte
{
    Null,
    Raw,
    String,
    Number,
    Boolean,
}

/// <summary>
/// The types a value can be read as, as bits; a column's type is the first type that every one of
/// its values fits (widening: integer, bigint, numeric, double, then text).
/// </summary>
public static class Fits
{
    public const uint Bool = 1u << 0;
    public const uint Int32 = 1u << 1;
    public const uint Int64 = 1u << 2;
    public const uint Decimal = 1u << 3;
    public const uint Double = 1u << 4;
    public const uint Text = 1u << 20;
    public const uint Numbers = Int32 | Int64 | Decimal | Double;
    public const uint AllDates = 0b11111u << 5;
    public const uint AllTimestamps = 0b11111u << 10;
    public const uint AllTimestampTzs = 0b11111u << 15;
    public const uint Temporal = AllDates | AllTimestamps | AllTimestampTzs;
    public const uint All = (1u << 21) - 1;

    public static uint Date(DateOrder order) => 1u << (5 + (int)order);

    public static uint Timestamp(DateOrder order) => 1u << (10 + (int)order);

    public static uint TimestampTz(DateOrder order) => 1u << (15 + (int)order);

    /// <summary>The bits of values that fit a declared type.</summary>
    public static uint Of(SqlType type) => type switch
    {
        SqlType.Boolean => Bool,
        SqlType.Integer => Int32,
        SqlType.BigInt => Int32 | Int64,
        SqlType.Numeric => Int32 | Int64 | Decimal,
        SqlType.Double => Numbers,
        SqlType.Date => AllDates,
        SqlType.Timestamp => AllDates | AllTimestamps,
        SqlType.TimestampTz => Temporal,
        _ => All,
    } | (type == SqlType.Text ? Text : 0);

    /// <summary>The type a column of values with these bits in common gets, and its date order.</summary>
    public static (SqlType Type, DateOrder Order, bool AmbiguousDates) Resolve(uint mask, bool anyValue)
    {
        if (!anyValue)
        {
            return (SqlType.Text, DateOrder.Iso, false);
        }
        if ((mask & Bool) != 0)
        {
            return (SqlType.Boolean, DateOrder.Iso, false);
        }
        if ((mask & Int32) != 0)
        {
            return (SqlType.Integer, DateOrder.Iso, false);
        }
        if ((mask & Int64) != 0)
        {
            return (SqlType.BigInt, DateOrder.Iso, false);
        }
        if ((mask & Decimal) != 0)
        {
            return (SqlType.Numeric, DateOrder.Iso, false);
        }
        if ((mask & Double) != 0)
        {
            return (SqlType.Double, DateOrder.Iso, false);
        }
        foreach (var (family, type) in new[] { (AllDates, SqlType.Date), (AllTimestamps, SqlType.Timestamp), (AllTimestampTzs, SqlType.TimestampTz) })
        {
            var bits = (mask & family) >> (type == SqlType.Date ? 5 : type == SqlType.Timestamp ? 10 : 15);
            if (bits != 0)
            {
                var order = (DateOrder)System.Numerics.BitOperations.TrailingZeroCount(bits);
                var ambiguous = (bits & 0b1100) == 0b1100;
                return (type, order, ambiguous);
            }
        }
        return (SqlType.Text, DateOrder.Iso, false);
    }
}

/// <summary>Fast, culture-free readers for the value formats inference accepts. Allocation-free.</summary>
public static class ValueParser
{
    /// <summary>The bits among <paramref name="candidates"/> that <paramref name="value"/> fits (Text always).</summary>
    public static uint Classify(ReadOnlySpan<char> value, FieldKind kind, uint candidates)
    {
        var fits = Fits.Text;
        switch (kind)
        {
            case FieldKind.Boolean:
                return fits | (candidates & Fits.Bool);
            case FieldKind.Number:
                candidates &= Fits.Numbers;
                break;
            case FieldKind.String:
                candidates &= ~(Fits.Numbers | Fits.Bool);
                break;
        }
        if ((candidates & ~Fits.Text) == 0)
        {
            return fits;
        }
        var trimmed = value.Trim();
        if (trimmed.IsEmpty)
        {
            return fits;
        }
        if ((candidates & Fits.Bool) != 0 && TryParseBool(trimmed, out _))
        {
            return fits | Fits.Bool;
        }
        if ((candidates & Fits.Numbers) != 0)
        {
            var c = trimmed[0];
            if (char.IsAsciiDigit(c) || c is '-' or '+' or '.')
            {
                fits |= ClassifyNumber(trimmed) & candidates;
                if ((fits & Fits.Numbers) != 0)
                {
                    return fits;
                }
            }
        }
        if ((candidates & Fits.Temporal) != 0 && trimmed.Length >= 8 && char.IsAsciiDigit(trimmed[0]))
        {
            fits |= ClassifyTemporal(trimmed, candidates) & candidates;
        }
        return fits;
    }

    public static bool TryParseBool(ReadOnlySpan<char> s, out bool value)
    {
        value = false;
        switch (s.Length)
        {
            case 1:
                if (s[0] is 't' or 'T') { value = true; return true; }
                return s[0] is 'f' or 'F';
            case 2:
                return s.Equals("no", StringComparison.OrdinalIgnoreCase);
            case 3:
                return value = s.Equals("yes", StringComparison.OrdinalIgnoreCase);
            case 4:
                return value = s.Equals("true", StringComparison.OrdinalIgnoreCase);
            case 5:
                return s.Equals("false", StringComparison.OrdinalIgnoreCase);
            default:
                return false;
        }
    }

    /// <summary>Integer, decimal and double bits of a trimmed value. Leading zeros ("007", zip codes) are text.</summary>
    public static uint ClassifyNumber(ReadOnlySpan<char> s)
    {
        var i = 0;
        if (s[0] is '-' or '+')
        {
            i = 1;
        }
        var intStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }
        var intDigits = i - intStart;
        var fracDigits = 0;
        var hasPoint = false;
        if (i < s.Length && s[i] == '.')
        {
            hasPoint = true;
            i++;
            var fracStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            fracDigits = i - fracStart;
        }
        if (intDigits + fracDigits == 0)
        {
            return 0;
        }
        if (intDigits > 1 && s[intStart] == '0')
        {
            return 0;
        }
        var hasExponent = false;
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            hasExponent = true;
            i++;
            if (i < s.Length && s[i] is '-' or '+')
            {
                i++;
            }
            var expStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            if (i == expStart)
            {
                return 0;
            }
        }
        if (i != s.Length)
        {
            return 0;
        }
        if (hasExponent)
        {
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? Fits.Double : 0;
        }
        uint bits = Fits.Double;
        if (intDigits + fracDigits <= 28)
        {
            bits |= Fits.Decimal;
        }
        if (!hasPoint && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            bits |= Fits.Int64;
            if (l is >= int.MinValue and <= int.MaxValue)
            {
                bits |= Fits.Int32;
            }
        }
        return bits;
    }

    /// <summary>Date, timestamp and timestamptz bits, for every date order the value can be read in.</summary>
    public static uint ClassifyTemporal(ReadOnlySpan<char> s, uint candidates = Fits.All)
    {
        uint bits = 0;
        for (var order = DateOrder.Iso; order <= DateOrder.DmyDot; order++)
        {
            // Only orders the column may still have: a settled column tries one.
            if ((candidates & (Fits.Date(order) | Fits.Timestamp(order) | Fits.TimestampTz(order))) == 0 || !TryParseDatePart(s, order, out _, out var used))
            {
                continue;
            }
            if (used == s.Length)
            {
                bits |= Fits.Date(order) | Fits.Timestamp(order) | Fits.TimestampTz(order);
                continue;
            }
            if (TryParseTimePart(s[used..], out _, out var offset))
            {
                bits |= offset is null ? Fits.Timestamp(order) | Fits.TimestampTz(order) : Fits.TimestampTz(order);
            }
        }
        return bits;
    }

    public static bool TryParseDate(ReadOnlySpan<char> s, DateOrder order, out DateOnly date)
    {
        s = s.Trim();
        return TryParseDatePart(s, order, out date, out var used) && used == s.Length;
    }

    /// <summary>A timestamp without zone (a bare date is midnight); an offset, when present, is applied (result in UTC).</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> s, DateOrder order, out DateTime value, out bool hadOffset)
    {
        s = s.Trim();
        value = default;
        hadOffset = false;
        if (!TryParseDatePart(s, order, out var date, out var used))
        {
            return false;
        }
        if (used == s.Length)
        {
            value = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
            return true;
        }
        if (!TryParseTimePart(s[used..], out var time, out var offset))
        {
            return false;
        }
        value = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified) + time;
        if (offset is { } o)
        {
            hadOffset = true;
            value = DateTime.SpecifyKind(value - o, DateTimeKind.Utc);
        }
        return true;
    }

    private static bool TryParseDatePart(ReadOnlySpan<char> s, DateOrder order, out DateOnly date, out int used)
    {
        date = default;
        used = 0;
        var separator = order switch
        {
            DateOrder.Iso => '-',
            DateOrder.DmyDot => '.',
            _ => '/',
        };
        var i = 0;
        if (!ReadNumber(s, ref i, 4, out var a, out var aDigits) || i >= s.Length || s[i] != separator)
        {
            return false;
        }
        i++;
        if (!ReadNumber(s, ref i, 2, out var b, out _) || i >= s.Length || s[i] != separator)
        {
            return false;
        }
        i++;
        if (!ReadNumber(s, ref i, 4, out var c, out var cDigits))
        {
            return false;
        }
        int year, month, day;
        switch (order)
        {
            case DateOrder.Iso or DateOrder.YmdSlash:
                if (aDigits != 4 || cDigits > 2) return false;
                (year, month, day) = (a, b, c);
                break;
            case DateOrder.Mdy:
                if (cDigits != 4 || aDigits > 2) return false;
                (year, month, day) = (c, a, b);
                break;
            default:
                if (cDigits != 4 || aDigits > 2) return false;
                (year, month, day) = (c, b, a);
                break;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        date = new DateOnly(year, month, day);
        used = i;
        return true;
    }

    private static bool TryParseTimePart(ReadOnlySpan<char> s, out TimeSpan time, out TimeSpan? offset)
    {
        time = default;
        offset = null;
        if (s.Length < 2 || s[0] is not (' ' or 'T'))
        {
            return false;
        }
        var i = 1;
        if (!ReadNumber(s, ref i, 2, out var hour, out _) || i >= s.Length || s[i] != ':')
        {
            return false;
        }
        i++;
        if (!ReadNumber(s, ref i, 2, out var minute, out var minuteDigits) || minuteDigits != 2)
        {
            return false;
        }
        var second = 0;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == ':')
        {
            i++;
            if (!ReadNumber(s, ref i, 2, out second, out var secondDigits) || secondDigits != 2)
            {
                return false;
            }
            if (i < s.Length && s[i] is '.' or ',')
            {
                i++;
                var start = i;
                long scale = TimeSpan.TicksPerSecond;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (i - start < 7)
                    {
                        scale /= 10;
                        fractionTicks += (s[i] - '0') * scale;
                    }
                    i++;
                }
                if (i == start)
                {
                    return false;
                }
            }
        }
        if (i + 3 <= s.Length && s[i] == ' ' && (s.Slice(i + 1, 2).Equals("AM", StringComparison.OrdinalIgnoreCase) || s.Slice(i + 1, 2).Equals("PM", StringComparison.OrdinalIgnoreCase)))
        {
            if (hour is < 1 or > 12)
            {
                return false;
            }
            var pm = char.ToUpperInvariant(s[i + 1]) == 'P';
            hour = hour % 12 + (pm ? 12 : 0);
            i += 3;
        }
        if (hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        time = new TimeSpan(hour, minute, second) + TimeSpan.FromTicks(fractionTicks);
        if (i == s.Length)
        {
            return true;
        }
        if (s[i] == 'Z' && i + 1 == s.Length)
        {
            offset = TimeSpan.Zero;
            return true;
        }
        if (s[i] is '+' or '-')
        {
            var sign = s[i] == '-' ? -1 : 1;
            i++;
            if (!ReadNumber(s, ref i, 2, out var oh, out var ohDigits) || ohDigits != 2 || oh > 18)
            {
                return false;
            }
            var om = 0;
            if (i < s.Length && s[i] == ':')
            {
                i++;
            }
            if (i < s.Length)
            {
                if (!ReadNumber(s, ref i, 2, out om, out var omDigits) || omDigits != 2 || om > 59)
                {
                    return false;
                }
            }
            if (i != s.Length)
            {
                return false;
            }
            offset = sign * new TimeSpan(oh, om, 0);
            return true;
        }
        return false;
    }

    private static bool ReadNumber(ReadOnlySpan<char> s, ref int i, int maxDigits, out int value, out int digits)
    {
        value = 0;
        var start = i;
        while (i < s.Length && i - start < maxDigits && char.IsAsciiDigit(s[i]))
        {
            value = value * 10 + (s[i] - '0');
            i++;
        }
        digits = i - start;
        return digits > 0 && (i >= s.Length || !char.IsAsciiDigit(s[i]));
    }
}
