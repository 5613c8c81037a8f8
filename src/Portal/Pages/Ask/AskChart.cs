using System.Globalization;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Charts;
using Microsoft.AspNetCore.Html;

namespace AstralytiQ.Portal.Pages.Ask;

/// <summary>
/// Draws an answer's chart spec (KPI, bar, line, scatter, pie) from its columns and rows as server-side SVG
/// on the shared <see cref="SvgCanvas"/>. The table under the chart holds every value, so the picture carries a
/// title and a one-line description rather than a second copy of the data. Empty when the spec asks for a table,
/// names columns the answer lacks, or there is nothing numeric to draw.
/// </summary>
public static class AskChart
{
    private const double Width = 640, Height = 260;
    private const double Left = 56, Right = 16, Top = 28, Bottom = 40;
    private const int MaxSeries = 8;
    private const int MaxPointsWithMarkers = 120;

    public static IHtmlContent Render(AskResponse answer)
    {
        var chart = answer.Chart;
        if (chart is null || answer.Rows.Count == 0)
        {
            return HtmlString.Empty;
        }
        var columns = answer.Columns.Select((c, i) => (c.Name, i)).GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var ys = chart.Y.Where(columns.ContainsKey).Select(y => (Name: y, Index: columns[y])).ToList();
        int? x = columns.TryGetValue(chart.X, out var xi) ? xi : null;
        int? series = columns.TryGetValue(chart.Series, out var si) ? si : null;
        if (ys.Count == 0 || (chart.Kind is ChartKind.Bar or ChartKind.Line or ChartKind.Pie && x is null))
        {
            return HtmlString.Empty;
        }
        var rows = answer.Rows;
        var title = string.IsNullOrWhiteSpace(chart.Title) ? "Answer" : chart.Title;
        return chart.Kind switch
        {
            ChartKind.Kpi => Kpi(rows[0], ys, x, title),
            ChartKind.Bar => Bar(rows, x!.Value, ys, series, answer.Columns, title),
            ChartKind.Line => Line(rows, x!.Value, ys, series, answer.Columns, title),
            ChartKind.Scatter when ys.Count >= 2 => Scatter(rows, ys[0], ys[1], title),
            ChartKind.Pie => Pie(rows, x!.Value, ys[0], title),
            _ => HtmlString.Empty,
        };
    }

