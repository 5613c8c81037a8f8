using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using AstralytiQ.Server.Features.Datasets.Typing;

namespace AstralytiQ.Server.Features.Datasets.Profiling;

/// <summary>
/// One column's statistics, gathered while the rows stream into PostgreSQL (so profiling costs no
/// extra pass over the table): nulls, distinct values, min/max, mean and standard deviation,
/// quartiles, top values, histogram and IQR outliers. Exact up to <c>exactLimit</c> values; beyond
/// that, quartiles and histograms come from a uniform sample and distinct counts from HyperLogLog,
/// and the profile says it is approximate.
/// </summary>
public sealed class ColumnProfiler
{
    public const int TopValueLimit = 20;
    public const int HistogramBins = 20;
    private const int TextTrackLimit = 1000;

    private readonly SqlType _type;
    private readonly int _exactLimit;
    private readonly Random _sampler = new(20240601);

    private long[] _longs = [];
    private double[] _doubles = [];
    private int _count;
    private long _seen;
    private HyperLogLog? _hll;

    // Numbers: running moments.
    private double _mean;
    private double _m2;

    // Booleans.
    private long _trues;
    private long _falses;

    // Text.
    private Dictionary<string, long>? _textCounts = new(StringComparer.Ordinal);
    private HashSet<ulong>? _textHashes = [];
    private string? _minText;
    private string? _maxText;
    private int _minLength = int.MaxValue;
    private int _maxLength;

    public ColumnProfiler(SqlType type, int exactLimit)
    {
        _type = type;
        _exactLimit = exactLimit;
    }

    public long Nulls { get; private set; }

    public long Values => _seen;

    public bool Approximate => _hll is not null;

    public void AddNull() => Nulls++;

    public void Add(in TypedValue value)
    {
        if (value.IsNull)
        {
            Nulls++;
            return;
        }
        _seen++;
        switch (_type)
        {
            case SqlType.Boolean:
                if (value.Bool) _trues++; else _falses++;
                break;
            case SqlType.Integer or SqlType.BigInt:
                Moments(value.Long);
                AddLong(value.Long);
                break;
            case SqlType.Numeric:
                // Converters fill Double with the value's double for statistics; exactness stays in the table.
                var d = value.Double != 0 || value.Decimal == 0 ? value.Double : (double)value.Decimal;
                Moments(d);
                AddDouble(d);
                break;
            case SqlType.Double:
                Moments(value.Double);
                AddDouble(value.Double);
                break;
            case SqlType.Date or SqlType.Timestamp or SqlType.TimestampTz:
                AddLong(value.DateTime.Ticks);
                break;
            default:
                AddText(value.Text!);
                break;
        }
    }

    private void Moments(double x)
    {
        var delta = x - _mean;
        _mean += delta / _seen;
        _m2 += delta * (x - _mean);
    }

    private void AddLong(long v)
    {
        if (_count < _exactLimit)
        {
            if (_count == _longs.Length)
            {
                Array.Resize(ref _longs, Math.Max(1024, Math.Min(_exactLimit, _longs.Length * 2)));
            }
            _longs[_count++] = v;
            return;
        }
        if (_hll is null)
        {
            _hll = new HyperLogLog();
            foreach (var x in _longs.AsSpan(0, _count))
            {
                _hll.Add(Hashing.Mix((ulong)x));
            }
        }
        _hll.Add(Hashing.Mix((ulong)v));
        var slot = _sampler.NextInt64(_seen);
        if (slot < _count)
        {
            _longs[slot] = v;
        }
    }

    private void AddDouble(double v)
    {
        if (_count < _exactLimit)
        {
            if (_count == _doubles.Length)
            {
                Array.Resize(ref _doubles, Math.Max(1024, Math.Min(_exactLimit, _doubles.Length * 2)));
            }
            _doubles[_count++] = v;
            return;
        }
        if (_hll is null)
        {
            _hll = new HyperLogLog();
            foreach (var x in _doubles.AsSpan(0, _count))
            {
                _hll.Add(Hashing.Mix(BitConverter.DoubleToUInt64Bits(x)));
            }
        }
        _hll.Add(Hashing.Mix(BitConverter.DoubleToUInt64Bits(v)));
        var slot = _sampler.NextInt64(_seen);
        if (slot < _count)
        {
            _doubles[slot] = v;
        }
    }

