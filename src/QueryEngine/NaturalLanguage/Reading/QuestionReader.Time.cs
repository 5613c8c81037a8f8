using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Time expressions: years, months, quarters, dates, ranges and relative periods.</summary>
internal sealed partial class QuestionReader
{
    private static readonly HashSet<string> YearPrepositions = new(StringComparer.Ordinal)
    {
        "in", "during", "for", "of", "on", "since", "after", "before", "until", "till", "through", "from", "between", "and", "to", "year",
        "or", "by", "than", "throughout", "within", "as", "prior", "starting", "beginning", "ending", "fy", "calendar", "season", "versus", "vs",
    };

    /// <summary>A calendar period: a year, a quarter or month of a year, a day, or a month or quarter of any year.</summary>
    private sealed record Period(int? Year, int? Quarter, int? Month, int? Day)
    {
        /// <summary>First month of a season or half year (6 for summer, 12 for winter, which runs into the next year).</summary>
        public int? Season { get; init; }

        /// <summary>Months in the season (3) or half (6).</summary>
        public int Span { get; init; } = 3;

        public DateOnly Start => new(Year!.Value, Season ?? Month ?? ((((Quarter ?? 1) - 1) * 3) + 1), Day ?? 1);

        public DateOnly EndExclusive => Day is not null ? Start.AddDays(1) : Month is not null ? Start.AddMonths(1) : Quarter is not null ? Start.AddMonths(3) : Season is not null ? Start.AddMonths(Span) : Start.AddYears(1);

        public int[] SeasonMonths => Season is { } s ? Enumerable.Range(0, Span).Select(k => ((s - 1 + k) % 12) + 1).ToArray() : [];
    }

    /// <summary>A half-open range [From, To) of days; either end may be open. Point periods keep their period for integer columns.</summary>
    private sealed record TimeRange(DateOnly? From, DateOnly? To, Period? Point);

