using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace AstralytiQ.Portal.Infrastructure.Charts;

/// <summary>One bar of <see cref="SvgCanvas.Bars"/>: its value, the tooltip a pointer or screen reader gets, and an optional class (series colour).</summary>
public readonly record struct SvgBar(double Value, string Tooltip, string? CssClass = null);

/// <summary>
/// A small SVG picture built from plain values, shared by every chart the portal draws (dataset histograms,
/// answers to questions). Callers pass numbers and plain text only: every text, tooltip and class is
/// HTML-encoded here and numbers are written invariantly, so no caller writes markup and a value such as
/// <c>&lt;script&gt;</c> in a column stays text. The picture is an accessible image: <c>role="img"</c>
/// labelled by its title (and description, when given).
/// </summary>
public sealed class SvgCanvas
{
    private readonly StringBuilder _svg = new();

    /// <param name="cssClass">The svg element's class.</param>
    /// <param name="id">Prefix of the title's (and description's) ids; unique within the page.</param>
    /// <param name="fixedSize">Write width and height as well as the viewBox (false: the picture scales to its container).</param>
    public SvgCanvas(string cssClass, string id, double width, double height, string title, string? description = null, bool fixedSize = true)
    {
        Width = width;
        Height = height;
        var labelledBy = description is null ? $"{id}-t" : $"{id}-t {id}-d";
        _svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"{Encode(cssClass)}\" role=\"img\" viewBox=\"0 0 {N(width)} {N(height)}\"");
        if (fixedSize)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" width=\"{N(width)}\" height=\"{N(height)}\"");
        }
        _svg.Append(CultureInfo.InvariantCulture, $" aria-labelledby=\"{Encode(labelledBy)}\"><title id=\"{Encode(id)}-t\">{Encode(title)}</title>");
        if (description is not null)
        {
            _svg.Append(CultureInfo.InvariantCulture, $"<desc id=\"{Encode(id)}-d\">{Encode(description)}</desc>");
        }
    }

    public double Width { get; }

    public double Height { get; }

    public SvgCanvas Rect(double x, double y, double width, double height, string? tooltip = null, string? cssClass = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<rect{Class(cssClass)} x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(height)}\"");
        return CloseWithTooltip("rect", tooltip);
    }

    public SvgCanvas Text(double x, double y, string text, string? anchor = null, string? cssClass = null)
    {
        var anchorAttribute = anchor is null ? "" : $" text-anchor=\"{Encode(anchor)}\"";
        _svg.Append(CultureInfo.InvariantCulture, $"<text{Class(cssClass)} x=\"{N(x)}\" y=\"{N(y)}\"{anchorAttribute}>{Encode(text)}</text>");
        return this;
    }

    public SvgCanvas Line(double x1, double y1, double x2, double y2, string? cssClass = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<line{Class(cssClass)} x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" />");
        return this;
    }

    public SvgCanvas Polyline(IEnumerable<(double X, double Y)> points, string? cssClass = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<polyline{Class(cssClass)} fill=\"none\" points=\"{string.Join(' ', points.Select(p => N(p.X) + "," + N(p.Y)))}\" />");
        return this;
    }

    public SvgCanvas Circle(double cx, double cy, double r, string? tooltip = null, string? cssClass = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<circle{Class(cssClass)} cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"{N(r)}\"");
        return CloseWithTooltip("circle", tooltip);
    }

    /// <summary>A pie slice from <paramref name="startTurn"/> to <paramref name="endTurn"/> (fractions of a full turn, clockwise from 12 o'clock); a whole turn is drawn as a circle.</summary>
    public SvgCanvas Sector(double cx, double cy, double r, double startTurn, double endTurn, string? tooltip = null, string? cssClass = null)
    {
        if (endTurn - startTurn >= 0.999999)
        {
            return Circle(cx, cy, r, tooltip, cssClass);
        }
        (double X, double Y) At(double turn) => (cx + r * Math.Sin(turn * 2 * Math.PI), cy - r * Math.Cos(turn * 2 * Math.PI));
        var (x1, y1) = At(startTurn);
        var (x2, y2) = At(endTurn);
        var large = endTurn - startTurn > 0.5 ? 1 : 0;
        _svg.Append(CultureInfo.InvariantCulture,
            $"<path{Class(cssClass)} d=\"M{N(cx)} {N(cy)} L{N(x1)} {N(y1)} A{N(r)} {N(r)} 0 {large} 1 {N(x2)} {N(y2)} Z\"");
        return CloseWithTooltip("path", tooltip);
    }

    /// <summary>
    /// Vertical bars side by side across the box (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>,
    /// <paramref name="height"/>), scaled together from zero: positive values rise from the zero line, negative ones
    /// hang below it; a value that is not zero is at least one unit tall, so it never vanishes. A NaN value leaves its
    /// slot empty (a gap between groups). <paramref name="padding"/> is the share of each slot left empty around its
    /// bar (0: bars one unit apart). Returns the zero line's y.
    /// </summary>
    public double Bars(IReadOnlyList<SvgBar> bars, double x, double y, double width, double height, double padding = 0)
    {
        var values = bars.Select(b => b.Value).Where(v => !double.IsNaN(v)).ToList();
        if (values.Count == 0)
        {
            return y + height;
        }
        var top = Math.Max(0, values.Max());
        var bottom = Math.Min(0, values.Min());
        if (top - bottom <= 0)
        {
            top = 1;
        }
        var zero = y + height * top / (top - bottom);
        var slot = width / bars.Count;
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            if (double.IsNaN(bar.Value))
            {
                continue;
            }
            var h = bar.Value == 0 ? 0 : Math.Max(1, height * Math.Abs(bar.Value) / (top - bottom));
            Rect(x + i * slot + slot * padding / 2 + 0.5, bar.Value >= 0 ? zero - h : zero, Math.Max(1, slot * (1 - padding) - 1), h, bar.Tooltip, bar.CssClass);
        }
        return zero;
    }

    public IHtmlContent ToHtml() => new HtmlString(_svg.ToString() + "</svg>");

    public override string ToString() => _svg.ToString() + "</svg>";

    /// <summary>A number as SVG coordinates are written: invariant, at most two decimals.</summary>
    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private SvgCanvas CloseWithTooltip(string element, string? tooltip)
    {
        _svg.Append(tooltip is null ? " />" : $"><title>{Encode(tooltip)}</title></{element}>");
        return this;
    }

    private static string Class(string? cssClass) => cssClass is null ? "" : $" class=\"{Encode(cssClass)}\"";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
