using System.Text;

namespace AstralytiQ.QueryEngine.Sql;

/// <summary>Which table names the renderer writes.</summary>
public enum NameMode
{
    /// <summary>The names as written in the tree (logical dataset names): for showing users the canonical SQL.</summary>
    Logical,

    /// <summary>The validator's physical <c>"schema"."table"</c> names (with the logical name as alias): for execution.</summary>
    Physical,
}

/// <summary>
/// Writes canonical PostgreSQL from a tree: keywords in upper case, every identifier double-quoted,
/// literals safely quoted, parentheses exactly where precedence needs them, one line. Rendering a
/// tree, parsing the text and rendering again gives the same text.
/// </summary>
/// <remarks>
/// Function and type names are written bare when they are plain lower-case names (the validator
/// allows only such names), because several of them (<c>coalesce</c>, <c>nullif</c>, <c>double precision</c>)
/// are keywords that PostgreSQL does not accept in quotes.
/// </remarks>
public static class SqlRenderer
{
    /// <summary>Renders a query.</summary>
    /// <param name="query">The tree.</param>
    /// <param name="names">Logical or physical table names.</param>
    /// <exception cref="InvalidOperationException">The tree holds something no SQL can express (a NUL character, a tree too deep to walk).</exception>
    public static string Render(Query query, NameMode names = NameMode.Logical)
    {
        ArgumentNullException.ThrowIfNull(query);
        var w = new Writer(names);
        w.Query(query);
        return w.ToString();
    }

