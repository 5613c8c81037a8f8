using System.Globalization;

namespace AstralytiQ.LoadTests;

/// <summary>Percentiles and the one-line latency summary the benchmarks print.</summary>
public static class Latency
{
    /// <summary>Nearest-rank percentile (p in 0..100) of the values.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>"n=  50  p50 ... p95 ... p99 ... max ... mean ..." in milliseconds.</summary>
    public static string Summary(IReadOnlyCollection<double> milliseconds) => string.Create(CultureInfo.InvariantCulture,
        $"n={milliseconds.Count,4}  p50 {Percentile(milliseconds, 50),7:0.0} ms  p95 {Percentile(milliseconds, 95),7:0.0} ms  p99 {Percentile(milliseconds, 99),7:0.0} ms  max {milliseconds.Max(),7:0.0} ms  mean {milliseconds.Average(),7:0.0} ms");
}
