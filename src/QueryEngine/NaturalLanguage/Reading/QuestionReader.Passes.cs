using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Comparisons, missing values, text patterns, measures, grouping and ordering.</summary>
internal sealed partial class QuestionReader
{
    private static readonly HashSet<string> UnitWords = new(StringComparer.Ordinal)
    {
        "minutes", "minute", "mins", "min", "hours", "hour", "hrs", "hr", "dollars", "dollar", "usd", "bucks", "euros", "euro", "cents",
        "miles", "mile", "km", "kilometers", "kilometres", "carats", "carat", "ct", "years", "year", "yrs", "old", "days", "day", "points",
        "units", "unit", "items", "pieces", "percent", "pct", "kg", "lbs", "pounds", "grams", "seconds", "secs", "mm", "cm", "meters", "metres", "feet", "ft",
        "people", "persons", "times", "stars", "seats",
    };

    // ------------------------------------------------------------------ comparisons

    private void ComparePass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (k.Used || k.Kind != ItemKind.Keyword)
            {
                continue;
            }

            if (k.Has(Kw.Between))
            {
                TryBetween(i);
                continue;
            }

            var cmp = k.Infos.FirstOrDefault(x => x.Kind == Kw.Comparative) ?? k.Infos.FirstOrDefault(x => x.Kind == Kw.Compare);
            if (cmp is not null)
            {
                TryCompare(i, cmp);
                continue;
            }

            var post = k.Get(Kw.PostCompare);
            if (post is not null && i == 0 && _compared is not null && _r.FollowUpCue && NumberAfter(i) is not null)
            {
                // "and over 10000?" opening a follow-up: a comparison before its number, not "10000 and over".
                var last = _tokens[k.End - 1].Lower;
                TryCompare(i, new KwInfo(Kw.Compare, Op: last is "over" or "above" or "more" or "greater" or "higher" or "bigger" or "larger" ? ">" : post.Op));
                continue;
            }

