using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.Sql;

/// <summary>
/// Builds random syntax trees from a seed (the seed comes from FsCheck, so runs replay exactly).
/// Every node kind the renderer knows can appear, nested in every position, with hostile
/// identifier and string contents. Name pools are configurable so the validator property can
/// mix allowed and forbidden tables, columns and functions.
/// </summary>
internal sealed class RandomAst(int seed, int maxDepth, RandomAst.NamePools? pools = null)
{
    internal sealed record NamePools(string[] Tables, string[] Columns, string[] Functions, string[] Qualifiers, string[] Labels, string[] Aliases);

    private static readonly string[] WeirdNames = ["a", "Sales", "my col", "x\"y", "select", "from", "ünïcödé", "a.b", "1abc", "_", "partition", "order", "left", "count", "é"];
    private static readonly string[] Strings = ["", "x", "it's", "back\\slash", "\\'", "line\nbreak", "--", "/*", "$$", "😀", "\"q\"", "%_"];
    private static readonly string[] Numbers = ["0", "1", "42", "3.14", ".5", "1e10", "2.5E-3", "7."];
    private static readonly string[] FunctionNames = ["count", "sum", "upper", "coalesce", "nullif", "greatest", "round", "left", "right", "Weird Fn", "select", "date_trunc", "lag", "now"];
    private static readonly string[] Types = ["integer", "bigint", "numeric", "text", "varchar", "double precision", "boolean", "date", "timestamp", "timestamp with time zone", "interval", "time with time zone"];

    private readonly Random _r = new(seed);
    private readonly NamePools? _pools = pools;

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    private bool Chance(int percent) => _r.Next(100) < percent;

    private Identifier Id(string[]? pool = null) => new(pool is null ? Pick(WeirdNames) : Pick(pool), IsQuoted: true);

    public Query Query(int depth = 0)
    {
        var body = Body(depth);
        var q = new Query(body)
        {
            With = Chance(15) && depth < maxDepth ? With(depth) : null,
            OrderBy = Chance(40) ? List(1, 3, () => Order(depth)) : [],
            Limit = Chance(40) ? LimitValue(depth) : null,
            Offset = Chance(15) ? LimitValue(depth) : null,
        };
        if (_pools is null && Chance(5))
        {
            q = q with { Locking = [new LockingClause((LockStrength)_r.Next(4)) { Of = Chance(50) ? [new QualifiedName([Id()])] : [], WaitPolicy = Chance(50) ? "NOWAIT" : null }] };
        }

        return q;
    }

    private Expr LimitValue(int depth) => Chance(70) ? new NumericLiteral(_r.Next(0, 100000)) : Expr(depth + 1);

    private WithClause With(int depth) =>
        new(_pools is null && Chance(20), List(1, 2, () => new CommonTableExpression(Id(_pools?.Labels), Query(depth + 1)) { Columns = Chance(30) ? List(1, 2, () => Id(_pools?.Labels)) : [], Materialized = Chance(20) ? Chance(50) : null }));

    private QueryBody Body(int depth)
    {
        if (depth < maxDepth && Chance(20))
        {
            return new SetOperation((SetOperator)_r.Next(3), Chance(50), SetOperand(depth), SetOperand(depth));
        }

        return Select(depth);
    }

    private QueryBody SetOperand(int depth)
    {
        if (Chance(20) && depth < maxDepth)
        {
            // A nested query only survives a round trip when it has something of its own.
            var q = Query(depth + 1);
            return q.IsBare ? q.Body : new NestedQuery(q);
        }

        return Chance(20) && depth < maxDepth ? Body(depth + 1) : Select(depth + 1);
    }

    private SelectCore Select(int depth)
    {
        var windows = _pools is null && Chance(10) ? List(1, 2, () => new NamedWindow(Id(), Window(depth, allowBase: false))) : [];
        return new SelectCore(List(1, 4, () => SelectItem(depth)))
        {
            Distinct = Chance(15) ? new DistinctClause(Chance(40) ? List(1, 2, () => Expr(depth + 1)) : []) : null,
            Into = _pools is null && Chance(3) ? new QualifiedName([Id()]) : null,
            From = Chance(85) ? List(1, 3, () => Table(depth)) : [],
            Where = Chance(50) ? Expr(depth + 1) : null,
            GroupBy = Chance(25) ? List(1, 3, () => Expr(depth + 1)) : [],
            Having = Chance(15) ? Expr(depth + 1) : null,
            Windows = windows,
        };
    }

