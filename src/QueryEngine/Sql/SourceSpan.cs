namespace AstralytiQ.QueryEngine.Sql;

/// <summary>A range of the source text, in UTF-16 code units.</summary>
/// <param name="Offset">Zero-based offset of the first character.</param>
/// <param name="Length">Number of characters covered.</param>
public readonly record struct SourceSpan(int Offset, int Length)
{
    /// <summary>The span of a node that was built in code rather than parsed.</summary>
    public static SourceSpan None => new(-1, 0);

    /// <summary>True when the span points into source text.</summary>
    public bool IsKnown => Offset >= 0;

    /// <summary>Offset just past the last character.</summary>
    public int End => Offset + Length;

    /// <summary>The smallest span covering both spans (unknown spans are ignored).</summary>
    /// <param name="other">The other span.</param>
    public SourceSpan Cover(SourceSpan other)
    {
        if (!IsKnown)
        {
            return other;
        }

        if (!other.IsKnown)
        {
            return this;
        }

        var start = Math.Min(Offset, other.Offset);
        return new SourceSpan(start, Math.Max(End, other.End) - start);
    }

    /// <summary>Returns the 1-based line and column of <see cref="Offset"/> in <paramref name="source"/>.</summary>
    /// <param name="source">The text the span refers to.</param>
    public (int Line, int Column) LineAndColumn(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var offset = Math.Clamp(Offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }
}
