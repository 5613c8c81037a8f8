using System.Globalization;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Role of a select-list entry.</summary>
internal enum PlanRole
{
    /// <summary>A grouping key (a column or a time bucket).</summary>
    Key,

    /// <summary>An aggregate.</summary>
    Measure,

    /// <summary>A plain column of a row-level query.</summary>
    Column,
}

/// <summary>One select-list entry.</summary>
internal sealed record PlanItem(Expr Expr, string? Alias, PlanRole Role);

/// <summary>One condition (a conjunct of WHERE or HAVING) with the columns it reads.</summary>
internal sealed record PlanCondition(Expr Expr, IReadOnlySet<string> Columns)
{
    public static PlanCondition Of(Expr expr) => new(expr, Exprs.ColumnsOf(expr));
}

/// <summary>
/// The shape every offline answer has: one table, a select list, conjunctive WHERE and HAVING,
/// GROUP BY, ORDER BY and LIMIT. Follow-ups edit a plan; <see cref="FromQuery"/> recovers one from
/// any tree of that shape (including a previous answer parsed back from its SQL).
/// </summary>
internal sealed class QueryPlan
{
    public required string Table { get; init; }

    public List<PlanItem> Select { get; init; } = [];

    public bool Star { get; set; }

    public bool Distinct { get; set; }

    public List<PlanCondition> Where { get; init; } = [];

    public List<Expr> GroupBy { get; init; } = [];

    public List<PlanCondition> Having { get; init; } = [];

    public List<OrderItem> OrderBy { get; init; } = [];

    public int? Limit { get; set; }

    /// <summary>
    /// The answer counts the groups that pass the HAVING: <c>SELECT count(*) FROM (SELECT key FROM t GROUP BY key HAVING ...) t</c>
    /// ("how many customers placed more than 15 orders").
    /// </summary>
    public bool CountGroups { get; set; }

    public QueryPlan Clone() => new()
    {
        CountGroups = CountGroups,
        Table = Table,
        Select = [.. Select],
        Star = Star,
        Distinct = Distinct,
        Where = [.. Where],
        GroupBy = [.. GroupBy],
        Having = [.. Having],
        OrderBy = [.. OrderBy],
        Limit = Limit,
    };

    public Query ToQuery()
    {
        IReadOnlyList<SelectItem> items = Star && Select.Count == 0
            ? [new StarItem()]
            : Select.Select(s => (SelectItem)new ExpressionItem(s.Expr, s.Alias is null ? null : new Identifier(s.Alias, true))).ToArray();
        var core = new SelectCore(items)
        {
            Distinct = Distinct ? new DistinctClause([]) : null,
            From = [new NamedTable(new QualifiedName([new Identifier(Table, true)]))],
            Where = Exprs.And(Where.Select(w => w.Expr)),
            GroupBy = [.. GroupBy],
            Having = Exprs.And(Having.Select(h => h.Expr)),
        };
        if (CountGroups)
        {
            // The groups alone, then their number; ordering and limits mean nothing to one count.
            var groups = new Query(core);
            var outer = new SelectCore([new ExpressionItem(Exprs.CountStar(), new Identifier("count", true))])
            {
                From = [new DerivedTable(groups, new TableAlias(new Identifier("t", true)))],
            };
            return new Query(outer);
        }

        return new Query(core)
        {
            OrderBy = [.. OrderBy],
            Limit = Limit is null ? null : new NumericLiteral(Limit.Value),
        };
    }

    /// <summary>Recovers a plan from a single-table SELECT; null when the tree has another shape.</summary>
    public static QueryPlan? FromQuery(Query query)
    {
        if (query.With is not null || query.Offset is not null || query.Locking.Count > 0 || query.Body is not SelectCore core ||
            core.From.Count != 1 || core.From[0] is not NamedTable table || core.Windows.Count > 0 || core.Into is not null ||
            (core.Distinct is not null && core.Distinct.On.Count > 0))
        {
            return null;
        }

        int? limit = null;
        if (query.Limit is NumericLiteral { IsInteger: true } lit && int.TryParse(lit.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            limit = n;
        }
        else if (query.Limit is not null)
        {
            return null;
        }

        var plan = new QueryPlan
        {
            Table = table.Name.Last.IsQuoted ? table.Name.Last.Name : table.Name.Last.Normalized,
            Distinct = core.Distinct is not null,
            Limit = limit,
            GroupBy = core.GroupBy.Select(g => g is NumericLiteral { IsInteger: true } k && int.TryParse(k.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var at) &&
                at >= 1 && at <= core.Items.Count && core.Items[at - 1] is ExpressionItem ei ? ei.Expr : g).ToList(),
            OrderBy = [.. query.OrderBy],
        };
        foreach (var item in core.Items)
        {
            switch (item)
            {
                case StarItem:
                    plan.Star = true;
                    break;
                case ExpressionItem e:
                    if (Exprs.HasSubquery(e.Expr))
                    {
                        return null;
                    }

                    var rendered = SqlRenderer.RenderExpression(e.Expr);
                    var role = Exprs.HasAggregate(e.Expr) ? PlanRole.Measure
                        : plan.GroupBy.Any(g => SqlRenderer.RenderExpression(g) == rendered) ? PlanRole.Key : PlanRole.Column;
                    plan.Select.Add(new PlanItem(e.Expr, e.Alias?.Name, role));
                    break;
            }
        }

        if ((core.Where is not null && Exprs.HasSubquery(core.Where)) || (core.Having is not null && Exprs.HasSubquery(core.Having)))
        {
            return null;
        }

        plan.Where.AddRange(Exprs.Conjuncts(core.Where).Select(PlanCondition.Of));
        plan.Having.AddRange(Exprs.Conjuncts(core.Having).Select(PlanCondition.Of));
        return plan;
    }
}

/// <summary>Small builders and walkers for expression trees.</summary>
internal static class Exprs
{
    public static ColumnRef Col(string name) => new(new QualifiedName([new Identifier(name, true)]));