    private void TimePass()
    {
        WeekendPass();
        var hasTime = _index.Columns.Any(c => c.IsTemporal || c.IsYear || c.IsMonth);
        if (!hasTime)
        {
            return;
        }

        var found = new List<(int Start, int End, TimeRange? Range, Period? Loose)>();
        var negated = new HashSet<int>();
        for (var i = 0; i < _items.Count; i++)
        {
            if (_items[i].Used)
            {
                continue;
            }

            if (TryRelative(i, out var relEnd, out var relRange))
            {
                found.Add((i, relEnd, relRange, null));
                i = relEnd - 1;
                continue;
            }

            // "price from 2000 to 3000" is not a range of years, "revenue from January to March 2024" is one of months.
            if (_items[i].Has(Kw.Between) && (TryPeriod(i + 1, out var p1, out var afterP1) || TryMonthDay(i + 1, out p1, out afterP1)) &&
                (Prev(i) is not { Kind: ItemKind.Column, Column.IsNumeric: true, Column.IsYear: false } || p1.Month is not null || p1.Quarter is not null || p1.Season is not null))
            {
                var k = afterP1;
                while (k < _items.Count && Skippable(_items[k]) && !_items[k].IsWord("to", "through", "until", "till", "thru"))
                {
                    k++;
                }

                if (k < _items.Count && (_items[k].Has(Kw.And) || _items[k].IsWord("to", "through", "until", "till", "thru") || _items[k].Has(Kw.Compare) && _items[k].Text is "up to"))
                {
                    if (TryPeriod(k + 1, out var p2, out var afterP2))
                    {
                        if (p1.Year is null && p2.Year is not null)
                        {
                            p1 = p1 with { Year = p2.Year };
                        }

                        if (p1.Year is not null && p2.Year is not null)
                        {
                            found.Add((i, afterP2, new TimeRange(p1.Start, p2.EndExclusive, null), null));
                            i = afterP2 - 1;
                            continue;
                        }
                    }
                }
            }

            if (!TryPeriod(i, out var p, out var end))
            {
                continue;
            }

            var prevWord = i > 0 ? _items[i - 1] : null;
            var prevText = prevWord?.Text.ToLowerInvariant() ?? string.Empty;
            var next = end < _items.Count ? _items[end] : null;
            var postGe = next is not null && next.Infos.Any(x => x.Kind == Kw.PostCompare && x.Op == ">=");
            var postLe = next is not null && next.Infos.Any(x => x.Kind == Kw.PostCompare && x.Op == "<=");
            if (p.Year is null)
            {
                found.Add((prevText is "since" or "after" or "before" or "until" ? i - 1 : i, end, null, p));
                i = end - 1;
                continue;
            }

            TimeRange range;
            var start = i;
            if (prevText is "since" or "from" or "starting" or "as of" || postGe || prevText is "starting from" or "beginning" or "starting in" or "at least")
            {
                range = new TimeRange(p.Start, null, null);
                start = i - 1;
            }
            else if (prevText is "after" or "later than" or "past" or "beyond" || (prevWord?.Infos.Any(x => x.Kind == Kw.Comparative && x.Op == ">") ?? false))
            {
                range = new TimeRange(p.EndExclusive, null, null);
                start = i - 1;
            }
            else if (prevText is "before" or "earlier than" or "prior to" or "until before" || (prevWord?.Infos.Any(x => x.Kind == Kw.Comparative && x.Op == "<") ?? false))
            {
                range = new TimeRange(null, p.Start, null);
                start = i - 1;
            }
            else if (prevText is "until" or "till" or "through" or "up to" or "by" || postLe)
            {
                range = new TimeRange(null, p.EndExclusive, null);
                start = i - 1;
            }
            else if (prevWord is not null && !prevWord.Used && prevWord.Has(Kw.Not) && prevText is not ("non" or "never"))
            {
                // "each year excluding 2020", "except 2021": every period but that one.
                range = new TimeRange(p.Start, p.EndExclusive, p);
                start = i - 1;
                negated.Add(found.Count);
            }
            else if (WeekOf(i, p) is { } week)
            {
                // "the first week of March 2024": the first (or last) seven days of the period.
                range = week.Range;
                start = week.Start;
            }
            else
            {
                range = new TimeRange(p.Start, p.EndExclusive, p);
            }

            if (postGe || postLe)
            {
                next!.Used = true;
                end++;
            }

            found.Add((start, end, range, null));
            i = end - 1;
        }

        // Consecutive point periods joined by "or"/"and" are alternatives ("in 2013 or 2016").
        var consumed = new HashSet<int>();
        for (var f = 0; f < found.Count; f++)
        {
            var (start, end, range, loose) = found[f];
            var isNegated = negated.Contains(f);
            var group = new List<(TimeRange? Range, Period? Loose)> { (range, loose) };
            var last = end;
            var versus = false;
            while (!isNegated && f + 1 < found.Count && !negated.Contains(f + 1) && JoinedByOrAnd(last, found[f + 1].Start, out var vs) && (found[f + 1].Range?.Point is not null || found[f + 1].Loose is not null) && (range?.Point is not null || loose is not null))
            {
                f++;
                versus |= vs;
                group.Add((found[f].Range, found[f].Loose));
                last = found[f].End;
            }

            var target = TimeTarget(start, keepGroups: isNegated, needsMonth: group.Any(g => g.Loose is not null || g.Range?.Point?.Month is not null || g.Range?.Point?.Quarter is not null || g.Range?.Point?.Season is not null));
            if (target is null)
            {
                continue;
            }

            var exprs = group.Select(g => TimeCondition(target, g.Range, g.Loose)).Where(e => e is not null).Select(e => e!).ToList();
            if (exprs.Count == 0)
            {
                continue;
            }

            for (var k = Math.Max(0, start); k < last; k++)
            {
                _items[k].Used = true;
            }

            var condition = exprs.Count == 1 ? exprs[0] : Exprs.Or(exprs);
            AddCondition(_items[Math.Max(0, start)].Start, isNegated ? new UnaryExpr(UnaryOperator.Not, condition) : condition);
            if (versus)
            {
                // "2023 vs 2022": one row per period.
                var unit = group.All(g => g.Range?.Point is { Month: null, Quarter: null, Season: null, Day: null }) ? "year" : "month";
                if (target.IsTemporal)
                {
                    _pendingBuckets.Add((_items[Math.Max(0, start)].Start, target, unit));
                }
                else if (unit == "year" ? target.IsYear : _index.Columns.FirstOrDefault(c => c.IsMonth) is not null)
                {
                    AddGroup(unit == "year" ? target : _index.Columns.First(c => c.IsMonth), _items[Math.Max(0, start)].Start);
                }
            }
        }
    }