            if (post is not null)
            {
                TryPostCompare(i, post);
            }
        }

        // "with 1 to 2 paragraphs": a range without "between".
        for (var i = 0; i + 2 < _items.Count; i++)
        {
            if (_items[i] is { Kind: ItemKind.Number, Used: false } && _items[i + 1].IsWord("to", "-") && _items[i + 2] is { Kind: ItemKind.Number, Used: false } &&
                !(i > 0 && _items[i - 1].Has(Kw.Between)))
            {
                TryBetween(i - 1 < 0 ? i : i - 1, i);
            }
        }

        EqualityByUnit();
    }

    private (Item Number, int Pos)? NumberAfter(int pos)
    {
        for (var j = pos + 1; j < _items.Count && j <= pos + 4; j++)
        {
            var it = _items[j];
            if (it.Kind == ItemKind.Number && !it.Used)
            {
                return (it, j);
            }

            if (it.Has(Kw.Than) || Skippable(it) || it.IsWord("a", "an", "the", "of", "$", "than", "be", "around", "about"))
            {
                continue;
            }

            break;
        }

        return null;
    }

    private void TryCompare(int i, KwInfo cmp)
    {
        var k = _items[i];
        var found = NumberAfter(i);
        Item? between = null;
        if (found is null && Next(i) is { Kind: ItemKind.Column, Used: false } col && col.Column!.IsNumeric && NumberAfter(Pos(col)) is { } later)
        {
            // "above age 20", "a greater weight than 10".
            between = col;
            found = later;
        }

        if (found is null)
        {
            TryCompareWithAverage(i, cmp);
            return;
        }

        var (num, numPos) = found.Value;
        var op = cmp.Op!;
        if (Negated(i))
        {
            op = Negate(op);
        }

        if (between is not null)
        {
            var value0 = NumberValue(num, numPos, between.Column);
            k.Used = num.Used = between.Used = true;
            MarkBetween(Pos(between), numPos);
            AddCondition(k.Start, Exprs.Cmp(op, Exprs.Col(between.Column!.Name), Exprs.Num(value0)));
            return;
        }

        // A time expression would have taken the number already; a year after "after"/"before" with no year column is a plain number.
        var target = ResolveCompareTarget(i, numPos, cmp, out var having, out var invert);
        if (target is null && having is null)
        {
            return;
        }

        if (invert)
        {
            op = op switch { ">" => "<", "<" => ">", ">=" => "<=", "<=" => ">=", _ => op };
        }

        if (having is null && target is not null && target.IsNumeric && target.Stems.Any(AdditiveWords.Contains) &&
            _target is { Kind: ItemKind.Column } subject && subject.Column != target && Groupable(subject.Column!) && subject.Column!.IsText &&
            _items.FirstOrDefault(x => !x.Used && x.Has(Kw.Sum)) is { } inTotal)
        {
            // "which products sold fewer than 500 units in total": the total per product.
            inTotal.Used = true;
            having = new MeasureSpec(AggKind.Sum, target);
        }

        if (having is null && target is not null && target.IsNumeric && !target.IsIdentifier && target.Stems.Any(AdditiveWords.Contains) && CountedGroup(i) is { } counted && counted != target)
        {
            // "how many stores have revenue above 1 million": a store's revenue is its total, so the count is of stores past it.
            having = new MeasureSpec(AggKind.Sum, target);
        }

        if (having is null && target!.IsTemporal)
        {
            // A plain number against a date column is not a comparison this reader can make; leave the number unplaced.
            return;
        }

        var value = NumberValue(num, numPos, target);
        k.Used = true;
        num.Used = true;
        MarkBetween(i, numPos);
        ConsumeUnitColumn(numPos, target);
        ConsumeMentionBefore(i, target);
        if (having is not null)
        {
            _r.Having.Add(PlanCondition.Of(Exprs.Cmp(op, having.ToExpr(), Exprs.Num(value))));
            return;
        }

        AddCondition(k.Start, Exprs.Cmp(op, Exprs.Col(target!.Name), Exprs.Num(value)));
    }

    /// <summary>
    /// The groupable text column a leading "how many" / "number of" counts ("how many stores ...", "number of carriers ..."),
    /// when it comes before the comparison at <paramref name="before"/>; null otherwise.
    /// </summary>
    private ColumnInfo? CountedGroup(int before)
    {
        for (var j = 0; j < before - 1; j++)
        {
            if (!(_items[j].Has(Kw.HowMany) || _items[j].Has(Kw.CountOf)))
            {
                continue;
            }

            var next = _items[j + 1];
            return next.Kind == ItemKind.Column && next.Column!.IsText && Groupable(next.Column) && !IsRowLevel(next.Column) ? next.Column : null;
        }

        return null;
    }

    private bool IsUnitWord(Item it) =>
        (it.Kind == ItemKind.Word || (it.Kind == ItemKind.Column && it.Partial)) && it.End - it.Start == 1 && UnitWords.Contains(_tokens[it.Start].Lower);

    /// <summary>"longer than 2000 miles" where "miles" names the compared column: the unit is part of the comparison.</summary>
    private void ConsumeUnitColumn(int numPos, ColumnInfo? target)
    {
        for (var j = numPos + 1; j < _items.Count && j <= numPos + 2; j++)
        {
            if (_items[j].Kind == ItemKind.Column && _items[j].Column == target && target is not null)
            {
                _items[j].Used = true;
                return;
            }

            if (!(_items[j].Kind == ItemKind.Word && (UnitWords.Contains(_items[j].Token!.Lower) || _items[j].IsFiller)))
            {
                return;
            }
        }
    }

    /// <summary>
    /// "a 2 carat diamond": a number right before a numeric column's name is that column's value; so is one right after
    /// the name and "is"/"was"/"of" ("where the discount was 0"), and a time of day on an hour column ("at 6am").
    /// </summary>
    private void EqualityByUnit()
    {
        for (var i = 0; i + 1 < _items.Count; i++)
        {
            var c = _items[i];
            if (c is not { Kind: ItemKind.Column, Used: false, Partial: false } || !c.Column!.IsNumeric || c.Column.IsIdentifier)
            {
                continue;
            }

            var j = i + 1;
            var linked = false;
            while (j < _items.Count && _items[j].IsWord("is", "was", "are", "were", "of", "=", "equal", "equals", "exactly", "being"))
            {
                linked = true;
                j++;
            }

            // "in grade 10", "rating 5": a small whole-number column named right before its value.
            var adjacent = !linked && j < _items.Count && _items[j].Start == c.End && c.Column.Kind == ColumnKind.Integer && Groupable(c.Column) && !c.Column.IsYear;
            if ((linked || adjacent) && j < _items.Count && _items[j] is { Kind: ItemKind.Number, Used: false } n0)
            {
                var value = NumberValue(n0, j, c.Column);
                c.Used = n0.Used = true;
                AddCondition(c.Start, Exprs.Cmp("=", Exprs.Col(c.Column.Name), Exprs.Num(value)));
            }
        }

        foreach (var n1 in _items.Where(x => x.Kind == ItemKind.Number && !x.Used && x.Token!.Stem == "hour-of-day").ToList())
        {
            if (_index.Columns.FirstOrDefault(c => c.IsNumeric && c.Stems.Contains("hour")) is { } hour)
            {
                n1.Used = true;
                AddCondition(n1.Start, Exprs.Cmp("=", Exprs.Col(hour.Name), Exprs.Num(n1.Token!.Number!.Value)));
            }
        }

        for (var i = 0; i + 1 < _items.Count; i++)
        {
            var n = _items[i];
            var c = _items[i + 1];
            if (n is { Kind: ItemKind.Number, Used: false } && c is { Kind: ItemKind.Column, Used: false, Partial: false } && c.Column!.IsNumeric && !c.Column.IsYear && !c.Column.IsIdentifier &&
                !(i > 0 && (_items[i - 1].Has(Kw.Top) || _items[i - 1].Has(Kw.Bottom))))
            {
                var value = NumberValue(n, i, c.Column);
                n.Used = c.Used = true;
                AddCondition(n.Start, Exprs.Cmp("=", Exprs.Col(c.Column.Name), Exprs.Num(value)));
            }
        }
    }

    /// <summary>"whose weight is heavier than 10": the column named before an adjective that implies it is the same mention.</summary>
    private void ConsumeMentionBefore(int kPos, ColumnInfo? target)
    {
        for (var j = kPos - 1; j >= 0 && j >= kPos - 4 && target is not null; j--)
        {
            if (_items[j].Kind == ItemKind.Column && _items[j].Column == target && !_items[j].Used)
            {
                _items[j].Used = true;
                return;
            }
        }
    }

    private bool Negated(int kPos)
    {
        var prev = kPos > 0 ? _items[kPos - 1] : null;
        if (prev is not null && (prev.Has(Kw.Not) || prev.IsWord("not", "never")) && !prev.Used)
        {
            prev.Used = true;
            return true;
        }

        return false;
    }

    private static string Negate(string op) => op switch
    {
        ">" => "<=",
        ">=" => "<",
        "<" => ">=",
        "<=" => ">",
        "=" => "<>",
        _ => "=",
    };

    /// <summary>"older than average", "priced above the average price": a comparison with the column's overall average.</summary>
    private void TryCompareWithAverage(int i, KwInfo cmp)
    {
        var k = _items[i];
        var avg = NextSkipping(i, "the", "than", "its", "their", "overall");
        if (avg is null || avg.Used || !(avg.Has(Kw.Avg) || avg.IsWord("average", "mean")))
        {
            return;
        }

        ColumnInfo? column = null;
        var after = Next(Pos(avg));
        if (after is { Kind: ItemKind.Column } && after.Column!.IsNumeric)
        {
            column = after.Column;
            after.Used = true;
        }

        if (column is null && cmp.Kind == Kw.Comparative && cmp.Implied is not null)
        {
            column = ImpliedColumn(cmp.Implied, i);
        }

        if (column is null)
        {
            for (var j = i - 1; j >= 0 && j >= i - 5 && column is null; j--)
            {
                if (_items[j].Kind == ItemKind.Column && _items[j].Column!.IsNumeric)
                {
                    column = _items[j].Column;
                    _items[j].Used = true;
                }
            }
        }

        if (column is null)
        {
            return;
        }

        var op = Negated(i) ? Negate(cmp.Op!) : cmp.Op!;
        if (cmp.Kind == Kw.Comparative && cmp.InvertForDates && (column.IsTemporal || column.IsYear))
        {
            op = op switch { ">" => "<", "<" => ">", _ => op };
        }

        ConsumeMentionBefore(i, column);
        k.Used = avg.Used = true;
        var sub = new Query(new SelectCore([new ExpressionItem(Exprs.Call("avg", Exprs.Col(column.Name)))])
        {
            From = [new NamedTable(new QualifiedName([new Identifier(_index.Table, true)]))],
        });
        AddCondition(k.Start, Exprs.Cmp(op, Exprs.Col(column.Name), new SubqueryExpr(sub)));
    }

    /// <summary>
    /// "flights that departed late", "how many arrived early", "which carrier is late most often": with no number,
    /// lateness is the sign of a delay column (late or delayed: above zero; early: below zero). The verbs pick
    /// departure or arrival; without one, the column the dataset calls "delay", or the only delay column.
    /// </summary>
    private void LatenessPass()
    {
        var delays = _index.Columns.Where(c => c.IsNumeric && c.Stems.Contains(WordForms.Key("delay"))).ToList();
        if (delays.Count == 0)
        {
            return;
        }

        for (var i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            if (it.Used || it.End - it.Start != 1 || it.Kind is not (ItemKind.Word or ItemKind.Column) || _tokens[it.Start].Lower is not ("late" or "delayed" or "early"))
            {
                continue;
            }

            // "how late", "average late minutes": an amount of delay, not a condition.
            var before = WordBefore(it.Start);
            if (before is "how" or "so" or "too" || Prev(i) is { } p && p.Infos.Any(x => x.Kind is Kw.Avg or Kw.Sum or Kw.Max or Kw.Min or Kw.Median or Kw.Range))
            {
                continue;
            }

            var column = LatenessColumn(delays, it);
            if (column is null)
            {
                continue;
            }

            var early = _tokens[it.Start].Lower == "early";
            var negated = IsNegated(i);
            var op = (early, negated) switch { (false, false) => ">", (false, true) => "<=", (true, false) => "<", (true, true) => ">=" };
            it.Used = true;
            AddCondition(it.Start, Exprs.Cmp(op, Exprs.Col(column.Name), new NumericLiteral(0)));
        }
    }

    private ColumnInfo? LatenessColumn(List<ColumnInfo> delays, Item word)
    {
        if (delays.Count == 1)
        {
            return delays[0];
        }

        var words = _tokens.Select(t => t.Lower).ToList();
        var departing = words.Any(w => w.StartsWith("depart", StringComparison.Ordinal) || w is "leave" or "leaves" or "leaving" or "left" or "takeoff");
        var arriving = words.Any(w => w.StartsWith("arriv", StringComparison.Ordinal) || w.StartsWith("land", StringComparison.Ordinal));
        if (departing != arriving)
        {
            var stems = (departing ? new[] { "departure", "dep", "depart" } : ["arrival", "arr", "arrive"]).Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);
            if (delays.FirstOrDefault(c => c.Stems.Any(stems.Contains)) is { } oriented)
            {
                return oriented;
            }
        }

        if (word.Kind == ItemKind.Column && delays.Contains(word.Column!))
        {
            return word.Column;
        }

        var named = _index.ColumnPhrases.FirstOrDefault(ph => ph.Value is null && ph.Stems.Length == 1 && ph.Stems[0] == WordForms.Key("delay") && delays.Contains(ph.Column));
        return named?.Column;
    }

    private void MarkBetween(int from, int to)
    {
        for (var j = from + 1; j < to; j++)
        {
            if (_items[j].Has(Kw.Than) || _items[j].IsFiller)
            {
                _items[j].Used = true;
            }
        }
    }

    private decimal NumberValue(Item num, int numPos, ColumnInfo? target)
    {
        var value = num.Token!.Number!.Value;
        if (num.Token.Percent && target?.MaxNumber is { } max && max <= 1 && value > 1)
        {
            value /= 100;
        }

        var unit = numPos + 1 < _items.Count ? _items[numPos + 1] : null;
        if (unit is not null && IsUnitWord(unit) && unit.Column != target)
        {
            unit.Used = true;
            var word = _tokens[unit.Start].Lower;
            if (word is "hours" or "hour" or "hrs" or "hr" && target is not null && !target.Stems.Contains("hour") &&
                target.Stems.Any(s => new[] { "delay", "minute", "time", "duration", "late" }.Select(WordForms.Key).Contains(s)))
            {
                value *= 60;
            }
        }

        return value;
    }

    /// <summary>What a comparison applies to: a column, or an aggregate for HAVING.</summary>
    private ColumnInfo? ResolveCompareTarget(int kPos, int numPos, KwInfo cmp, out MeasureSpec? having, out bool invert)
    {
        having = null;
        invert = false;
        if (cmp.Kind == Kw.Comparative && cmp.Implied is not null && !(Prev(kPos) is { Kind: ItemKind.Column, Used: false } named && named.Column!.IsNumeric && !named.Column.IsYear))
        {
            var implied = ImpliedColumn(cmp.Implied, kPos);
            if (implied is not null)
            {
                invert = cmp.InvertForDates && (implied.IsTemporal || implied.IsYear);
                return implied;
            }
        }

        if (_compared is not null && _r.FollowUpCue && !_items.Any(x => x.Kind == ItemKind.Column && !x.Used && x.Column!.IsNumeric && !IsUnitWord(x) && !UnitWords.Contains(_tokens[x.Start].Lower)))
        {
            // A follow-up that only changes the comparison ("what about under 60?", "and more than 2 hours?"): the previous
            // answer's compared column, the unit after the number being its unit.
            if (numPos + 1 < _items.Count && _items[numPos + 1] is { Kind: ItemKind.Column } unit && UnitWords.Contains(_tokens[unit.Start].Lower))
            {
                unit.Used = true;
            }

            return _compared;
        }

        // The unit after the number: "more than 3 carats", "at least 2000 orders", "more than 2 hours late".
        var afterPos = numPos + 1;
        if (afterPos < _items.Count && _items[afterPos].IsWord("of", "in"))
        {
            afterPos++;
        }

        if (afterPos < _items.Count && IsUnitWord(_items[afterPos]) && afterPos + 1 < _items.Count &&
            _items[afterPos + 1] is { Kind: ItemKind.Column, Used: false, Partial: false } lateColumn && lateColumn.Column!.IsNumeric)
        {
            lateColumn.Used = true;
            return lateColumn.Column;
        }

        var after = afterPos < _items.Count ? _items[afterPos] : null;
        if (after is { Kind: ItemKind.Column, Used: false, Partial: false } && after.Column!.IsNumeric && !after.Column.IsYear)
        {
            after.Used = true;
            return after.Column;
        }

        if (after is { Kind: ItemKind.RowNoun } || (after is { Kind: ItemKind.Word } && after.Token!.Lower is "times" or "entries" or "records" or "rows"))
        {
            after.Used = true;
            having = new MeasureSpec(AggKind.Count, null);
            return null;
        }

        if (after is { Kind: ItemKind.Column, Used: false } && (after.Column!.IsIdentifier || after.Column.IsText))
        {
            // "more than 10 customers" → count of distinct customers per group.
            after.Used = true;
            having = new MeasureSpec(after.Column.IsIdentifier || after.Column.IsText ? AggKind.CountDistinct : AggKind.Count, after.Column);
            return null;
        }

        // The column (or aggregate) named before the comparison: "price over 500", "average profit below 8".
        for (var j = kPos - 1; j >= 0 && j >= kPos - 6; j--)
        {
            var it = _items[j];
            if (it.Kind == ItemKind.Column && (it.Column!.IsNumeric || it.Column.IsTemporal) && !it.Used)
            {
                var agg = j > 0 ? _items[j - 1] : null;
                if (agg is not null && !agg.Used && AggOf(agg) is { } a && a is not (AggKind.Count or AggKind.CountDistinct) && (_target is not null || ContainsGroupCue()))
                {
                    agg.Used = true;
                    it.Used = true;
                    having = new MeasureSpec(a, it.Column);
                    return null;
                }

                it.Used = true;
                return it.Column;
            }

            if (it.Kind == ItemKind.Column && it.Used && it.Column!.IsNumeric)
            {
                return it.Column;
            }

            if (it.Has(Kw.CountOf) || it.Has(Kw.HowMany))
            {
                if (_target is not null || ContainsGroupCue())
                {
                    it.Used = true;
                    having = new MeasureSpec(AggKind.Count, null);
                    return null;
                }

                break;
            }

            if (it.Used && (it.Kind == ItemKind.Number || it.Has(Kw.Compare)))
            {
                // "weighing no less than 3000 and no more than 4000": the second bound shares the first one's column.
                continue;
            }

            if (it.Kind is ItemKind.Value or ItemKind.Number or ItemKind.Quoted || it.Has(Kw.Compare) || it.Has(Kw.Or) || (it.Has(Kw.And) && !(j > 0 && _items[j - 1].Used && _items[j - 1].Kind == ItemKind.Number)))
            {
                break;
            }
        }

        // "the hour is after 8pm": a time of day.
        if (_items[numPos].Token?.Stem == "hour-of-day")
        {
            return _index.Columns.FirstOrDefault(c => c.IsNumeric && c.Stems.Contains("hour"));
        }

        return null;
    }

    private bool ContainsGroupCue() => _items.Any(i => i.Has(Kw.GroupBy) || i.Has(Kw.Each));

    private static AggKind? AggOf(Item it)
    {
        if (it.Kind != ItemKind.Keyword)
        {
            return null;
        }

        foreach (var info in it.Infos)
        {
            switch (info.Kind)
            {
                case Kw.Avg: return AggKind.Avg;
                case Kw.Sum: return AggKind.Sum;
                case Kw.Max: return AggKind.Max;
                case Kw.Min: return AggKind.Min;
                case Kw.Median: return AggKind.Median;
            }
        }

        return null;
    }

    private void TryBetween(int i, int? firstNumber = null)
    {
        var k = _items[i];
        var first = firstNumber is { } fn ? (_items[fn], fn) : NumberAfter(i);
        if (first is null)
        {
            return;
        }

        var (n1, p1) = first.Value;
        var j = p1 + 1;
        while (j < _items.Count && (_items[j].IsWord("$") || (_items[j].Kind == ItemKind.Word && UnitWords.Contains(_items[j].Token!.Lower))))
        {
            _items[j].Used = true;
            j++;
        }

        if (j >= _items.Count || !(_items[j].Has(Kw.And) || _items[j].IsWord("to", "and", "through", "-")))
        {
            return;
        }

        var second = NumberAfter(j);
        if (second is null)
        {
            return;
        }

        var (n2, p2) = second.Value;
        var target = ResolveCompareTarget(i, p2, new KwInfo(Kw.Compare, Op: ">="), out var having, out _);
        if (target is null && having is null)
        {
            return;
        }

        var lo = NumberValue(n1, p1, target);
        var hi = NumberValue(n2, p2, target);
        Expr operand = having is not null ? having.ToExpr() : Exprs.Col(target!.Name);
        var expr = new BetweenExpr(operand, Exprs.Num(lo), Exprs.Num(hi));
        if (firstNumber is null)
        {
            k.Used = true;
        }

        n1.Used = n2.Used = _items[j].Used = true;
        if (having is not null)
        {
            _r.Having.Add(PlanCondition.Of(expr));
        }
        else
        {
            AddCondition(k.Start, expr);
        }
    }

    private void TryPostCompare(int i, KwInfo post)
    {
        // "20 or more orders", "5+ stars": the number comes first.
        var prev = Prev(i);
        if (prev is not { Kind: ItemKind.Number, Used: false })
        {
            return;
        }

        var numPos = Pos(prev);
        var target = ResolveCompareTarget(i, i, new KwInfo(Kw.Compare, Op: post.Op), out var having, out _);
        if (target is null && having is null)
        {
            // The unit may sit between the number and the keyword: "3 carats or more".
            target = ResolveCompareTarget(numPos, numPos, new KwInfo(Kw.Compare, Op: post.Op), out having, out _);
        }

        if (target is null && having is null)
        {
            return;
        }

        var value = NumberValue(prev, numPos, target);
        prev.Used = _items[i].Used = true;
        if (having is not null)
        {
            _r.Having.Add(PlanCondition.Of(Exprs.Cmp(post.Op!, having.ToExpr(), Exprs.Num(value))));
        }
        else
        {
            AddCondition(prev.Start, Exprs.Cmp(post.Op!, Exprs.Col(target!.Name), Exprs.Num(value)));
        }
    }

    /// <summary>The column an adjective implies ("oldest" → age), preferring columns the question names.</summary>
    private ColumnInfo? ImpliedColumn(string[] implied, int near)
    {
        var mentioned = _items.Where(i => i.Kind == ItemKind.Column).Select(i => i.Column!).Where(c => !c.IsIdentifier).ToList();
        foreach (var word in implied)
        {
            var stem = WordForms.Canon(WordForms.Stem(word));
            var hit = mentioned.FirstOrDefault(c => c.Stems.Contains(stem) && (c.IsNumeric || c.IsTemporal || (word == implied[0] && c.IsText && c.Stems.Count == 1)));
            if (hit is not null)
            {
                return hit;
            }
        }

        foreach (var word in implied)
        {
            var stem = WordForms.Canon(WordForms.Stem(word));
            var direct = _index.Columns.Where(c => c.Stems.Contains(stem) && (c.IsNumeric || c.IsTemporal) && !c.IsIdentifier).OrderBy(c => c.Stems.Count).ThenBy(c => c.Ordinal).FirstOrDefault();
            if (direct is not null)
            {
                return direct;
            }

            var viaSynonym = _index.ColumnPhrases.FirstOrDefault(p => p.Stems.Length == 1 && p.Stems[0] == stem && p.Value is null && (p.Column.IsNumeric || p.Column.IsTemporal));
            if (viaSynonym is not null)
            {
                return viaSynonym.Column;
            }
        }

        // A number stored as text ("Age" declared as text) still orders well enough to pick the extreme.
        foreach (var word in implied.Take(1))
        {
            var stem = WordForms.Canon(WordForms.Stem(word));
            var text = _index.Columns.FirstOrDefault(c => c.IsText && c.Stems.Count == 1 && c.Stems[0] == stem);
            if (text is not null)
            {
                return text;
            }
        }

        return null;
    }

    // ------------------------------------------------------------------ missing values

    private void NullPass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (k.Used || k.Kind != ItemKind.Keyword)
            {
                continue;
            }

            var isNull = k.Has(Kw.Null);
            var notNull = k.Has(Kw.NotNull);
            if (!isNull && !notNull)
            {
                continue;
            }

            var text = k.Text.ToLowerInvariant();
            var generic = text is "with a" or "has a" or "have a" or "with an" or "that have a" or "that has a";
            var next = NextSkipping(i, "recorded", "a", "an", "any", "the", "value", "known", "listed", "specified", "entered", "given");
            var denied = generic && notNull && Prev(i) is { Used: false } before && before.Text.Equals("not", StringComparison.OrdinalIgnoreCase) &&
                next is { Kind: ItemKind.Column, Used: false } ? before : null;
            if (denied is not null)
            {
                // "diamonds that don't have a lab": the presence denied is an absence.
                denied.Used = true;
                (isNull, notNull) = (true, false);
            }

            if (generic && next is { Kind: ItemKind.Column, Used: false } && next.Column!.IsNumeric && !next.Column.IsIdentifier &&
                (next.Column.Profile.NullCount ?? 0) == 0 && next.Column.MinNumber == 0 && NumberAfter(Pos(next)) is null)
            {
                // "orders with a discount": a column that is zero when there is none ("orders that did not have a discount": zero).
                next.Used = k.Used = true;
                AddCondition(k.Start, Exprs.Cmp(notNull ? ">" : "=", Exprs.Col(next.Column.Name), new NumericLiteral(0)));
                continue;
            }

            if (next is { Kind: ItemKind.Column } && !next.Used && (!generic || (next.Column!.Profile.NullCount ?? 0) > 0))
            {
                if (generic && next.Column!.IsNumeric && NumberAfter(Pos(next)) is not null)
                {
                    continue;
                }

                next.Used = true;
                k.Used = true;
                AddCondition(k.Start, new IsExpr(Exprs.Col(next.Column!.Name), IsTest.Null, Negated: notNull && !isNull));
                continue;
            }

            var prev = Prev(i);
            if (!generic && prev is { Kind: ItemKind.Column } && !prev.Used && text is not ("no" or "without" or "with no" or "none" or "lack" or "lacking"))
            {
                prev.Used = true;
                k.Used = true;
                AddCondition(prev.Start, new IsExpr(Exprs.Col(prev.Column!.Name), IsTest.Null, Negated: notNull && !isNull));
            }
        }
    }

    /// <summary>
    /// "certified diamonds", "diamonds that are not certified", "uncertified": a past participle formed from the noun that names a
    /// nullable column ("certification", "rating": the column's last name word or a one-word synonym) says the column is filled in,
    /// and with "not" or "un-" that it is empty. One column only; a participle of a column that is never empty is left unplaced.
    /// </summary>
    private void ParticiplePass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            if (it.Kind != ItemKind.Word || it.Used || it.IsFiller || Vocabulary.Phrases.ContainsKey(it.Token!.Lower))
            {
                continue;
            }

            var lower = it.Token!.Lower;
            var prefixed = false;
            var columns = ParticipleColumns(lower);
            if (columns.Count == 0 && lower.StartsWith("un", StringComparison.Ordinal))
            {
                columns = ParticipleColumns(lower[2..]);
                prefixed = true;
            }

            if (columns.Count != 1 || (columns[0].Profile.NullCount ?? 0) == 0)
            {
                continue;
            }

            // "not certified by GIA": the participle introduces a value of the same column, which carries the test.
            var column = columns[0];
            if (_items.Any(v => v.Kind == ItemKind.Value && (v.Column == column || v.Options.Any(o => o.Column == column))))
            {
                continue;
            }

            var negated = IsNegated(i) ^ prefixed;
            it.Used = true;
            AddCondition(it.Start, new IsExpr(Exprs.Col(column.Name), IsTest.Null, Negated: !negated));
        }
    }

    /// <summary>The columns whose naming noun <paramref name="word"/> is a past participle of ("certified": certification, certificate).</summary>
    private List<ColumnInfo> ParticipleColumns(string word)
    {
        if (word.Length < 5 || !word.EndsWith("ed", StringComparison.Ordinal) || !word.All(char.IsAsciiLetter))
        {
            return [];
        }

        var nouns = new HashSet<string>(StringComparer.Ordinal);
        if (word.EndsWith("ied", StringComparison.Ordinal))
        {
            var b = word[..^3];
            nouns.UnionWith([b + "y", b + "ication", b + "icate", b + "ier"]);
        }
        else
        {
            var b = word[..^2];
            List<string> bases = [b, word[..^1]];
            if (b.Length >= 3 && b[^1] == b[^2])
            {
                bases.Add(b[..^1]);
            }

            foreach (var s in bases)
            {
                nouns.UnionWith([s, s + "ing", s + "ion", s + "ation", s + "ment", s + "al"]);
            }
        }

        var found = new List<ColumnInfo>();
        foreach (var c in _index.Columns)
        {
            var head = WordForms.SplitName(c.Name).LastOrDefault();
            var names = _index.Schema.Synonyms.Where(s => s.Value is null && string.Equals(s.Column, c.Name, StringComparison.Ordinal) && !s.Phrase.Contains(' ', StringComparison.Ordinal))
                .Select(s => s.Phrase.ToLowerInvariant()).Append(head);
            if (names.Any(n => n is { Length: >= 4 } && nouns.Contains(n)))
            {
                found.Add(c);
            }
        }

        return found;
    }

    /// <summary>"orders that had a discount", "more than 5 units and a discount": a column that is zero when absent, above zero.</summary>
    private void PresencePass()
    {
        for (var i = 1; i + 1 < _items.Count; i++)
        {
            var a = _items[i];
            var c = _items[i + 1];
            if (a.Kind == ItemKind.Word && a.Token!.Lower is "a" or "an" or "any" or "some" && c is { Kind: ItemKind.Column, Used: false, Partial: false } &&
                c.Column!.IsNumeric && !c.Column.IsIdentifier && c.Column.MinNumber == 0 && (c.Column.Profile.NullCount ?? 0) == 0 &&
                (_items[i - 1].Has(Kw.And) || _items[i - 1].IsWord("had", "has", "have", "got", "with", "received", "get", "gets")) && NumberAfter(i + 1) is null)
            {
                c.Used = true;
                AddCondition(c.Start, Exprs.Cmp(">", Exprs.Col(c.Column.Name), new NumericLiteral(0)));
            }
        }
    }

    private Item? NextSkipping(int pos, params string[] words)
    {
        for (var j = pos + 1; j < _items.Count; j++)
        {
            var it = _items[j];
            if (Skippable(it) || (it.Kind == ItemKind.Word && words.Contains(it.Token!.Lower, StringComparer.Ordinal)))
            {
                continue;
            }

            return it;
        }

        return null;
    }

    // ------------------------------------------------------------------ text patterns and quoted text

    private void PatternPass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (k.Used || !(k.Has(Kw.Like) || k.Has(Kw.StartsWith) || k.Has(Kw.EndsWith)))
            {
                continue;
            }

            var q = NextSkipping(i, "the", "word", "letter", "string", "substring", "text", "phrase", "term");
            var afterLetter = k.Text.Contains("letter", StringComparison.OrdinalIgnoreCase) || (q is not null && q.Start > 0 && _tokens[q.Start - 1].Lower is "letter" or "word" or "substring" or "string");
            if (q is null || q.Kind != ItemKind.Quoted && !(q.Kind == ItemKind.Word && (q.Token!.Capitalized || afterLetter) && (!q.IsFiller || afterLetter)))
            {
                continue;
            }

            var column = TextColumnNear(i, Pos(q));
            if (column is null)
            {
                continue;
            }

            var text = q.Kind == ItemKind.Quoted ? q.Token!.Text : q.Text;
            var pattern = k.Has(Kw.StartsWith) ? text + "%" : k.Has(Kw.EndsWith) ? "%" + text : "%" + text + "%";
            k.Used = q.Used = true;
            AddCondition(k.Start, new LikeExpr(Exprs.Col(column.Name), LikeKind.Like, Exprs.Str(pattern)));
        }

        // Quoted text right after a text column or "named"/"called": equality with the user's own words.
        for (var i = 0; i < _items.Count; i++)
        {
            var q = _items[i];
            if (q.Used || q.Kind != ItemKind.Quoted)
            {
                continue;
            }

            var column = (ColumnInfo?)null;
            for (var j = i - 1; j >= 0 && j >= i - 3; j--)
            {
                var it = _items[j];
                if (it.Kind == ItemKind.Column && it.Column!.IsText)
                {
                    column = it.Column;
                    it.Used = true;
                    break;
                }

                if (it.IsWord("named", "called", "titled", "name"))
                {
                    column = NameColumn();
                    it.Used = true;
                    break;
                }

                if (!(Skippable(it) || it.IsWord("is", "of", "=", "equal", "equals", "as") || it.Infos.Any(x => x.Kind == Kw.Compare && x.Op is "=" or "<>")))
                {
                    break;
                }
            }

            if (column is null)
            {
                continue;
            }

            q.Used = true;
            AddCondition(q.Start, Exprs.Cmp(IsNegated(i) ? "<>" : "=", Exprs.Col(column.Name), Exprs.Str(q.Token!.Text)));
        }
    }

    private ColumnInfo? NameColumn() =>
        _index.Columns.Where(c => c.IsText && (c.Stems.Contains(WordForms.Key("name")) || c.Stems.Contains(WordForms.Key("title")))).OrderBy(c => c.Stems.Count).ThenBy(c => c.Ordinal).FirstOrDefault();

    private ColumnInfo? TextColumnNear(int kPos, int qPos)
    {
        for (var j = kPos - 1; j >= 0 && j >= kPos - 4; j--)
        {
            // "the state whose name contains ...": the name is the state's.
            if (_items[j].Kind == ItemKind.Column && _items[j].Partial && _tokens[_items[j].Start].Lower is "name" or "title" &&
                _items.Take(j).Reverse().Take(3).FirstOrDefault(x => x.Kind == ItemKind.Column && x.Column!.IsText && !x.Partial) is { } owner)
            {
                owner.Used = _items[j].Used = true;
                return owner.Column;
            }

            if (_items[j].Kind == ItemKind.Column && _items[j].Column!.IsText)
            {
                _items[j].Used = true;
                return _items[j].Column;
            }
        }

        for (var j = qPos + 1; j < _items.Count && j <= qPos + 4; j++)
        {
            if (_items[j].Kind == ItemKind.Column && _items[j].Column!.IsText)
            {
                _items[j].Used = true;
                return _items[j].Column;
            }
        }

        if (_target is { Kind: ItemKind.Column } t && t.Column!.IsText)
        {
            return t.Column;
        }

        return NameColumn();
    }

    // ------------------------------------------------------------------ measures

    private bool SuperlativeContext(int pos)
    {
        var k = _items[pos];
        if (_target is not null && _target.Start < k.Start)
        {
            return true;
        }

        // "the lowest priced diamond", "highest rated products": the column describes the rows that follow.
        if (Next(pos) is { Kind: ItemKind.Column } described && Next(Pos(described)) is { } noun && noun.Start == described.End &&
            (noun.Kind == ItemKind.RowNoun || (noun.Kind == ItemKind.Column && noun.Column!.IsText)))
        {
            return true;
        }

        for (var t = k.Start - 1; t >= 0; t--)
        {
            var w = _tokens[t].Lower;
            if (w is "the" or "a" or "an")
            {
                continue;
            }

            return SuperlativeLeadWords.Contains(w) && w is not ("is" or "are" or "was" or "were" or "the" or "of" or "in" or "for");
        }

        return false;
    }

    private void MeasurePass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (k.Used || k.Kind != ItemKind.Keyword)
            {
                continue;
            }

            if (k.Has(Kw.Percent))
            {
                var obj = NextSkipping(i, "all", "the", "total", "of");
                _percentAt = k.Start;
                k.Used = true;

                // "share of total revenue": the total is what the share is of, not a measure of its own.
                Item? total = null;
                if (obj is { Kind: ItemKind.Keyword, Used: false } && obj.Has(Kw.Sum) && obj.Text.Equals("total", StringComparison.OrdinalIgnoreCase) && _items.IndexOf(obj) is var ti && ti >= 0 &&
                    NextSkipping(ti, "the", "of") is { Kind: ItemKind.Column } next && next.Column!.IsNumeric && !next.Column.IsIdentifier)
                {
                    total = obj;
                    obj = next;
                }

                if (obj is { Kind: ItemKind.Column } && obj.Column!.IsNumeric && !obj.Column.IsIdentifier)
                {
                    obj.Used = true;
                    total?.Used = true;

                    _percentObjectEnd = obj.End;
                    _r.Measures.Add(new MeasureSpec(AggKind.Percent, null) { Of = obj.Column, At = k.Start });
                }
                else
                {
                    if (obj is { Kind: ItemKind.RowNoun })
                    {
                        obj.Used = true;
                        _percentObjectEnd = obj.End;
                    }
                    else
                    {
                        _percentObjectEnd = k.End;
                    }

                    _r.Measures.Add(new MeasureSpec(AggKind.Percent, null) { At = k.Start });
                }

                continue;
            }

            if (k.Has(Kw.HowMany) || k.Has(Kw.CountOf))
            {
                ReadCount(i);
                continue;
            }

            if (k.Has(Kw.HowMuch))
            {
                var t = NextSkipping(i, "of", "the", "in", "total");
                if (t is { Kind: ItemKind.Column } && t.Column!.IsNumeric)
                {
                    t.Used = k.Used = true;
                    _r.Measures.Add(new MeasureSpec(AggKind.Sum, t.Column) { At = k.Start });
                }
                else if (MoneyVerbMeasure(k.End) is { } money)
                {
                    // "how much did we sell", "how much did Texas make": the money column, added up.
                    k.Used = true;
                    _r.Measures.Add(new MeasureSpec(AggKind.Sum, money) { At = k.Start });
                    foreach (var total in _items.Where(x => x.Has(Kw.Sum) && !x.Used && x.Text.Contains("total", StringComparison.OrdinalIgnoreCase)))
                    {
                        total.Used = true;
                    }
                }

                continue;
            }

            if (k.Has(Kw.Rate))
            {
                // "cancellation rate", "return rate": the share of rows with the flag.
                if (Prev(i) is { Kind: ItemKind.Column, Used: false } flag && flag.Column!.Kind == ColumnKind.Boolean)
                {
                    k.Used = flag.Used = true;
                    _r.Measures.Add(new MeasureSpec(AggKind.Rate, flag.Column) { At = flag.Start });
                }

                continue;
            }

            if (k.Has(Kw.Range))
            {
                // "price range", "range of carat": the smallest and the largest.
                var col = Prev(i) is { Kind: ItemKind.Column, Used: false } before && before.Column!.IsNumeric ? before
                    : NextSkipping(i, "of", "the", "in") is { Kind: ItemKind.Column, Used: false } after && after.Column!.IsNumeric ? after : null;
                if (col is not null)
                {
                    k.Used = col.Used = true;
                    _r.Measures.Add(new MeasureSpec(AggKind.Min, col.Column) { At = col.Start });
                    _r.Measures.Add(new MeasureSpec(AggKind.Max, col.Column) { At = col.Start });
                }

                continue;
            }

            var agg = AggOf(k);
            if (agg is null)
            {
                continue;
            }

            if (agg is AggKind.Max or AggKind.Min && SuperlativeContext(i))
            {
                continue;
            }

            ReadAggregate(i);
        }
    }

    private static readonly HashSet<string> CountLikeStems = new[] { "quantity", "units", "items", "pieces", "population", "visitors", "seats", "passengers", "attendance" }
        .Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);

    private void ReadCount(int i)
    {
        var k = _items[i];
        if (k.Has(Kw.CountOf) && Prev(i) is { } before && AggOf(before) is not null && Next(i) is { Kind: ItemKind.Column, Used: false } counted && counted.Column!.IsNumeric && !counted.Column.IsIdentifier)
        {
            // "the greatest number of minutes", "the average number of injuries": the column is the number.
            return;
        }

        k.Used = true;
        if (k.Has(Kw.HowMany) && SoldUnits(i) is { } units)
        {
            // "how many laptops did we sell": the units of those values, added up, not the order lines.
            units.Verb.Used = true;
            _r.Measures.Add(new MeasureSpec(AggKind.Sum, units.Quantity) { At = k.Start });
            return;
        }

        Item? t = null;
        for (var j = i + 1; j < _items.Count; j++)
        {
            var it = _items[j];
            if (it.Has(Kw.Distinct))
            {
                it.Used = true;
                continue;
            }

            if (Skippable(it) || it.Kind == ItemKind.Value || it.Has(Kw.Each) || it.Has(Kw.Times) || (it.Has(Kw.CountOf) && !it.Used) || it.IsWord("total", "all", "the") ||
                (it.Kind == ItemKind.Word && j < i + 4 && Next(j) is { Kind: ItemKind.Column or ItemKind.RowNoun }))
            {
                if (it.Has(Kw.CountOf) || it.Has(Kw.Times))
                {
                    it.Used = true;
                }

                continue;
            }

            t = it;
            break;
        }

        if (t is { Kind: ItemKind.RowNoun })
        {
            t.Used = true;
            _r.Measures.Add(new MeasureSpec(AggKind.Count, null) { At = k.Start });
            return;
        }

        if (t is { Kind: ItemKind.Column, Used: false } amount && amount.Column!.IsNumeric && !amount.Column.IsIdentifier &&
            (k.Has(Kw.HowMany) ? amount.Column.Stems.Any(AdditiveWords.Contains) : amount.Column.Stems.Any(CountLikeStems.Contains) || _tokens[amount.Start].Lower is "units" or "items" or "pieces" or "people"))
        {
            // "how many units were sold", "how many people live in Asia": add the column up.
            amount.Used = true;
            _r.Measures.Add(new MeasureSpec(AggKind.Sum, amount.Column) { At = k.Start });
            return;
        }

        if (t is { Kind: ItemKind.Column, Used: false } && t.Column!.Kind != ColumnKind.Boolean && !(t.Column.IsNumeric && !t.Column.IsIdentifier && !t.Column.IsCategorical && !t.Column.IsYear))
        {
            t.Used = true;
            var col = t.Column;
            var isRowKey = col.IsIdentifier && _index.RowNouns.Any(n => n.Stems.Length == 1 && col.Stems.Count == 2 && col.Stems[0] == n.Stems[0]);
            _r.Measures.Add(isRowKey
                ? new MeasureSpec(AggKind.Count, null) { At = k.Start }
                : new MeasureSpec(AggKind.CountDistinct, col) { At = k.Start });
            return;
        }

        _r.Measures.Add(new MeasureSpec(AggKind.Count, null) { At = k.Start });
    }

    private static readonly string[] SellVerbs = ["sold", "sell", "sells", "selling", "bought", "purchased"];

    /// <summary>
    /// "how many laptops did we sell", "how many sofas were sold in 2021": what is counted is a value (not rows), a
    /// selling verb follows, and the table has one quantity column: the quantity column.
    /// </summary>
    private (ColumnInfo Quantity, Item Verb)? SoldUnits(int i)
    {
        var first = NextSkipping(i, "the", "of");
        if (first is not { Kind: ItemKind.Value })
        {
            return null;
        }

        var verb = _items.Skip(Pos(first) + 1).FirstOrDefault(x => x is { Kind: ItemKind.Word, Used: false } && x.IsWord(SellVerbs));
        var quantities = _index.Columns.Where(c => c.Kind == ColumnKind.Integer && !c.IsIdentifier && c.Stems.Count == 1 && CountLikeStems.Contains(c.Stems[0])).ToList();
        return verb is not null && quantities.Count == 1 && !_items.Any(x => x.Kind is ItemKind.RowNoun || (x.Kind == ItemKind.Column && x.Column == quantities[0]))
            ? (quantities[0], verb)
            : null;
    }

    private void ReadAggregate(int i)
    {
        // A run of aggregates ("average, minimum and maximum") then a run of columns ("length, width and height").
        var aggs = new List<(Item Item, AggKind Agg)> { (_items[i], AggOf(_items[i])!.Value) };
        var j = i + 1;
        while (j < _items.Count)
        {
            var it = _items[j];
            if (it.Has(Kw.And) || (it.Kind == ItemKind.Symbol && it.Text == ",") || it.IsWord("the", "a"))
            {
                j++;
                continue;
            }

            if (AggOf(it) is { } more && !it.Used)
            {
                aggs.Add((it, more));
                j++;
                continue;
            }

            break;
        }

        var columns = new List<Item>();
        for (; j < _items.Count; j++)
        {
            var it = _items[j];
            if (Skippable(it) || it.IsWord("of", "the", "a", "an", "all", "each", "every") || it.Has(Kw.Each))
            {
                continue;
            }

            if (it.Has(Kw.CountOf) && !it.Used && Next(j) is { Kind: ItemKind.Column, Used: false } counted && counted.Column!.IsNumeric && !counted.Column.IsIdentifier)
            {
                // "average number of injuries": the column already counts.
                it.Used = true;
                continue;
            }

            if (it.Kind == ItemKind.Column && !it.Used && (it.Column!.IsNumeric || it.Column.IsTemporal || aggs.All(a => a.Agg is AggKind.Max or AggKind.Min)))
            {
                columns.Add(it);

                // "length, width and height": a list of columns shares the aggregate.
                var k2 = j + 1;
                var joined = false;
                while (k2 < _items.Count && (_items[k2].Has(Kw.And) || _items[k2].Text == "," || _items[k2].IsWord("the", "its", "their")))
                {
                    joined |= _items[k2].Has(Kw.And) || _items[k2].Text == ",";
                    k2++;
                }

                if (joined && k2 < _items.Count && _items[k2] is { Kind: ItemKind.Column, Used: false } after && (after.Column!.IsNumeric || after.Column.IsTemporal))
                {
                    j = k2 - 1;
                    continue;
                }

                break;
            }

            if (it.Kind is ItemKind.RowNoun or ItemKind.Word && columns.Count == 0 && NumericColumnWithin(j, 3) is not null)
            {
                // "average order revenue", "average order size in units": the words between only say whose or what kind.
                if (it.Kind == ItemKind.RowNoun)
                {
                    it.Used = true;
                }

                continue;
            }

            if (it.Kind == ItemKind.RowNoun && aggs.Count == 1 && aggs[0].Agg == AggKind.Sum)
            {
                // "total orders" counts rows.
                it.Used = aggs[0].Item.Used = true;
                _r.Measures.Add(new MeasureSpec(AggKind.Count, null) { At = aggs[0].Item.Start });
                return;
            }

            break;
        }

        if (columns.Count == 0)
        {
            // "the total" with nothing after: the measure may come before ("revenue total") or later.
            return;
        }

        foreach (var (item, _) in aggs)
        {
            item.Used = true;
        }

        foreach (var c in columns)
        {
            c.Used = true;
            foreach (var (item, agg) in aggs)
            {
                var a = agg;
                if (c.Column!.IsTemporal && a is AggKind.Sum or AggKind.Avg or AggKind.Median)
                {
                    continue;
                }

                if (item.Infos.FirstOrDefault(x => x.Judgement != 0) is { } judged)
                {
                    a = HighIsWanted(judged, c.Column) ? AggKind.Max : AggKind.Min;
                }
                else if (a is AggKind.Max or AggKind.Min && IsRankLike(c.Column) && item.Text.ToLowerInvariant() is "highest" or "lowest" or "top" or "bottom")
                {
                    // "the highest rank" is rank 1.
                    a = a == AggKind.Max ? AggKind.Min : AggKind.Max;
                }

                _r.Measures.Add(new MeasureSpec(a, c.Column) { At = item.Start });
            }
        }
    }

    /// <summary>"how much ... sell/make/earn/spend": the money column the verb is about.</summary>
    private ColumnInfo? MoneyVerbMeasure(int fromToken)
    {
        for (var t = fromToken; t < _tokens.Count && t < fromToken + 5; t++)
        {
            var stem = WordForms.Stem(_tokens[t].Lower);
            if (stem is "sell" or "make" or "earn" or "generat" or "bring" or "brought")
            {
                return ImpliedColumn(["sales", "revenue", "amount", "income", "earnings", "profit"], t);
            }

            if (stem is "spend" or "spent" or "pay")
            {
                return ImpliedColumn(["spend", "amount", "revenue", "sales", "price"], t);
            }
        }

        return null;
    }

    /// <summary>The first unused numeric column within <paramref name="span"/> items after <paramref name="pos"/>, passing only row nouns, filler and unplaced words.</summary>
    private Item? NumericColumnWithin(int pos, int span)
    {
        for (var j = pos + 1; j < _items.Count && j <= pos + span; j++)
        {
            var it = _items[j];
            if (it.Kind == ItemKind.Column)
            {
                return !it.Used && (it.Column!.IsNumeric || it.Column.IsTemporal) ? it : null;
            }

            if (!(Skippable(it) || it.Kind is ItemKind.RowNoun or ItemKind.Word))
            {
                return null;
            }
        }

        return null;
    }

    // ------------------------------------------------------------------ grouping

    private static readonly HashSet<string> MeasureLikeStems = new[] { "price", "cost", "amount", "salary", "weight", "height", "length", "width", "score", "points", "rate" }
        .Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);

    private static bool Groupable(ColumnInfo c)
    {
        if (c.IsText || c.Kind == ColumnKind.Boolean || c.IsYear || c.IsMonth || c.IsTemporal)
        {
            return true;
        }

        if (c.Kind == ColumnKind.Integer)
        {
            if (c.Profile.DistinctCount is { } d)
            {
                return d <= 60 && !c.Stems.Any(AdditiveWords.Contains);
            }

            return !c.Stems.Any(AdditiveWords.Contains) && !c.Stems.Any(MeasureLikeStems.Contains);
        }

        return false;
    }

    private void GroupPass()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var k = _items[i];
            if (k.Used)
            {
                continue;
            }

            if (k.Has(Kw.Which) && Next(i) is { } unitItem && unitItem.Has(Kw.TimeUnit) && !unitItem.Used)
            {
                // "which month had the most ...", "what year ...".
                if (AddBucket(unitItem.Start, unitItem.Get(Kw.TimeUnit)!.Unit!))
                {
                    unitItem.Used = true;
                }

                continue;
            }

            if (k.Has(Kw.TimeAdjective))
            {
                var unit = k.Get(Kw.TimeAdjective)!.Unit!;
                var weak = k.Text.ToLowerInvariant() is "trend" or "over time";
                if (weak && _items.Any(x => x != k && x.Has(Kw.TimeAdjective) && !x.Text.Equals("trend", StringComparison.OrdinalIgnoreCase)))
                {
                    // "the revenue trend by month": the explicit unit wins.
                    k.Used = true;
                    continue;
                }

                if (AddBucket(k.Start, unit))
                {
                    k.Used = true;
                }

                continue;
            }

            if (!k.Has(Kw.GroupBy))
            {
                continue;
            }

            if (k.Text.Equals("by", StringComparison.OrdinalIgnoreCase) && SortVerbBefore(i))
            {
                continue;
            }

            var t = NextSkipping(i, "the", "each", "every", "different", "their", "its", "all", "a");
            if (t is null)
            {
                continue;
            }

            if (t.Has(Kw.Distinct) || t.Has(Kw.Each))
            {
                t.Used = true;
                t = Next(Pos(t));
                if (t is null)
                {
                    continue;
                }
            }

            if (t is { Kind: ItemKind.Column })
            {
                if (!Groupable(t.Column!) && (t.Column!.IsNumeric))
                {
                    var existing = _r.Measures.FirstOrDefault(m => m.Column == t.Column && m.At >= 0);
                    _byMeasure = existing ?? new MeasureSpec(DefaultAgg(t.Column), t.Column) { At = t.Start };
                    t.Used = k.Used = true;
                    continue;
                }

                k.Used = t.Used = true;
                AddGroup(t.Column!, t.Start);
                var cur = t;
                while (true)
                {
                    var sep = Next(Pos(cur));
                    if (sep is null || !(sep.Has(Kw.And) || sep.Text == ","))
                    {
                        break;
                    }

                    var more = Next(Pos(sep));
                    if (more is { Kind: ItemKind.Column, Used: false } && Groupable(more.Column!))
                    {
                        more.Used = sep.Used = true;
                        AddGroup(more.Column!, more.Start);
                        cur = more;
                        continue;
                    }

                    if (more is not null && more.Has(Kw.TimeUnit) && AddBucket(more.Start, more.Get(Kw.TimeUnit)!.Unit!))
                    {
                        more.Used = sep.Used = true;
                    }

                    break;
                }

                continue;
            }

            if (AggOf(t) is { } agg && Next(Pos(t)) is { Kind: ItemKind.Column } mc && mc.Column!.IsNumeric)
            {
                var existing = _r.Measures.FirstOrDefault(m => m.Column == mc.Column && m.At == t.Start);
                _byMeasure = existing ?? new MeasureSpec(agg, mc.Column) { At = t.Start };
                k.Used = t.Used = mc.Used = true;
                continue;
            }

            if (t.Kind == ItemKind.Keyword && t.Has(Kw.TimeUnit))
            {
                if (AddBucket(t.Start, t.Get(Kw.TimeUnit)!.Unit!))
                {
                    k.Used = t.Used = true;
                }

                continue;
            }

            if (t.Kind == ItemKind.RowNoun)
            {
                // "per order": each row.
                k.Used = t.Used = true;
                continue;
            }

            if (t.Has(Kw.CountOf) || t.Has(Kw.HowMany))
            {
                _byMeasure = new MeasureSpec(AggKind.Count, null) { At = t.Start };
                k.Used = t.Used = true;
            }
        }
    }

    /// <summary>"Sort the shops by ...", "order employees by ...": the "by" belongs to the sort verb before it.</summary>
    private bool SortVerbBefore(int byPos)
    {
        for (var j = byPos - 1; j >= 0 && j >= byPos - 6; j--)
        {
            var it = _items[j];
            if (it.Has(Kw.OrderBy) && !it.Used && it.End - it.Start == 1)
            {
                return true;
            }

            if (it.Has(Kw.GroupBy) || it.Kind is ItemKind.Value or ItemKind.Number)
            {
                return false;
            }
        }

        return false;
    }

    private void AddGroup(ColumnInfo column, int at)
    {
        if (!_r.Groups.Any(g => g.Column == column && g.Bucket is null))
        {
            _r.Groups.Add(new GroupSpec(column, null) { At = at });
            if (_route is { } route && column == route.From)
            {
                AddGroup(route.To, at);
            }
        }
    }

    private bool AddBucket(int at, string unit)
    {
        if (_pendingBuckets.Any(b => b.Bucket == unit))
        {
            return true;
        }

        var direct = unit switch
        {
            "month" or TimeUnits.MonthOfYear => _index.Columns.FirstOrDefault(c => c.IsMonth),
            "year" => _index.Columns.Where(c => c.IsYear).OrderBy(c => c.Stems.Count).FirstOrDefault(),
            TimeUnits.DayOfWeek => _index.Columns.FirstOrDefault(c => c.Kind == ColumnKind.Integer && c.MinNumber >= 0 && c.MaxNumber <= 7 &&
                c.Stems.Count >= 2 && c.Stems[^1] == WordForms.Key("week") && c.Stems.Contains(WordForms.Key("day"))),
            _ => null,
        };
        if (unit == TimeUnits.DayOfWeek && direct is not null)
        {
            // "flights per day of week": the data's own day-of-week number.
            AddGroup(direct, at);
            return true;
        }

        if (direct is not null && _index.DateColumns.FirstOrDefault() is null)
        {
            AddGroup(direct, at);
            return true;
        }

        var date = TimeTargetForBucket();
        if (date is null)
        {
            if (direct is not null)
            {
                AddGroup(direct, at);
                return true;
            }

            return false;
        }

        _pendingBuckets.Add((at, date, unit));
        return true;
    }

    private ColumnInfo? TimeTargetForBucket()
    {
        var mentioned = _items.FirstOrDefault(i => i.Kind == ItemKind.Column && !i.Used && i.Column!.IsTemporal);
        if (mentioned is not null)
        {
            mentioned.Used = true;
            return mentioned.Column;
        }

        return _index.DateColumns.FirstOrDefault();
    }

    private static readonly HashSet<string> RankStems = new[] { "rank", "ranking", "position", "place", "seed" }.Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>A column where 1 is the top ("rank", "position"): "highest" means the smallest number.</summary>
    private static bool IsRankLike(ColumnInfo c) => c.IsNumeric && c.Stems.Count > 0 && RankStems.Contains(c.Stems[^1]);

    /// <summary>For "best"/"worst": whether the highest value is meant (worst delay = highest delay, best rating = highest rating).</summary>
    private static bool HighIsWanted(KwInfo judged, ColumnInfo c) => (judged.Judgement < 0) == c.Stems.Any(NegativeWords.Contains);

    /// <summary>The aggregate a column gets when none is named: sums of additive amounts, averages, and the latest of dates (dates have no average).</summary>
    private static AggKind DefaultAgg(ColumnInfo c) =>
        c.IsTemporal ? AggKind.Max : c.Stems.Any(AdditiveWords.Contains) ? AggKind.Sum : AggKind.Avg;
}
