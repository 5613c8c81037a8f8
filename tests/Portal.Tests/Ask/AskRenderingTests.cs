using System.Text.RegularExpressions;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Pages.Ask;
using AstralytiQ.Portal.Pages.Datasets;

namespace AstralytiQ.Portal.Tests.Ask;

/// <summary>How the Ask page draws an answer (chart as SVG, the question's phrases), without a server.</summary>
public sealed class AskRenderingTests
{
    private static AskResponse Answer(ChartKind kind, string x, string[] y, (string Name, SqlValueType Type)[] columns, params object?[][] rows)
    {
        var answer = new AskResponse { Chart = new ChartSpec { Kind = kind, Title = "the title", X = x, Reason = "why" } };
        answer.Chart.Y.AddRange(y);
        answer.Columns.AddRange(columns.Select(c => new SqlColumn { Name = c.Name, Type = c.Type }));
        foreach (var row in rows)
        {
            var sqlRow = new SqlRow();
            sqlRow.Values.AddRange(row.Select(v => v switch
            {
                null => new SqlValue { NullValue = Google.Protobuf.WellKnownTypes.NullValue.NullValue },
                long l => new SqlValue { Int64Value = l },
                double d => new SqlValue { DoubleValue = d },
                decimal m => new SqlValue { DecimalValue = m.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                _ => new SqlValue { StringValue = (string)v },
            }));
            answer.Rows.Add(sqlRow);
        }
        return answer;
    }

    private static string Render(AskResponse answer) => AskChart.Render(answer).ToHtmlString();

    [Fact]
    public void A_bar_chart_has_one_bar_per_category_scaled_to_the_largest_and_escapes_every_text()
    {
        var answer = Answer(ChartKind.Bar, "city", ["total"], [("city", SqlValueType.String), ("total", SqlValueType.Decimal)],
            ["Paris", 10m], ["<script>alert(1)</script>", 40m], ["Lyon & Co", 20m]);
        answer.Chart.Title = "total by <b>city</b>";

        var svg = Render(answer);

        Assert.StartsWith("<svg class=\"ask-chart bar\" role=\"img\" viewBox=\"0 0 640 260\" aria-labelledby=\"ask-chart-t ask-chart-d\">", svg, StringComparison.Ordinal);
        Assert.Contains("<title id=\"ask-chart-t\">total by &lt;b&gt;city&lt;/b&gt;</title>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", svg, StringComparison.Ordinal);
        Assert.Contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;: 40</title>", svg, StringComparison.Ordinal);
        Assert.Contains("Lyon &amp; Co", svg, StringComparison.Ordinal);
        var heights = Regex.Matches(svg, "<rect class=\"bar s0\"[^>]* height=\"(?<h>[0-9.]+)\"").Select(m => double.Parse(m.Groups["h"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, heights.Count);
        Assert.Equal(192, heights[1]);
        Assert.Equal(heights[1] / 4, heights[0], 2);
        Assert.Equal(heights[1] / 2, heights[2], 2);
    }

    [Fact]
    public void Negative_bars_hang_below_the_zero_line()
    {
        var svg = Render(Answer(ChartKind.Bar, "k", ["v"], [("k", SqlValueType.String), ("v", SqlValueType.Int64)], ["up", 30L], ["down", -10L]));

        var bars = Regex.Matches(svg, "<rect class=\"bar s0\" x=\"[0-9.]+\" y=\"(?<y>[0-9.]+)\" width=\"[0-9.]+\" height=\"(?<h>[0-9.]+)\"").ToList();
        var zero = double.Parse(Regex.Match(svg, "<line class=\"axis\" x1=\"56\" y1=\"(?<y>[0-9.]+)\"").Groups["y"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, bars.Count);
        Assert.Equal(zero, double.Parse(bars[0].Groups["y"].Value, System.Globalization.CultureInfo.InvariantCulture) + double.Parse(bars[0].Groups["h"].Value, System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.Equal(zero, double.Parse(bars[1].Groups["y"].Value, System.Globalization.CultureInfo.InvariantCulture), 1);
    }

    [Fact]
    public void Bars_split_by_a_series_are_grouped_with_a_legend()
    {
        var answer = Answer(ChartKind.Bar, "region", ["n"], [("region", SqlValueType.String), ("kind", SqlValueType.String), ("n", SqlValueType.Int64)],
            ["north", "a", 1L], ["north", "b", 2L], ["south", "a", 3L]);
        answer.Chart.Series = "kind";

        var svg = Render(answer);

        Assert.Equal(2, Regex.Matches(svg, "class=\"bar s0\"").Count);
        Assert.Equal(2, Regex.Matches(svg, "class=\"bar s1\"").Count);
        Assert.Contains("<title>south, b: no value</title>", svg, StringComparison.Ordinal);
        Assert.Contains("class=\"legend\" x=\"72\" y=\"16\">a</text>", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pie_has_a_slice_per_category_and_shares_that_add_up()
    {
        var svg = Render(Answer(ChartKind.Pie, "cut", ["count"], [("cut", SqlValueType.String), ("count", SqlValueType.Int64)], ["Ideal", 50L], ["Good", 30L], ["Fair", 20L]));

        Assert.Equal(3, Regex.Matches(svg, "<path class=\"slice s[0-9]\" d=\"M130 125 L").Count);
        Assert.Contains("<title>Ideal: 50 (50%)</title>", svg, StringComparison.Ordinal);
        Assert.Contains("Fair: 20 (20%)</text>", svg, StringComparison.Ordinal);
        // The first slice is half the pie: from 12 o'clock to 6 o'clock.
        Assert.Contains("d=\"M130 125 L130 25 A100 100 0 0 1 130 225 Z\"", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_runs_through_the_points_in_time_order()
    {
        var svg = Render(Answer(ChartKind.Line, "year", ["total"], [("year", SqlValueType.Int64), ("total", SqlValueType.Double)], [2022L, 5.0], [2020L, 1.0], [2021L, 3.0]));

        var points = Regex.Match(svg, "<polyline class=\"line s0\" fill=\"none\" points=\"(?<p>[^\"]+)\"").Groups["p"].Value.Split(' ');
        Assert.Equal(["56,220", "340,124", "624,28"], points);
        Assert.Contains("<title>2020: 1</title>", svg, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(svg, "<circle class=\"point s0\"").Count);
    }

    [Fact]
    public void A_scatter_plot_has_a_point_per_row_with_both_values()
    {
        var svg = Render(Answer(ChartKind.Scatter, "", ["carat", "price"], [("carat", SqlValueType.Double), ("price", SqlValueType.Int64)], [0.5, 1000L], [1.0, 4000L], [null, 10L], [1.5, 9000L]));

        Assert.Equal(3, Regex.Matches(svg, "<circle class=\"point s0\"").Count);
        Assert.Contains("<title>carat 1, price 4,000</title>", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kpi_shows_the_number_with_its_name()
    {
        var svg = Render(Answer(ChartKind.Kpi, "", ["count"], [("count", SqlValueType.Int64)], [1234567L]));

        Assert.Contains(">1,234,567</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">count</text>", svg, StringComparison.Ordinal);
        Assert.Contains("<desc id=\"ask-chart-d\">count: 1,234,567</desc>", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void No_chart_for_a_table_spec_or_a_spec_naming_columns_the_answer_lacks()
    {
        var columns = new[] { ("a", SqlValueType.String), ("b", SqlValueType.Int64) };

        Assert.Empty(Render(Answer(ChartKind.Table, "a", ["b"], columns, ["x", 1L])));
        Assert.Empty(Render(Answer(ChartKind.Bar, "nope", ["b"], columns, ["x", 1L])));
        Assert.Empty(Render(Answer(ChartKind.Bar, "a", ["nope"], columns, ["x", 1L])));
        Assert.Empty(Render(Answer(ChartKind.Bar, "a", ["b"], columns)));
    }

    [Fact]
    public void The_question_is_split_into_the_phrases_read_and_the_words_between()
    {
        var phrases = new[]
        {
            new AskPhrase { Text = "average", Start = 5, Length = 7, Meaning = "average" },
            new AskPhrase { Text = "price", Start = 13, Length = 5, Meaning = "column price" },
            new AskPhrase { Text = "bogus", Start = 40, Length = 9, Meaning = "out of range" },
        };

        var segments = Pages.Ask.IndexModel.Segments("Show average price per cut", phrases);

        (string, string?)[] expected = [("Show ", null), ("average", "average"), (" ", null), ("price", "column price"), (" per cut", null)];
        Assert.Equal(expected, segments);
    }

    [Fact]
    public void The_highlighted_question_encodes_the_words_and_their_meanings()
    {
        var html = Pages.Ask.IndexModel.Highlight("<b>price</b> \"now\"", [new AskPhrase { Text = "price", Start = 3, Length = 5, Meaning = "column \"price\" <x>" }]).ToHtmlString();

        Assert.Equal("&lt;b&gt;<mark title=\"column &quot;price&quot; &lt;x&gt;\">price</mark>&lt;/b&gt; &quot;now&quot;", html);
    }

    [Fact]
    public void The_dataset_histogram_draws_on_the_shared_canvas_as_before()
    {
        var column = new ColumnProfile { Name = "sales", Label = "Sales" };
        column.Histogram.Add(new HistogramBin { Lower = "0", Upper = "10", Count = 1 });
        column.Histogram.Add(new HistogramBin { Lower = "10", Upper = "<20>", Count = 3 });

        var svg = DatasetViews.Histogram(column).ToHtmlString();

        Assert.Equal(
            "<svg class=\"histogram\" role=\"img\" viewBox=\"0 0 240 94\" width=\"240\" height=\"94\" aria-labelledby=\"h-sales-t\">" +
            "<title id=\"h-sales-t\">Histogram of Sales: 2 bins from 0 to &lt;20&gt;</title>" +
            "<rect x=\"0.5\" y=\"53.33\" width=\"119\" height=\"26.67\"><title>0 – 10: 1</title></rect>" +
            "<rect x=\"120.5\" y=\"0\" width=\"119\" height=\"80\"><title>10 – &lt;20&gt;: 3</title></rect>" +
            "<text x=\"0\" y=\"92\">0</text><text x=\"240\" y=\"92\" text-anchor=\"end\">&lt;20&gt;</text></svg>",
            svg);
    }
}

internal static class HtmlContentExtensions
{
    public static string ToHtmlString(this Microsoft.AspNetCore.Html.IHtmlContent content)
    {
        using var writer = new StringWriter();
        content.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return writer.ToString();
    }
}