    /// <summary>"on weekends", "on weekdays": ISO days of the week of a date column, or a day-name column's values.</summary>
    private void WeekendPass()
    {
        foreach (var k in _items.Where(x => x.Has(Kw.Weekend) && !x.Used).ToList())
        {
            var weekend = k.Get(Kw.Weekend)!.Number == 1;
            string[] names = weekend ? ["Saturday", "Sunday"] : ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
            var dayColumn = _index.Columns.FirstOrDefault(c => c.IsCategorical && names.All(n => c.Profile.Values.Contains(n, StringComparer.OrdinalIgnoreCase)));
            Expr? condition = null;
            if (dayColumn is not null)
            {
                var values = names.Select(n => dayColumn.Profile.Values.First(v => string.Equals(v, n, StringComparison.OrdinalIgnoreCase)));
                condition = new InListExpr(Exprs.Col(dayColumn.Name), values.Select(v => (Expr)Exprs.Str(v)).ToArray());
            }
            else if (_index.DateColumns.FirstOrDefault() is { } date)
            {
                var dow = new ExtractExpr("isodow", Exprs.Col(date.Name));
                condition = weekend
                    ? new InListExpr(dow, [new NumericLiteral(6), new NumericLiteral(7)])
                    : new BetweenExpr(dow, new NumericLiteral(1), new NumericLiteral(5));
            }

            if (condition is not null)
            {
                k.Used = true;
                AddCondition(k.Start, condition);
            }
        }
    }

    private bool JoinedByOrAnd(int fromItem, int toItem, out bool versus)
    {
        var sawJoin = false;
        versus = false;
        for (var k = fromItem; k < toItem; k++)
        {
            if (_items[k].Has(Kw.Versus))
            {
                sawJoin = versus = true;
            }
            else if (_items[k].Has(Kw.Or) || _items[k].Has(Kw.And) || (_items[k].Kind == ItemKind.Symbol && _items[k].Text == ","))
            {
                sawJoin = true;
            }
            else if (!Skippable(_items[k]) && !_items[k].IsWord("in", "during"))
            {
                return false;
            }
        }

        return sawJoin;
    }

    private bool IsYearNumber(Item it)
    {
        if (it.Kind != ItemKind.Number || it.Used || it.Token!.Percent || it.Token.IsNumberWord || it.Token.Number is not { } n || n != decimal.Truncate(n) || it.Token.Stem == "hour-of-day")
        {
            return false;
        }

        var yearCols = _index.Columns.Where(c => c.IsYear).ToList();
        var lo = 1900m;
        var hi = 2100m;
        foreach (var c in yearCols.Where(c => c.MinNumber is not null))
        {
            lo = Math.Min(lo, c.MinNumber!.Value - 50);
            hi = Math.Max(hi, c.MaxNumber!.Value + 50);
        }

        foreach (var c in _index.DateColumns.Where(c => c.MinDate is not null))
        {
            lo = Math.Min(lo, c.MinDate!.Value.Year - 50);
            hi = Math.Max(hi, c.MaxDate!.Value.Year + 50);
        }

        return n >= lo && n <= hi;
    }

    /// <summary>Whether a year-like number at item <paramref name="i"/> is used as a year here, not as a quantity.</summary>
    private bool YearContext(int i)
    {
        var prev = i > 0 ? _items[i - 1] : null;
        var next = i + 1 < _items.Count ? _items[i + 1] : null;
        if (next is { Kind: ItemKind.Column } && next.Column!.IsNumeric && !next.Column.IsYear)
        {
            return false;
        }

        if (next is { Kind: ItemKind.RowNoun })
        {
            return false;
        }

        if (prev is null)
        {
            return true;
        }

        if (prev.Kind == ItemKind.Keyword && prev.Infos.Any(x => x.Kind is Kw.Compare or Kw.PostCompare) && prev.Text.ToLowerInvariant() is not ("after" or "before" or "past" or "beyond"))
        {
            return false;
        }

        if (prev.Kind == ItemKind.Column)
        {
            return prev.Column!.IsYear || prev.Column.IsTemporal;
        }

        var text = prev.Text.ToLowerInvariant();
        if (text == "about" && WordBefore(prev.Start) is "what" or "how")
        {
            // A follow-up's "what about 2021?" swaps the period; "about 2000 flights" stays a number.
            return true;
        }

        return YearPrepositions.Contains(text) || prev.Has(Kw.Month) || prev.Has(Kw.Versus) || (prev.Has(Kw.Not) && text is not ("non" or "never")) || prev.Has(Kw.Quarter) || prev.Has(Kw.Between) || prev.Has(Kw.And) || prev.Has(Kw.Or)
            || prev.Has(Kw.TimeUnit) || text is "since" or "until" or "later than" or "earlier than" or "prior to" or "as of" || prev.Kind == ItemKind.Symbol;
    }