    public static StringLiteral Str(string value) => new(value);

    public static Expr Num(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return value < 0 ? new UnaryExpr(UnaryOperator.Negate, new NumericLiteral(text.TrimStart('-'))) : new NumericLiteral(text);
    }

    public static TypedLiteral Date(DateOnly date) => new(new TypeName("date"), date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    public static FunctionCall CountStar() => new(QualifiedName.Of("count"), []) { Star = true };

    public static FunctionCall Call(string name, params Expr[] args) => FunctionCall.Of(name, args);

    public static BinaryExpr Cmp(string op, Expr left, Expr right) => new(op switch
    {
        ">" => BinaryOperator.Greater,
        ">=" => BinaryOperator.GreaterOrEqual,
        "<" => BinaryOperator.Less,
        "<=" => BinaryOperator.LessOrEqual,
        "<>" => BinaryOperator.NotEqual,
        _ => BinaryOperator.Equal,
    }, left, right);

    public static Expr? And(IEnumerable<Expr> parts)
    {
        Expr? result = null;
        foreach (var p in parts)
        {
            result = result is null ? p : new BinaryExpr(BinaryOperator.And, result, p);
        }

        return result;
    }

    public static Expr Or(IReadOnlyList<Expr> parts)
    {
        Expr result = parts[0];
        for (var i = 1; i < parts.Count; i++)
        {
            result = new BinaryExpr(BinaryOperator.Or, result, parts[i]);
        }

        return result;
    }

    public static IEnumerable<Expr> Conjuncts(Expr? e)
    {
        if (e is null)
        {
            yield break;
        }

        if (e is BinaryExpr { Operator: BinaryOperator.And } b)
        {
            foreach (var x in Conjuncts(b.Left))
            {
                yield return x;
            }

            foreach (var x in Conjuncts(b.Right))
            {
                yield return x;
            }
        }
        else
        {
            yield return e;
        }
    }

    public static HashSet<string> ColumnsOf(Expr e)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        Walk(e, x =>
        {
            if (x is ColumnRef c)
            {
                set.Add(c.Name.Last.Normalized);
            }
        });
        return set;
    }

    public static bool HasAggregate(Expr e)
    {
        var found = false;
        Walk(e, x => found |= x is FunctionCall f && f.Over is null && Policy.FunctionAllowList.Aggregates.Contains(f.Name.Last.Normalized));
        return found;
    }

    public static bool HasSubquery(Expr e)
    {
        var found = false;
        Walk(e, x => found |= x is SubqueryExpr or ExistsExpr or InSubqueryExpr or QuantifiedComparisonExpr);
        return found;
    }

    /// <summary>Visits every expression node of the kinds a plan can hold.</summary>
    public static void Walk(Expr e, Action<Expr> visit)
    {
        visit(e);
        switch (e)
        {
            case BinaryExpr b:
                Walk(b.Left, visit);
                Walk(b.Right, visit);
                break;
            case UnaryExpr u:
                Walk(u.Operand, visit);
                break;
            case IsExpr i:
                Walk(i.Operand, visit);
                break;
            case BetweenExpr bt:
                Walk(bt.Operand, visit);
                Walk(bt.Low, visit);
                Walk(bt.High, visit);
                break;
            case InListExpr il:
                Walk(il.Operand, visit);
                foreach (var v in il.Values)
                {
                    Walk(v, visit);
                }

                break;
            case LikeExpr l:
                Walk(l.Operand, visit);
                Walk(l.Pattern, visit);
                break;
            case FunctionCall f:
                foreach (var a in f.Args)
                {
                    Walk(a, visit);
                }

                foreach (var o in f.WithinGroup.Concat(f.OrderBy))
                {
                    Walk(o.Expr, visit);
                }

                if (f.Filter is not null)
                {
                    Walk(f.Filter, visit);
                }

                break;
            case CastExpr c:
                Walk(c.Operand, visit);
                break;
            case ExtractExpr x:
                Walk(x.Source, visit);
                break;
            case CaseExpr ce:
                if (ce.Operand is not null)
                {
                    Walk(ce.Operand, visit);
                }

                foreach (var w in ce.Whens)
                {
                    Walk(w.Condition, visit);
                    Walk(w.Result, visit);
                }

                if (ce.Else is not null)
                {
                    Walk(ce.Else, visit);
                }

                break;
            case IsDistinctFromExpr d:
                Walk(d.Left, visit);
                Walk(d.Right, visit);
                break;
        }
    }
}
