using System.Text;

namespace AstralytiQ.QueryEngine.Sql;

/// <summary>Formats the source line that contains a span, with carets under the span.</summary>
public static class SourceSnippet
{
    /// <summary>
    /// Returns two lines: the source line prefixed with its number, and a marker line with
    /// <c>^</c> under each character of the span (clipped to the line; at least one caret).
    /// </summary>
    /// <param name="source">The full source text.</param>
    /// <param name="span">The span to point at.</param>
    public static string Format(string source, SourceSpan span)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!span.IsKnown)
        {
            return string.Empty;
        }

        var offset = Math.Clamp(span.Offset, 0, source.Length);
        var (line, column) = new SourceSpan(offset, 0).LineAndColumn(source);
        var lineStart = offset - (column - 1);
        var lineEnd = source.IndexOf('\n', lineStart);
        if (lineEnd < 0)
        {
            lineEnd = source.Length;
        }

        var text = source[lineStart..lineEnd].TrimEnd('\r');
        // Keep very long lines readable: show a window around the spot.
        var windowStart = 0;
        const int Window = 100;
        if (text.Length > Window && column > Window / 2)
        {
            windowStart = Math.Min(column - Window / 2, text.Length - Window);
        }

        var shown = text.Length > Window ? text.Substring(windowStart, Math.Min(Window, text.Length - windowStart)) : text;
        shown = shown.Replace('\t', ' ');
        var prefix = line.ToString(System.Globalization.CultureInfo.InvariantCulture) + " | ";
        var caretCount = Math.Max(1, Math.Min(span.Length, text.Length - (column - 1)));
        caretCount = Math.Min(caretCount, Math.Max(1, shown.Length - (column - 1 - windowStart)));
        var sb = new StringBuilder();
        sb.Append(prefix).Append(windowStart > 0 ? "..." : string.Empty).Append(shown).Append('\n');
        sb.Append(' ', prefix.Length - 2).Append("| ").Append(' ', column - 1 - windowStart + (windowStart > 0 ? 3 : 0)).Append('^', caretCount);
        return sb.ToString();
    }
}
