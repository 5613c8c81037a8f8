using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Assembles a reading into a plan, and folds a follow-up reading into the previous plan.</summary>
internal static class PlanBuilder
{
    public static QueryPlan Build(QuestionReading r)
    {
        var plan = new QueryPlan { Table = r.Index.Table, Distinct = r.Distinct, Limit = r.Limit, CountGroups = r.CountGroups };
        plan.Where.AddRange(r.Where.SelectMany(Split));
        plan.Having.AddRange(r.Having);
        var keys = r.Groups.OrderBy(g => g.At < 0 ? int.MaxValue : g.At).ToList();
        foreach (var g in keys)
        {
            var (expr, alias) = KeyExpr(g, plan.Where);
            plan.Select.Add(new PlanItem(expr, alias, PlanRole.Key));
            plan.GroupBy.Add(expr);
        }

        foreach (var c in r.Projection)
        {
            plan.Select.Add(new PlanItem(Exprs.Col(c.Name), null, PlanRole.Column));
        }

        var measures = r.Measures.Select((m, i) => (m, i)).OrderBy(x => x.m.At < 0 ? int.MaxValue : x.m.At).ThenBy(x => x.i).Select(x => x.m).ToList();
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in measures)
        {
            var alias = m.Alias;
            if (!aliases.Add(alias))
            {
                continue;
            }

            plan.Select.Add(new PlanItem(m.ToExpr(), alias, PlanRole.Measure));
        }

        plan.Star = r.Star && plan.Select.Count == 0;
        foreach (var o in r.Order)
        {
            Expr key;
            if (o.Measure is not null)
            {
                key = o.Measure.ToExpr();
            }
            else if (keys.FirstOrDefault(g => g.Column == o.Column && g.Bucket is null) is { } g)
            {
                key = KeyExpr(g, plan.Where).Expr;
            }
            else
            {
                key = Exprs.Col(o.Column!.Name);
            }

            var rendered = SqlRenderer.RenderExpression(key);
            if (plan.OrderBy.Any(x => SqlRenderer.RenderExpression(x.Expr) == rendered))
            {
                continue;
            }

            plan.OrderBy.Add(new OrderItem(key, o.Descending ? SortDirection.Descending : SortDirection.Ascending, o.Descending ? NullsOrder.Last : null));
        }

        if (plan.Distinct && plan.OrderBy.Any(o => !plan.Select.Any(s => SqlRenderer.RenderExpression(s.Expr) == SqlRenderer.RenderExpression(o.Expr))))
        {
            plan.Distinct = false;
        }