    /// <summary>A number of a cell, or null for text, NULL and values that are not numbers.</summary>
    public static double? Number(SqlValue value) => value.KindCase switch
    {
        SqlValue.KindOneofCase.Int64Value => value.Int64Value,
        SqlValue.KindOneofCase.DoubleValue => value.DoubleValue,
        SqlValue.KindOneofCase.DecimalValue when double.TryParse(value.DecimalValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>A number as charts label it: thousands separated, at most two decimals (four for small fractions).</summary>
    public static string Format(double value) =>
        value != 0 && Math.Abs(value) < 0.01 ? value.ToString("0.####", CultureInfo.InvariantCulture) : value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Label(SqlValue value) =>
        value.KindCase == SqlValue.KindOneofCase.NullValue ? "(missing)" : Query.IndexModel.Display(value);

    private static IHtmlContent Kpi(SqlRow row, List<(string Name, int Index)> ys, int? x, string title)
    {
        const double box = 200;
        var label = x is { } xi ? Label(row.Values[xi]) : null;
        var values = ys.Select(y => (y.Name, Value: Number(row.Values[y.Index]))).ToList();
        var svg = new SvgCanvas("ask-chart kpi", "ask-chart", box * values.Count, 110, title,
            string.Join("; ", values.Select(v => $"{v.Name}: {(v.Value is { } n ? Format(n) : "no value")}")) + (label is null ? "" : $" ({label})"), fixedSize: false);
        for (var i = 0; i < values.Count; i++)
        {
            var centre = box * i + box / 2;
            svg.Text(centre, 58, values[i].Value is { } n ? Format(n) : "–", "middle", "kpi-value");
            svg.Text(centre, 84, values[i].Name, "middle", "kpi-label");
            if (label is not null)
            {
                svg.Text(centre, 104, label, "middle", "kpi-label");
            }
        }
        return svg.ToHtml();
    }

    private static IHtmlContent Bar(IReadOnlyList<SqlRow> rows, int x, List<(string Name, int Index)> ys, int? series, IReadOnlyList<SqlColumn> columns, string title)
    {
        // Groups are the x values in the answer's order; within a group one bar per measure, or per value of the series column.
        var categories = rows.Select(r => Label(r.Values[x])).Distinct(StringComparer.Ordinal).ToList();
        var keys = series is { } s
            ? rows.Select(r => Label(r.Values[s])).Distinct(StringComparer.Ordinal).Take(MaxSeries).ToList()
            : ys.Select(y => y.Name).ToList();
        var cells = new Dictionary<(string Category, string Key), double>();
        foreach (var row in rows)
        {
            var category = Label(row.Values[x]);
            if (series is { } split)
            {
                if (Number(row.Values[ys[0].Index]) is { } v)
                {
                    cells.TryAdd((category, Label(row.Values[split])), v);
                }
            }
            else
            {
                foreach (var y in ys)
                {
                    if (Number(row.Values[y.Index]) is { } v)
                    {
                        cells.TryAdd((category, y.Name), v);
                    }
                }
            }
        }
        var bars = new List<SvgBar>();
        foreach (var category in categories)
        {
            if (bars.Count > 0 && keys.Count > 1)
            {
                bars.Add(new SvgBar(double.NaN, ""));
            }
            for (var k = 0; k < keys.Count; k++)
            {
                var found = cells.TryGetValue((category, keys[k]), out var value);
                var name = keys.Count > 1 ? $"{category}, {keys[k]}" : category;
                bars.Add(new SvgBar(found ? value : 0, $"{name}: {(found ? Format(value) : "no value")}", "bar s" + k));
            }
        }
        var measure = series is null ? string.Join(", ", ys.Select(y => y.Name)) : ys[0].Name;
        var values = cells.Values.ToList();
        var svg = new SvgCanvas("ask-chart bar", "ask-chart", Width, Height, title,
            $"Bar chart of {measure} for {categories.Count} values of {columns[x].Name}" + (values.Count == 0 ? "." : $", from {Format(values.Min())} to {Format(values.Max())}."), fixedSize: false);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        // Single bars get air between them; grouped bars touch within a group, and groups are a slot apart.
        var zero = svg.Bars(bars, Left, Top, plotWidth, plotHeight, padding: keys.Count > 1 ? 0 : 0.25);
        svg.Line(Left, zero, Width - Right, zero, "axis");
        if (values.Count > 0)
        {
            svg.Text(Left - 6, Top + 4, Format(Math.Max(0, values.Max())), "end", "tick");
            if (values.Min() < 0)
            {
                svg.Text(Left - 6, Top + plotHeight, Format(values.Min()), "end", "tick");
            }
        }
        // Labels under the groups when they fit, else the first and last only.
        var slot = plotWidth / bars.Count;
        var groupWidth = slot * keys.Count;
        var every = categories.Count <= 12 ? 1 : Math.Max(1, categories.Count - 1);
        for (var c = 0; c < categories.Count; c += every)
        {
            var start = Left + slot * c * (keys.Count + (keys.Count > 1 ? 1 : 0));
            svg.Text(start + groupWidth / 2, Height - Bottom + 16, Short(categories[c], Math.Max(4, (int)(groupWidth / 7))), "middle", "tick");
        }
        Legend(svg, keys);
        return svg.ToHtml();
    }

    private static IHtmlContent Line(IReadOnlyList<SqlRow> rows, int x, List<(string Name, int Index)> ys, int? series, IReadOnlyList<SqlColumn> columns, string title)
    {
        // Points in time order: numbers (years, months) by value, dates and times as they sort as text (ISO).
        var ordered = rows.Where(r => r.Values[x].KindCase != SqlValue.KindOneofCase.NullValue)
            .OrderBy(r => Number(r.Values[x]) ?? 0)
            .ThenBy(r => Label(r.Values[x]), StringComparer.Ordinal)
            .ToList();
        var times = ordered.Select(r => Label(r.Values[x])).Distinct(StringComparer.Ordinal).ToList();
        var position = times.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var lines = new List<(string Name, List<(int At, double Value, string Time)> Points)>();
        if (series is { } s)
        {
            foreach (var group in ordered.GroupBy(r => Label(r.Values[s]), StringComparer.Ordinal).Take(MaxSeries))
            {
                lines.Add((group.Key, group.Where(r => Number(r.Values[ys[0].Index]) is not null)
                    .Select(r => (position[Label(r.Values[x])], Number(r.Values[ys[0].Index])!.Value, Label(r.Values[x]))).ToList()));
            }
        }
        else
        {
            foreach (var y in ys.Take(MaxSeries))
            {
                lines.Add((y.Name, ordered.Where(r => Number(r.Values[y.Index]) is not null)
                    .Select(r => (position[Label(r.Values[x])], Number(r.Values[y.Index])!.Value, Label(r.Values[x]))).ToList()));
            }
        }
        var values = lines.SelectMany(l => l.Points.Select(p => p.Value)).ToList();
        if (values.Count == 0)
        {
            return HtmlString.Empty;
        }
        var (low, high) = Range(values);
        var svg = new SvgCanvas("ask-chart line", "ask-chart", Width, Height, title,
            $"Line chart of {(series is null ? string.Join(", ", ys.Select(y => y.Name)) : ys[0].Name)} over {columns[x].Name}, {times.Count} points from {times[0]} to {times[^1]}; values from {Format(values.Min())} to {Format(values.Max())}.",
            fixedSize: false);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double Px(int at) => Left + (times.Count == 1 ? plotWidth / 2 : plotWidth * at / (times.Count - 1));
        double Py(double v) => Top + plotHeight * (high - v) / (high - low);
        svg.Line(Left, Top + plotHeight, Width - Right, Top + plotHeight, "axis");
        svg.Line(Left, Top, Left, Top + plotHeight, "axis");
        svg.Text(Left - 6, Top + 4, Format(high), "end", "tick");
        svg.Text(Left - 6, Top + plotHeight, Format(low), "end", "tick");
        svg.Text(Left, Height - Bottom + 16, Short(times[0], 16), "start", "tick");
        if (times.Count > 1)
        {
            svg.Text(Width - Right, Height - Bottom + 16, Short(times[^1], 16), "end", "tick");
        }
        for (var l = 0; l < lines.Count; l++)
        {
            var (name, points) = lines[l];
            svg.Polyline(points.Select(p => (Px(p.At), Py(p.Value))), "line s" + l);
            if (values.Count <= MaxPointsWithMarkers)
            {
                foreach (var p in points)
                {
                    svg.Circle(Px(p.At), Py(p.Value), 3, $"{(lines.Count > 1 ? name + ", " : "")}{p.Time}: {Format(p.Value)}", "point s" + l);
                }
            }
        }
        Legend(svg, lines.Select(l => l.Name).ToList());
        return svg.ToHtml();
    }

    private static IHtmlContent Scatter(IReadOnlyList<SqlRow> rows, (string Name, int Index) across, (string Name, int Index) up, string title)
    {
        var points = rows.Select(r => (X: Number(r.Values[across.Index]), Y: Number(r.Values[up.Index])))
            .Where(p => p.X is not null && p.Y is not null)
            .Select(p => (X: p.X!.Value, Y: p.Y!.Value))
            .ToList();
        if (points.Count == 0)
        {
            return HtmlString.Empty;
        }
        var (xLow, xHigh) = Range(points.Select(p => p.X).ToList());
        var (yLow, yHigh) = Range(points.Select(p => p.Y).ToList());
        var svg = new SvgCanvas("ask-chart scatter", "ask-chart", Width, Height, title,
            $"Scatter plot of {points.Count} points: {across.Name} across ({Format(xLow)} to {Format(xHigh)}), {up.Name} up ({Format(yLow)} to {Format(yHigh)}).", fixedSize: false);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        svg.Line(Left, Top + plotHeight, Width - Right, Top + plotHeight, "axis");
        svg.Line(Left, Top, Left, Top + plotHeight, "axis");
        svg.Text(Left - 6, Top + 4, Format(yHigh), "end", "tick");
        svg.Text(Left - 6, Top + plotHeight, Format(yLow), "end", "tick");
        svg.Text(Left, Height - Bottom + 16, Format(xLow), "start", "tick");
        svg.Text(Width - Right, Height - Bottom + 16, Format(xHigh), "end", "tick");
        svg.Text(Left + plotWidth / 2, Height - 6, across.Name, "middle", "axis-name");
        svg.Text(4, Top - 10, up.Name, "start", "axis-name");
        foreach (var (px, py) in points)
        {
            svg.Circle(Left + plotWidth * (px - xLow) / (xHigh - xLow), Top + plotHeight * (yHigh - py) / (yHigh - yLow), 3,
                $"{across.Name} {Format(px)}, {up.Name} {Format(py)}", "point s0");
        }
        return svg.ToHtml();
    }

    private static IHtmlContent Pie(IReadOnlyList<SqlRow> rows, int x, (string Name, int Index) y, string title)
    {
        var slices = rows.Select(r => (Label: Label(r.Values[x]), Value: Number(r.Values[y.Index]) ?? 0)).Where(s => s.Value > 0).ToList();
        var total = slices.Sum(s => s.Value);
        if (total <= 0)
        {
            return HtmlString.Empty;
        }
        const double radius = 100, cx = 130, cy = 125;
        var svg = new SvgCanvas("ask-chart pie", "ask-chart", Width, Height, title,
            $"Pie chart of {y.Name}: " + string.Join("; ", slices.Select(s => $"{s.Label} {Percent(s.Value / total)}")) + ".", fixedSize: false);
        var start = 0.0;
        for (var i = 0; i < slices.Count; i++)
        {
            var share = slices[i].Value / total;
            svg.Sector(cx, cy, radius, start, start + share, $"{slices[i].Label}: {Format(slices[i].Value)} ({Percent(share)})", "slice s" + (i % MaxSeries));
            start += share;
        }
        for (var i = 0; i < slices.Count; i++)
        {
            var rowY = 40 + i * 24;
            svg.Rect(260, rowY - 11, 14, 14, cssClass: "swatch s" + (i % MaxSeries));
            svg.Text(282, rowY, $"{Short(slices[i].Label, 32)}: {Format(slices[i].Value)} ({Percent(slices[i].Value / total)})", cssClass: "legend");
        }
        return svg.ToHtml();
    }

    private static void Legend(SvgCanvas svg, IReadOnlyList<string> names)
    {
        if (names.Count < 2)
        {
            return;
        }
        var at = Left;
        for (var i = 0; i < names.Count; i++)
        {
            var text = Short(names[i], 20);
            svg.Rect(at, 6, 12, 12, cssClass: "swatch s" + i);
            svg.Text(at + 16, 16, text, cssClass: "legend");
            at += 28 + text.Length * 7;
        }
    }

    /// <summary>The values' range, widened when they are all equal so that scaling never divides by zero.</summary>
    private static (double Low, double High) Range(IReadOnlyList<double> values)
    {
        var low = values.Min();
        var high = values.Max();
        return high > low ? (low, high) : (low - 1, high + 1);
    }

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Short(string text, int length) => text.Length <= length ? text : text[..Math.Max(1, length - 1)] + "…";
}