    /// <summary>"March 1" with its year written only at the other end of a range ("between March 1 and May 15 2024").</summary>
    private bool TryMonthDay(int i, out Period period, out int end)
    {
        period = new Period(null, null, null, null);
        end = i;
        if (i + 1 >= _items.Count || _items[i].Used || !_items[i].Has(Kw.Month) || _items[i + 1].Kind != ItemKind.Number || IsYearNumber(_items[i + 1]) ||
            _items[i + 1].Token!.Number is not { } day || day < 1 || day > 31 || day != decimal.Truncate(day))
        {
            return false;
        }

        period = new Period(null, null, _items[i].Get(Kw.Month)!.Number, (int)day);
        end = i + 2 < _items.Count && _items[i + 2].Kind == ItemKind.Symbol && _items[i + 2].Text == "," ? i + 3 : i + 2;
        return true;
    }

    private bool TryPeriod(int i, out Period period, out int end)
    {
        period = new Period(null, null, null, null);
        end = i;
        while (i < _items.Count && _items[i].IsWord("the", "of", "in", "year", "during"))
        {
            i++;
        }

        if (i >= _items.Count || _items[i].Used)
        {
            return false;
        }

        var it = _items[i];
        if (it.Kind == ItemKind.Date && it.Token!.Date is { } d)
        {
            period = new Period(d.Year, null, d.Month, d.Day);
            end = i + 1;
            return true;
        }

        if (it.Has(Kw.TimeUnit) && it.Get(Kw.TimeUnit)!.Unit == "year" && i + 1 < _items.Count && IsYearNumber(_items[i + 1]))
        {
            period = new Period((int)_items[i + 1].Token!.Number!.Value, null, null, null);
            end = i + 2;
            return true;
        }

        if (it.Has(Kw.Month))
        {
            var m = it.Get(Kw.Month)!.Number;
            var k = i + 1;
            int? day = null;
            if (k < _items.Count && _items[k].Kind == ItemKind.Number && _items[k].Token!.Number is { } dn && dn >= 1 && dn <= 31 && dn == decimal.Truncate(dn) && !IsYearNumber(_items[k]))
            {
                day = (int)dn;
                k++;
                if (k < _items.Count && _items[k].Kind == ItemKind.Symbol && _items[k].Text == ",")
                {
                    k++;
                }
            }

            if (k < _items.Count && _items[k].IsWord("of", "in"))
            {
                k++;
            }

            if (k < _items.Count && IsYearNumber(_items[k]))
            {
                period = new Period((int)_items[k].Token!.Number!.Value, null, m, day);
                end = k + 1;
                return true;
            }

            period = new Period(null, null, m, null);
            end = day is null ? i + 1 : i + 2;
            return day is null;
        }

        if (it.Kind == ItemKind.Number && it.Token!.Number is { } dd && dd >= 1 && dd <= 31 && i + 2 < _items.Count && _items[i + 1].Has(Kw.Month) && IsYearNumber(_items[i + 2]))
        {
            period = new Period((int)_items[i + 2].Token!.Number!.Value, null, _items[i + 1].Get(Kw.Month)!.Number, (int)dd);
            end = i + 3;
            return true;
        }

        if (it.Has(Kw.Season))
        {
            var season = it.Get(Kw.Season)!.Number;
            var span = it.Get(Kw.Season)!.Unit == "half" ? 6 : 3;
            var k = i + 1;
            if (k < _items.Count && _items[k].IsWord("of", "in"))
            {
                k++;
            }

            if (k < _items.Count && IsYearNumber(_items[k]))
            {
                period = new Period((int)_items[k].Token!.Number!.Value, null, null, null) { Season = season, Span = span };
                end = k + 1;
                return true;
            }

            period = new Period(null, null, null, null) { Season = season, Span = span };
            end = i + 1;
            return true;
        }

        if (it.Has(Kw.Quarter))
        {
            var q = it.Get(Kw.Quarter)!.Number;
            var k = i + 1;
            if (k < _items.Count && _items[k].IsWord("of", "in"))
            {
                k++;
            }

            if (k < _items.Count && IsYearNumber(_items[k]))
            {
                period = new Period((int)_items[k].Token!.Number!.Value, q, null, null);
                end = k + 1;
                return true;
            }

            period = new Period(null, q, null, null);
            end = i + 1;
            return true;
        }

        if (IsYearNumber(it) && YearContext(i))
        {
            var y = (int)it.Token!.Number!.Value;
            if (i + 1 < _items.Count && _items[i + 1].Has(Kw.Quarter))
            {
                period = new Period(y, _items[i + 1].Get(Kw.Quarter)!.Number, null, null);
                end = i + 2;
                return true;
            }

            period = new Period(y, null, null, null);
            end = i + 1;
            return true;
        }

        return false;
    }

