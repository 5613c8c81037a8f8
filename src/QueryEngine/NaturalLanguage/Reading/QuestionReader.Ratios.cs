namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Ratios of two measures ("price per carat", "profit margin").</summary>
internal sealed partial class QuestionReader
{
    /// <summary>
    /// "X per Y" where both are numeric measure columns is one ratio, never two columns side by side: the average of the
    /// row ratios (<c>avg(price / carat)</c>, what an analyst means by "average price per carat"), or with "total" the
    /// ratio of the sums. "profit margin" (a profit column followed by "margin", with a revenue or sales column in the
    /// table) is <c>sum(profit) / sum(revenue)</c>, a fraction, times 100 when a percent is asked for ("margin %").
    /// </summary>
    private void RatioPass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var x = _items[i];
            if (x.Used || x.Kind != ItemKind.Column || !IsRatioMeasure(x.Column!))
            {
                continue;
            }

            var lead = Prev(i) is { Used: false } p && AggOf(p) is AggKind.Avg or AggKind.Sum ? p : null;
            if (MarginOf(i) is { } margin && RevenueColumn(x.Column!) is { } revenue)
            {
                var pct = margin.Percent;
                x.Used = margin.Word.Used = true;
                if (lead is not null && AggOf(lead) == AggKind.Avg)
                {
                    lead.Used = true;
                }

                pct?.Used = true;

                _r.Measures.Add(new MeasureSpec(AggKind.Ratio, x.Column) { Per = revenue, RatioOfSums = true, AsPercent = pct is not null, At = lead?.Start ?? x.Start });
                continue;
            }

            if (Next(i) is not { Used: false } per || !per.Has(Kw.GroupBy) || !per.Text.Equals("per", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // "distance per minute of air time": a unit word before the denominator's name.
            var unit = Next(Pos(per)) is { Kind: ItemKind.Word } u && u.Token is not null && UnitWords.Contains(u.Token.Lower) ? u : null;
            var after = Next(Pos(unit ?? per));
            if (unit is null && after is { Kind: ItemKind.RowNoun, Used: false } row && Next(Pos(row)) is not { Kind: ItemKind.Column })
            {
                // "revenue per order": a row is one order, so the amount per order is the average over rows.
                x.Used = per.Used = row.Used = true;
                lead?.Used = true;

                _r.Measures.Add(new MeasureSpec(AggKind.Avg, x.Column) { At = lead?.Start ?? x.Start });
                continue;
            }

            if (after is { Kind: ItemKind.Column, Used: false } y && y.Column != x.Column && IsRatioMeasure(y.Column!))
            {
                unit?.Used = true;

                x.Used = per.Used = y.Used = true;
                var sums = lead is not null && AggOf(lead) == AggKind.Sum;
                lead?.Used = true;

                _r.Measures.Add(new MeasureSpec(AggKind.Ratio, x.Column) { Per = y.Column, RatioOfSums = sums, At = lead?.Start ?? x.Start });
            }
        }
    }

    /// <summary>A column that is an amount to divide: numeric, not a key, a year, a month or a clock number.</summary>
    private static bool IsRatioMeasure(ColumnInfo c) =>
        c.IsNumeric && !c.IsIdentifier && !c.IsYear && !c.IsMonth && c.Kind != ColumnKind.Boolean &&
        !(c.Kind == ColumnKind.Integer && c.Stems.Count > 0 && c.Stems[^1] is "hour" or "day" or "week" or "minute");

    /// <summary>"profit margin", "profit margin %": the word margin right after a profit column.</summary>
    private (Item Word, Item? Percent)? MarginOf(int i)
    {
        var x = _items[i];
        if (!x.Column!.Stems.Contains(WordForms.Key("profit")))
        {
            return null;
        }

        var last = x.End - 1;
        if (_tokens[last].Lower is "margin" or "margins")
        {
            return (x, PercentAfter(i));
        }

        if (i + 1 < _items.Count && _items[i + 1] is { } m && m.Start == x.End && m.End == m.Start + 1 && _tokens[m.Start].Lower is "margin" or "margins")
        {
            return (m, PercentAfter(i + 1));
        }

        return null;
    }

    private Item? PercentAfter(int i) =>
        i + 1 < _items.Count && _items[i + 1] is { Used: false } p && (p.Has(Kw.Percent) || p.IsWord("%", "percent", "percentage", "pct")) ? p : null;

    /// <summary>The table's revenue or sales column, the base of a margin.</summary>
    private ColumnInfo? RevenueColumn(ColumnInfo profit) =>
        _index.Columns.FirstOrDefault(c => c != profit && c.IsNumeric && (c.Stems.Contains(WordForms.Key("revenue")) || c.Stems.Contains(WordForms.Key("sales"))));
}
