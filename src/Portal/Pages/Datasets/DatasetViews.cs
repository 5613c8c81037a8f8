using System.Globalization;
using System.Net;
using System.Text;
using AstralytiQ.Api.V1;
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
        var max = Math.Max(1, bins.Max(b => b.Count));
        var barWidth = (double)width / bins.Count;
        var id = "h-" + WebUtility.HtmlEncode(column.Name);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"histogram\" role=\"img\" viewBox=\"0 0 {width} {height + 14}\" width=\"{width}\" height=\"{height + 14}\" aria-labelledby=\"{id}-t\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-t\">Histogram of {WebUtility.HtmlEncode(column.Label)}: {bins.Count} bins from {WebUtility.HtmlEncode(bins[0].Lower)} to {WebUtility.HtmlEncode(bins[^1].Upper)}</title>");
        for (var i = 0; i < bins.Count; i++)
        {
            var h = bins[i].Count == 0 ? 0 : Math.Max(1, height * bins[i].Count / (double)max);
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{i * barWidth + 0.5:0.##}\" y=\"{height - h:0.##}\" width=\"{Math.Max(1, barWidth - 1):0.##}\" height=\"{h:0.##}\"><title>{WebUtility.HtmlEncode(bins[i].Lower)} – {WebUtility.HtmlEncode(bins[i].Upper)}: {bins[i].Count:N0}</title></rect>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{height + 12}\">{WebUtility.HtmlEncode(Short(bins[0].Lower))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width}\" y=\"{height + 12}\" text-anchor=\"end\">{WebUtility.HtmlEncode(Short(bins[^1].Upper))}</text>");
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static string Short(string value) => value.Length > 16 ? value[..16] : value;
}
