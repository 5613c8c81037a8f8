using System.Globalization;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Charts;
using Microsoft.AspNetCore.Html;

namespace AstralytiQ.Portal.Pages.Datasets;

/// <summary>Small renderings the dataset pages share: typed cells, sizes, and histograms as accessible SVG.</summary>
public static class DatasetViews
{
    public static string Cell(Cell cell) => cell.ValueCase switch
    {
        AstralytiQ.Api.V1.Cell.ValueOneofCase.Null => "",
        AstralytiQ.Api.V1.Cell.ValueOneofCase.BoolValue => cell.BoolValue ? "true" : "false",
        AstralytiQ.Api.V1.Cell.ValueOneofCase.IntValue => cell.IntValue.ToString(CultureInfo.InvariantCulture),
        AstralytiQ.Api.V1.Cell.ValueOneofCase.DoubleValue => cell.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AstralytiQ.Api.V1.Cell.ValueOneofCase.DecimalValue => cell.DecimalValue,
        AstralytiQ.Api.V1.Cell.ValueOneofCase.TextValue => cell.TextValue,
        AstralytiQ.Api.V1.Cell.ValueOneofCase.DateValue => cell.DateValue,
        AstralytiQ.Api.V1.Cell.ValueOneofCase.TimestampValue => cell.TimestampValue.Replace('T', ' '),
        AstralytiQ.Api.V1.Cell.ValueOneofCase.TimestamptzValue => cell.TimestamptzValue.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC",
        _ => "",
    };

    public static bool IsNumber(Column column) => column.Type is ColumnType.Integer or ColumnType.Bigint or ColumnType.Numeric or ColumnType.Double;

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    public static string State(JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        JobState.Dead => "gave up",
        _ => "unknown",
    };

    /// <summary>A bar chart of the bins: an SVG with a title and description, each bar with its range and count as a tooltip.</summary>
    public static IHtmlContent Histogram(ColumnProfile column)
    {
        var bins = column.Histogram;
        if (bins.Count == 0)
        {
            return HtmlString.Empty;
        }
        const int width = 240, height = 80;
        var svg = new SvgCanvas("histogram", "h-" + column.Name, width, height + 14,
            $"Histogram of {column.Label}: {bins.Count} bins from {bins[0].Lower} to {bins[^1].Upper}");
        svg.Bars(bins.Select(b => new SvgBar(b.Count, $"{b.Lower} – {b.Upper}: {b.Count:N0}")).ToList(), 0, 0, width, height);
        svg.Text(0, height + 12, Short(bins[0].Lower));
        svg.Text(width, height + 12, Short(bins[^1].Upper), anchor: "end");
        return svg.ToHtml();
    }

    private static string Short(string value) => value.Length > 16 ? value[..16] : value;
}