    private bool TryRelative(int i, out int end, out TimeRange? range)
    {
        end = i;
        range = null;
        var it = _items[i];
        var rel = it.Get(Kw.Relative);
        var sup = it.Infos.FirstOrDefault(x => x.Kind == Kw.Superlative && x.Descending && x.Implied is not null && x.Implied.Contains("date"));
        if (rel is null && sup is null && !it.Has(Kw.Relative))
        {
            return false;
        }

        var k = i + 1;
        int? count = null;
        if (k < _items.Count && _items[k].Kind == ItemKind.Number && _items[k].Token!.Number is { } n && n > 0 && n < 1000 && n == decimal.Truncate(n))
        {
            count = (int)n;
            k++;
        }

        var unitItem = k < _items.Count ? _items[k] : null;
        var unitName = unitItem?.Get(Kw.TimeUnit)?.Unit ?? (unitItem is { Kind: ItemKind.Column } ci ? (ci.Column!.IsYear ? "year" : ci.Column.IsMonth ? "month" : null) : null);
        if (count is null && unitName is not null && k + 2 < _items.Count && _items[k + 1].IsWord("of") && TryPeriod(k + 2, out var within, out _) && within.Year is not null)
        {
            // "the last week of 2023" is a part of that period (WeekOf), not the latest week in the data.
            return false;
        }
        if (unitName is null)
        {
            if (rel?.Unit == "ytd")
            {
                var maxYtd = MaxDate();
                if (maxYtd is null)
                {
                    return false;
                }

                range = new TimeRange(new DateOnly(maxYtd.Value.Year, 1, 1), maxYtd.Value.AddDays(1), null);
                end = i + 1;
                return true;
            }

            return false;
        }

        var unit = unitName;
        end = k + 1;
        if (end < _items.Count && _items[end].IsWord("to"))
        {
            // "year to date"
            if (end + 1 < _items.Count && _items[end + 1].Has(Kw.TimeUnit))
            {
                end += 2;
            }
        }

        var max = MaxDate();
        if (max is null)
        {
            return false;
        }

        var m = max.Value;
        var kind = rel?.Unit ?? "this";
        var word = it.Text.ToLowerInvariant();
        var rolling = count is not null || word.Contains("past", StringComparison.Ordinal) || word.Contains("last", StringComparison.Ordinal) && word.Contains("over", StringComparison.Ordinal);
        if (sup is not null && rel is null)
        {
            kind = "this";
        }

        if (kind == "last" && rolling && unit is "month" or "quarter" or "year" && count is not null)
        {
            // "the last 6 months": the six calendar months up to the latest one in the data.
            var firstOfMonth = new DateOnly(m.Year, m.Month, 1);
            var months = unit switch { "year" => 12, "quarter" => 3, _ => 1 } * count.Value;
            range = new TimeRange(firstOfMonth.AddMonths(1 - months), firstOfMonth.AddMonths(1), null);
            return true;
        }

        if (kind == "last" && rolling)
        {
            var c = count ?? 1;
            var from = unit switch
            {
                "year" => m.AddYears(-c),
                "quarter" => m.AddMonths(-3 * c),
                "month" => m.AddMonths(-c),
                "week" => m.AddDays(-7 * c),
                _ => m.AddDays(-c),
            };
            range = new TimeRange(from.AddDays(1), m.AddDays(1), null);
            return true;
        }

        var offset = kind == "last" ? -1 : 0;
        Period p = unit switch
        {
            "year" => new Period(m.Year + offset, null, null, null),
            "quarter" => QuarterOf(new DateOnly(m.Year, m.Month, 1).AddMonths(3 * offset)),
            "month" => MonthOf(new DateOnly(m.Year, m.Month, 1).AddMonths(offset)),
            "week" => new Period(null, null, null, null),
            _ => new Period(m.AddDays(offset).Year, null, m.AddDays(offset).Month, m.AddDays(offset).Day),
        };
        if (unit == "week")
        {
            var monday = m.AddDays(-(((int)m.DayOfWeek + 6) % 7)).AddDays(7 * offset);
            range = new TimeRange(monday, monday.AddDays(7), null);
            return true;
        }

        range = new TimeRange(p.Start, p.EndExclusive, p);
        return true;

        static Period QuarterOf(DateOnly d) => new(d.Year, ((d.Month - 1) / 3) + 1, null, null);
        static Period MonthOf(DateOnly d) => new(d.Year, null, d.Month, null);
    }