    private SelectItem SelectItem(int depth)
    {
        if (Chance(10))
        {
            return new StarItem(Chance(50) ? new QualifiedName([Id(_pools?.Qualifiers)]) : null);
        }

        return new ExpressionItem(Expr(depth + 1), Chance(30) ? Id(_pools?.Labels) : null);
    }

    private TableRef Table(int depth)
    {
        var roll = _r.Next(100);
        if (roll < 55 || depth >= maxDepth)
        {
            var name = _pools is not null && Chance(10)
                ? new QualifiedName([new Identifier(Pick(new[] { "t_other", "pg_catalog", "public", "information_schema" }), true), Id(_pools.Tables)])
                : new QualifiedName([Id(_pools?.Tables)]);
            return new NamedTable(name, Chance(60) ? Alias() : null);
        }

        if (roll < 70)
        {
            return new DerivedTable(Query(depth + 1), Chance(90) ? Alias() : null);
        }

        if (roll < 75 && _pools is null)
        {
            return new FunctionTable(Function(depth, allowWindow: false), Chance(50) ? Alias() : null);
        }

        var kind = (JoinKind)_r.Next(5);
        var left = Table(depth + 1);
        var right = Table(depth + 1);
        var j = new JoinedTable(kind, left, right);
        if (kind == JoinKind.Cross)
        {
            return j;
        }

        return _r.Next(3) switch
        {
            0 => j with { Natural = true },
            1 => j with { Using = List(1, 2, () => Id(_pools?.Columns)) },
            _ => j with { On = Expr(depth + 1) },
        };
    }

    private TableAlias Alias() => new(Id(_pools?.Aliases)) { Columns = _pools is null && Chance(20) ? List(1, 2, () => Id()) : [] };

    private OrderItem Order(int depth) =>
        new(Expr(depth + 1), Chance(50) ? (SortDirection)_r.Next(2) : null, Chance(30) ? (NullsOrder)_r.Next(2) : null);

    private IReadOnlyList<T> List<T>(int min, int max, Func<T> make) => Enumerable.Range(0, _r.Next(min, max + 1)).Select(_ => make()).ToArray();

    public Expr Expr(int depth)
    {
        if (depth >= maxDepth + 3 || Chance(25))
        {
            return Leaf();
        }

        var d = depth + 1;
        switch (_r.Next(24))
        {
            case 0:
            case 1:
            case 2:
                return new BinaryExpr((BinaryOperator)_r.Next(Enum.GetValues<BinaryOperator>().Length), Expr(d), Expr(d));
            case 3:
                return new UnaryExpr((UnaryOperator)_r.Next(3), Expr(d));
            case 4:
                return new IsExpr(Expr(d), (IsTest)_r.Next(4), Chance(50));
            case 5:
                return new IsDistinctFromExpr(Expr(d), Expr(d), Chance(50));
            case 6:
                return new BetweenExpr(Expr(d), Expr(d), Expr(d), Chance(50), Chance(30));
            case 7:
                return new LikeExpr(Expr(d), (LikeKind)_r.Next(3), Expr(d), Chance(50)) { Escape = Chance(20) ? Expr(d) : null };
            case 8:
                {
                    // A lone scalar subquery in an IN list reads back as IN (subquery), as in PostgreSQL.
                    var values = List(1, 4, () => Expr(d));
                    if (values.Count == 1 && values[0] is SubqueryExpr)
                    {
                        values = [Leaf()];
                    }

                    return new InListExpr(Expr(d), values, Chance(50));
                }

            case 9:
                return depth < maxDepth ? new InSubqueryExpr(Expr(d), Query(d), Chance(50)) : Leaf();
            case 10:
                return depth < maxDepth ? new ExistsExpr(Query(d)) : Leaf();
            case 11:
                return depth < maxDepth ? new SubqueryExpr(Query(d)) : Leaf();
            case 12:
                return depth < maxDepth ? new QuantifiedComparisonExpr(Expr(d), Pick(new[] { BinaryOperator.Equal, BinaryOperator.Less, BinaryOperator.NotEqual, BinaryOperator.GreaterOrEqual }), (Quantifier)_r.Next(2), Query(d)) : Leaf();
            case 13:
                return new CaseExpr(Chance(40) ? Expr(d) : null, List(1, 3, () => new WhenClause(Expr(d), Expr(d))), Chance(50) ? Expr(d) : null);
            case 14:
                return new CastExpr(Expr(d), Type());
            case 15:
                return new ExtractExpr(Pick(SqlGrammar_ExtractFields), Expr(d));
            case 16:
                return new AtTimeZoneExpr(Expr(d), Expr(d));
            case 17:
            case 18:
            case 19:
                return Function(d, allowWindow: true);
            default:
                return Leaf();
        }
    }

