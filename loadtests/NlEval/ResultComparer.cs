namespace AstralytiQ.NlEval;

/// <summary>
/// Execution-accuracy comparison, as Spider's test-suite evaluation does it: the same rows, in any
/// column order (the columns are matched by their values), and in the same row order only when the
/// gold query has an ORDER BY.
/// </summary>
internal static class ResultComparer
{
    public static bool Same(List<string[]> gold, List<string[]> predicted, bool ordered) => Match(gold, predicted, ordered, allowExtraColumns: false);

    /// <summary>
    /// The lenient reading: the prediction shows every gold column (matched by values) and the same rows,
    /// possibly with more columns, e.g. the measure beside "which region has the highest revenue".
    /// </summary>
    public static bool Contains(List<string[]> gold, List<string[]> predicted, bool ordered) => Match(gold, predicted, ordered, allowExtraColumns: true);

    private static bool Match(List<string[]> gold, List<string[]> predicted, bool ordered, bool allowExtraColumns)
    {
        if (gold.Count != predicted.Count)
        {
            return false;
        }

        if (gold.Count == 0)
        {
            return true;
        }

        var width = gold[0].Length;
        var predWidth = predicted[0].Length;
        if (allowExtraColumns ? predWidth < width : predWidth != width)
        {
            return false;
        }

        var goldColumns = Enumerable.Range(0, width).Select(j => Signature(gold, j)).ToArray();
        var predColumns = Enumerable.Range(0, predWidth).Select(j => Signature(predicted, j)).ToArray();
        var candidates = goldColumns.Select(g => Enumerable.Range(0, predWidth).Where(k => predColumns[k] == g).ToArray()).ToArray();
        if (candidates.Any(c => c.Length == 0))
        {
            return false;
        }

        var mapping = new int[width];
        var taken = new bool[predWidth];
        return Search(0);

        bool Search(int j)
        {
            if (j == width)
            {
                return RowsMatch(gold, predicted, mapping, ordered);
            }

            foreach (var k in candidates[j])
            {
                if (taken[k])
                {
                    continue;
                }

                taken[k] = true;
                mapping[j] = k;
                if (Search(j + 1))
                {
                    return true;
                }

                taken[k] = false;
            }

            return false;
        }
    }

    private static string Signature(List<string[]> rows, int column) =>
        string.Join('\u241E', rows.Select(r => r[column]).Order(StringComparer.Ordinal));

    private static bool RowsMatch(List<string[]> gold, List<string[]> predicted, int[] mapping, bool ordered)
    {
        var g = gold.Select(r => string.Join('\u241F', r)).ToList();
        var p = predicted.Select(r => string.Join('\u241F', mapping.Select(k => r[k]))).ToList();
        if (ordered)
        {
            return g.SequenceEqual(p, StringComparer.Ordinal);
        }

        g.Sort(StringComparer.Ordinal);
        p.Sort(StringComparer.Ordinal);
        return g.SequenceEqual(p, StringComparer.Ordinal);
    }
}