    private void AddText(string s)
    {
        if (_textCounts is not null)
        {
            ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(_textCounts, s, out _);
            count++;
            if (_textCounts.Count > TextTrackLimit)
            {
                _textCounts = null;
            }
        }
        var hash = Hashing.Hash64(s);
        if (_textHashes is not null)
        {
            _textHashes.Add(hash);
            if (_textHashes.Count > _exactLimit)
            {
                _hll = new HyperLogLog();
                foreach (var h in _textHashes)
                {
                    _hll.Add(h);
                }
                _textHashes = null;
            }
        }
        else
        {
            _hll!.Add(hash);
        }
        if (_minText is null || string.CompareOrdinal(s, _minText) < 0)
        {
            _minText = s;
        }
        if (_maxText is null || string.CompareOrdinal(s, _maxText) > 0)
        {
            _maxText = s;
        }
        _minLength = Math.Min(_minLength, s.Length);
        _maxLength = Math.Max(_maxLength, s.Length);
    }

    /// <summary>The column's profile; <paramref name="rows"/> is the table's row count.</summary>
    public ColumnProfileDocument Finish(string name, string label, long rows)
    {
        var profile = new ColumnProfileDocument
        {
            Name = name,
            Label = label,
            Type = SqlTypes.Name(_type),
            NullCount = Nulls,
            NullPercent = rows == 0 ? 0 : Math.Round(100.0 * Nulls / rows, 2),
        };
        if (_seen == 0)
        {
            return profile;
        }
        switch (_type)
        {
            case SqlType.Boolean:
                profile.DistinctCount = (_trues > 0 ? 1 : 0) + (_falses > 0 ? 1 : 0);
                profile.Min = _falses > 0 ? "false" : "true";
                profile.Max = _trues > 0 ? "true" : "false";
                profile.TopValues = new[] { new ValueCountDocument("true", _trues), new ValueCountDocument("false", _falses) }
                    .Where(v => v.Count > 0).OrderByDescending(v => v.Count).ToList();
                break;
            case SqlType.Text:
                FinishText(profile);
                break;
            case SqlType.Numeric or SqlType.Double:
                profile.Mean = _mean;
                profile.Stddev = _seen > 1 ? Math.Sqrt(_m2 / (_seen - 1)) : 0;
                FinishSorted(profile, _doubles.AsSpan(0, _count), x => x, FormatDouble, isNumber: true);
                break;
            case SqlType.Integer or SqlType.BigInt:
                profile.Mean = _mean;
                profile.Stddev = _seen > 1 ? Math.Sqrt(_m2 / (_seen - 1)) : 0;
                FinishSorted(profile, _longs.AsSpan(0, _count), x => x, x => Math.Round(x).ToString("0", CultureInfo.InvariantCulture), isNumber: true);
                break;
            default:
                FinishSorted(profile, _longs.AsSpan(0, _count), x => x, FormatTicks, isNumber: false);
                break;
        }
        if (_hll is not null)
        {
            profile.DistinctCount = Math.Max(profile.TopValues.Count, _hll.Estimate());
        }
        return profile;
    }

