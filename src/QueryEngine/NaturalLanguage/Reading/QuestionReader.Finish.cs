using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Superlatives, ordering, flags, and assembling what is left into the reading.</summary>
internal sealed partial class QuestionReader
{
    private sealed record Superlative(MeasureSpec? Measure, ColumnInfo? Column, bool Descending, ColumnInfo? CountGroup)
    {
        /// <summary>From an adjective that implies its column ("oldest", "most expensive"): about single rows, not groups.</summary>
        public bool Implied { get; init; }

        /// <summary>"the fewest?" with nothing after it: in a follow-up, only the direction changes.</summary>
        public bool Bare { get; init; }
    }

    private Superlative? _superlative;
    private bool _havingOnly;
    private int _superlativeAt = -1;
    private bool? _topDescending;
    private int? _topCount;
    private readonly List<(MeasureSpec? Measure, ColumnInfo? Column, bool? Descending, bool Alphabetical)> _orderRequests = [];
    private KwInfo? _orderJudgement;
    private readonly HashSet<ColumnInfo> _partialOrderColumns = [];

    // ------------------------------------------------------------------ superlatives and ordering

    private void OrderPass()
    {
        // "top 5", "bottom 3", "first 10".
        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (k.Used || !(k.Has(Kw.Top) || k.Has(Kw.Bottom)))
            {
                continue;
            }

            var n = NextSkipping(i, "the");
            if (n is { Kind: ItemKind.Number, Used: false } && n.Token!.Number is { } count && count > 0 && count <= 10000 && count == decimal.Truncate(count))
            {
                _topCount = (int)count;
                _topDescending = k.Has(Kw.Top) && !(k.Has(Kw.Bottom) && k.Text.ToLowerInvariant() is "bottom" or "last" or "worst");
                k.Used = n.Used = true;
            }
            else if (k.Text.ToLowerInvariant() is "top" or "bottom" && !k.Has(Kw.Superlative))
            {
                _topDescending = k.Text.Equals("top", StringComparison.OrdinalIgnoreCase);
                _topCount = NextNounIsPlural(i) ? 10 : 1;
                k.Used = true;
            }
        }

        // "which 5 cities ... the most", "the 3 products with the highest ...".
        var rankWord = _items.Any(x => !x.Used && (x.Has(Kw.Max) || x.Has(Kw.Min) || x.Has(Kw.Superlative)));
        for (var i = 0; i + 1 < _items.Count && rankWord && _topCount is null; i++)
        {
            var n = _items[i];
            var noun = _items[i + 1];
            var lead = i > 0 ? _items[i - 1] : null;
            if (lead is not null && lead.IsWord("the") && i > 1)
            {
                lead = _items[i - 2];
            }

            if (lead is not null && (lead.Has(Kw.Which) || lead.Has(Kw.List)) && n is { Kind: ItemKind.Number, Used: false } && n.Token!.Number is { } c && c > 1 && c <= 1000 && c == decimal.Truncate(c) &&
                (noun.Kind == ItemKind.RowNoun || (noun.Kind == ItemKind.Column && (noun.Column!.IsText || noun.Column.IsIdentifier))))
            {
                _topCount = (int)c;
                n.Used = true;
            }
        }

        // "the 5 largest", "3 best-selling".
        for (var i = 0; i + 1 < _items.Count; i++)
        {
            var n = _items[i];
            var k = Next(i);
            if (n is { Kind: ItemKind.Number, Used: false } && k is not null && !k.Used && (k.Has(Kw.Max) || k.Has(Kw.Min) || k.Has(Kw.Superlative)) &&
                n.Token!.Number is { } count && count > 0 && count <= 1000 && count == decimal.Truncate(count))
            {
                _topCount = (int)count;
                n.Used = true;
            }
        }

        // "cheapest 5 diamonds", "most expensive 3 products": a count right after the superlative, unless a numeric
        // column follows it ("the heaviest 2 carat diamond" compares carats).
        for (var i = 0; i + 1 < _items.Count && _topCount is null; i++)
        {
            var k = _items[i];
            var n = _items[i + 1];
            var after = i + 2 < _items.Count ? _items[i + 2] : null;
            if (!k.Used && k.Kind == ItemKind.Keyword && (k.Has(Kw.Max) || k.Has(Kw.Min) || k.Has(Kw.Superlative)) && n is { Kind: ItemKind.Number, Used: false } &&
                n.Token!.Number is { } count && count > 0 && count <= 1000 && count == decimal.Truncate(count) && after is not null &&
                !(after.Kind == ItemKind.Column && after.Column!.IsNumeric) && !(after.Kind == ItemKind.Word && UnitWords.Contains(after.Token!.Lower)))
            {
                _topCount = (int)count;
                n.Used = true;
            }
        }

        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (k.Used || k.Kind != ItemKind.Keyword)
            {
                continue;
            }