    /// <summary>"Today" for relative dates: the largest date in the data (or 31 December of the largest year).</summary>
    private DateOnly? MaxDate()
    {
        var dateCol = _index.DateColumns.FirstOrDefault(c => c.MaxDate is not null);
        if (dateCol is not null)
        {
            return dateCol.MaxDate;
        }

        var yearCol = _index.Columns.FirstOrDefault(c => c.IsYear && c.MaxNumber is not null);
        if (yearCol is null)
        {
            return null;
        }

        var monthCol = _index.Columns.FirstOrDefault(c => c.IsMonth && c.MaxNumber is not null);
        return new DateOnly((int)yearCol.MaxNumber!.Value, 12, 31);
    }

    /// <summary>The column a time expression at item <paramref name="at"/> applies to.</summary>
    private ColumnInfo? TimeTarget(int at, bool needsMonth, bool keepGroups = false)
    {
        // "each year excluding 2020": the excluded period applies to the grouped column, which stays a group.
        bool Grouped(Item it) => keepGroups && Pos(it) is var p && p > 0 && (_items[p - 1].Has(Kw.GroupBy) || _items[p - 1].Has(Kw.Each));

        // A date or year column named right before the expression ("order date in 2023", "opened after 2013").
        for (var k = at - 1; k >= 0 && k >= at - 3; k--)
        {
            var it = _items[k];
            if (it.Kind == ItemKind.Column && (it.Column!.IsTemporal || it.Column.IsYear))
            {
                it.Used |= !Grouped(it);
                return it.Column;
            }

            if (it.Kind is ItemKind.Value or ItemKind.Number or ItemKind.RowNoun)
            {
                break;
            }
        }

        var mentioned = _items.FirstOrDefault(i => i.Kind == ItemKind.Column && !i.Used && (i.Column!.IsTemporal || i.Column.IsYear));
        if (mentioned is not null && !needsMonth)
        {
            mentioned.Used |= !Grouped(mentioned);
            return mentioned.Column;
        }

        var date = _index.DateColumns.FirstOrDefault();
        if (date is not null)
        {
            return date;
        }

        if (needsMonth && _index.Columns.FirstOrDefault(c => c.IsMonth) is { } month && !_index.Columns.Any(c => c.IsYear))
        {
            return month;
        }

        return _index.Columns.Where(c => c.IsYear).OrderBy(c => c.Stems.Count).ThenBy(c => c.Ordinal).FirstOrDefault()
            ?? _index.Columns.FirstOrDefault(c => c.IsMonth);
    }