    private void FinishText(ColumnProfileDocument profile)
    {
        profile.DistinctCount = _textHashes?.Count ?? 0;
        profile.Min = _minText ?? "";
        profile.Max = _maxText ?? "";
        profile.MinLength = _minLength;
        profile.MaxLength = _maxLength;
        if (_textCounts is not null && _textCounts.Count <= TopValueLimit)
        {
            profile.TopValues = _textCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new ValueCountDocument(kv.Key, kv.Value)).ToList();
        }
    }

    private void FinishSorted<T>(ColumnProfileDocument profile, Span<T> values, Func<T, double> toDouble, Func<double, string> format, bool isNumber)
        where T : struct, INumber<T>
    {
        values.Sort();
        var n = values.Length;
        profile.Min = format(toDouble(values[0]));
        profile.Max = format(toDouble(values[n - 1]));
        var (q1, median, q3) = (Quantile(values, toDouble, 0.25), Quantile(values, toDouble, 0.5), Quantile(values, toDouble, 0.75));
        profile.Q1 = format(q1);
        profile.Median = format(median);
        profile.Q3 = format(q3);

        // Distinct values and their counts in one sweep of the sorted values.
        long distinct = 0;
        var runs = new List<ValueCountDocument>();
        var i = 0;
        while (i < n)
        {
            var j = i + 1;
            while (j < n && values[j] == values[i])
            {
                j++;
            }
            distinct++;
            if (runs.Count <= TopValueLimit)
            {
                runs.Add(new ValueCountDocument(format(toDouble(values[i])), j - i));
            }
            i = j;
        }
        profile.DistinctCount = distinct;
        if (distinct <= TopValueLimit)
        {
            // The sample holds fewer rows than the column when approximate: scale counts back up.
            var scale = (double)_seen / n;
            profile.TopValues = runs.Select(r => r with { Count = (long)Math.Round(r.Count * scale) }).OrderByDescending(r => r.Count).ToList();
        }

        if (isNumber)
        {
            var iqr = q3 - q1;
            var (low, high) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
            long outliers = 0;
            foreach (var v in values)
            {
                var x = toDouble(v);
                if (x < low || x > high)
                {
                    outliers++;
                }
            }
            profile.OutlierCount = (long)Math.Round(outliers * (double)_seen / n);
            profile.OutlierLow = iqr > 0 ? low : null;
            profile.OutlierHigh = iqr > 0 ? high : null;
        }
        profile.Histogram = Histogram(values, toDouble, format, (double)_seen / n);
    }

    /// <summary>Linear interpolation between closest ranks, as PostgreSQL's percentile_cont.</summary>
    private static double Quantile<T>(Span<T> sorted, Func<T, double> toDouble, double q)
        where T : struct, INumber<T>
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return toDouble(sorted[lower]) + (position - lower) * (toDouble(sorted[upper]) - toDouble(sorted[lower]));
    }

    private List<HistogramBinDocument> Histogram<T>(Span<T> sorted, Func<T, double> toDouble, Func<double, string> format, double scale)
        where T : struct, INumber<T>
    {
        var min = toDouble(sorted[0]);
        var max = toDouble(sorted[^1]);
        var bins = HistogramBins;
        if (_type is SqlType.Integer or SqlType.BigInt && max - min + 1 < bins)
        {
            bins = (int)(max - min + 1);
        }
        if (max == min)
        {
            return [new HistogramBinDocument(format(min), format(max), (long)Math.Round(sorted.Length * scale))];
        }
        var width = (max - min) / bins;
        var counts = new long[bins];
        foreach (var v in sorted)
        {
            var bin = (int)((toDouble(v) - min) / width);
            counts[Math.Clamp(bin, 0, bins - 1)]++;
        }
        var result = new List<HistogramBinDocument>(bins);
        for (var b = 0; b < bins; b++)
        {
            result.Add(new HistogramBinDocument(format(min + b * width), format(b == bins - 1 ? max : min + (b + 1) * width), (long)Math.Round(counts[b] * scale)));
        }
        return result;
    }

    private static string FormatDouble(double x) => x.ToString(CultureInfo.InvariantCulture);

    private string FormatTicks(double ticks)
    {
        var t = new DateTime((long)Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks));
        return _type switch
        {
            SqlType.Date => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            SqlType.TimestampTz => t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "Z",
            _ => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>Fast non-cryptographic hashes for distinct counting and duplicate rows (not for security).</summary>
public static class Hashing
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public static ulong Hash64(ReadOnlySpan<char> text, ulong seed = 0)
    {
        var bytes = MemoryMarshal.AsBytes(text);
        var h = seed ^ ((ulong)bytes.Length * Prime1);
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var w in words)
        {
            h = BitOperations.RotateLeft(h ^ (w * Prime2), 31) * Prime1;
        }
        for (var i = words.Length * 8; i < bytes.Length; i++)
        {
            h = BitOperations.RotateLeft(h ^ (bytes[i] * Prime1), 11) * Prime2;
        }
        return Mix(h);
    }

    public static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }
}

/// <summary>HyperLogLog with 2^14 registers (about 0.8% error), for distinct counts beyond the exact limit.</summary>
public sealed class HyperLogLog
{
    private const int Precision = 14;
    private readonly byte[] _registers = new byte[1 << Precision];

    public void Add(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rank = (byte)(BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        if (rank > _registers[index])
        {
            _registers[index] = rank;
        }
    }

    public long Estimate()
    {
        var m = (double)_registers.Length;
        var sum = 0.0;
        var zeros = 0;
        foreach (var r in _registers)
        {
            sum += Math.Pow(2, -r);
            if (r == 0)
            {
                zeros++;
            }
        }
        var estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log(m / zeros);
        }
        return (long)Math.Round(estimate);
    }
}
