using System.Runtime.CompilerServices;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Policy;

/// <summary>
/// Checks a query tree against a catalog and a policy, and returns a rewritten tree that is safe
/// to render: every table bound to its physical name, every column reference resolved (through
/// aliases, WITH queries, derived tables and outer queries) and qualified, every <c>*</c> expanded
/// to the catalog's columns, and a LIMIT no larger than the policy's cap.
/// </summary>
public static class QueryValidator
{
    /// <summary>Validates and rewrites <paramref name="query"/>.</summary>
    /// <param name="query">The parsed (or built) query.</param>
    /// <param name="catalog">The tables the caller may read.</param>
    /// <param name="policy">The limits and allow-lists.</param>
    public static ValidationResult Validate(Query query, TableCatalog catalog, QueryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policy);
        var v = new Validator(catalog, policy);
        Query? rewritten;
        List<OutputColumn> outputs;
        try
        {
            (rewritten, outputs) = v.TopLevel(query);
        }
        catch (TooDeepException ex)
        {
            v.Violations.Add(new PolicyViolation(SqlErrorCode.TooComplex, "the query is too deeply nested to check", ex.Span));
            rewritten = null;
            outputs = [];
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Fail closed: a validator defect refuses the query instead of letting it through.
            v.Violations.Add(new PolicyViolation(SqlErrorCode.Invalid, "the query could not be checked: " + ex.Message, query.Span));
            rewritten = null;
            outputs = [];
        }

        if (v.Violations.Count > 0)
        {
            return new ValidationResult(null, Distinct(v.Violations), v.TablesUsed, v.ColumnsUsed, [], 0, v.Notices);
        }