    private static readonly string[] SqlGrammar_ExtractFields = ["year", "month", "day", "epoch", "dow", "quarter", "hour"];

    private TypeName Type()
    {
        var name = Pick(Types);
        var mods = name switch
        {
            "numeric" when Chance(50) => new[] { _r.Next(1, 20), _r.Next(0, 5) },
            "varchar" when Chance(50) => [_r.Next(1, 100)],
            "timestamp" or "timestamp with time zone" when Chance(30) => [_r.Next(0, 7)],
            _ => [],
        };
        return new TypeName(name) { Modifiers = mods, ArrayDimensions = _pools is null && Chance(10) ? 1 : 0 };
    }

    private FunctionCall Function(int depth, bool allowWindow)
    {
        var name = _pools is null ? Pick(FunctionNames) : Pick(_pools.Functions);
        var star = Chance(10);
        var args = star ? [] : List(0, 3, () => Expr(depth + 1));
        var f = new FunctionCall(new QualifiedName([new Identifier(name, true)]), args)
        {
            Star = star,
            Distinct = args.Count > 0 && Chance(15),
            OrderBy = args.Count > 0 && Chance(10) ? List(1, 2, () => Order(depth)) : [],
            WithinGroup = _pools is null && Chance(5) ? List(1, 1, () => Order(depth)) : [],
            Filter = Chance(10) ? Expr(depth + 1) : null,
        };
        if (allowWindow && Chance(15))
        {
            f = f with { Over = Window(depth, allowBase: _pools is null) };
        }

        return f;
    }

    private WindowSpec Window(int depth, bool allowBase)
    {
        var spec = new WindowSpec(allowBase && Chance(20) ? Id() : null)
        {
            PartitionBy = Chance(50) ? List(1, 2, () => Expr(depth + 1)) : [],
            OrderBy = Chance(60) ? List(1, 2, () => Order(depth)) : [],
        };
        if (Chance(40))
        {
            var start = Bound(depth, 0, 3);
            var end = Chance(60) ? Bound(depth, (int)start.Kind, 4) : null;
            spec = spec with { Frame = new WindowFrame((FrameUnit)_r.Next(3), start, end) { Exclusion = (FrameExclusion)_r.Next(4) } };
        }

        return spec;
    }

    private FrameBound Bound(int depth, int minKind, int maxKind)
    {
        var kind = (FrameBoundKind)_r.Next(minKind, maxKind + 1);
        return kind is FrameBoundKind.Preceding or FrameBoundKind.Following ? new FrameBound(kind, Expr(depth + 1)) : new FrameBound(kind);
    }

    private Expr Leaf() => _r.Next(11) switch
    {
        0 or 1 or 2 => Column(),
        3 => new NumericLiteral(Pick(Numbers)),
        4 => new StringLiteral(Pick(Strings)),
        5 => new BooleanLiteral(Chance(50)),
        6 => new NullLiteral(),
        7 => new TypedLiteral(new TypeName(Pick(new[] { "date", "timestamp", "interval", "timestamp with time zone", "text", "integer", "double precision" })), Pick(Strings)),
        8 => new SpecialValueExpr((SpecialValueKind)_r.Next(_pools is null ? 11 : 5)),
        9 => new UnaryExpr(UnaryOperator.Negate, new NumericLiteral(Pick(Numbers))),
        _ => Column(),
    };

    private ColumnRef Column()
    {
        var col = Id(_pools?.Columns);
        return Chance(50)
            ? new ColumnRef(new QualifiedName([Id(_pools?.Qualifiers), col]))
            : new ColumnRef(new QualifiedName([col]));
    }
}