            var isMaxMin = k.Has(Kw.Max) || k.Has(Kw.Min);
            _superlativeAt = k.Start;
            if (k.Has(Kw.Superlative) && isMaxMin)
            {
                // "largest": by size when what follows names rows or things ("the 5 largest diamonds"),
                // by the measure when one follows ("the largest revenue").
                var t = NextSkipping(i, "the", "of", "a");
                var measureFollows = t is { Kind: ItemKind.Column } && t.Column!.IsNumeric && !t.Column.IsIdentifier || (t is not null && _r.Measures.Any(m => m.At == t.Start)) || (t is not null && AggOf(t) is not null);
                if (!measureFollows)
                {
                    ReadSuperlative(i, k.Get(Kw.Superlative)!);
                }

                if (!k.Used)
                {
                    ReadMaxMinSuperlative(i);
                }
            }
            else if (k.Has(Kw.Superlative))
            {
                ReadSuperlative(i, k.Get(Kw.Superlative)!);
            }
            else if (isMaxMin)
            {
                ReadMaxMinSuperlative(i);
            }
        }

        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (!k.Used && k.Has(Kw.OrderBy))
            {
                ReadOrderBy(i);
            }
        }

        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (!k.Used && (k.Has(Kw.Asc) || k.Has(Kw.Desc)))
            {
                k.Used = true;
                _orderJudgement ??= k.Infos.FirstOrDefault(x => x.Judgement != 0);
                var alphabetical = k.Text.Contains("alpha", StringComparison.OrdinalIgnoreCase) || k.Text.Contains("lexico", StringComparison.OrdinalIgnoreCase) || k.Text.Contains('z', StringComparison.OrdinalIgnoreCase);
                _orderRequests.Add((null, null, k.Has(Kw.Desc), alphabetical));
            }
        }
    }

    private bool NextNounIsPlural(int pos)
    {
        var n = Next(pos);
        return n is not null && n.Kind is ItemKind.Column or ItemKind.RowNoun && _tokens[n.End - 1].Lower.EndsWith('s');
    }

    private void ReadSuperlative(int i, KwInfo info)
    {
        var k = _items[i];
        if (info.Implied is ["#count"])
        {
            // "most common X", "which X is used most often", "the busiest airport".
            var g = NextSkipping(i, "the", "a") is { } first0 && (first0.Kind == ItemKind.RowNoun ? Next(Pos(first0)) : first0) is { Kind: ItemKind.Column } after && !after.Used ? after
                : _target is { Kind: ItemKind.Column } t ? t
                : Prev(i) is { Kind: ItemKind.Column } before ? before : null;
            if (g is null)
            {
                if (_target is { Kind: ItemKind.RowNoun } || Next(i) is { Kind: ItemKind.RowNoun })
                {
                    return;
                }

                return;
            }

            g.Used = k.Used = true;
            _superlative = new Superlative(new MeasureSpec(AggKind.Count, null), null, info.Descending, g.Column);
            return;
        }

        var column = ImpliedColumn(info.Implied ?? [], i);
        if (column is null)
        {
            return;
        }

        k.Used = true;
        var desc = info.Descending;
        if (info.InvertForDates && (column.IsTemporal || column.IsYear))
        {
            desc = !desc;
        }

        // The implied column written right after is part of the phrase ("the longest distance").
        var next = Next(i);
        if (next is { Kind: ItemKind.Column } && next.Column == column)
        {
            next.Used = true;
            if ((_target is null || _target == next) && !_items.Any(x => x.Kind == ItemKind.Column && !x.Used && x != next) && _topCount is null)
            {
                // "the cheapest price", "the longest air time": the extreme value itself.
                _r.Measures.Add(new MeasureSpec(desc ? AggKind.Max : AggKind.Min, column) { At = k.Start });
                return;
            }
        }

        foreach (var it in _items.Where(x => x.Kind == ItemKind.Column && x.Column == column && !x.Used && x.Start > k.Start && x.Start - k.End <= 2))
        {
            it.Used = true;
        }

        var measure = _r.Measures.FirstOrDefault(m => m.Column == column && m.At > k.Start && m.At - k.End <= 1);
        _superlative = new Superlative(measure, column, desc, null) { Implied = measure is null };
    }

    private void ReadMaxMinSuperlative(int i)
    {
        var k = _items[i];
        var desc = k.Has(Kw.Max);
        var t = NextSkipping(i, "the", "of", "a");
        k.Used = true;
        var explicitMeasure = t is null ? null : _r.Measures.FirstOrDefault(m => m.At == t.Start);
        var judged = k.Infos.FirstOrDefault(x => x.Judgement != 0);
        if (explicitMeasure is not null)
        {
            if (judged is not null && explicitMeasure.Column is not null)
            {
                desc = HighIsWanted(judged, explicitMeasure.Column);
            }

            _superlative = new Superlative(explicitMeasure, explicitMeasure.Column, desc, null);
            return;
        }

        if (t is not null && t.Has(Kw.CountOf) && Next(Pos(t)) is { Kind: ItemKind.Column, Used: false } counted && counted.Column!.IsNumeric && !counted.Column.IsIdentifier)
        {
            // "the greatest number of minutes": the column itself.
            t.Used = true;
            t = counted;
        }

        if (t is { Kind: ItemKind.Column } && !t.Used && t.Column!.IsNumeric && !t.Column.IsIdentifier)
        {
            t.Used = true;
            if (judged is not null)
            {
                desc = HighIsWanted(judged, t.Column);
            }
            else if (IsRankLike(t.Column) && k.Text.ToLowerInvariant() is "highest" or "lowest" or "top" or "bottom")
            {
                desc = !desc;
            }

            _superlative = new Superlative(null, t.Column, desc, null);
            return;
        }

        if (t is { Kind: ItemKind.Column } && !t.Used && t.Column!.Kind == ColumnKind.Boolean)
        {
            // "the most cancellations": count the rows with the flag (the flag itself is read as a filter).
            _superlative = new Superlative(new MeasureSpec(AggKind.Count, null), null, desc, null);
            return;
        }

        if (t is { Kind: ItemKind.Column } && !t.Used && (t.Column!.IsIdentifier || t.Column.IsText))
        {
            t.Used = true;
            _superlative = new Superlative(new MeasureSpec(AggKind.CountDistinct, t.Column), null, desc, null);
            return;
        }

        if (t is { Kind: ItemKind.RowNoun } && _byMeasure is { Column: { } byColumn } && byColumn.IsNumeric && _r.Groups.Count == 0)
        {
            // "the biggest order by quantity": the row with the most.
            t.Used = true;
            _byMeasure = null;
            _superlative = new Superlative(null, byColumn, desc, null) { Implied = true };
            return;
        }

        if (t is not null && (t.Kind == ItemKind.RowNoun || t.Has(Kw.CountOf)))
        {
            t.Used = true;
            if (t.Has(Kw.CountOf) && Next(Pos(t)) is { Kind: ItemKind.RowNoun } rn)
            {
                rn.Used = true;
            }

            _superlative = new Superlative(new MeasureSpec(AggKind.Count, null), null, desc, null);
            return;
        }

        if (t is { Kind: ItemKind.Value } && Next(Pos(t)) is { Kind: ItemKind.RowNoun } noun)
        {
            noun.Used = true;
            _superlative = new Superlative(new MeasureSpec(AggKind.Count, null), null, desc, null);
            return;
        }

        if ((t is null || t.Kind == ItemKind.Symbol) && Prev(i) is { } p0 && (p0.IsWord("is", "was", "are", "were") || p0.Kind == ItemKind.Column))
        {
            // "whose number of products is the largest".
            for (var j = i - 1; j >= 0 && j >= i - 4; j--)
            {
                if (_items[j] is { Kind: ItemKind.Column, Used: false } c && c.Column!.IsNumeric)
                {
                    c.Used = true;
                    _superlative = new Superlative(null, c.Column, desc, null);
                    return;
                }
            }
        }

        if ((t is null || t.Kind is ItemKind.Symbol || t.Kind == ItemKind.Value || t.IsFiller) && VerbMeasure(k.Start) is { } verbColumn)
        {
            // "which product sells the most": selling is counted in units.
            _superlative = new Superlative(null, verbColumn, desc, null);
            return;
        }

        if (t is null || t.Kind is ItemKind.Symbol || t.Has(Kw.Which) || t.IsFiller || t.Kind == ItemKind.Number || t.Kind == ItemKind.Value || t.Has(Kw.Times))
        {
            _superlative = new Superlative(new MeasureSpec(AggKind.Count, null), null, desc, null) { Bare = t is null || t.Kind == ItemKind.Symbol };
            return;
        }

        k.Used = false;
    }

    private static readonly Dictionary<string, string[]> VerbMeasures = new(StringComparer.Ordinal)
    {
        ["sell"] = ["quantity", "units", "sales", "revenue"],
        ["buy"] = ["quantity", "units", "sales", "revenue"],
        ["purchas"] = ["quantity", "units", "sales", "revenue"],
        ["earn"] = ["earnings", "salary", "income", "revenue", "profit"],
        ["make"] = ["revenue", "profit", "earnings", "sales"],
        ["spend"] = ["spend", "amount", "revenue", "price"],
        ["cost"] = ["price", "cost"],
        ["weigh"] = ["weight", "carat"],
        ["score"] = ["score", "points"],
        ["pay"] = ["salary", "wage", "pay", "amount"],
    };

    /// <summary>The measure a verb right before "the most" means: "sells the most" counts units sold.</summary>
    private ColumnInfo? VerbMeasure(int keywordToken)
    {
        var t = keywordToken - 1;
        while (t >= 0 && _tokens[t].Lower is "the" or "a")
        {
            t--;
        }

        if (t < 0)
        {
            return null;
        }

        var stem = WordForms.Stem(_tokens[t].Lower);
        var verb = VerbMeasures.Keys.FirstOrDefault(v => stem == WordForms.Stem(v) || stem == v);
        return verb is null ? null : ImpliedColumn(VerbMeasures[verb], t);
    }

    private void ReadOrderBy(int i)
    {
        var k = _items[i];
        k.Used = true;
        bool? desc = k.Has(Kw.Desc) ? true : k.Has(Kw.Asc) ? false : null;
        var alphabetical = k.Text.Contains("alpha", StringComparison.OrdinalIgnoreCase);
        MeasureSpec? measure = null;
        ColumnInfo? column = null;

        // Direction before: "in descending order of age".
        for (var j = i - 1; j >= 0 && j >= i - 3; j--)
        {
            if (!_items[j].Used && (_items[j].Has(Kw.Asc) || _items[j].Has(Kw.Desc)))
            {
                desc = _items[j].Has(Kw.Desc);
                alphabetical = _items[j].Text.Contains("alpha", StringComparison.OrdinalIgnoreCase);
                _items[j].Used = true;
                break;
            }
        }

        // "Sort the shops by number of products": skip to the key after "by".
        var start = i + 1;
        if (k.End - k.Start == 1)
        {
            for (var j = i + 1; j < _items.Count && j <= i + 6; j++)
            {
                if (_items[j].Has(Kw.GroupBy) && _items[j].Text.Equals("by", StringComparison.OrdinalIgnoreCase) && !_items[j].Used)
                {
                    _items[j].Used = true;
                    start = j + 1;
                    break;
                }
            }
        }

        for (var j = start; j < _items.Count && j <= start + 5; j++)
        {
            var it = _items[j];
            if (it.Used && it.Kind != ItemKind.Column)
            {
                if (_r.Measures.FirstOrDefault(m => m.At == it.Start) is { } used)
                {
                    measure = used;
                    break;
                }

                continue;
            }

            if (it.Has(Kw.Asc) || it.Has(Kw.Desc))
            {
                desc = it.Has(Kw.Desc);
                alphabetical |= it.Text.Contains("alpha", StringComparison.OrdinalIgnoreCase);
                it.Used = true;
                continue;
            }

            if (Skippable(it) || it.IsWord("by", "the", "their", "its", "of", "in", "on", "from", "them", "it", "results", "descending", "ascending") || it.Has(Kw.GroupBy))
            {
                if (it.Has(Kw.GroupBy))
                {
                    it.Used = true;
                }

                continue;
            }

            if (_r.Measures.FirstOrDefault(m => m.At == it.Start) is { } m)
            {
                measure = m;
                break;
            }

            if (it.Kind == ItemKind.Column)
            {
                column = it.Column;
                it.Used = true;
                if (it.Partial)
                {
                    _partialOrderColumns.Add(it.Column!);
                }

                break;
            }

            if (it.Kind == ItemKind.RowNoun && Next(j) is { Kind: ItemKind.Column })
            {
                continue;
            }

            if (it.Kind == ItemKind.RowNoun || it.Has(Kw.CountOf))
            {
                it.Used = true;
                measure = new MeasureSpec(AggKind.Count, null);
                break;
            }

            if (AggOf(it) is { } agg && Next(j) is { Kind: ItemKind.Column } c)
            {
                it.Used = c.Used = true;
                measure = new MeasureSpec(agg, c.Column);
                break;
            }

            break;
        }

        // Direction after the target: "by price descending", "from highest to lowest".
        for (var j = i + 1; j < _items.Count && j <= i + 8 && desc is null; j++)
        {
            if (!_items[j].Used && (_items[j].Has(Kw.Asc) || _items[j].Has(Kw.Desc)))
            {
                desc = _items[j].Has(Kw.Desc);
                if (_items[j].Infos.Any(x => x.InvertForDates) && column is not null && (column.IsTemporal || column.IsYear))
                {
                    desc = !desc;
                }

                alphabetical |= _items[j].Text.Contains("alpha", StringComparison.OrdinalIgnoreCase);
                _items[j].Used = true;
            }
        }

        _orderRequests.Add((measure, column, desc, alphabetical));
    }

    // ------------------------------------------------------------------ flags

    private void BooleanPass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            if (it.Used || it.Kind != ItemKind.Column)
            {
                continue;
            }

            var c = it.Column!;
            var yn = c.Kind == ColumnKind.Integer && (c.Name.EndsWith("_yn", StringComparison.OrdinalIgnoreCase) || (c.MinNumber == 0 && c.MaxNumber == 1 && c.Stems.Count <= 2));
            if (c.Kind != ColumnKind.Boolean && !yn)
            {
                continue;
            }

            // Listing or grouping by the flag itself is not a filter.
            var prev = Prev(i);
            if (prev is not null && (prev.Has(Kw.GroupBy) || prev.Has(Kw.OrderBy)))
            {
                continue;
            }

            var never = _items.Take(i).Reverse().Take(3).Any(x => x.Has(Kw.Not) && x.Text.Equals("never", StringComparison.OrdinalIgnoreCase));
            if (never && !yn && _target is { Kind: ItemKind.Column } groupTarget && Groupable(groupTarget.Column!) && !IsRowLevel(groupTarget.Column!))
            {
                // "which products have never been returned": groups with no flagged row at all.
                it.Used = true;
                foreach (var n in _items.Take(i).Where(x => x.Has(Kw.Not)))
                {
                    n.Used = true;
                }

                groupTarget.Used = true;
                AddGroup(groupTarget.Column!, groupTarget.Start);
                _r.Having.Add(PlanCondition.Of(Exprs.Cmp("=", Exprs.CountStar() with { Filter = Exprs.Col(c.Name) }, new NumericLiteral(0))));
                _havingOnly = true;
                continue;
            }

            var negated = IsNegated(i) || _tokens[it.Start].Lower.StartsWith("un", StringComparison.Ordinal) && !c.Name.StartsWith("un", StringComparison.OrdinalIgnoreCase);
            it.Used = true;
            var next = Next(i);
            if (next is not null && (next.Has(Kw.True) || next.Has(Kw.False)))
            {
                negated ^= next.Has(Kw.False);
                next.Used = true;
            }

            Expr col = Exprs.Col(c.Name);
            Expr cond = yn
                ? Exprs.Cmp("=", col, new NumericLiteral(negated ? 0 : 1))
                : negated ? new UnaryExpr(UnaryOperator.Not, col) : col;
            AddCondition(it.Start, cond);
        }
    }

    // ------------------------------------------------------------------ assembly

    private void Finish()
    {
        var r = _r;

        // Columns nobody consumed: additive numbers are measures when the question is about totals.
        var leftovers = _items.Where(i => i.Kind == ItemKind.Column && !i.Used).ToList();
        var grouped = r.Groups.Count > 0 || _pendingBuckets.Count > 0;
        var numericLeftovers = leftovers.Count(i => i.Column!.IsNumeric && !i.Column.IsIdentifier && !i.Column.IsYear && !i.Column.IsMonth);

        // "list the earnings of poker players in descending order": an ordering with nothing grouped sorts rows; it does not total them.
        var rowsOrdered = !grouped && _items.Any(i => i.Has(Kw.OrderBy) || i.Has(Kw.Asc) || i.Has(Kw.Desc)) && !_items.Any(i => i.Has(Kw.GroupBy) || i.Has(Kw.Each));
        foreach (var it in leftovers)
        {
            if (rowsOrdered)
            {
                break;
            }

            if (numericLeftovers > 1 && !grouped && _byMeasure is null)
            {
                // "the population and life expectancy of Brazil": a list of columns to show.
                break;
            }

            var c = it.Column!;
            if (!c.IsNumeric || c.IsIdentifier || c.IsYear || c.IsMonth || (Groupable(c) && c.Kind == ColumnKind.Integer && c.Profile.DistinctCount is not null))
            {
                continue;
            }

            var additive = c.Stems.Any(AdditiveWords.Contains);
            var rowTarget = _target is { Kind: ItemKind.RowNoun } || (_target is { Kind: ItemKind.Column } t && t != it && !(t.Column!.IsText && grouped)) || _superlative is { Implied: true };
            if ((additive && (grouped || !rowTarget) && _superlative?.Column != c) || (grouped && !rowTarget))
            {
                it.Used = true;
                r.Measures.Add(new MeasureSpec(additive ? AggKind.Sum : AggKind.Avg, c) { At = it.Start });
            }
        }

        // "which X" with a measure, a superlative over groups or a HAVING: group by X.
        var wantsGroups = r.Measures.Count > 0 || r.Having.Count > 0 || _byMeasure is not null || _superlative is { Measure: not null } ||
            (_superlative is { Implied: false, Column: not null } && _superlative.Column.IsNumeric);
        var rowNounBetween = _target is not null && _superlativeAt >= 0 && _items.Any(i => i.Kind == ItemKind.RowNoun && i.Start > _target.Start && i.Start < _superlativeAt);
        if (_target is { Kind: ItemKind.Column } tc && !tc.Used && wantsGroups && Groupable(tc.Column!) && !IsRowLevel(tc.Column!) && !(rowNounBetween && _superlative?.Measure is null))
        {
            tc.Used = true;
            AddGroup(tc.Column!, tc.Start);
        }

        // "revenue for Laptops and Tablets by year": with a breakdown, values joined by "and" are compared, one row each.
        if (r.Groups.Count + _pendingBuckets.Count > 0 && r.Measures.Count > 0)
        {
            foreach (var (at, column) in _andValueColumns)
            {
                AddGroup(column, at);
            }
        }

        // Time buckets.
        foreach (var (at, column, unit) in _pendingBuckets)
        {
            r.Groups.Add(new GroupSpec(column, unit) { At = at });
        }

        // Projection: what is left.
        foreach (var it in _items.Where(i => i.Kind == ItemKind.Column && !i.Used))
        {
            var c = it.Column!;
            if (it.Partial && _items.Any(o => o != it && o.Kind == ItemKind.Column && o.Column == c))
            {
                continue;
            }

            it.Used = true;
            if (r.Measures.Count > 0 && it.Reduced && c.IsIdentifier && it != _target && !_items.Any(x => (x.Has(Kw.GroupBy) || x.Has(Kw.Each)) && x.End <= it.Start))
            {
                // "how many professionals treated dogs": "dogs" names rows, not a grouping by dog_id.
                continue;
            }

            if (r.Measures.Count > 0 && c.IsText && it != _target && it.Start > 0 && _tokens[it.Start - 1].Lower is "of" or "all" or "the" &&
                Prev(Pos(it)) is { Kind: ItemKind.Column, Used: true } owner && owner.Column!.IsNumeric && !_items.Any(x => x.Has(Kw.GroupBy) || x.Has(Kw.Each)))
            {
                // "the mean unit price of products in Home & Kitchen": the products are whose price, not a grouping.
                continue;
            }

            if (it.Start > 0 && _tokens[it.Start - 1].Lower == "full" && c.Stems.Contains(WordForms.Key("name")))
            {
                // "full name": first and last name where the table splits them.
                string[] Keys(params string[] words) => words.Select(WordForms.Key).ToArray();
                var first = _index.Columns.FirstOrDefault(x => x.Stems.SequenceEqual(Keys("first", "name")) || x.Stems.SequenceEqual(Keys("given", "name")));
                var last = _index.Columns.FirstOrDefault(x => x.Stems.SequenceEqual(Keys("last", "name")) || x.Stems.SequenceEqual(Keys("family", "name")) || x.Stems.SequenceEqual(Keys("surname")));
                if (first is not null && last is not null)
                {
                    foreach (var w in _items.Where(x => x.Kind == ItemKind.Word && x.Start == it.Start - 1))
                    {
                        w.Used = true;
                    }

                    r.Projection.Remove(c);
                    if (!r.Projection.Contains(first))
                    {
                        r.Projection.Add(first);
                    }

                    if (!r.Projection.Contains(last))
                    {
                        r.Projection.Add(last);
                    }

                    continue;
                }
            }

            if (r.Measures.Count > 0 || r.Groups.Count > 0 || r.Having.Count > 0 || _byMeasure is not null || (_superlative?.Measure is not null && _superlative.Column is null))
            {
                if (Groupable(c) || c.IsText)
                {
                    AddGroup(c, it.Start);
                }
                else if (c.IsNumeric && !c.IsIdentifier && r.Groups.Count == 0 && _pendingBuckets.Count == 0 && _byMeasure is null && r.Measures.Count > 0)
                {
                    // A number column beside a measure with no word saying what to do with it: do not guess.
                    r.Blocking.Add(it.Text);
                }
                else if (c.IsNumeric && !c.IsIdentifier)
                {
                    r.Measures.Add(new MeasureSpec(DefaultAgg(c), c) { At = it.Start });
                }
                else
                {
                    AddGroup(c, it.Start);
                }
            }
            else if (!r.Projection.Contains(c))
            {
                r.Projection.Add(c);
            }
        }

        if (_superlative is { Bare: true } bare && r.FollowUpCue && r.Measures.Count == 0 && r.Projection.Count == 0 && r.Groups.Count == 0)
        {
            r.FlipTo = bare.Descending;
            _superlative = null;
        }

        // Superlative: grouped (order by an aggregate) or row-level (order by a column).
        if (_superlative is { } s)
        {
            if (s.CountGroup is not null)
            {
                AddGroup(s.CountGroup, -1);
                r.Projection.Remove(s.CountGroup);
            }

            var groupedNow = r.Groups.Count > 0;
            if (!groupedNow && r.Projection.Count == 1 && s.Measure is { Agg: AggKind.Count or AggKind.CountDistinct } && Groupable(r.Projection[0]) && !IsRowLevel(r.Projection[0]))
            {
                AddGroup(r.Projection[0], -1);
                r.Projection.Clear();
                groupedNow = true;
            }

            if (groupedNow)
            {
                var m = s.Measure ?? (s.Column is not null ? r.Measures.FirstOrDefault(x => x.Column == s.Column) ?? new MeasureSpec(DefaultAgg(s.Column), s.Column) : new MeasureSpec(AggKind.Count, null));
                if (!r.Measures.Contains(m))
                {
                    r.Measures.Add(m);
                }

                r.Order.Add(new OrderSpec(m, null, s.Descending));
                ExcludeNullKeys();
            }
            else if (s.Column is null && r.Measures.Count == 0 && r.Projection.Count == 0 && TakeHowMuchAmount(null) is { } money)
            {
                // "how much was the biggest order": the row with the largest amount, and that amount.
                r.Projection.Add(money);
                r.Order.Add(new OrderSpec(null, money, s.Descending));
            }
            else if (s.Measure is not null && s.Column is null)
            {
                // "the most" with nothing to group: a plain count.
                if (!r.Measures.Contains(s.Measure))
                {
                    r.Measures.Add(s.Measure);
                }
            }
            else if (s.Column is not null)
            {
                r.Order.Add(new OrderSpec(null, s.Column, s.Descending));
                if (r.Measures.Count == 0 && r.Projection.Count == 0 && TakeHowMuchAmount(s.Column) is { } amount)
                {
                    // "how much is the cheapest princess diamond", "how much is the heaviest diamond": what it costs.
                    r.Projection.Add(amount);
                }
            }

            r.Limit = _topCount ?? 1;
        }

        // Top/bottom N.
        if (_topCount is not null && _superlative is null)
        {
            var m = _byMeasure;
            if (m is not null && r.Groups.Count == 0 && r.Projection.Count > 0 && r.Projection.All(c => Groupable(c) && !IsRowLevel(c)))
            {
                foreach (var c in r.Projection)
                {
                    AddGroup(c, -1);
                }

                r.Projection.Clear();
            }

            if (m is not null && r.Groups.Count > 0)
            {
                if (!r.Measures.Contains(m))
                {
                    r.Measures.Add(m);
                }

                r.Order.Add(new OrderSpec(m, null, _topDescending ?? true));
            }
            else if (m is { Column: not null })
            {
                // "top 3 routes by number of flights" with nothing to group: a count orders nothing, so no ordering.
                r.Order.Add(new OrderSpec(null, m.Column, _topDescending ?? true));
            }
            else if (r.Measures.Count > 0 && r.Groups.Count > 0)
            {
                r.Order.Add(new OrderSpec(r.Measures[0], null, _topDescending ?? true));
            }

            r.Limit = _topCount;
            if (r.Groups.Count > 0)
            {
                ExcludeNullKeys();
            }
        }
        else if (_byMeasure is not null && r.Groups.Count == 0 && r.Order.Count == 0)
        {
            // "products by revenue" with no ranking word: group by what is listed, measure it.
            foreach (var c in r.Projection.Where(c => Groupable(c)).ToList())
            {
                AddGroup(c, -1);
                r.Projection.Remove(c);
            }

            if (!r.Measures.Contains(_byMeasure))
            {
                r.Measures.Add(_byMeasure);
            }
        }
        else if (_byMeasure is not null && !r.Measures.Contains(_byMeasure) && r.Groups.Count > 0)
        {
            r.Measures.Add(_byMeasure);
        }

        // Explicit orderings.
        foreach (var (measure, requested, desc, alphabetical) in _orderRequests)
        {
            var column = requested;
            if (measure is not null)
            {
                var m = r.Measures.FirstOrDefault(x => x.Agg == measure.Agg && x.Column == measure.Column) ?? measure;
                if (r.Groups.Count > 0 && !r.Measures.Contains(m))
                {
                    r.Measures.Add(m);
                }

                if (r.Groups.Count == 0 && m.Column is not null && r.Measures.Count == 0)
                {
                    r.Order.Add(new OrderSpec(null, m.Column, desc ?? false));
                }
                else
                {
                    r.Order.Add(new OrderSpec(m, null, desc ?? false));
                }
            }
            else if (column is not null)
            {
                // "ordered by id" after "document ids": the shown column whose name shares the word.
                var c0 = column;
                if (_partialOrderColumns.Contains(c0) && r.Groups.All(g => g.Column != c0) && !r.Projection.Contains(c0))
                {
                    var shown = r.Groups.Select(g => g.Column).Concat(r.Projection).FirstOrDefault(c => c.Stems.Intersect(c0.Stems).Any());
                    column = shown ?? column;
                }

                var key = r.Groups.FirstOrDefault(g => g.Column == column && g.Bucket is null);
                var m = r.Measures.FirstOrDefault(x => x.Column == column);
                if (r.Groups.Count > 0 && key is null)
                {
                    m ??= new MeasureSpec(DefaultAgg(column), column);
                    if (!r.Measures.Contains(m))
                    {
                        r.Measures.Add(m);
                    }

                    r.Order.Add(new OrderSpec(m, null, desc ?? false));
                }
                else
                {
                    r.Order.Add(new OrderSpec(null, column, desc ?? false));
                }
            }
            else if (alphabetical)
            {
                var text = r.Groups.FirstOrDefault(g => g.Column.IsText)?.Column ?? r.Projection.FirstOrDefault(c => c.IsText) ?? r.Projection.FirstOrDefault();
                if (text is not null)
                {
                    r.Order.Add(new OrderSpec(null, text, desc ?? false));
                }
            }
            else if (r.Order.Count > 0 && desc is not null)
            {
                // "highest first" after a superlative or top N: the direction of the ordering already there.
                r.Order[0] = r.Order[0] with { Descending = desc.Value };
            }
            else if (r.Measures.Count > 0 && (r.Groups.Count > 0 || r.Measures.Count > 1))
            {
                var m = r.Measures[0];

                // "worst first": for delays the highest, for ratings the lowest.
                var direction = _orderJudgement is not null && m.Column is not null ? HighIsWanted(_orderJudgement, m.Column) : desc ?? false;
                r.Order.Add(new OrderSpec(m, null, direction));
            }
            else if (r.Projection.FirstOrDefault(c => c.IsNumeric) is { } num)
            {
                r.Order.Add(new OrderSpec(null, num, desc ?? false));
            }
            else if (r.Projection.Count > 0 && !r.FollowUpCue)
            {
                r.Order.Add(new OrderSpec(null, r.Projection[0], desc ?? false));
            }
            else if (desc is not null)
            {
                r.FlipTo = desc;
            }
        }

        // Groups with nothing to compute: count the rows in each.
        if (r.Groups.Count > 0 && r.Measures.Count == 0 && r.Projection.Count == 0 && r.Having.Count == 0 && !_havingOnly)
        {
            r.Measures.Add(new MeasureSpec(AggKind.Count, null));
            r.DefaultCount = true;
        }

        // HAVING needs groups: the question's subject.
        if (r.Having.Count > 0 && r.Groups.Count == 0 && r.Projection.Count > 0)
        {
            foreach (var c in r.Projection)
            {
                AddGroup(c, -1);
            }

            r.Projection.Clear();
        }

        // "how many customers placed more than 15 orders": the count is of the groups that pass the HAVING, not of rows.
        if (r.Having.Count > 0 && r.Groups.Count == 0 && r.Measures.Count == 1 && r.Measures[0] is { Agg: AggKind.CountDistinct, Column: { } counted } &&
            (counted.IsText || counted.IsIdentifier) && !_havingOnly)
        {
            CountGroupsOf(counted);
        }

        // "how many distinct routes does JetBlue fly": a route is the pair, so its count is the number of (origin, dest)
        // groups: SELECT count(*) FROM (SELECT origin, dest ... GROUP BY origin, dest) t.
        if (_route is { } route && r.Groups.Count == 0 && r.Having.Count == 0 && r.Measures.Count == 1 && r.Measures[0] is { Agg: AggKind.CountDistinct } routes && routes.Column == route.From)
        {
            CountGroupsOf(route.From);
        }

        if (r.Having.Count > 0 && r.Measures.Count == 0 && !_havingOnly && !r.CountGroups)
        {
            foreach (var h in r.Having)
            {
                var agg = FindAggregate(h.Expr);
                if (agg is not null)
                {
                    r.Measures.Add(agg);
                }
            }
        }

        // Conditions: WHERE, or the share's filter for percentages.
        var percent = r.Measures.FirstOrDefault(m => m.Agg == AggKind.Percent);
        if (percent is not null)
        {
            var verbAt = FirstVerbAfter(_percentObjectEnd, rowShare: percent.Of is null);
            bool IsTime(PlanCondition c) => c.Columns.Any(n => _index.Find(n) is { } col && (col.IsTemporal || col.IsYear || col.IsMonth));
            var after = _conditions.Where(c => c.At >= verbAt).ToList();

            // "the share of flights cancelled in 2022": the period scopes the share, the rest is what is shared.
            // "share of revenue by category in 2023": with groups and only a period, the period scopes each group's share.
            var scope = after.Any(c => !IsTime(c.Condition)) || (r.Groups.Count > 0 && after.Count > 0 && !r.Groups.Any(g => g.Bucket is not null || g.Column.IsTemporal || g.Column.IsYear || g.Column.IsMonth))
                ? after.Where(c => IsTime(c.Condition)).ToList() : [];
            var filter = after.Except(scope).Select(c => c.Condition.Expr).ToList();
            foreach (var c in _conditions.Where(c => c.At < verbAt).Concat(scope))
            {
                r.Where.Add(c.Condition);
            }

            if (filter.Count > 0)
            {
                r.Measures[r.Measures.IndexOf(percent)] = percent with { Filter = Exprs.And(filter) };
            }
            else if (r.Groups.Count > 0)
            {
                // "share of revenue by channel", "what percentage of orders come from each region": each group's part of
                // the total over the (filtered) table, listed by group like any other grouped answer unless an order was
                // asked (the one outside gold that orders a share per group, batch 10's x12, orders by the group).
                var share = percent with { Share = true };
                r.Measures[r.Measures.IndexOf(percent)] = share;
                for (var o = 0; o < r.Order.Count; o++)
                {
                    if (r.Order[o].Measure == percent)
                    {
                        r.Order[o] = r.Order[o] with { Measure = share };
                    }
                }
            }
            else
            {
                r.Measures.Remove(percent);
                r.Blocking.Add("a percentage without saying of what (for example \"percentage of orders that were returned\")");
            }
        }
        else
        {
            r.Where.AddRange(JoinAlternatives(_conditions.OrderBy(c => c.At).ToList()));
        }

        // "which airline has abbreviation UAL", "what are the cities whose population ...": the rows asked for are named by
        // the column that names them (airline, city_name, name), when the table has one.
        if (!r.HasTarget && r.Groups.Count == 0 && _target is { Kind: ItemKind.RowNoun, Used: false } asked && !_items.Any(i => i.Has(Kw.Star)) &&
            NamingColumn(asked) is { } naming)
        {
            asked.Used = true;
            r.Projection.Add(naming);
        }

        // Rows themselves.
        if (!r.HasTarget && r.Groups.Count == 0)
        {
            if (_items.Any(i => i.Has(Kw.Star)) || _target is { Kind: ItemKind.RowNoun } || r.Where.Count > 0 || r.Order.Count > 0 || _items.Any(i => i.Kind == ItemKind.RowNoun))
            {
                r.Star = true;
                r.StarAsked = _items.Any(i => i.Has(Kw.Star) || i.Kind == ItemKind.RowNoun);
                foreach (var star in _items.Where(i => i.Has(Kw.Star)))
                {
                    star.Used = true;
                }
            }
        }

        if (r.Measures.Count == 0 && r.Groups.Count == 0 && r.Projection.Count > 0)
        {
            var distinctAsked = _items.Any(i => i.Has(Kw.Distinct));
            var repetitive = r.Projection.All(c => c.IsCategorical && c.Profile.DistinctCount is { } d && _index.Schema.RowCount is { } rows && d * 20 <= rows) ||
                (_targetViaWhich && r.Limit is null && r.Projection.All(c => !IsRowLevel(c) && c.Profile.DistinctCount is { } d && _index.Schema.RowCount is { } rows && d * 2 <= rows));
            if (distinctAsked || repetitive)
            {
                r.Distinct = true;
                if (r.Projection.Count == 1 && (r.Projection[0].Profile.NullCount ?? 0) > 0)
                {
                    // "which stores are in Illinois": a list of stores, not a blank for the online orders.
                    _conditions.Add((int.MaxValue, PlanCondition.Of(new IsExpr(Exprs.Col(r.Projection[0].Name), IsTest.Null, Negated: true))));
                    r.Where.Add(_conditions[^1].Condition);
                }

                foreach (var d in _items.Where(i => i.Has(Kw.Distinct)))
                {
                    d.Used = true;
                }
            }
        }

        if (r.Limit is null && _topCount is not null)
        {
            r.Limit = _topCount;
        }

        FindContradictions();
        Account();
    }

    /// <summary>A word joined by "and" or a comma to a column the answer shows ("name and leader", "titles and their directors").</summary>
    private bool ListedWithColumn(Item word)
    {
        static bool Determiner(string w) => w is "the" or "their" or "its" or "his" or "her" or "a" or "an";
        if (_items.FirstOrDefault(x => x.Start == word.End) is { Kind: ItemKind.Column })
        {
            // "expected life length": a word before a column's name says which one; it is not another thing to show.
            return false;
        }

        var t = word.Start - 1;
        while (t >= 0 && Determiner(_tokens[t].Lower))
        {
            t--;
        }

        if (t >= 1 && _tokens[t].Lower is "and" or ",")
        {
            while (t >= 1 && _tokens[t].Lower is "and" or ",")
            {
                t--;
            }

            if (_items.FirstOrDefault(x => x.Start <= t && x.End > t) is { Kind: ItemKind.Column, Modifier: false } before && _r.Projection.Contains(before.Column!))
            {
                return true;
            }
        }

        t = word.End;
        if (t + 1 < _tokens.Count && _tokens[t].Lower is "and" or ",")
        {
            while (t + 1 < _tokens.Count && (_tokens[t].Lower is "and" or "," || Determiner(_tokens[t].Lower)))
            {
                t++;
            }

            return _items.FirstOrDefault(x => x.Start == t) is { Kind: ItemKind.Column, Modifier: false } after && _r.Projection.Contains(after.Column!);
        }

        return false;
    }

    /// <summary>The text column that names the rows a row noun stands for: the noun itself ("airline"), "noun name", or "name".</summary>
    private ColumnInfo? NamingColumn(Item rowNoun)
    {
        var noun = _tokens.Skip(rowNoun.Start).Take(rowNoun.End - rowNoun.Start).Select(t => WordForms.Canon(t.Stem)).ToList();
        var name = WordForms.Key("name");
        var text = _index.Columns.Where(c => c.IsText).ToList();
        return text.FirstOrDefault(c => c.Stems.SequenceEqual(noun)) ??
            text.FirstOrDefault(c => c.Stems.SequenceEqual(noun.Append(name))) ??
            text.FirstOrDefault(c => c.Stems.Count == 1 && c.Stems[0] == name);
    }

    /// <summary>"a singer above 40 and a singer below 30": two conditions no single row can meet are about different rows, which a single filter cannot say.</summary>
    private void FindContradictions()
    {
        var bounds = new Dictionary<string, (decimal? Low, decimal? High, List<decimal> Equal)>(StringComparer.Ordinal);
        foreach (var c in _r.Where.SelectMany(PlanBuilder.Split))
        {
            if (c.Expr is BinaryExpr { Left: ColumnRef col } b && NumberOf(b.Right) is { } v)
            {
                var name = col.Name.Last.Name;
                var cur = bounds.TryGetValue(name, out var x) ? x : (null, null, []);
                switch (b.Operator)
                {
                    case BinaryOperator.Greater or BinaryOperator.GreaterOrEqual:
                        cur.Low = cur.Low is null ? v : Math.Max(cur.Low.Value, v);
                        break;
                    case BinaryOperator.Less or BinaryOperator.LessOrEqual:
                        cur.High = cur.High is null ? v : Math.Min(cur.High.Value, v);
                        break;
                    case BinaryOperator.Equal:
                        cur.Equal.Add(v);
                        break;
                }

                bounds[name] = cur;
            }
        }

        foreach (var (name, (low, high, equal)) in bounds)
        {
            if ((low is not null && high is not null && low >= high) || equal.Distinct().Count() > 1 ||
                (equal.Count > 0 && ((low is not null && equal.Any(e => e < low)) || (high is not null && equal.Any(e => e > high)))))
            {
                _r.Blocking.Add($"conditions on {name} that no single row can meet");
            }
        }
    }

    private static decimal? NumberOf(Expr e) => e switch
    {
        NumericLiteral n when decimal.TryParse(n.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        UnaryExpr { Operator: UnaryOperator.Negate, Operand: NumericLiteral n } when decimal.TryParse(n.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => -d,
        _ => null,
    };

    /// <summary>"with 8 cylinders or produced before 1980": conditions with an unused "or" between them are alternatives.</summary>
    private List<PlanCondition> JoinAlternatives(List<(int At, PlanCondition Condition)> conditions)
    {
        var result = new List<PlanCondition>();
        for (var i = 0; i < conditions.Count; i++)
        {
            var current = conditions[i].Condition;
            while (i + 1 < conditions.Count && conditions[i + 1].At != int.MaxValue &&
                   _items.FirstOrDefault(x => x.Has(Kw.Or) && !x.Used && x.Start > conditions[i].At && x.Start < conditions[i + 1].At) is { } or)
            {
                or.Used = true;
                current = PlanCondition.Of(Exprs.Or([current.Expr, conditions[i + 1].Condition.Expr]));
                i++;
            }

            result.Add(current);
        }

        return result;
    }

    /// <summary>The answer becomes the number of <paramref name="column"/>'s groups (those past the HAVING, if any).</summary>
    private void CountGroupsOf(ColumnInfo column)
    {
        _r.Measures.Clear();
        AddGroup(column, -1);
        _r.CountGroups = true;
    }

    private int FirstVerbAfter(int tokenIndex, bool rowShare = false)
    {
        for (var t = Math.Max(0, tokenIndex); t < _tokens.Count; t++)
        {
            if (_tokens[t].Lower is "were" or "was" or "are" or "is" or "had" or "have" or "has" or "got" or "get" or "that" or "which" or "who" or "did" or "do" or "does" or "being")
            {
                return t;
            }
        }

        // "what percent of online orders use same day shipping": with no auxiliary, the object ends at its row noun.
        for (var t = Math.Max(0, tokenIndex); rowShare && t < _tokens.Count && t < tokenIndex + 4; t++)
        {
            if (_index.RowNounWords.Contains(_tokens[t].Lower) || _index.RowNounWords.Contains(_tokens[t].Stem))
            {
                return t + 1;
            }
        }

        return tokenIndex;
    }

    private MeasureSpec? FindAggregate(Expr e)
    {
        MeasureSpec? found = null;
        Exprs.Walk(e, x =>
        {
            if (found is null && x is FunctionCall f)
            {
                var name = f.Name.Last.Normalized;
                var col = f.Args.Count == 1 && f.Args[0] is ColumnRef cr ? _index.Find(cr.Name.Last.Name) : null;
                found = name switch
                {
                    "count" when f.Star => new MeasureSpec(AggKind.Count, null),
                    "count" when f.Distinct && col is not null => new MeasureSpec(AggKind.CountDistinct, col),
                    "sum" when col is not null => new MeasureSpec(AggKind.Sum, col),
                    "avg" when col is not null => new MeasureSpec(AggKind.Avg, col),
                    "min" when col is not null => new MeasureSpec(AggKind.Min, col),
                    "max" when col is not null => new MeasureSpec(AggKind.Max, col),
                    _ => null,
                };
            }
        });
        return found;
    }

    /// <summary>A column whose values name single rows (names, ids): superlatives over it pick a row instead of a group.</summary>
    private bool IsRowLevel(ColumnInfo c)
    {
        if (c.IsIdentifier)
        {
            return true;
        }

        if (c.Profile.DistinctCount is { } d && _index.Schema.RowCount is { } rows && rows > 0)
        {
            return d >= rows * 0.9;
        }

        if (!c.IsCategorical && c.IsText)
        {
            return true;
        }

        return c.Stems.Contains(WordForms.Key("name")) || c.Stems.Contains(WordForms.Key("title"));
    }

    private void ExcludeNullKeys()
    {
        foreach (var g in _r.Groups.Where(g => g.Bucket is null && (g.Column.Profile.NullCount ?? 0) > 0))
        {
            AddCondition(int.MaxValue, new IsExpr(Exprs.Col(g.Column.Name), IsTest.Null, Negated: true));
        }
    }

    private static readonly string[] MoneyWords = ["amount", "revenue", "sales", "price", "cost", "value", "fee", "charge"];

    private static bool IsMoney(ColumnInfo c) => c.IsNumeric && MoneyWords.Any(w => c.Stems.Contains(WordForms.Canon(WordForms.Stem(w))));

    /// <summary>An unread "how much" before a superlative asks what the row costs: the money column, with "how much" marked read.</summary>
    private ColumnInfo? TakeHowMuchAmount(ColumnInfo? ranked)
    {
        if (_items.FirstOrDefault(x => x.Has(Kw.HowMuch) && !x.Used) is not { } howMuch)
        {
            return null;
        }

        // "the cheapest laptop" already ranks by a money column; "the biggest order" by none.
        var money = ranked is not null && IsMoney(ranked) ? ranked : ImpliedColumn(MoneyWords, Pos(howMuch));
        if (money is not { IsNumeric: true })
        {
            return null;
        }

        howMuch.Used = true;
        return money;
    }

    /// <summary>What could not be placed, and how sure the reading is.</summary>
    private void Account()
    {
        var r = _r;
        var content = 0;
        var first = true;
        foreach (var it in _items)
        {
            switch (it.Kind)
            {
                case ItemKind.Word:
                    var t = it.Token!;
                    var isContent = !it.IsFiller && !UnitWords.Contains(t.Lower) && t.Lower.Length > 1 && !it.Used;
                    if (isContent)
                    {
                        content++;
                        r.Unplaced.Add(t.Text);
                        var negativeAdjective = (t.Lower.StartsWith("un", StringComparison.Ordinal) || t.Lower.StartsWith("non", StringComparison.Ordinal)) && t.Lower.Length >= 7 &&
                            (t.Lower.EndsWith("ed", StringComparison.Ordinal) || t.Lower.EndsWith("able", StringComparison.Ordinal) || t.Lower.EndsWith("ful", StringComparison.Ordinal));
                        if ((t.Capitalized && !first && !t.AllCaps) || Vocabulary.Qualifiers.Contains(t.Lower) || negativeAdjective)
                        {
                            r.Blocking.Add(t.Text);
                        }
                        else if (t.AllCaps && t.Text.Length <= 5)
                        {
                            r.Blocking.Add(t.Text);
                        }
                        else if (Tagger.LooksLikeValue(t.Lower, _index))
                        {
                            // "califrnoia": within two edits of a value; answering without it would drop a filter.
                            r.Blocking.Add(t.Text);
                        }
                        else if (Prev(_items.IndexOf(it)) is { Used: false } negation && negation.Has(Kw.Not) && negation.Text.ToLowerInvariant() is "not" or "never" or "non")
                        {
                            // "diamonds that are not certified": dropping the word drops the negation with it, and the answer counts everything.
                            r.Blocking.Add(t.Text);
                        }
                        else if (ListedWithColumn(it))
                        {
                            // "titles and their directors": one of the things to show was not found; showing the rest hides that.
                            r.Blocking.Add(t.Text);
                        }
                    }

                    break;
                case ItemKind.Number when !it.Used:
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Quoted when !it.Used:
                    r.Blocking.Add("\"" + it.Text + "\"");
                    break;
                case ItemKind.Date when !it.Used:
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Value when !it.Used:
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Keyword when !it.Used && it.Infos.All(x => x.Kind is Kw.Comparative or Kw.Superlative):
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Keyword when !it.Used && it.Infos.All(x => x.Kind is Kw.Max or Kw.Min or Kw.PostCompare or Kw.Superlative) && it.Infos.Any(x => x.Kind is Kw.Max or Kw.Min) &&
                    !it.Infos.Any(x => x.Judgement != 0) && !(it.End < _tokens.Count && _tokens[it.End].Lower.EndsWith("ly", StringComparison.Ordinal)):
                    // "the model with the most versions", "the maximum death toll": the ranking or extreme was asked for and nothing it
                    // could rank was found; an answer without it answers another question.
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Keyword when !it.Used && it.Has(Kw.Than) && !_items.Any(x => x.Used && x.Infos.Any(y => y.Kind is Kw.Compare or Kw.Comparative)):
                    // "larger than any country in Europe": a comparison nothing could read.
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Keyword when !it.Used && it.Infos.All(x => x.Kind == Kw.Compare && x.Op is ">" or "<") && _tokens[it.End - 1].Lower == "than":
                    // "a population less than any country in Asia": the comparison was not read.
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Keyword when !it.Used && it.Has(Kw.HowMuch) && r.Measures.Count == 0 && !r.Projection.Any(c => c.IsNumeric):
                    // "how much ..." with nothing to measure found.
                    r.Blocking.Add(it.Text);
                    break;
                case ItemKind.Keyword when !it.Used && it.Infos.Any(x => x.Kind is Kw.Avg or Kw.Median) && !it.Infos.Any(x => x.Kind is Kw.Compare or Kw.Comparative):
                    // "average" with nothing to average: the measure the user meant was not found.
                    r.Blocking.Add(it.Text);
                    break;
            }

            if (it.Kind != ItemKind.Symbol)
            {
                first = false;
            }
        }

        // "which route ...", "list all cartoon titles" shown as whole rows: the thing asked for is a word nothing could place;
        // answering anyway would answer another question.
        for (var i = 0; i + 1 < _items.Count; i++)
        {
            if (((_items[i].Has(Kw.Which) && _items[i].Text.StartsWith("which", StringComparison.OrdinalIgnoreCase)) ||
                 (_items[i].Has(Kw.List) && r.Star && r.Projection.Count == 0 && r.Measures.Count == 0 && r.Groups.Count == 0)) &&
                (Next(i) is { Kind: ItemKind.RowNoun } rows && _items[i].Has(Kw.List) ? Next(Pos(rows)) : Next(i)) is { Kind: ItemKind.Word, Used: false } asked && !asked.IsFiller && !UnitWords.Contains(asked.Token!.Lower) && !r.Blocking.Contains(asked.Text))
            {
                r.Blocking.Add(asked.Text);
            }

            // "top 3 routes by ...": the same for what a top or bottom N ranks.
            if ((_items[i].Has(Kw.Top) || _items[i].Has(Kw.Bottom)) && Next(i) is { } n &&
                (n.Kind == ItemKind.Number ? Next(Pos(n)) : n) is { Kind: ItemKind.Word, Used: false } ranked &&
                !ranked.IsFiller && !UnitWords.Contains(ranked.Token!.Lower) && !r.Blocking.Contains(ranked.Text))
            {
                r.Blocking.Add(ranked.Text);
            }
        }

        var placed = _items.Where(i => (i.Used || i.Kind == ItemKind.RowNoun) && i.Kind != ItemKind.Word).Sum(i => i.Score);
        var partial = _items.Count(i => i.Kind == ItemKind.Column && i.Partial && i.Used);
        r.LinkScore = placed - (0.6 * content) - (2.0 * r.Blocking.Count) + (_items.Any(i => i.Kind == ItemKind.RowNoun) ? 0.5 : 0);
        r.Confidence = Math.Clamp(r.Confidence - (0.12 * content) - (0.05 * partial) - (r.Blocking.Count > 0 ? 0.5 : 0), 0.05, 1.0);
    }
}