    /// <summary>Renders an expression on its own.</summary>
    /// <param name="expr">The expression.</param>
    /// <param name="names">Logical or physical table names (for subqueries).</param>
    public static string RenderExpression(Expr expr, NameMode names = NameMode.Logical)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var w = new Writer(names);
        w.Expr(expr, 0);
        return w.ToString();
    }

    /// <summary>Quotes an identifier for PostgreSQL: <c>"name"</c> with embedded quotes doubled.</summary>
    /// <param name="name">The exact name.</param>
    public static string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidOperationException("identifiers cannot be empty or contain the NUL character");
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// Quotes a string literal. Text with a backslash is written as an escape string (<c>E'...'</c>)
    /// so that its meaning does not depend on the server's standard_conforming_strings setting.
    /// </summary>
    /// <param name="value">The value.</param>
    public static string QuoteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidOperationException("string literals cannot contain the NUL character");
        }

        if (value.Contains('\\', StringComparison.Ordinal))
        {
            return "E'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    internal static bool IsBareName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetterLower(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    internal static int Precedence(Expr e) => e switch
    {
        BinaryExpr b => SqlGrammar.Precedence(b.Operator),
        UnaryExpr { Operator: UnaryOperator.Not } => SqlGrammar.PrecNot,
        UnaryExpr => SqlGrammar.PrecUnary,
        IsExpr or IsDistinctFromExpr => SqlGrammar.PrecIs,
        BetweenExpr or LikeExpr or InListExpr or InSubqueryExpr => SqlGrammar.PrecLike,
        QuantifiedComparisonExpr => SqlGrammar.PrecComparison,
        AtTimeZoneExpr => SqlGrammar.PrecAtTimeZone,
        _ => SqlGrammar.PrecPrimary,
    };

    private sealed class Writer(NameMode names)
    {
        private readonly StringBuilder _sb = new();

        public override string ToString() => _sb.ToString();

        private Writer W(string s)
        {
            _sb.Append(s);
            return this;
        }

        private static void Guard()
        {
            if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw new InvalidOperationException("the query tree is too deep to render");
            }
        }

        private void Ident(Identifier id) => W(QuoteIdentifier(id.Normalized));

        private void Name(QualifiedName name)
        {
            for (var i = 0; i < name.Parts.Count; i++)
            {
                if (i > 0)
                {
                    W(".");
                }

                Ident(name.Parts[i]);
            }
        }

        private void List<T>(IReadOnlyList<T> items, Action<T> write, string separator = ", ")
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    W(separator);
                }

                write(items[i]);
            }
        }

        // ------------------------------------------------------------ queries

        public void Query(Query q)
        {
            Guard();
            if (q.With is { } with)
            {
                W("WITH ");
                if (with.Recursive)
                {
                    W("RECURSIVE ");
                }

                List(with.Ctes, cte =>
                {
                    Ident(cte.Name);
                    if (cte.Columns.Count > 0)
                    {
                        W(" (");
                        List(cte.Columns, Ident);
                        W(")");
                    }

                    W(" AS ");
                    if (cte.Materialized is { } m)
                    {
                        W(m ? "MATERIALIZED " : "NOT MATERIALIZED ");
                    }

                    W("(");
                    Query(cte.Query);
                    W(")");
                });
                W(" ");
            }

            Body(q.Body);
            if (q.OrderBy.Count > 0)
            {
                W(" ORDER BY ");
                List(q.OrderBy, Order);
            }

            if (q.WithTies)
            {
                if (q.Offset is not null)
                {
                    W(" OFFSET ");
                    LimitValue(q.Offset);
                    W(" ROWS");
                }

                W(" FETCH FIRST ");
                LimitValue(q.Limit ?? new NumericLiteral(1));
                W(" ROWS WITH TIES");
            }
            else
            {
                if (q.Limit is not null)
                {
                    W(" LIMIT ");
                    LimitValue(q.Limit);
                }

                if (q.Offset is not null)
                {
                    W(" OFFSET ");
                    LimitValue(q.Offset);
                }
            }

            foreach (var lc in q.Locking)
            {
                W(lc.Strength switch
                {
                    LockStrength.Update => " FOR UPDATE",
                    LockStrength.NoKeyUpdate => " FOR NO KEY UPDATE",
                    LockStrength.Share => " FOR SHARE",
                    _ => " FOR KEY SHARE",
                });
                if (lc.Of.Count > 0)
                {
                    W(" OF ");
                    List(lc.Of, Name);
                }

                if (lc.WaitPolicy is "NOWAIT" or "SKIP LOCKED")
                {
                    W(" ").W(lc.WaitPolicy);
                }
            }
        }

        private void LimitValue(Expr e)
        {
            if (e is NumericLiteral)
            {
                Expr(e, 0);
            }
            else
            {
                W("(");
                Expr(e, 0);
                W(")");
            }
        }

        private static int SetPrecedence(QueryBody b) => b is SetOperation s ? (s.Operator == SetOperator.Intersect ? 2 : 1) : 3;

        private void Body(QueryBody body)
        {
            Guard();
            switch (body)
            {
                case SelectCore s:
                    Select(s);
                    break;
                case NestedQuery n:
                    W("(");
                    Query(n.Query);
                    W(")");
                    break;
                case SetOperation op:
                    {
                        var p = op.Operator == SetOperator.Intersect ? 2 : 1;
                        SetOperand(op.Left, SetPrecedence(op.Left) < p);
                        W(op.Operator switch
                        {
                            SetOperator.Union => " UNION ",
                            SetOperator.Intersect => " INTERSECT ",
                            _ => " EXCEPT ",
                        });
                        if (op.All)
                        {
                            W("ALL ");
                        }

                        SetOperand(op.Right, SetPrecedence(op.Right) <= p);
                        break;
                    }

                default:
                    throw new InvalidOperationException($"unknown query body {body.GetType().Name}");
            }
        }

        private void SetOperand(QueryBody b, bool parens)
        {
            if (parens)
            {
                W("(");
                Body(b);
                W(")");
            }
            else
            {
                Body(b);
            }
        }

        private void Select(SelectCore s)
        {
            W("SELECT ");
            if (s.Distinct is { } d)
            {
                W("DISTINCT ");
                if (d.On.Count > 0)
                {
                    W("ON (");
                    List(d.On, e => Expr(e, 0));
                    W(") ");
                }
            }

            List(s.Items, item =>
            {
                switch (item)
                {
                    case StarItem star:
                        if (star.Qualifier is not null)
                        {
                            Name(star.Qualifier);
                            W(".");
                        }

                        W("*");
                        break;
                    case ExpressionItem e:
                        Expr(e.Expr, 0);
                        if (e.Alias is not null)
                        {
                            W(" AS ");
                            Ident(e.Alias);
                        }

                        break;
                }
            });
            if (s.Into is not null)
            {
                W(" INTO ");
                Name(s.Into);
            }

            if (s.From.Count > 0)
            {
                W(" FROM ");
                List(s.From, t => Table(t));
            }

            if (s.Where is not null)
            {
                W(" WHERE ");
                Expr(s.Where, 0);
            }

            if (s.GroupBy.Count > 0)
            {
                W(" GROUP BY ");
                List(s.GroupBy, e => Expr(e, 0));
            }

            if (s.Having is not null)
            {
                W(" HAVING ");
                Expr(s.Having, 0);
            }

            if (s.Windows.Count > 0)
            {
                W(" WINDOW ");
                List(s.Windows, nw =>
                {
                    Ident(nw.Name);
                    W(" AS ");
                    Window(nw.Spec, forceParens: true);
                });
            }
        }

        private void Order(OrderItem o)
        {
            Expr(o.Expr, 0);
            if (o.Direction is { } dir)
            {
                W(dir == SortDirection.Ascending ? " ASC" : " DESC");
            }

            if (o.Nulls is { } nulls)
            {
                W(nulls == NullsOrder.First ? " NULLS FIRST" : " NULLS LAST");
            }
        }

        // ------------------------------------------------------------ FROM

        private void Table(TableRef t)
        {
            Guard();
            switch (t)
            {
                case NamedTable n:
                    if (names == NameMode.Physical && n.Physical is { } p)
                    {
                        W(QuoteIdentifier(p.Schema)).W(".").W(QuoteIdentifier(p.Table));
                        Alias(n.Alias ?? new TableAlias(n.Name.Last));
                    }
                    else
                    {
                        Name(n.Name);
                        if (n.Alias is { } a && !(names == NameMode.Logical && a.Columns.Count == 0 && a.Name.Normalized == n.Name.Last.Normalized))
                        {
                            Alias(a);
                        }
                    }

                    break;
                case DerivedTable d:
                    W("(");
                    Query(d.Query);
                    W(")");
                    Alias(d.Alias);
                    break;
                case FunctionTable f:
                    Expr(f.Function, 0);
                    Alias(f.Alias);
                    break;
                case JoinedTable j:
                    Table(j.Left);
                    if (j.Natural)
                    {
                        W(" NATURAL");
                    }

                    W(j.Kind switch
                    {
                        JoinKind.Inner => " JOIN ",
                        JoinKind.Left => " LEFT JOIN ",
                        JoinKind.Right => " RIGHT JOIN ",
                        JoinKind.Full => " FULL JOIN ",
                        _ => j.Natural ? " JOIN " : " CROSS JOIN ",
                    });
                    if (j.Right is JoinedTable)
                    {
                        W("(");
                        Table(j.Right);
                        W(")");
                    }
                    else
                    {
                        Table(j.Right);
                    }

                    if (j.Natural || j.Kind == JoinKind.Cross)
                    {
                        break;
                    }

                    if (j.Using.Count > 0)
                    {
                        W(" USING (");
                        List(j.Using, Ident);
                        W(")");
                    }
                    else
                    {
                        W(" ON ");
                        Expr(j.On ?? new BooleanLiteral(true), 0);
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unknown FROM item {t.GetType().Name}");
            }
        }

        private void Alias(TableAlias? a)
        {
            if (a is null)
            {
                return;
            }

            W(" AS ");
            Ident(a.Name);
            if (a.Columns.Count > 0)
            {
                W(" (");
                List(a.Columns, Ident);
                W(")");
            }
        }

        // ------------------------------------------------------------ expressions

        public void Expr(Expr e, int required)
        {
            Guard();
            var parens = Precedence(e) < required;
            if (parens)
            {
                W("(");
            }

            ExprCore(e);
            if (parens)
            {
                W(")");
            }
        }

        private void ExprCore(Expr e)
        {
            switch (e)
            {
                case ColumnRef c:
                    Name(c.Name);
                    break;
                case StringLiteral s:
                    W(QuoteString(s.Value));
                    break;
                case NumericLiteral n:
                    W(n.Text);
                    break;
                case BooleanLiteral b:
                    W(b.Value ? "TRUE" : "FALSE");
                    break;
                case NullLiteral:
                    W("NULL");
                    break;
                case TypedLiteral t:
                    if (t.Type.Modifiers.Count == 0 && t.Type.ArrayDimensions == 0 && SqlGrammar.BuiltinTypes.Contains(t.Type.Name))
                    {
                        Type(t.Type);
                        W(" ").W(QuoteString(t.Value));
                    }
                    else
                    {
                        W("CAST(").W(QuoteString(t.Value)).W(" AS ");
                        Type(t.Type);
                        W(")");
                    }

                    break;
                case UnaryExpr u:
                    if (u.Operator == UnaryOperator.Not)
                    {
                        W("NOT ");
                        Expr(u.Operand, SqlGrammar.PrecNot);
                    }
                    else
                    {
                        W(u.Operator == UnaryOperator.Negate ? "-" : "+");
                        // "- -x" must never become "--x" (a comment): nested signs get parentheses.
                        if (u.Operand is UnaryExpr { Operator: not UnaryOperator.Not })
                        {
                            W("(");
                            Expr(u.Operand, 0);
                            W(")");
                        }
                        else
                        {
                            Expr(u.Operand, SqlGrammar.PrecUnary);
                        }
                    }

                    break;
                case BinaryExpr b:
                    {
                        var p = SqlGrammar.Precedence(b.Operator);
                        Expr(b.Left, SqlGrammar.IsNonAssociative(p) ? p + 1 : p);
                        W(" ").W(SqlGrammar.Text(b.Operator)).W(" ");
                        Expr(b.Right, p + 1);
                        break;
                    }

                case IsExpr i:
                    Expr(i.Operand, SqlGrammar.PrecIs + 1);
                    W(i.Negated ? " IS NOT " : " IS ");
                    W(i.Test switch
                    {
                        IsTest.Null => "NULL",
                        IsTest.True => "TRUE",
                        IsTest.False => "FALSE",
                        _ => "UNKNOWN",
                    });
                    break;
                case IsDistinctFromExpr d:
                    Expr(d.Left, SqlGrammar.PrecIs + 1);
                    W(d.Negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
                    Expr(d.Right, SqlGrammar.PrecIs + 1);
                    break;
                case BetweenExpr be:
                    Expr(be.Operand, SqlGrammar.PrecLike + 1);
                    W(be.Negated ? " NOT BETWEEN " : " BETWEEN ");
                    if (be.Symmetric)
                    {
                        W("SYMMETRIC ");
                    }

                    Expr(be.Low, SqlGrammar.PrecLike + 1);
                    W(" AND ");
                    Expr(be.High, SqlGrammar.PrecLike + 1);
                    break;
                case LikeExpr l:
                    Expr(l.Operand, SqlGrammar.PrecLike + 1);
                    W(l.Negated ? " NOT" : string.Empty);
                    W(l.Kind switch
                    {
                        LikeKind.Like => " LIKE ",
                        LikeKind.ILike => " ILIKE ",
                        _ => " SIMILAR TO ",
                    });
                    Expr(l.Pattern, SqlGrammar.PrecLike + 1);
                    if (l.Escape is not null)
                    {
                        W(" ESCAPE ");
                        Expr(l.Escape, SqlGrammar.PrecLike + 1);
                    }

                    break;
                case InListExpr il:
                    Expr(il.Operand, SqlGrammar.PrecLike + 1);
                    W(il.Negated ? " NOT IN (" : " IN (");
                    List(il.Values, v => Expr(v, 0));
                    W(")");
                    break;
                case InSubqueryExpr isq:
                    Expr(isq.Operand, SqlGrammar.PrecLike + 1);
                    W(isq.Negated ? " NOT IN (" : " IN (");
                    Query(isq.Query);
                    W(")");
                    break;
                case ExistsExpr ex:
                    W("EXISTS (");
                    Query(ex.Query);
                    W(")");
                    break;
                case SubqueryExpr sq:
                    W("(");
                    Query(sq.Query);
                    W(")");
                    break;
                case QuantifiedComparisonExpr qc:
                    Expr(qc.Left, SqlGrammar.PrecComparison + 1);
                    W(" ").W(SqlGrammar.Text(qc.Operator)).W(qc.Quantifier == Quantifier.All ? " ALL (" : " ANY (");
                    Query(qc.Query);
                    W(")");
                    break;
                case CaseExpr c:
                    W("CASE");
                    if (c.Operand is not null)
                    {
                        W(" ");
                        Expr(c.Operand, 0);
                    }

                    foreach (var when in c.Whens)
                    {
                        W(" WHEN ");
                        Expr(when.Condition, 0);
                        W(" THEN ");
                        Expr(when.Result, 0);
                    }

                    if (c.Else is not null)
                    {
                        W(" ELSE ");
                        Expr(c.Else, 0);
                    }

                    W(" END");
                    break;
                case CastExpr cast:
                    W("CAST(");
                    Expr(cast.Operand, 0);
                    W(" AS ");
                    Type(cast.Type);
                    W(")");
                    break;
                case ExtractExpr x:
                    W("EXTRACT(");
                    W(SqlGrammar.ExtractFields.Contains(x.Field) ? x.Field.ToUpperInvariant() : QuoteString(x.Field));
                    W(" FROM ");
                    Expr(x.Source, 0);
                    W(")");
                    break;
                case AtTimeZoneExpr at:
                    Expr(at.Operand, SqlGrammar.PrecAtTimeZone);
                    W(" AT TIME ZONE ");
                    Expr(at.Zone, SqlGrammar.PrecAtTimeZone + 1);
                    break;
                case SpecialValueExpr sv:
                    W(sv.Kind switch
                    {
                        SpecialValueKind.CurrentDate => "CURRENT_DATE",
                        SpecialValueKind.CurrentTime => "CURRENT_TIME",
                        SpecialValueKind.CurrentTimestamp => "CURRENT_TIMESTAMP",
                        SpecialValueKind.LocalTime => "LOCALTIME",
                        SpecialValueKind.LocalTimestamp => "LOCALTIMESTAMP",
                        SpecialValueKind.CurrentUser => "CURRENT_USER",
                        SpecialValueKind.SessionUser => "SESSION_USER",
                        SpecialValueKind.User => "USER",
                        SpecialValueKind.CurrentRole => "CURRENT_ROLE",
                        SpecialValueKind.CurrentSchema => "CURRENT_SCHEMA",
                        _ => "CURRENT_CATALOG",
                    });
                    break;
                case FunctionCall f:
                    Function(f);
                    break;
                default:
                    throw new InvalidOperationException($"unknown expression {e.GetType().Name}");
            }
        }

        private void Function(FunctionCall f)
        {
            if (f.Name.Parts.Count == 1 && IsBareName(f.Name.Parts[0].Normalized)
                && (!SqlGrammar.Reserved.Contains(f.Name.Parts[0].Normalized) || SqlGrammar.CallableKeywords.Contains(f.Name.Parts[0].Normalized)))
            {
                W(f.Name.Parts[0].Normalized);
            }
            else
            {
                Name(f.Name);
            }

            W("(");
            if (f.Star)
            {
                W("*");
            }
            else
            {
                if (f.Distinct)
                {
                    W("DISTINCT ");
                }

                List(f.Args, a => Expr(a, 0));
                if (f.OrderBy.Count > 0)
                {
                    W(" ORDER BY ");
                    List(f.OrderBy, Order);
                }
            }

            W(")");
            if (f.WithinGroup.Count > 0)
            {
                W(" WITHIN GROUP (ORDER BY ");
                List(f.WithinGroup, Order);
                W(")");
            }

            if (f.Filter is not null)
            {
                W(" FILTER (WHERE ");
                Expr(f.Filter, 0);
                W(")");
            }

            if (f.Over is not null)
            {
                W(" OVER ");
                Window(f.Over, forceParens: false);
            }
        }

        private void Window(WindowSpec w, bool forceParens)
        {
            if (w.IsReferenceOnly && !forceParens)
            {
                Ident(w.BaseWindow!);
                return;
            }

            W("(");
            var space = false;
            if (w.BaseWindow is not null)
            {
                Ident(w.BaseWindow);
                space = true;
            }

            if (w.PartitionBy.Count > 0)
            {
                W(space ? " " : string.Empty).W("PARTITION BY ");
                List(w.PartitionBy, e => Expr(e, 0));
                space = true;
            }

            if (w.OrderBy.Count > 0)
            {
                W(space ? " " : string.Empty).W("ORDER BY ");
                List(w.OrderBy, Order);
                space = true;
            }

            if (w.Frame is { } frame)
            {
                W(space ? " " : string.Empty);
                W(frame.Unit switch
                {
                    FrameUnit.Rows => "ROWS ",
                    FrameUnit.Range => "RANGE ",
                    _ => "GROUPS ",
                });
                if (frame.End is null)
                {
                    Bound(frame.Start);
                }
                else
                {
                    W("BETWEEN ");
                    Bound(frame.Start);
                    W(" AND ");
                    Bound(frame.End);
                }

                W(frame.Exclusion switch
                {
                    FrameExclusion.CurrentRow => " EXCLUDE CURRENT ROW",
                    FrameExclusion.Group => " EXCLUDE GROUP",
                    FrameExclusion.Ties => " EXCLUDE TIES",
                    _ => string.Empty,
                });
            }

            W(")");
        }

        private void Bound(FrameBound b)
        {
            switch (b.Kind)
            {
                case FrameBoundKind.UnboundedPreceding:
                    W("UNBOUNDED PRECEDING");
                    break;
                case FrameBoundKind.UnboundedFollowing:
                    W("UNBOUNDED FOLLOWING");
                    break;
                case FrameBoundKind.CurrentRow:
                    W("CURRENT ROW");
                    break;
                default:
                    Expr(b.Offset ?? new NumericLiteral(0), SqlGrammar.PrecAdd);
                    W(b.Kind == FrameBoundKind.Preceding ? " PRECEDING" : " FOLLOWING");
                    break;
            }
        }

        private void Type(TypeName t)
        {
            var name = t.Name;
            string head = name, tail = string.Empty;
            if (name is "timestamp with time zone" or "time with time zone")
            {
                head = name[..name.IndexOf(' ', StringComparison.Ordinal)];
                tail = " with time zone";
            }

            W(SqlGrammar.BuiltinTypes.Contains(name) ? head : QuoteIdentifier(name));
            if (t.Modifiers.Count > 0)
            {
                W("(").W(string.Join(", ", t.Modifiers.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)))).W(")");
            }

            W(tail);
            for (var i = 0; i < t.ArrayDimensions; i++)
            {
                W("[]");
            }
        }
    }
}