        var limit = rewritten!.Limit is NumericLiteral n && int.TryParse(n.Text, out var l) ? l : policy.EffectiveDefaultLimit;
        return new ValidationResult(
            rewritten,
            [],
            v.TablesUsed,
            v.ColumnsUsed,
            outputs.Select(o => new ResultColumn(o.Name, o.Type)).ToArray(),
            limit,
            v.Notices);
    }

    private static List<PolicyViolation> Distinct(List<PolicyViolation> violations)
    {
        var seen = new HashSet<(SqlErrorCode, string, int)>();
        return violations.Where(x => seen.Add((x.Code, x.Message, x.Span.Offset))).ToList();
    }

    private sealed class TooDeepException(SourceSpan span) : Exception
    {
        public SourceSpan Span { get; } = span;
    }

    private sealed record OutputColumn(string Name, string? Type);

    /// <summary>A column as seen through one range variable.</summary>
    private sealed record EntryColumn(string Name, string? Type, CatalogTable? Table, CatalogColumn? Column);

    /// <summary>A range variable: a table, CTE, derived table or function in FROM, under its reference name.</summary>
    private sealed record RangeEntry(string RefName, IReadOnlyList<EntryColumn> Columns, string Kind);

    /// <summary>A column visible without qualification, with the expression that reaches it.</summary>
    private sealed record VisibleColumn(string Name, string? Type, Expr Reference, string Display, RangeEntry? Entry, IReadOnlyList<EntryColumn> Sources);

    private sealed class Scope(Scope? parent)
    {
        public Scope? Parent { get; } = parent;

        public List<RangeEntry> Entries { get; } = [];

        public List<VisibleColumn> Visible { get; } = [];

        public HashSet<string> WindowNames { get; } = new(StringComparer.Ordinal);
    }

    private sealed record CteInfo(string Name, IReadOnlyList<OutputColumn> Columns);

    private sealed class CteFrame(CteFrame? parent)
    {
        public CteFrame? Parent { get; } = parent;

        public List<CteInfo> Ctes { get; } = [];
    }

    private sealed record FromResult(TableRef Table, List<RangeEntry> Entries, List<VisibleColumn> Visible);

    private sealed class Validator(TableCatalog catalog, QueryPolicy policy)
    {
        private readonly HashSet<CatalogTable> _tablesSeen = [];
        private readonly HashSet<(string, string)> _columnsSeen = [];
        private int _queryDepth;
        private int _joins;
        private bool _joinLimitReported;
        private bool _depthReported;
        private int _exprDepth;
        private bool _exprDepthReported;
        private int _derivedCounter;

        public List<PolicyViolation> Violations { get; } = [];

        public List<TableUsage> TablesUsed { get; } = [];

        public List<ColumnUsage> ColumnsUsed { get; } = [];

        public List<string> Notices { get; } = [];

        private void Fail(SqlErrorCode code, string message, SourceSpan span) => Violations.Add(new PolicyViolation(code, message, span));

        private static void Guard(SourceSpan span)
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw new TooDeepException(span);
            }
        }

        // ------------------------------------------------------------ name matching

        /// <summary>Quoted names match exactly; unquoted names match their folded form, else case-insensitively.</summary>
        private static List<T> Match<T>(IEnumerable<T> items, Func<T, string> name, Identifier id)
        {
            var exact = items.Where(i => string.Equals(name(i), id.Normalized, StringComparison.Ordinal)).ToList();
            if (exact.Count > 0 || id.IsQuoted)
            {
                return exact;
            }

            return items.Where(i => AsciiIgnoreCase.Equal(name(i), id.Name)).ToList();
        }

        private static Identifier Quoted(string name, SourceSpan span) => new(name, true) { Span = span };

        /// <summary>A name as error messages show it: bare when that is unambiguous, quoted otherwise.</summary>
        private static string Q(string name) => SqlRenderer.IsBareName(name) ? name : SqlRenderer.QuoteIdentifier(name);

        // ------------------------------------------------------------ queries

        public (Query, List<OutputColumn>) TopLevel(Query query)
        {
            var (q, outputs) = ValidateQuery(query, null, null);
            q = EnforceLimit(q);
            return (q, outputs);
        }

        private Query EnforceLimit(Query q)
        {
            var cap = policy.MaxResultRows;
            if (q.WithTies)
            {
                Fail(SqlErrorCode.InvalidLimit, "FETCH ... WITH TIES is not allowed: it can return more rows than the row cap", q.Limit?.Span ?? q.Span);
                return q;
            }

            switch (q.Limit)
            {
                case null or NullLiteral:
                    return q with { Limit = new NumericLiteral(policy.EffectiveDefaultLimit) };
                case NumericLiteral n when n.IsInteger:
                    if (!long.TryParse(n.Text, out var value) || value > cap)
                    {
                        Notices.Add($"LIMIT {n.Text} was lowered to the cap of {cap} rows");
                        return q with { Limit = new NumericLiteral(cap) { Span = n.Span } };
                    }

                    return q;
                default:
                    return q; // already reported by CheckLimitValue
            }
        }

        private void CheckLimitValue(Expr? e, string clause)
        {
            if (e is null or NullLiteral || (e is NumericLiteral n && n.IsInteger))
            {
                return;
            }

            Fail(SqlErrorCode.InvalidLimit, $"{clause} must be a non-negative integer constant", e.Span);
        }

        private (Query, List<OutputColumn>) ValidateQuery(Query query, Scope? outer, CteFrame? ctes)
        {
            Guard(query.Span);
            _queryDepth++;
            try
            {
                if (_queryDepth > policy.MaxNestingDepth && !_depthReported)
                {
                    _depthReported = true;
                    Fail(SqlErrorCode.TooComplex, $"queries are nested more than {policy.MaxNestingDepth} levels deep", query.Span);
                }

                foreach (var lc in query.Locking)
                {
                    var what = lc.Strength switch
                    {
                        LockStrength.Update => "FOR UPDATE",
                        LockStrength.NoKeyUpdate => "FOR NO KEY UPDATE",
                        LockStrength.Share => "FOR SHARE",
                        _ => "FOR KEY SHARE",
                    };
                    Fail(SqlErrorCode.StatementNotAllowed, $"{what} is not allowed: queries are read-only and take no row locks", lc.Span);
                }

                CheckLimitValue(query.Limit, query.WithTies ? "FETCH FIRST" : "LIMIT");
                CheckLimitValue(query.Offset, "OFFSET");

                WithClause? with = query.With;
                var frame = ctes;
                if (with is not null)
                {
                    if (with.Recursive)
                    {
                        Fail(SqlErrorCode.RecursiveQuery, "WITH RECURSIVE is not allowed: recursive queries can run without bound", with.Span);
                        return (query, []);
                    }

                    frame = new CteFrame(ctes);
                    var newCtes = new List<CommonTableExpression>();
                    foreach (var cte in with.Ctes)
                    {
                        var (cq, cols) = ValidateQuery(cte.Query, outer, frame);
                        var name = cte.Name.Normalized;
                        if (frame.Ctes.Any(c => c.Name == name))
                        {
                            Fail(SqlErrorCode.Invalid, $"WITH query name \"{name}\" is specified more than once", cte.Name.Span);
                        }

                        if (cte.Columns.Count > cols.Count)
                        {
                            Fail(SqlErrorCode.Invalid, $"WITH query \"{name}\" has {cols.Count} columns but {cte.Columns.Count} column names", cte.Span);
                        }

                        var renamed = cols.Select((c, i) => i < cte.Columns.Count ? c with { Name = cte.Columns[i].Normalized } : c).ToList();
                        frame.Ctes.Add(new CteInfo(name, renamed));
                        newCtes.Add(cte with
                        {
                            Name = Quoted(name, cte.Name.Span),
                            Columns = cte.Columns.Select(c => Quoted(c.Normalized, c.Span)).ToArray(),
                            Query = cq,
                        });
                    }

                    with = with with { Ctes = newCtes };
                }

                QueryBody body;
                List<OutputColumn> outputs;
                Scope? selectScope = null;
                if (query.Body is SelectCore core)
                {
                    (body, outputs, selectScope) = ValidateSelect(core, outer, frame);
                }
                else
                {
                    (body, outputs) = ValidateBody(query.Body, outer, frame);
                }

                var orderBy = query.OrderBy.Select(o => o with { Expr = ResolveSortKey(o.Expr, outputs, selectScope, frame, "ORDER BY") }).ToArray();
                return (query with { With = with, Body = body, OrderBy = orderBy }, outputs);
            }
            finally
            {
                _queryDepth--;
            }
        }

        private (QueryBody, List<OutputColumn>) ValidateBody(QueryBody body, Scope? outer, CteFrame? ctes)
        {
            Guard(body.Span);
            switch (body)
            {
                case SelectCore core:
                    {
                        var (b, o, _) = ValidateSelect(core, outer, ctes);
                        return (b, o);
                    }

                case NestedQuery nested:
                    {
                        var (q, o) = ValidateQuery(nested.Query, outer, ctes);
                        return (nested with { Query = q }, o);
                    }

                case SetOperation op:
                    {
                        var (left, lo) = ValidateBody(op.Left, outer, ctes);
                        var (right, ro) = ValidateBody(op.Right, outer, ctes);
                        if (lo.Count != ro.Count)
                        {
                            Fail(SqlErrorCode.Invalid, $"each {op.Operator.ToString().ToUpperInvariant()} operand must have the same number of columns ({lo.Count} and {ro.Count})", op.Span);
                        }

                        return (op with { Left = left, Right = right }, lo);
                    }

                default:
                    Fail(SqlErrorCode.Invalid, $"unsupported query form {body.GetType().Name}", body.Span);
                    return (body, []);
            }
        }

        /// <summary>ORDER BY and DISTINCT ON keys: output column names and positions first, then input expressions.</summary>
        private Expr ResolveSortKey(Expr e, List<OutputColumn> outputs, Scope? scope, CteFrame? ctes, string clause)
        {
            if (e is NumericLiteral n && n.IsInteger)
            {
                if (!int.TryParse(n.Text, out var pos) || pos < 1 || pos > outputs.Count)
                {
                    Fail(SqlErrorCode.Invalid, $"{clause} position {n.Text} is not in the select list", n.Span);
                }

                return e;
            }

            if (e is ColumnRef { Name.Parts.Count: 1 } c)
            {
                var matches = Match(outputs, o => o.Name, c.Name.Parts[0]);
                if (matches.Count > 0)
                {
                    var distinctNames = matches.Select(m => m.Name).Distinct().ToList();
                    if (matches.Count > 1 && scope is not null && ResolveUnqualifiedOrNull(c, scope) is null)
                    {
                        Fail(SqlErrorCode.AmbiguousName, $"{clause} \"{c.Name.Parts[0].Name}\" is ambiguous: more than one output column has that name", c.Span);
                        return e;
                    }

                    if (matches.Count == 1 || scope is null)
                    {
                        return new ColumnRef(new QualifiedName([Quoted(distinctNames[0], c.Name.Span)]) { Span = c.Name.Span }) { Span = c.Span };
                    }
                }
            }

            if (scope is null)
            {
                Fail(SqlErrorCode.Invalid, $"{clause} on a UNION, INTERSECT or EXCEPT result must name an output column or give its position", e.Span);
                return e;
            }

            return Expression(e, scope, ctes);
        }

        private (QueryBody, List<OutputColumn>, Scope) ValidateSelect(SelectCore core, Scope? outer, CteFrame? ctes)
        {
            Guard(core.Span);
            if (core.Into is not null)
            {
                Fail(SqlErrorCode.StatementNotAllowed, "SELECT INTO is not allowed: it creates a table", core.Into.Span);
            }

            var scope = new Scope(outer);
            var from = new List<TableRef>();
            for (var i = 0; i < core.From.Count; i++)
            {
                if (i > 0)
                {
                    CountJoin(core.From[i].Span);
                }

                var r = BindFrom(core.From[i], outer, ctes);
                from.Add(r.Table);
                scope.Entries.AddRange(r.Entries);
                scope.Visible.AddRange(r.Visible);
            }

            var dup = scope.Entries.GroupBy(e => e.RefName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
            {
                Fail(SqlErrorCode.Invalid, $"table name \"{dup.Key}\" is specified more than once in FROM: give each an alias", core.Span);
            }

            foreach (var w in core.Windows)
            {
                if (!scope.WindowNames.Add(w.Name.Normalized))
                {
                    Fail(SqlErrorCode.Invalid, $"window \"{w.Name.Normalized}\" is defined more than once", w.Name.Span);
                }
            }

            // Select list (stars expanded to the catalog's columns).
            var items = new List<SelectItem>();
            var outputs = new List<OutputColumn>();
            foreach (var item in core.Items)
            {
                switch (item)
                {
                    case StarItem star:
                        foreach (var (expr, alias, name, type) in ExpandStar(star, scope))
                        {
                            items.Add(new ExpressionItem(expr, alias) { Span = star.Span });
                            outputs.Add(new OutputColumn(name, type));
                        }

                        break;
                    case ExpressionItem ei:
                        {
                            var expr = Expression(ei.Expr, scope, ctes);
                            var alias = ei.Alias is null ? null : Quoted(ei.Alias.Normalized, ei.Alias.Span);
                            outputs.Add(new OutputColumn(alias?.Name ?? OutputName(expr), TypeOf(expr, scope)));
                            items.Add(ei with { Expr = expr, Alias = alias });
                            break;
                        }
                }
            }

            var where = core.Where is null ? null : Expression(core.Where, scope, ctes);
            var groupBy = core.GroupBy.Select(g => ResolveGroupKey(g, outputs, scope, ctes)).ToArray();
            var having = core.Having is null ? null : Expression(core.Having, scope, ctes);
            var windows = core.Windows.Select(w => w with { Name = Quoted(w.Name.Normalized, w.Name.Span), Spec = Window(w.Spec, scope, ctes) }).ToArray();
            DistinctClause? distinct = core.Distinct is null ? null : core.Distinct with
            {
                On = core.Distinct.On.Select(e => ResolveSortKey(e, outputs, scope, ctes, "DISTINCT ON")).ToArray(),
            };

            var rewritten = core with
            {
                Items = items,
                From = from,
                Where = where,
                GroupBy = groupBy,
                Having = having,
                Windows = windows,
                Distinct = distinct,
            };
            return (rewritten, outputs, scope);
        }

        private Expr ResolveGroupKey(Expr e, List<OutputColumn> outputs, Scope scope, CteFrame? ctes)
        {
            if (e is NumericLiteral n && n.IsInteger)
            {
                if (!int.TryParse(n.Text, out var pos) || pos < 1 || pos > outputs.Count)
                {
                    Fail(SqlErrorCode.Invalid, $"GROUP BY position {n.Text} is not in the select list", n.Span);
                }

                return e;
            }

            // GROUP BY prefers input columns, then output names (as PostgreSQL does).
            if (e is ColumnRef { Name.Parts.Count: 1 } c && ResolveUnqualifiedOrNull(c, scope) is null)
            {
                var matches = Match(outputs, o => o.Name, c.Name.Parts[0]);
                if (matches.Count == 1)
                {
                    return new ColumnRef(new QualifiedName([Quoted(matches[0].Name, c.Name.Span)]) { Span = c.Name.Span }) { Span = c.Span };
                }
            }

            return Expression(e, scope, ctes);
        }

        private void CountJoin(SourceSpan span)
        {
            _joins++;
            if (_joins > policy.MaxJoins && !_joinLimitReported)
            {
                _joinLimitReported = true;
                Fail(SqlErrorCode.TooComplex, $"the query has more than {policy.MaxJoins} joins", span);
            }
        }

        // ------------------------------------------------------------ FROM

        private FromResult BindFrom(TableRef t, Scope? outer, CteFrame? ctes)
        {
            Guard(t.Span);
            switch (t)
            {
                case NamedTable nt:
                    return BindNamedTable(nt, ctes);
                case DerivedTable dt:
                    {
                        var (q, outputs) = ValidateQuery(dt.Query, outer, ctes);
                        var alias = dt.Alias ?? new TableAlias(new Identifier("subquery" + (++_derivedCounter).ToString(System.Globalization.CultureInfo.InvariantCulture), true));
                        if (alias.Columns.Count > outputs.Count)
                        {
                            Fail(SqlErrorCode.Invalid, $"subquery \"{alias.Name.Normalized}\" has {outputs.Count} columns but {alias.Columns.Count} column aliases", alias.Span);
                        }

                        var cols = outputs.Select((o, i) => new EntryColumn(i < alias.Columns.Count ? alias.Columns[i].Normalized : o.Name, o.Type, null, null)).ToList();
                        var entry = new RangeEntry(alias.Name.Normalized, cols, "subquery");
                        var canonicalAlias = alias with
                        {
                            Name = Quoted(alias.Name.Normalized, alias.Name.Span),
                            Columns = alias.Columns.Select(c => Quoted(c.Normalized, c.Span)).ToArray(),
                        };
                        return new FromResult(dt with { Query = q, Alias = canonicalAlias }, [entry], VisibleOf(entry));
                    }

                case FunctionTable ft:
                    {
                        var name = ft.Function.Name.ToString();
                        Fail(SqlErrorCode.FunctionNotAllowed, $"function {name} is not allowed in FROM: set-returning functions can produce unbounded rows", ft.Function.Span);
                        return new FromResult(ft, [], []);
                    }

                case JoinedTable j:
                    return BindJoin(j, outer, ctes);
                default:
                    Fail(SqlErrorCode.Invalid, $"unsupported FROM item {t.GetType().Name}", t.Span);
                    return new FromResult(t, [], []);
            }
        }

        private static List<VisibleColumn> VisibleOf(RangeEntry entry) =>
            entry.Columns.Select(c => new VisibleColumn(
                c.Name,
                c.Type,
                new ColumnRef(new QualifiedName([new Identifier(entry.RefName, true), new Identifier(c.Name, true)])),
                Q(entry.RefName) + "." + Q(c.Name),
                entry,
                [c])).ToList();

        private FromResult BindNamedTable(NamedTable nt, CteFrame? ctes)
        {
            var parts = nt.Name.Parts;
            string refName;
            IReadOnlyList<EntryColumn> columns;
            NamedTable rewritten;
            if (parts.Count == 1 && FindCte(parts[0], ctes) is { } cte)
            {
                refName = nt.Alias?.Name.Normalized ?? cte.Name;
                columns = cte.Columns.Select(c => new EntryColumn(c.Name, c.Type, null, null)).ToList();
                rewritten = nt with { Name = new QualifiedName([Quoted(cte.Name, parts[0].Span)]) { Span = nt.Name.Span } };
            }
            else
            {
                var table = FindCatalogTable(nt.Name);
                if (table is null)
                {
                    return new FromResult(nt, [], []);
                }

                if (_tablesSeen.Add(table))
                {
                    TablesUsed.Add(new TableUsage(table.DisplayName, table.PhysicalSchema, table.PhysicalTable));
                }

                refName = nt.Alias?.Name.Normalized ?? table.Name;
                columns = table.Columns.Select(c => new EntryColumn(c.Name, c.Type, table, c)).ToList();
                var canonicalName = table.Schema is null
                    ? new QualifiedName([Quoted(table.Name, nt.Name.Last.Span)]) { Span = nt.Name.Span }
                    : new QualifiedName([Quoted(table.Schema, parts[0].Span), Quoted(table.Name, nt.Name.Last.Span)]) { Span = nt.Name.Span };
                rewritten = nt with
                {
                    Name = canonicalName,
                    Physical = new PhysicalTableName(table.PhysicalSchema, table.PhysicalTable),
                };
            }

            var alias = nt.Alias ?? new TableAlias(new Identifier(refName, true));
            if (alias.Columns.Count > columns.Count)
            {
                Fail(SqlErrorCode.Invalid, $"table \"{refName}\" has {columns.Count} columns but {alias.Columns.Count} column aliases", alias.Span);
            }

            columns = columns.Select((c, i) => i < alias.Columns.Count ? c with { Name = alias.Columns[i].Normalized } : c).ToList();
            rewritten = rewritten with
            {
                Alias = alias with
                {
                    Name = Quoted(alias.Name.Normalized, alias.Name.Span),
                    Columns = alias.Columns.Select(c => Quoted(c.Normalized, c.Span)).ToArray(),
                },
            };
            var entry = new RangeEntry(refName, columns, "table");
            return new FromResult(rewritten, [entry], VisibleOf(entry));
        }

        private static CteInfo? FindCte(Identifier name, CteFrame? frame)
        {
            for (var f = frame; f is not null; f = f.Parent)
            {
                var m = Match(f.Ctes, c => c.Name, name);
                if (m.Count > 0)
                {
                    return m[^1];
                }
            }

            return null;
        }

        private CatalogTable? FindCatalogTable(QualifiedName name)
        {
            var parts = name.Parts;
            if (parts.Count > 2)
            {
                Fail(SqlErrorCode.SchemaNotAllowed, $"\"{name}\": names with a database or schema qualifier are not allowed", name.Span);
                return null;
            }

            if (parts.Count == 2)
            {
                var schema = parts[0];
                var schemaName = schema.Normalized;
                if (IsSystemSchema(schemaName))
                {
                    Fail(SqlErrorCode.SchemaNotAllowed, $"system catalog \"{name}\" is not allowed: only the dataset's tables can be queried", name.Span);
                    return null;
                }

                var inSchema = catalog.Tables.Where(t => t.Schema is not null && Match([t.Schema], s => s, schema).Count > 0).ToList();
                if (inSchema.Count == 0)
                {
                    Fail(SqlErrorCode.SchemaNotAllowed, $"schema \"{schema.Name}\" is not allowed: write the table's name without a schema", schema.Span);
                    return null;
                }

                var m = Match(inSchema, t => t.Name, parts[1]);
                if (m.Count == 1)
                {
                    return m[0];
                }

                Fail(SqlErrorCode.UnknownTable, $"table \"{name}\" does not exist; available tables: {Available()}", name.Span);
                return null;
            }

            var id = parts[0];
            var matches = Match(catalog.Tables, t => t.Name, id);
            if (matches.Count == 1)
            {
                return matches[0];
            }

            if (matches.Count > 1)
            {
                Fail(SqlErrorCode.AmbiguousName, $"table \"{id.Name}\" is ambiguous: could be {string.Join(" or ", matches.Select(t => t.DisplayName))}", id.Span);
                return null;
            }

            var lower = id.Normalized.ToLowerInvariant();
            if (lower.StartsWith("pg_", StringComparison.Ordinal) || lower is "information_schema" or "columns" or "tables" or "schemata" or "routines" or "views")
            {
                Fail(SqlErrorCode.SchemaNotAllowed, $"system catalog \"{id.Name}\" is not allowed: only the dataset's tables can be queried", id.Span);
                return null;
            }

            Fail(SqlErrorCode.UnknownTable, $"table \"{id.Name}\" does not exist; available tables: {Available()}", id.Span);
            return null;
        }

        private static bool IsSystemSchema(string schema) =>
            schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase) || string.Equals(schema, "information_schema", StringComparison.OrdinalIgnoreCase);

        private string Available()
        {
            var names = catalog.Tables.Select(t => t.DisplayName).Take(20).ToList();
            return names.Count == 0 ? "(none)" : string.Join(", ", names) + (catalog.Tables.Count > 20 ? ", ..." : string.Empty);
        }

        private FromResult BindJoin(JoinedTable j, Scope? outer, CteFrame? ctes)
        {
            CountJoin(j.Span);
            var left = BindFrom(j.Left, outer, ctes);
            var right = BindFrom(j.Right, outer, ctes);
            var entries = left.Entries.Concat(right.Entries).ToList();
            var visible = new List<VisibleColumn>();
            IReadOnlyList<Identifier> usingCols = j.Using;
            if (j.Natural)
            {
                var common = left.Visible.Select(c => c.Name).Distinct().Where(n => right.Visible.Any(r => r.Name == n)).ToList();
                usingCols = common.Select(n => new Identifier(n, true)).ToArray();
            }

            var merged = new HashSet<string>(StringComparer.Ordinal);
            var canonicalUsing = new List<Identifier>();
            foreach (var col in usingCols)
            {
                var l = Match(left.Visible, c => c.Name, col);
                var r = Match(right.Visible, c => c.Name, col);
                if (l.Count != 1 || r.Count != 1)
                {
                    var side = l.Count != 1 ? "left" : "right";
                    var count = l.Count != 1 ? l.Count : r.Count;
                    Fail(
                        count == 0 ? SqlErrorCode.UnknownColumn : SqlErrorCode.AmbiguousName,
                        count == 0 ? $"column \"{col.Name}\" named in USING does not exist in the {side} table"
                                   : $"column \"{col.Name}\" named in USING appears more than once in the {side} table",
                        col.Span);
                    continue;
                }

                var lc = l[0];
                var rc = r[0];
                merged.Add(lc.Name);
                merged.Add(rc.Name);
                canonicalUsing.Add(Quoted(lc.Name, col.Span));
                Expr reference = j.Kind switch
                {
                    JoinKind.Right => rc.Reference,
                    JoinKind.Full => new FunctionCall(QualifiedName.Of("coalesce"), [lc.Reference, rc.Reference]),
                    _ => lc.Reference,
                };
                visible.Add(new VisibleColumn(lc.Name, lc.Type ?? rc.Type, reference, Q(lc.Name), null, lc.Sources.Concat(rc.Sources).ToList()));
            }

            visible.AddRange(left.Visible.Where(c => !merged.Contains(c.Name)));
            visible.AddRange(right.Visible.Where(c => !merged.Contains(c.Name)));

            Expr? on = null;
            if (j.On is not null)
            {
                var onScope = new Scope(outer);
                onScope.Entries.AddRange(entries);
                onScope.Visible.AddRange(left.Visible);
                onScope.Visible.AddRange(right.Visible);
                on = Expression(j.On, onScope, ctes);
            }

            var rewritten = j with
            {
                Left = left.Table,
                Right = right.Table,
                On = on,
                Using = j.Natural ? [] : canonicalUsing,
            };
            return new FromResult(rewritten, entries, visible);
        }

        private IEnumerable<(Expr Expr, Identifier? Alias, string Name, string? Type)> ExpandStar(StarItem star, Scope scope)
        {
            if (star.Qualifier is null)
            {
                if (scope.Entries.Count == 0 && scope.Visible.Count == 0)
                {
                    Fail(SqlErrorCode.Invalid, "SELECT * needs a FROM clause", star.Span);
                    yield break;
                }

                foreach (var v in scope.Visible)
                {
                    Use(v.Sources);
                    var alias = v.Reference is ColumnRef cr && cr.Name.Last.Normalized == v.Name ? null : new Identifier(v.Name, true);
                    yield return (v.Reference with { Span = star.Span }, alias, v.Name, v.Type);
                }

                yield break;
            }

            if (star.Qualifier.Parts.Count > 1)
            {
                Fail(SqlErrorCode.SchemaNotAllowed, $"\"{star.Qualifier}.*\": qualify * with a table name or alias only", star.Span);
                yield break;
            }

            var entry = FindEntry(star.Qualifier.Parts[0], scope, out _);
            if (entry is null)
            {
                Fail(SqlErrorCode.UnknownTable, $"table or alias \"{star.Qualifier}\" is not in the FROM clause", star.Qualifier.Span);
                yield break;
            }

            foreach (var c in entry.Columns)
            {
                Use([c]);
                var reference = new ColumnRef(new QualifiedName([new Identifier(entry.RefName, true), new Identifier(c.Name, true)])) { Span = star.Span };
                yield return (reference, null, c.Name, c.Type);
            }
        }

        private void Use(IEnumerable<EntryColumn> sources)
        {
            foreach (var s in sources)
            {
                if (s.Table is not null && s.Column is not null && _columnsSeen.Add((s.Table.DisplayName, s.Column.Name)))
                {
                    ColumnsUsed.Add(new ColumnUsage(s.Table.DisplayName, s.Column.Name));
                }
            }
        }

        /// <summary>Finds the range variable a qualifier names, searching outward; <paramref name="level"/> is how many scopes out.</summary>
        private static RangeEntry? FindEntry(Identifier qualifier, Scope scope, out int level)
        {
            level = 0;
            for (var s = scope; s is not null; s = s.Parent, level++)
            {
                var m = Match(s.Entries, e => e.RefName, qualifier);
                if (m.Count > 0)
                {
                    return m[0];
                }
            }

            return null;
        }

        // ------------------------------------------------------------ expressions

        private Expr Expression(Expr e, Scope scope, CteFrame? ctes)
        {
            Guard(e.Span);
            _exprDepth++;
            try
            {
                if (_exprDepth > policy.MaxExpressionDepth)
                {
                    if (!_exprDepthReported)
                    {
                        _exprDepthReported = true;
                        Fail(SqlErrorCode.TooComplex, $"an expression is nested more than {policy.MaxExpressionDepth} levels deep", e.Span);
                    }

                    return e;
                }

                return ExpressionCore(e, scope, ctes);
            }
            finally
            {
                _exprDepth--;
            }
        }

        private Expr Sub(Expr e, Scope scope, CteFrame? ctes) => Expression(e, scope, ctes);

        private Query Subquery(Query q, Scope scope, CteFrame? ctes)
        {
            var saved = _exprDepth;
            _exprDepth = 0;
            var (rq, _) = ValidateQuery(q, scope, ctes);
            _exprDepth = saved;
            return rq;
        }

        private Expr ExpressionCore(Expr e, Scope scope, CteFrame? ctes)
        {
            switch (e)
            {
                case ColumnRef c:
                    return ResolveColumn(c, scope);
                case StringLiteral s:
                    if (s.Value.Contains('\0', StringComparison.Ordinal))
                    {
                        Fail(SqlErrorCode.Invalid, "string literals cannot contain the NUL character", s.Span);
                    }

                    return s;
                case NumericLiteral or BooleanLiteral or NullLiteral:
                    return e;
                case TypedLiteral t:
                    CheckType(t.Type);
                    if (t.Value.Contains('\0', StringComparison.Ordinal))
                    {
                        Fail(SqlErrorCode.Invalid, "string literals cannot contain the NUL character", t.Span);
                    }

                    return t;
                case UnaryExpr u:
                    return u with { Operand = Sub(u.Operand, scope, ctes) };
                case BinaryExpr b:
                    return b with { Left = Sub(b.Left, scope, ctes), Right = Sub(b.Right, scope, ctes) };
                case IsExpr i:
                    return i with { Operand = Sub(i.Operand, scope, ctes) };
                case IsDistinctFromExpr d:
                    return d with { Left = Sub(d.Left, scope, ctes), Right = Sub(d.Right, scope, ctes) };
                case BetweenExpr be:
                    return be with { Operand = Sub(be.Operand, scope, ctes), Low = Sub(be.Low, scope, ctes), High = Sub(be.High, scope, ctes) };
                case LikeExpr l:
                    return l with
                    {
                        Operand = Sub(l.Operand, scope, ctes),
                        Pattern = Sub(l.Pattern, scope, ctes),
                        Escape = l.Escape is null ? null : Sub(l.Escape, scope, ctes),
                    };
                case InListExpr il:
                    if (il.Values.Count > policy.MaxInListItems)
                    {
                        Fail(SqlErrorCode.TooComplex, $"IN list has {il.Values.Count} values; at most {policy.MaxInListItems} are allowed", il.Span);
                        return il;
                    }

                    if (il.Values.Count == 0)
                    {
                        Fail(SqlErrorCode.Invalid, "IN list is empty", il.Span);
                        return il;
                    }

                    return il with { Operand = Sub(il.Operand, scope, ctes), Values = il.Values.Select(v => Sub(v, scope, ctes)).ToArray() };
                case InSubqueryExpr isq:
                    return isq with { Operand = Sub(isq.Operand, scope, ctes), Query = Subquery(isq.Query, scope, ctes) };
                case ExistsExpr ex:
                    return ex with { Query = Subquery(ex.Query, scope, ctes) };
                case SubqueryExpr sq:
                    return sq with { Query = Subquery(sq.Query, scope, ctes) };
                case QuantifiedComparisonExpr qc:
                    if (!SqlGrammar.IsComparison(qc.Operator))
                    {
                        Fail(SqlErrorCode.Invalid, "ANY/ALL needs a comparison operator", qc.Span);
                    }

                    return qc with { Left = Sub(qc.Left, scope, ctes), Query = Subquery(qc.Query, scope, ctes) };
                case CaseExpr ce:
                    if (ce.Whens.Count == 0)
                    {
                        Fail(SqlErrorCode.Invalid, "CASE needs at least one WHEN", ce.Span);
                    }

                    return ce with
                    {
                        Operand = ce.Operand is null ? null : Sub(ce.Operand, scope, ctes),
                        Whens = ce.Whens.Select(w => w with { Condition = Sub(w.Condition, scope, ctes), Result = Sub(w.Result, scope, ctes) }).ToArray(),
                        Else = ce.Else is null ? null : Sub(ce.Else, scope, ctes),
                    };
                case CastExpr cast:
                    CheckType(cast.Type);
                    return cast with { Operand = Sub(cast.Operand, scope, ctes) };
                case ExtractExpr x:
                    if (!SqlGrammar.ExtractFields.Contains(x.Field))
                    {
                        Fail(SqlErrorCode.Invalid, $"unknown EXTRACT field \"{x.Field}\"", x.Span);
                    }

                    return x with { Source = Sub(x.Source, scope, ctes) };
                case AtTimeZoneExpr at:
                    return at with { Operand = Sub(at.Operand, scope, ctes), Zone = Sub(at.Zone, scope, ctes) };
                case SpecialValueExpr sv:
                    if (sv.Kind is not (SpecialValueKind.CurrentDate or SpecialValueKind.CurrentTime or SpecialValueKind.CurrentTimestamp
                        or SpecialValueKind.LocalTime or SpecialValueKind.LocalTimestamp))
                    {
                        Fail(SqlErrorCode.FunctionNotAllowed, $"{SpecialName(sv.Kind)} is not allowed (system information function)", sv.Span);
                    }

                    return sv;
                case FunctionCall f:
                    return Function(f, scope, ctes);
                default:
                    Fail(SqlErrorCode.Invalid, $"unsupported expression {e.GetType().Name}", e.Span);
                    return e;
            }
        }

        private static string SpecialName(SpecialValueKind kind) => kind switch
        {
            SpecialValueKind.CurrentUser => "CURRENT_USER",
            SpecialValueKind.SessionUser => "SESSION_USER",
            SpecialValueKind.User => "USER",
            SpecialValueKind.CurrentRole => "CURRENT_ROLE",
            SpecialValueKind.CurrentSchema => "CURRENT_SCHEMA",
            SpecialValueKind.CurrentCatalog => "CURRENT_CATALOG",
            _ => kind.ToString(),
        };

        private void CheckType(TypeName type)
        {
            if (!policy.AllowedTypes.Contains(type.Name))
            {
                Fail(SqlErrorCode.TypeNotAllowed, $"type \"{type.Name}\" is not allowed in casts or literals", type.Span);
            }
        }

        private Expr Function(FunctionCall f, Scope scope, CteFrame? ctes)
        {
            if (f.Name.Parts.Count > 1)
            {
                Fail(SqlErrorCode.SchemaNotAllowed, $"function {f.Name} is not allowed: schema-qualified function names are not allowed", f.Name.Span);
                return f;
            }

            var name = f.Name.Parts[0].Normalized;
            if (!policy.AllowedFunctions.Contains(name))
            {
                Fail(SqlErrorCode.FunctionNotAllowed, $"function {name} is not allowed ({FunctionAllowList.Why(name)})", f.Name.Span);
                return f;
            }

            if (f.Star && (f.Args.Count > 0 || f.Distinct || f.OrderBy.Count > 0))
            {
                Fail(SqlErrorCode.Invalid, $"{name}(*) takes no other arguments", f.Span);
            }

            if (f.Args.Count == 0 && (f.Distinct || f.OrderBy.Count > 0))
            {
                Fail(SqlErrorCode.Invalid, $"{name}() with DISTINCT or ORDER BY needs arguments", f.Span);
            }

            WindowSpec? over = null;
            if (f.Over is not null)
            {
                over = Window(f.Over, scope, ctes);
            }

            return f with
            {
                Name = new QualifiedName([new Identifier(name, true) { Span = f.Name.Parts[0].Span }]) { Span = f.Name.Span },
                Args = f.Args.Select(a => Sub(a, scope, ctes)).ToArray(),
                OrderBy = f.OrderBy.Select(o => o with { Expr = Sub(o.Expr, scope, ctes) }).ToArray(),
                WithinGroup = f.WithinGroup.Select(o => o with { Expr = Sub(o.Expr, scope, ctes) }).ToArray(),
                Filter = f.Filter is null ? null : Sub(f.Filter, scope, ctes),
                Over = over,
            };
        }

        private WindowSpec Window(WindowSpec w, Scope scope, CteFrame? ctes)
        {
            if (w.BaseWindow is not null && !scope.WindowNames.Contains(w.BaseWindow.Normalized))
            {
                Fail(SqlErrorCode.Invalid, $"window \"{w.BaseWindow.Name}\" is not defined in the WINDOW clause", w.BaseWindow.Span);
            }

            FrameBound Bound(FrameBound b) => b.Offset is null ? b : b with { Offset = Sub(b.Offset, scope, ctes) };
            return w with
            {
                BaseWindow = w.BaseWindow is null ? null : Quoted(w.BaseWindow.Normalized, w.BaseWindow.Span),
                PartitionBy = w.PartitionBy.Select(p => Sub(p, scope, ctes)).ToArray(),
                OrderBy = w.OrderBy.Select(o => o with { Expr = Sub(o.Expr, scope, ctes) }).ToArray(),
                Frame = w.Frame is null ? null : w.Frame with { Start = Bound(w.Frame.Start), End = w.Frame.End is null ? null : Bound(w.Frame.End) },
            };
        }

        // ------------------------------------------------------------ column resolution

        private VisibleColumn? ResolveUnqualifiedOrNull(ColumnRef c, Scope scope)
        {
            var m = Match(scope.Visible, v => v.Name, c.Name.Parts[0]);
            return m.Count == 1 ? m[0] : null;
        }

        private Expr ResolveColumn(ColumnRef c, Scope scope)
        {
            var parts = c.Name.Parts;
            if (parts.Count > 2)
            {
                Fail(SqlErrorCode.SchemaNotAllowed, $"column reference \"{c.Name}\" is not allowed: qualify columns with a table name or alias only", c.Span);
                return c;
            }

            if (parts.Count == 1)
            {
                var id = parts[0];
                var level = 0;
                for (var s = scope; s is not null; s = s.Parent, level++)
                {
                    var m = Match(s.Visible, v => v.Name, id);
                    if (m.Count > 1)
                    {
                        Fail(SqlErrorCode.AmbiguousName, $"column \"{id.Name}\" is ambiguous: could be {string.Join(" or ", m.Select(x => x.Display))}", c.Span);
                        return c;
                    }

                    if (m.Count == 1)
                    {
                        var v = m[0];
                        Use(v.Sources);
                        var reference = v.Reference;
                        // An outer reference keeps its qualifier unless an inner scope reuses that name.
                        if (level > 0 && v.Entry is not null && Shadowed(v.Entry.RefName, scope, level))
                        {
                            reference = new ColumnRef(new QualifiedName([new Identifier(v.Name, true)]));
                        }

                        return WithSpan(reference, c);
                    }
                }

                Fail(SqlErrorCode.UnknownColumn, $"column \"{id.Name}\" does not exist{Hint(scope)}", c.Span);
                return c;
            }

            var qualifier = parts[0];
            var entry = FindEntry(qualifier, scope, out _);
            if (entry is null)
            {
                var isTable = Match(catalog.Tables, t => t.Name, qualifier).Count > 0;
                Fail(
                    SqlErrorCode.UnknownTable,
                    isTable ? $"table \"{qualifier.Name}\" is not in the FROM clause here (missing FROM-clause entry, or it has an alias)"
                            : $"table or alias \"{qualifier.Name}\" is not in the FROM clause",
                    qualifier.Span);
                return c;
            }

            var cols = Match(entry.Columns, x => x.Name, parts[1]);
            if (cols.Count != 1)
            {
                Fail(
                    cols.Count == 0 ? SqlErrorCode.UnknownColumn : SqlErrorCode.AmbiguousName,
                    cols.Count == 0 ? $"column \"{Q(entry.RefName)}.{parts[1].Name}\" does not exist; {Q(entry.RefName)} has: {string.Join(", ", entry.Columns.Select(x => x.Name).Take(30))}"
                                    : $"column reference \"{c.Name}\" is ambiguous",
                    parts[1].Span);
                return c;
            }

            Use([cols[0]]);
            return new ColumnRef(new QualifiedName([Quoted(entry.RefName, qualifier.Span), Quoted(cols[0].Name, parts[1].Span)]) { Span = c.Name.Span }) { Span = c.Span };
        }

        private static bool Shadowed(string refName, Scope scope, int level)
        {
            var s = scope;
            for (var i = 0; i < level && s is not null; i++, s = s.Parent)
            {
                if (s.Entries.Any(e => e.RefName == refName))
                {
                    return true;
                }
            }

            return false;
        }

        private static Expr WithSpan(Expr reference, ColumnRef original) => reference switch
        {
            ColumnRef cr => cr with { Span = original.Span },
            FunctionCall f => f with { Span = original.Span },
            _ => reference,
        };

        private static string Hint(Scope scope)
        {
            var names = scope.Visible.Select(v => v.Display).Take(30).ToList();
            return names.Count == 0 ? string.Empty : "; columns in scope: " + string.Join(", ", names);
        }

        // ------------------------------------------------------------ output names and types

        private static string OutputName(Expr e) => e switch
        {
            ColumnRef c => c.Name.Last.Normalized,
            FunctionCall f => f.Name.Last.Normalized,
            CastExpr c => OutputNameOrNull(c.Operand) ?? c.Type.Name,
            TypedLiteral t => t.Type.Name,
            CaseExpr => "case",
            ExistsExpr => "exists",
            ExtractExpr => "extract",
            SubqueryExpr s => FirstOutputName(s.Query) ?? "?column?",
            SpecialValueExpr sv => sv.Kind switch
            {
                SpecialValueKind.CurrentDate => "current_date",
                SpecialValueKind.CurrentTime => "current_time",
                SpecialValueKind.CurrentTimestamp => "current_timestamp",
                SpecialValueKind.LocalTime => "localtime",
                SpecialValueKind.LocalTimestamp => "localtimestamp",
                _ => "?column?",
            },
            BooleanLiteral => "bool",
            _ => "?column?",
        };

        private static string? OutputNameOrNull(Expr e)
        {
            var n = OutputName(e);
            return n == "?column?" ? null : n;
        }

        private static string? FirstOutputName(Query q)
        {
            var body = q.Body;
            while (true)
            {
                switch (body)
                {
                    case SetOperation s:
                        body = s.Left;
                        continue;
                    case NestedQuery n:
                        body = n.Query.Body;
                        continue;
                    case SelectCore core when core.Items.Count > 0 && core.Items[0] is ExpressionItem ei:
                        return ei.Alias?.Normalized ?? OutputNameOrNull(ei.Expr);
                    default:
                        return null;
                }
            }
        }

        private static string? TypeOf(Expr e, Scope scope) => e switch
        {
            CastExpr c => c.Type.Name,
            TypedLiteral t => t.Type.Name,
            FunctionCall { Name.Parts: [{ Name: "count" }] } => "bigint",
            ColumnRef c => TypeOfColumn(c, scope),
            _ => null,
        };

        private static string? TypeOfColumn(ColumnRef c, Scope scope)
        {
            if (c.Name.Parts.Count == 2)
            {
                var entry = scope.Entries.FirstOrDefault(x => x.RefName == c.Name.Parts[0].Normalized);
                return entry?.Columns.FirstOrDefault(x => x.Name == c.Name.Parts[1].Normalized)?.Type;
            }

            return scope.Visible.FirstOrDefault(v => v.Name == c.Name.Parts[0].Normalized)?.Type;
        }
    }
}
