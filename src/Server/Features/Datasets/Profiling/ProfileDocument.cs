using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AstralytiQ.Server.Features.Datasets.Profiling;

/// <summary>
/// The profile of a dataset version as stored in app.dataset_profiles.profile (camelCase JSON).
/// Other features may read it (top values help value linking in questions); fields are only added.
/// </summary>
public sealed class ProfileDocument
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public long RowCount { get; set; }
    public int ColumnCount { get; set; }
    public long DuplicateRowCount { get; set; }
    public double QualityScore { get; set; }
    public bool Approximate { get; set; }
    public DateTime ComputedAt { get; set; }
    public List<QualityIssueDocument> Issues { get; set; } = [];
    public List<ColumnProfileDocument> Columns { get; set; } = [];

    /// <summary>
    /// Quality 0..1: half completeness (share of non-null cells), three tenths uniqueness (share of
    /// rows that are not duplicates), one fifth consistency (share of columns without mixed types).
    /// </summary>
    public static double Score(long rows, IReadOnlyList<ColumnProfileDocument> columns, long duplicates, int mixedColumns)
    {
        if (rows == 0 || columns.Count == 0)
        {
            return 0;
        }
        var cells = (double)rows * columns.Count;
        var completeness = 1 - columns.Sum(c => (double)c.NullCount) / cells;
        var uniqueness = 1 - (double)duplicates / rows;
        var consistency = 1 - (double)mixedColumns / columns.Count;
        return Math.Round(0.5 * completeness + 0.3 * uniqueness + 0.2 * consistency, 4);
    }

    /// <summary>Issues found in the statistics themselves (nulls, duplicates, constants, outliers).</summary>
    public void AddStatisticalIssues()
    {
        if (DuplicateRowCount > 0)
        {
            Issues.Add(new("duplicates", "", "warning",
                string.Create(CultureInfo.InvariantCulture, $"{DuplicateRowCount:N0} rows ({100.0 * DuplicateRowCount / RowCount:0.#}%) are exact duplicates of an earlier row.")));
        }
        foreach (var column in Columns)
        {
            if (RowCount > 0 && column.NullCount == RowCount)
            {
                Issues.Add(new("all_null", column.Name, "warning", $"'{column.Label}' has no values at all."));
                continue;
            }
            if (column.NullPercent > 50)
            {
                Issues.Add(new("high_nulls", column.Name, "warning",
                    string.Create(CultureInfo.InvariantCulture, $"'{column.Label}' is low quality: {column.NullPercent:0.#}% of its values are missing.")));
            }
            if (RowCount > 1 && column.DistinctCount == 1 && column.NullCount == 0)
            {
                Issues.Add(new("constant", column.Name, "info", $"'{column.Label}' has the same value ('{Truncate(column.Min)}') in every row."));
            }
            if (column.OutlierCount > 0)
            {
                Issues.Add(new("outliers", column.Name, "info",
                    string.Create(CultureInfo.InvariantCulture, $"'{column.Label}' has {column.OutlierCount:N0} outliers beyond 1.5 IQR of its quartiles (below {column.OutlierLow:G6} or above {column.OutlierHigh:G6}).")));
            }
        }
    }

    private static string Truncate(string? text) => text is { Length: > 40 } ? text[..40] + "…" : text ?? "";
}

public sealed class ColumnProfileDocument
{
    public string Name { get; set; } = "";
    public string Label { get; set; } = "";
    public string Type { get; set; } = "";
    public long NullCount { get; set; }
    public double NullPercent { get; set; }
    public long DistinctCount { get; set; }
    public string? Min { get; set; }
    public string? Max { get; set; }
    public double? Mean { get; set; }
    public double? Stddev { get; set; }
    public string? Q1 { get; set; }
    public string? Median { get; set; }
    public string? Q3 { get; set; }
    public List<ValueCountDocument> TopValues { get; set; } = [];
    public List<HistogramBinDocument> Histogram { get; set; } = [];
    public long OutlierCount { get; set; }
    public double? OutlierLow { get; set; }
    public double? OutlierHigh { get; set; }
    public int? MinLength { get; set; }
    public int? MaxLength { get; set; }
}

public sealed record ValueCountDocument(string Value, long Count);

public sealed record HistogramBinDocument(string Lower, string Upper, long Count);

public sealed record QualityIssueDocument(string Code, string Column, string Severity, string Message);