    /// <summary>"the first week of March 2024", "the last week of 2023" on a date column: seven days from the period's start or up to its end.</summary>
    private (TimeRange Range, int Start)? WeekOf(int at, Period p)
    {
        if (p.Day is not null || _index.DateColumns.FirstOrDefault() is null)
        {
            return null;
        }

        var j = at - 1;
        if (j >= 0 && _items[j].IsWord("of"))
        {
            j--;
        }

        if (j < 1 || _items[j].Get(Kw.TimeUnit)?.Unit != "week" || at - j > 2)
        {
            return null;
        }

        var ordinal = _items[j - 1].Text.ToLowerInvariant();
        if (ordinal.StartsWith("in ", StringComparison.Ordinal) || ordinal.StartsWith("for ", StringComparison.Ordinal) || ordinal.StartsWith("during ", StringComparison.Ordinal))
        {
            ordinal = ordinal[(ordinal.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        }

        var first = ordinal is "first" or "the first" or "1st" or "the 1st";
        var last = ordinal is "last" or "the last" or "final" or "the final";
        if (!first && !last)
        {
            return null;
        }

        var from = first ? p.Start : p.EndExclusive.AddDays(-7);
        return (new TimeRange(from, from.AddDays(7), null), j - 1);
    }

    private Expr? TimeCondition(ColumnInfo target, TimeRange? range, Period? loose)
    {
        var col = Exprs.Col(target.Name);
        if (target.IsTemporal)
        {
            if (loose is not null)
            {
                if (loose.Season is not null)
                {
                    return new InListExpr(new ExtractExpr("month", col), loose.SeasonMonths.Select(m => (Expr)new NumericLiteral(m)).ToArray());
                }

                return loose.Month is not null
                    ? Exprs.Cmp("=", new ExtractExpr("month", col), new NumericLiteral(loose.Month.Value))
                    : Exprs.Cmp("=", new ExtractExpr("quarter", col), new NumericLiteral(loose.Quarter!.Value));
            }

            var parts = new List<Expr>();
            if (range!.Point is { Day: not null } day && target.Kind == ColumnKind.Date)
            {
                return Exprs.Cmp("=", col, Exprs.Date(day.Start));
            }

            if (range.From is not null)
            {
                parts.Add(Exprs.Cmp(">=", col, Exprs.Date(range.From.Value)));
            }

            if (range.To is not null)
            {
                parts.Add(Exprs.Cmp("<", col, Exprs.Date(range.To.Value)));
            }

            return Exprs.And(parts);
        }

        var monthCol = _index.Columns.FirstOrDefault(c => c.IsMonth);
        var dayCol = _index.Columns.FirstOrDefault(c => c.Kind == ColumnKind.Integer && c.Stems.Count == 1 && c.Stems[0] == "day");
        if (target.IsMonth)
        {
            if ((loose ?? range?.Point) is { Season: not null } s)
            {
                return new InListExpr(col, s.SeasonMonths.Select(m => (Expr)new NumericLiteral(m)).ToArray());
            }

            var m = loose?.Month ?? range?.Point?.Month;
            return m is null ? null : Exprs.Cmp("=", col, new NumericLiteral(m.Value));
        }

        if (loose is not null)
        {
            if (monthCol is null)
            {
                return null;
            }

            if (loose.Season is not null)
            {
                return new InListExpr(Exprs.Col(monthCol.Name), loose.SeasonMonths.Select(m => (Expr)new NumericLiteral(m)).ToArray());
            }

            return loose.Month is not null
                ? Exprs.Cmp("=", Exprs.Col(monthCol.Name), new NumericLiteral(loose.Month.Value))
                : new BetweenExpr(Exprs.Col(monthCol.Name), new NumericLiteral((loose.Quarter!.Value * 3) - 2), new NumericLiteral(loose.Quarter.Value * 3));
        }

        // Integer year column (and month/day columns when present).
        if (range!.Point is { } p)
        {
            if (p.Season is { } start && monthCol is not null)
            {
                var mcol = Exprs.Col(monthCol.Name);
                return start + p.Span - 1 <= 12
                    ? Exprs.And([Exprs.Cmp("=", col, new NumericLiteral(p.Year!.Value)), new BetweenExpr(mcol, new NumericLiteral(start), new NumericLiteral(start + p.Span - 1))])!
                    : Exprs.Or([
                        Exprs.And([Exprs.Cmp("=", col, new NumericLiteral(p.Year!.Value)), Exprs.Cmp("=", mcol, new NumericLiteral(12))])!,
                        Exprs.And([Exprs.Cmp("=", col, new NumericLiteral(p.Year.Value + 1)), Exprs.Cmp("<=", mcol, new NumericLiteral(2))])!,
                    ]);
            }

            var parts = new List<Expr> { Exprs.Cmp("=", col, new NumericLiteral(p.Year!.Value)) };
            if (p.Month is not null && monthCol is not null)
            {
                parts.Add(Exprs.Cmp("=", Exprs.Col(monthCol.Name), new NumericLiteral(p.Month.Value)));
            }
            else if (p.Quarter is not null && monthCol is not null)
            {
                parts.Add(new BetweenExpr(Exprs.Col(monthCol.Name), new NumericLiteral((p.Quarter.Value * 3) - 2), new NumericLiteral(p.Quarter.Value * 3)));
            }

            if (p.Day is not null && dayCol is not null)
            {
                parts.Add(Exprs.Cmp("=", Exprs.Col(dayCol.Name), new NumericLiteral(p.Day.Value)));
            }

            return Exprs.And(parts);
        }

        if (monthCol is not null && MonthRange(col, Exprs.Col(monthCol.Name), range) is { } months)
        {
            return months;
        }

        var fromYear = range.From is { } f ? (f.Month == 1 && f.Day == 1 ? f.Year : f.Year + 1) : (int?)null;
        var toYear = range.To is { } t ? (t.Month == 1 && t.Day == 1 ? t.Year - 1 : t.Year) : (int?)null;
        if (fromYear is not null && toYear is not null)
        {
            return fromYear == toYear
                ? Exprs.Cmp("=", col, new NumericLiteral(fromYear.Value))
                : new BetweenExpr(col, new NumericLiteral(fromYear.Value), new NumericLiteral(toYear.Value));
        }

        if (fromYear is not null)
        {
            return Exprs.Cmp(">=", col, new NumericLiteral(fromYear.Value));
        }

        return toYear is not null ? Exprs.Cmp("<=", col, new NumericLiteral(toYear.Value)) : null;
    }

    /// <summary>
    /// "from June to August 2021", "between March 2021 and May 2022", "since June 2022" on integer year and month
    /// columns: whole months, so the ends that do not fall on a year boundary need the month column.
    /// </summary>
    private static Expr? MonthRange(Expr year, Expr month, TimeRange range)
    {
        if (range.From is { Day: not 1 } || range.To is { Day: not 1 } || (range.From is null or { Month: 1 } && range.To is null or { Month: 1 }))
        {
            return null;
        }

        static Expr Num(int n) => new NumericLiteral(n);
        var first = range.From;
        var last = range.To?.AddMonths(-1);
        if (first is { } a && last is { } b && a.Year == b.Year)
        {
            return Exprs.And([Exprs.Cmp("=", year, Num(a.Year)), a.Month == b.Month ? Exprs.Cmp("=", month, Num(a.Month)) : new BetweenExpr(month, Num(a.Month), Num(b.Month))]);
        }

        var parts = new List<Expr>();
        if (first is { } from)
        {
            parts.Add(from.Month == 1 ? Exprs.Cmp("=", year, Num(from.Year)) : Exprs.And([Exprs.Cmp("=", year, Num(from.Year)), Exprs.Cmp(">=", month, Num(from.Month))])!);
        }

        // The whole years in between (or on the open side).
        var middleFrom = first is { } f2 ? f2.Year + 1 : (int?)null;
        var middleTo = last is { } l2 ? l2.Year - 1 : (int?)null;
        if (middleFrom is null && middleTo is not null)
        {
            parts.Add(Exprs.Cmp("<=", year, Num(middleTo.Value)));
        }
        else if (middleTo is null && middleFrom is not null)
        {
            parts.Add(Exprs.Cmp(">=", year, Num(middleFrom.Value)));
        }
        else if (middleFrom <= middleTo)
        {
            parts.Add(middleFrom == middleTo ? Exprs.Cmp("=", year, Num(middleFrom!.Value)) : new BetweenExpr(year, Num(middleFrom!.Value), Num(middleTo!.Value)));
        }

        if (last is { } to)
        {
            parts.Add(to.Month == 12 ? Exprs.Cmp("=", year, Num(to.Year)) : Exprs.And([Exprs.Cmp("=", year, Num(to.Year)), Exprs.Cmp("<=", month, Num(to.Month))])!);
        }

        return Exprs.Or(parts);
    }
}