        OrderByTime(plan, r.Index);
        return plan;
    }

    public static IEnumerable<PlanCondition> Split(PlanCondition c) =>
        Exprs.Conjuncts(c.Expr).Count() <= 1 ? [c] : Exprs.Conjuncts(c.Expr).Select(PlanCondition.Of);

    /// <summary>
    /// A grouping key's expression: the column, or a time bucket. A series of months or quarters is a series of
    /// periods (<c>date_trunc</c>), inside one year as across years; only month-of-year and quarter-of-year buckets
    /// ("by month of the year", "seasonality") are month or quarter numbers that pool the years.
    /// </summary>
    public static (Expr Expr, string? Alias) KeyExpr(GroupSpec g, IReadOnlyList<PlanCondition> where)
    {
        var col = Exprs.Col(g.Column.Name);
        if (g.Bucket is null)
        {
            return (col, null);
        }

        return g.Bucket switch
        {
            "year" => (new ExtractExpr("year", col), "year"),
            TimeUnits.MonthOfYear => (new ExtractExpr("month", col), "month"),
            TimeUnits.QuarterOfYear => (new ExtractExpr("quarter", col), "quarter"),
            TimeUnits.DayOfWeek => (Exprs.Call("to_char", col, Exprs.Str("FMDay")), "weekday"),
            "day" => (g.Column.Kind == ColumnKind.Date ? col : new CastExpr(col, new TypeName("date")), "day"),
            _ => (new CastExpr(Exprs.Call("date_trunc", Exprs.Str(g.Bucket), col), new TypeName("date")), g.Bucket),
        };
    }

    /// <summary>Applies a follow-up ("only for 2015", "what about Texas?", "and by month?", "the top 10 instead") to the previous plan.</summary>
    public static QueryPlan Merge(QueryPlan previous, QuestionReading r)
    {
        var p = previous.Clone();
        var index = r.Index;
        bool IsTime(string name) => index.Find(name) is { } c && (c.IsTemporal || c.IsYear || c.IsMonth);

        var added = r.Where.SelectMany(Split).ToList();
        foreach (var nc in added)
        {
            var time = nc.Columns.Any(IsTime);
            p.Where.RemoveAll(old => time ? old.Columns.Overlaps(nc.Columns) : old.Columns.SetEquals(nc.Columns));
        }

        p.Where.AddRange(added);

        if (r.Having.Count > 0)
        {
            p.Having.Clear();
            p.Having.AddRange(r.Having);
        }

        var keys = r.Groups.Select(g => KeyExpr(g, p.Where)).ToList();
        if (keys.Count > 0)
        {
            if (r.Instead)
            {
                p.Select.RemoveAll(s => s.Role == PlanRole.Key);
                p.GroupBy.Clear();
            }

            var insertAt = p.Select.FindLastIndex(s => s.Role == PlanRole.Key) + 1;
            foreach (var (expr, alias) in keys)
            {
                var text = SqlRenderer.RenderExpression(expr);
                if (p.GroupBy.Any(g => SqlRenderer.RenderExpression(g) == text))
                {
                    continue;
                }

                p.GroupBy.Add(expr);
                p.Select.Insert(insertAt++, new PlanItem(expr, alias, PlanRole.Key));
            }

            // Row-level columns of the previous answer cannot stay beside groups.
            p.Select.RemoveAll(s => s.Role == PlanRole.Column);
            p.Star = false;
            if (!p.Select.Any(s => s.Role == PlanRole.Measure))
            {
                p.Select.Add(new PlanItem(Exprs.CountStar(), "count", PlanRole.Measure));
            }
        }

        if (r.Measures.Count > 0 && !r.DefaultCount)
        {
            var oldMeasures = p.Select.Where(s => s.Role == PlanRole.Measure).Select(s => SqlRenderer.RenderExpression(s.Expr)).ToHashSet(StringComparer.Ordinal);
            p.Select.RemoveAll(s => s.Role == PlanRole.Measure);
            var first = r.Measures[0];
            foreach (var m in r.Measures)
            {
                p.Select.Add(new PlanItem(m.ToExpr(), m.Alias, PlanRole.Measure));
            }

            for (var i = 0; i < p.OrderBy.Count; i++)
            {
                if (oldMeasures.Contains(SqlRenderer.RenderExpression(p.OrderBy[i].Expr)))
                {
                    p.OrderBy[i] = p.OrderBy[i] with { Expr = first.ToExpr() };
                }
            }

            p.Star = false;
            if (p.GroupBy.Count == 0)
            {
                p.Select.RemoveAll(s => s.Role == PlanRole.Column);
            }
        }
        else if (r.Projection.Count > 0 && p.GroupBy.Count == 0 && !p.Select.Any(s => s.Role == PlanRole.Measure))
        {
            p.Select.Clear();
            p.Star = false;
            p.Select.AddRange(r.Projection.Select(c => new PlanItem(Exprs.Col(c.Name), null, PlanRole.Column)));
        }

        if ((r.Order.Count > 0 || r.FlipTo is not null) && p.Limit is null && p.OrderBy.Count > 0 && p.OrderBy.All(o => o.Direction != SortDirection.Descending && (IsTimeKey(o.Expr, index) || p.GroupBy.Any(g => SqlRenderer.RenderExpression(g) == SqlRenderer.RenderExpression(o.Expr)))))
        {
            // The order a grouped answer gets by default ("monthly revenue": time order; "delay by airline": by airline)
            // gives way to the order the follow-up asks for ("sort it from highest to lowest").
            p.OrderBy.Clear();
        }

        if (r.Order.Count > 0 && !(r.Order.Count == 1 && r.Order[0].Measure is { Agg: AggKind.Count, Column: null } && previous.OrderBy.Count > 0 && r.Groups.Count == 0 && !r.Measures.Any(m => m.Agg != AggKind.Count)))
        {
            p.OrderBy.Clear();
            foreach (var o in r.Order)
            {
                var key = o.Measure is not null ? o.Measure.ToExpr() : (Expr)Exprs.Col(o.Column!.Name);
                p.OrderBy.Add(new OrderItem(key, o.Descending ? SortDirection.Descending : SortDirection.Ascending, o.Descending ? NullsOrder.Last : null));
            }
        }
        else if (r.Order.Count == 1 && p.OrderBy.Count > 0)
        {
            Flip(p, r.Order[0].Descending);
        }

        if (r.FlipTo is { } desc)
        {
            if (p.OrderBy.Count > 0)
            {
                Flip(p, desc);
            }
            else if (p.Select.FirstOrDefault(s => s.Role == PlanRole.Measure) is { } m)
            {
                p.OrderBy.Add(new OrderItem(m.Expr, desc ? SortDirection.Descending : SortDirection.Ascending, desc ? NullsOrder.Last : null));
            }
        }

        if (r.Limit is not null)
        {
            p.Limit = r.Limit;
        }

        OrderByTime(p, index);
        return p;
    }

    /// <summary>
    /// A grouped answer with no ordering and no limit asked for reads in the order of its groups: a series over time
    /// in time order ("flights per year", "monthly revenue": the time keys ascending), any other grouping by its keys
    /// ascending, NULL group last ("average price by cut": <c>GROUP BY cut ORDER BY cut</c>, as batch 10's outside
    /// author wrote every unranked grouping).
    /// </summary>
    private static void OrderByTime(QueryPlan plan, SchemaIndex index)
    {
        if (plan.OrderBy.Count > 0 || plan.Limit is not null || plan.CountGroups)
        {
            return;
        }

        var time = plan.GroupBy.Where(k => IsTimeKey(k, index)).ToList();
        foreach (var key in time.Count > 0 ? time : plan.GroupBy)
        {
            // Day names read Monday to Sunday (ISO), not alphabetically.
            plan.OrderBy.Add(new OrderItem(IsDayName(key) is { } date ? Exprs.Call("min", new ExtractExpr("isodow", date)) : key, SortDirection.Ascending));
        }
    }

    /// <summary>The date column of a day-name key (<c>to_char(d, 'FMDay')</c>); null for any other key.</summary>
    private static Expr? IsDayName(Expr e) =>
        e is FunctionCall { Args.Count: 2 } f && f.Name.Last.Normalized == "to_char" && f.Args[1] is StringLiteral { Value: "FMDay" } ? f.Args[0] : null;

    private static bool IsTimeKey(Expr e, SchemaIndex index) => e switch
    {
        FunctionCall when IsDayName(e) is not null => true,
        ExtractExpr => true,
        CastExpr { Operand: FunctionCall f } => f.Name.Last.Normalized == "date_trunc",
        ColumnRef cr => index.Find(cr.Name.Last.Name) is { } c && (c.IsTemporal || c.IsYear || c.IsMonth || IsClockNumber(c)),
        _ => false,
    };

    /// <summary>An integer hour, day-of-month or week number ("by hour of the day" is a series in clock order).</summary>
    private static bool IsClockNumber(ColumnInfo c) =>
        c.Kind == ColumnKind.Integer && c.Stems.Count > 0 && c.MinNumber >= 0 && c.Stems[^1] switch
        {
            "hour" => c.MaxNumber <= 24,
            "day" => c.MaxNumber <= 31,
            "week" => c.MaxNumber <= 53,
            _ => false,
        };

    private static void Flip(QueryPlan p, bool descending) =>
        p.OrderBy[0] = p.OrderBy[0] with { Direction = descending ? SortDirection.Descending : SortDirection.Ascending, Nulls = descending ? NullsOrder.Last : null };
}
