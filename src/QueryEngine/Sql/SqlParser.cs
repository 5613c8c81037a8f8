using System.Globalization;
using System.Runtime.CompilerServices;

namespace AstralytiQ.QueryEngine.Sql;

/// <summary>
/// Parses the PostgreSQL SELECT language into a <see cref="Query"/> tree. Hand-written recursive
/// descent with precedence climbing for expressions: one token of lookahead (three at most), no
/// backtracking, so time is linear in the input. The only exception it throws is
/// <see cref="SqlSyntaxException"/>, on any input.
/// </summary>
public static class SqlParser
{
    /// <summary>Deepest nesting of parentheses, subqueries and prefix operators the parser accepts.</summary>
    public const int MaxNestingDepth = 200;

    /// <summary>Parses one SELECT statement, optionally followed by a single semicolon.</summary>
    /// <param name="sql">The statement text.</param>
    /// <exception cref="SqlSyntaxException">The text is not a single query in the supported grammar.</exception>
    public static Query Parse(string sql) => Run(sql, static p => p.ParseStatement());

    /// <summary>Parses a lone expression (no trailing text), e.g. for building trees in code.</summary>
    /// <param name="sql">The expression text.</param>
    /// <exception cref="SqlSyntaxException">The text is not an expression.</exception>
    public static Expr ParseExpression(string sql) => Run(sql, static p => p.ParseStandaloneExpression());

    private static T Run<T>(string? sql, Func<Parser, T> parse)
    {
        sql ??= string.Empty;
        try
        {
            return parse(new Parser(sql));
        }
        catch (SqlSyntaxException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Defence in depth: a parser bug must still surface as a syntax error, never as a crash.
            throw new SqlSyntaxException(SqlErrorCode.Syntax, "could not parse the query: " + ex.Message, sql, new SourceSpan(0, 0));
        }
    }

    private sealed class Parser
    {

        private readonly string _src;
        private readonly List<Token> _tokens;
        private int _pos;
        private int _depth;
        private int _lastEnd;

        public Parser(string source)
        {
            _src = source;
            _tokens = SqlLexer.Tokenize(source);
        }

        // ------------------------------------------------------------ token helpers

        private Token Cur
        {
            get
            {
                var t = _tokens[_pos];
                if (t.Kind == TokenKind.Error)
                {
                    throw new SqlSyntaxException(t.ErrorCode, t.Text, _src, t.Span, found: Snip(t));
                }

                return t;
            }
        }

        private Token Peek(int k) => _tokens[Math.Min(_pos + k, _tokens.Count - 1)];

        private Token Advance()
        {
            var t = Cur;
            if (t.Kind != TokenKind.End)
            {
                _pos++;
                _lastEnd = t.Start + t.Length;
            }

            return t;
        }

        private bool IsWord(string keyword) => Cur.IsWord(keyword);

        private bool PeekWord(int k, string keyword) => Peek(k).IsWord(keyword);

        private bool Accept(string keyword)
        {
            if (IsWord(keyword))
            {
                Advance();
                return true;
            }

            return false;
        }

        private bool Accept(TokenKind kind)
        {
            if (Cur.Kind == kind)
            {
                Advance();
                return true;
            }

            return false;
        }

        private Token Expect(string keyword)
        {
            if (!IsWord(keyword))
            {
                throw Fail(keyword);
            }

            return Advance();
        }

        private Token Expect(TokenKind kind, string what)
        {
            if (Cur.Kind != kind)
            {
                throw Fail(what);
            }

            return Advance();
        }

        private SourceSpan From(int start) => new(start, Math.Max(0, _lastEnd - start));

        private string Snip(Token t)
        {
            if (t.Kind == TokenKind.End)
            {
                return "end of input";
            }

            var text = _src.Substring(t.Start, Math.Min(t.Length, 40));
            return t.Kind switch
            {
                TokenKind.String => "string " + text,
                TokenKind.Number => "number " + text,
                _ => "\"" + text + "\"",
            };
        }

        private SqlSyntaxException Fail(string expected)
        {
            var t = Cur;
            var found = Snip(t);
            return new SqlSyntaxException(SqlErrorCode.Syntax, $"syntax error: expected {expected}, found {found}", _src, t.Span, expected, found);
        }

        private SqlSyntaxException Error(SqlErrorCode code, string message, SourceSpan span) =>
            new(code, message, _src, span, found: span.Length > 0 && span.End <= _src.Length ? _src.Substring(span.Offset, Math.Min(span.Length, 40)) : null);

        private DepthScope Enter()
        {
            _depth++;
            if (_depth > MaxNestingDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                var t = Peek(0);
                throw new SqlSyntaxException(SqlErrorCode.TooComplex, $"the query is nested too deeply (more than {MaxNestingDepth} levels)", _src, t.Span);
            }

            return new DepthScope(this);
        }

        private readonly struct DepthScope(Parser parser) : IDisposable
        {
            public void Dispose() => parser._depth--;
        }

        private static bool IsQueryStart(Token t) => t.IsWord("SELECT") || t.IsWord("WITH") || t.IsWord("VALUES") || t.IsWord("TABLE");

        // ------------------------------------------------------------ statements

        public Query ParseStatement()
        {
            var first = Cur;
            if (first.Kind == TokenKind.End)
            {
                throw Error(SqlErrorCode.Syntax, "empty query: expected a SELECT statement", first.Span);
            }

            if (first.Kind == TokenKind.Identifier && SqlGrammar.OtherStatements.Contains(first.Text))
            {
                throw Error(
                    SqlErrorCode.StatementNotAllowed,
                    $"{first.Text.ToUpperInvariant()} statements are not allowed: only a single SELECT query is accepted",
                    first.Span);
            }

            var query = ParseQuery();
            var semicolon = false;
            if (Peek(0).Kind == TokenKind.Semicolon)
            {
                Advance();
                semicolon = true;
            }

            var next = Peek(0);
            if (next.Kind != TokenKind.End)
            {
                if (semicolon)
                {
                    throw new SqlSyntaxException(SqlErrorCode.StatementNotAllowed, "only one statement is allowed", _src, new SourceSpan(next.Start, next.Length), "end of input", Snip(next));
                }

                throw Fail("end of query");
            }

            return query;
        }

        public Expr ParseStandaloneExpression()
        {
            var e = ParseExpr();
            if (Cur.Kind != TokenKind.End)
            {
                throw Fail("end of expression");
            }

            return e;
        }

        // ------------------------------------------------------------ queries

        private Query ParseQuery()
        {
            using var _ = Enter();
            var start = Cur.Start;
            WithClause? with = null;
            if (IsWord("WITH"))
            {
                with = ParseWith();
            }

            var body = ParseSetExpr(0);
            return ParseQueryTail(with, body, start);
        }

        private WithClause ParseWith()
        {
            var start = Expect("WITH").Start;
            var recursive = Accept("RECURSIVE");
            var ctes = new List<CommonTableExpression>();
            do
            {
                var cteStart = Cur.Start;
                var name = ParseIdentifier("a WITH query name");
                var columns = IsParen() ? ParseIdentifierList() : [];
                Expect("AS");
                bool? materialized = null;
                if (IsWord("NOT") && PeekWord(1, "MATERIALIZED"))
                {
                    Advance();
                    Advance();
                    materialized = false;
                }
                else if (Accept("MATERIALIZED"))
                {
                    materialized = true;
                }

                Expect(TokenKind.LParen, "(");
                var inner = Cur;
                if (inner.Kind == TokenKind.Identifier && (inner.IsWord("INSERT") || inner.IsWord("UPDATE") || inner.IsWord("DELETE") || inner.IsWord("MERGE")))
                {
                    throw Error(
                        SqlErrorCode.StatementNotAllowed,
                        $"data-modifying statements in WITH are not allowed ({inner.Text.ToUpperInvariant()}): only SELECT queries are accepted",
                        inner.Span);
                }

                var q = ParseQuery();
                Expect(TokenKind.RParen, ")");
                if (IsWord("SEARCH") || IsWord("CYCLE"))
                {
                    throw Error(SqlErrorCode.Unsupported, $"{Cur.Text.ToUpperInvariant()} clauses of recursive queries are not supported", Cur.Span);
                }

                ctes.Add(new CommonTableExpression(name, q) { Columns = columns, Materialized = materialized, Span = From(cteStart) });
            }
            while (Accept(TokenKind.Comma));

            return new WithClause(recursive, ctes) { Span = From(start) };
        }

        private static int SetPrecedence(Token t) =>
            t.IsWord("UNION") || t.IsWord("EXCEPT") ? 1 : t.IsWord("INTERSECT") ? 2 : 0;

        private QueryBody ParseSetExpr(int minPrec) => ParseSetRest(ParseSetPrimary(), minPrec);

        private QueryBody ParseSetRest(QueryBody left, int minPrec)
        {
            while (true)
            {
                var prec = SetPrecedence(Cur);
                if (prec == 0 || prec < minPrec)
                {
                    return left;
                }

                var opToken = Advance();
                var op = opToken.IsWord("UNION") ? SetOperator.Union : opToken.IsWord("INTERSECT") ? SetOperator.Intersect : SetOperator.Except;
                var all = Accept("ALL");
                if (!all)
                {
                    Accept("DISTINCT");
                }

                var right = ParseSetExpr(prec + 1);
                left = new SetOperation(op, all, left, right) { Span = left.Span.Cover(right.Span) };
            }
        }

        private QueryBody ParseSetPrimary()
        {
            if (Cur.Kind == TokenKind.LParen)
            {
                var start = Advance().Start;
                var q = ParseQuery();
                Expect(TokenKind.RParen, ")");
                return q.IsBare ? q.Body : new NestedQuery(q) { Span = From(start) };
            }

            if (IsWord("SELECT"))
            {
                return ParseSelectCore();
            }

            if (IsWord("VALUES") || IsWord("TABLE"))
            {
                throw Error(SqlErrorCode.Unsupported, $"{Cur.Text.ToUpperInvariant()} is not supported here: write a SELECT", Cur.Span);
            }

            if (Cur.Kind == TokenKind.Identifier && (Cur.IsWord("INSERT") || Cur.IsWord("UPDATE") || Cur.IsWord("DELETE") || Cur.IsWord("MERGE")))
            {
                throw Error(SqlErrorCode.StatementNotAllowed, $"{Cur.Text.ToUpperInvariant()} statements are not allowed: only SELECT queries are accepted", Cur.Span);
            }

            throw Fail("SELECT");
        }

        private static bool IsSetOrTail(Token t) =>
            SetPrecedence(t) > 0 || t.IsWord("ORDER") || t.IsWord("LIMIT") || t.IsWord("OFFSET") || t.IsWord("FETCH") || t.IsWord("FOR");

        /// <summary>Continues a query whose first operand was already parsed inside parentheses.</summary>
        private Query ContinueQuery(Query first, int start)
        {
            QueryBody body = first.IsBare ? first.Body : new NestedQuery(first) { Span = first.Span };
            body = ParseSetRest(body, 0);
            return ParseQueryTail(null, body, start);
        }

        private Query ParseQueryTail(WithClause? with, QueryBody body, int start)
        {
            IReadOnlyList<OrderItem> orderBy = [];
            if (IsWord("ORDER"))
            {
                Advance();
                Expect("BY");
                orderBy = ParseOrderList();
            }

            Expr? limit = null, offset = null;
            bool hasLimit = false, hasOffset = false, withTies = false;
            var locking = new List<LockingClause>();
            while (true)
            {
                if (IsWord("LIMIT"))
                {
                    var t = Advance();
                    if (hasLimit)
                    {
                        throw Error(SqlErrorCode.Syntax, "multiple LIMIT clauses are not allowed", t.Span);
                    }

                    hasLimit = true;
                    limit = Accept("ALL") ? null : ParseExpr();
                }
                else if (IsWord("OFFSET"))
                {
                    var t = Advance();
                    if (hasOffset)
                    {
                        throw Error(SqlErrorCode.Syntax, "multiple OFFSET clauses are not allowed", t.Span);
                    }

                    hasOffset = true;
                    offset = ParseExpr(SqlGrammar.PrecAdd);
                    if (!Accept("ROWS"))
                    {
                        Accept("ROW");
                    }
                }
                else if (IsWord("FETCH"))
                {
                    var t = Advance();
                    if (hasLimit)
                    {
                        throw Error(SqlErrorCode.Syntax, "multiple LIMIT clauses are not allowed", t.Span);
                    }

                    hasLimit = true;
                    if (!Accept("FIRST"))
                    {
                        Expect("NEXT");
                    }

                    limit = IsWord("ROW") || IsWord("ROWS") ? new NumericLiteral(1) { Span = Cur.Span } : ParseExpr(SqlGrammar.PrecAdd);
                    if (!Accept("ROWS"))
                    {
                        Expect("ROW");
                    }

                    if (Accept("WITH"))
                    {
                        Expect("TIES");
                        withTies = true;
                    }
                    else
                    {
                        Expect("ONLY");
                    }
                }
                else if (IsWord("FOR"))
                {
                    locking.Add(ParseLocking());
                }
                else
                {
                    break;
                }
            }

            return new Query(body)
            {
                With = with,
                OrderBy = orderBy,
                Limit = limit,
                Offset = offset,
                WithTies = withTies,
                Locking = locking,
                Span = From(start),
            };
        }

        private LockingClause ParseLocking()
        {
            var start = Expect("FOR").Start;
            LockStrength strength;
            if (Accept("UPDATE"))
            {
                strength = LockStrength.Update;
            }
            else if (Accept("SHARE"))
            {
                strength = LockStrength.Share;
            }
            else if (Accept("NO"))
            {
                Expect("KEY");
                Expect("UPDATE");
                strength = LockStrength.NoKeyUpdate;
            }
            else if (Accept("KEY"))
            {
                Expect("SHARE");
                strength = LockStrength.KeyShare;
            }
            else if (IsWord("READ"))
            {
                throw Error(SqlErrorCode.Unsupported, "FOR READ ONLY is not supported", Cur.Span);
            }
            else
            {
                throw Fail("UPDATE, NO KEY UPDATE, SHARE or KEY SHARE");
            }

            var of = new List<QualifiedName>();
            if (Accept("OF"))
            {
                do
                {
                    of.Add(ParseQualifiedName("a table name"));
                }
                while (Accept(TokenKind.Comma));
            }

            string? wait = null;
            if (Accept("NOWAIT"))
            {
                wait = "NOWAIT";
            }
            else if (Accept("SKIP"))
            {
                Expect("LOCKED");
                wait = "SKIP LOCKED";
            }

            return new LockingClause(strength) { Of = of, WaitPolicy = wait, Span = From(start) };
        }

        private SelectCore ParseSelectCore()
        {
            using var _ = Enter();
            var start = Expect("SELECT").Start;
            DistinctClause? distinct = null;
            if (IsWord("DISTINCT"))
            {
                var ds = Advance().Start;
                IReadOnlyList<Expr> on = [];
                if (Accept("ON"))
                {
                    Expect(TokenKind.LParen, "(");
                    on = ParseExprList();
                    Expect(TokenKind.RParen, ")");
                }

                distinct = new DistinctClause(on) { Span = From(ds) };
            }
            else
            {
                Accept("ALL");
            }

            var items = new List<SelectItem>();
            do
            {
                items.Add(ParseSelectItem());
            }
            while (Accept(TokenKind.Comma));

            QualifiedName? into = null;
            if (IsWord("INTO"))
            {
                Advance();
                if (!Accept("TEMPORARY") && !Accept("TEMP"))
                {
                    Accept("UNLOGGED");
                }

                Accept("TABLE");
                into = ParseQualifiedName("a table name");
            }

            IReadOnlyList<TableRef> from = [];
            if (Accept("FROM"))
            {
                var list = new List<TableRef>();
                do
                {
                    list.Add(ParseTableRef());
                }
                while (Accept(TokenKind.Comma));
                from = list;
            }

            var where = Accept("WHERE") ? ParseExpr() : null;
            IReadOnlyList<Expr> groupBy = [];
            if (IsWord("GROUP"))
            {
                Advance();
                Expect("BY");
                if (!Accept("ALL"))
                {
                    Accept("DISTINCT");
                }

                if (IsWord("ROLLUP") || IsWord("CUBE") || (IsWord("GROUPING") && PeekWord(1, "SETS")))
                {
                    throw Error(SqlErrorCode.Unsupported, $"GROUP BY {Cur.Text.ToUpperInvariant()} is not supported", Cur.Span);
                }

                if (Cur.Kind == TokenKind.LParen && Peek(1).Kind == TokenKind.RParen)
                {
                    throw Error(SqlErrorCode.Unsupported, "GROUP BY () is not supported", Cur.Span);
                }

                groupBy = ParseExprList();
            }

            var having = Accept("HAVING") ? ParseExpr() : null;
            var windows = new List<NamedWindow>();
            if (Accept("WINDOW"))
            {
                do
                {
                    var ws = Cur.Start;
                    var name = ParseIdentifier("a window name");
                    Expect("AS");
                    var spec = ParseWindowSpec();
                    windows.Add(new NamedWindow(name, spec) { Span = From(ws) });
                }
                while (Accept(TokenKind.Comma));
            }

            return new SelectCore(items)
            {
                Distinct = distinct,
                Into = into,
                From = from,
                Where = where,
                GroupBy = groupBy,
                Having = having,
                Windows = windows,
                Span = From(start),
            };
        }

        private SelectItem ParseSelectItem()
        {
            var start = Cur.Start;
            if (Cur.IsOperator("*"))
            {
                Advance();
                return new StarItem() { Span = From(start) };
            }

            // t.* and s.t.*
            if (IsName(Cur) && Peek(1).Kind == TokenKind.Dot)
            {
                var k = 0;
                while (IsName(Peek(k)) && Peek(k + 1).Kind == TokenKind.Dot)
                {
                    k += 2;
                }

                if (Peek(k).IsOperator("*"))
                {
                    var parts = new List<Identifier>();
                    while (Cur.Kind != TokenKind.Operator)
                    {
                        parts.Add(ParseIdentifier("a name"));
                        Expect(TokenKind.Dot, ".");
                    }

                    var qualifierSpan = From(start);
                    Advance();
                    return new StarItem(new QualifiedName(parts) { Span = qualifierSpan }) { Span = From(start) };
                }
            }

            var expr = ParseExpr();
            Identifier? alias = null;
            if (Accept("AS"))
            {
                alias = ParseLabel();
            }
            else if (IsBareAlias(Cur))
            {
                alias = ParseIdentifier("an alias");
            }

            return new ExpressionItem(expr, alias) { Span = From(start) };
        }

        private static bool IsName(Token t) =>
            t.Kind == TokenKind.QuotedIdentifier || (t.Kind == TokenKind.Identifier && !SqlGrammar.Reserved.Contains(t.Text));

        private static bool IsBareAlias(Token t) => IsName(t);

        // ------------------------------------------------------------ FROM

        private TableRef ParseTableRef() => ParseJoinRest(ParseTablePrimary());

        private TableRef ParseJoinRest(TableRef left)
        {
            while (true)
            {
                var start = left.Span;
                JoinKind kind;
                var natural = false;
                if (IsWord("CROSS"))
                {
                    Advance();
                    Expect("JOIN");
                    var r = ParseTablePrimary();
                    left = new JoinedTable(JoinKind.Cross, left, r) { Span = start.Cover(From(r.Span.Offset)) };
                    continue;
                }

                if (IsWord("NATURAL"))
                {
                    Advance();
                    natural = true;
                }

                if (Accept("JOIN"))
                {
                    kind = JoinKind.Inner;
                }
                else if (IsWord("INNER"))
                {
                    Advance();
                    Expect("JOIN");
                    kind = JoinKind.Inner;
                }
                else if (IsWord("LEFT") || IsWord("RIGHT") || IsWord("FULL"))
                {
                    var t = Advance();
                    kind = t.IsWord("LEFT") ? JoinKind.Left : t.IsWord("RIGHT") ? JoinKind.Right : JoinKind.Full;
                    Accept("OUTER");
                    Expect("JOIN");
                }
                else if (natural)
                {
                    throw Fail("JOIN");
                }
                else
                {
                    return left;
                }

                var right = ParseTablePrimary();
                if (natural)
                {
                    left = new JoinedTable(kind, left, right) { Natural = true, Span = start.Cover(From(right.Span.Offset)) };
                    continue;
                }

                if (Accept("ON"))
                {
                    var on = ParseExpr();
                    left = new JoinedTable(kind, left, right) { On = on, Span = start.Cover(From(right.Span.Offset)) };
                }
                else if (Accept("USING"))
                {
                    var cols = ParseIdentifierList();
                    left = new JoinedTable(kind, left, right) { Using = cols, Span = start.Cover(From(right.Span.Offset)) };
                }
                else
                {
                    throw Fail("ON or USING");
                }
            }
        }

        private TableRef ParseTablePrimary()
        {
            using var _ = Enter();
            var start = Cur.Start;
            if (Cur.Kind == TokenKind.LParen)
            {
                var (query, table) = ParseParenFromItem();
                if (table is not null)
                {
                    return table;
                }

                return new DerivedTable(query!, ParseTableAlias()) { Span = From(start) };
            }

            if (IsWord("LATERAL") || IsWord("ONLY") || IsWord("ROWS"))
            {
                throw Error(SqlErrorCode.Unsupported, $"{Cur.Text.ToUpperInvariant()} in FROM is not supported", Cur.Span);
            }

            QualifiedName name;
            if (Cur.Kind == TokenKind.Identifier && SqlGrammar.CallableKeywords.Contains(Cur.Text) && Peek(1).Kind == TokenKind.LParen)
            {
                var kw = Advance();
                name = new QualifiedName([new Identifier(kw.Text) { Span = kw.Span }]) { Span = kw.Span };
            }
            else
            {
                name = ParseQualifiedName("a table name");
            }

            if (Cur.Kind == TokenKind.LParen)
            {
                var call = ParseFunctionRest(name, start);
                if (IsWord("WITH") && PeekWord(1, "ORDINALITY"))
                {
                    throw Error(SqlErrorCode.Unsupported, "WITH ORDINALITY is not supported", Cur.Span);
                }

                return new FunctionTable(call, ParseTableAlias()) { Span = From(start) };
            }

            if (IsWord("TABLESAMPLE"))
            {
                throw Error(SqlErrorCode.Unsupported, "TABLESAMPLE is not supported", Cur.Span);
            }

            return new NamedTable(name, ParseTableAlias()) { Span = From(start) };
        }

        /// <summary>
        /// At "(" in FROM: either a parenthesised query (a derived table, alias follows) or a
        /// parenthesised join tree. Nested parentheses are resolved without backtracking.
        /// </summary>
        private (Query? Query, TableRef? Table) ParseParenFromItem()
        {
            using var _ = Enter();
            var start = Expect(TokenKind.LParen, "(").Start;
            if (IsQueryStart(Cur))
            {
                var q = ParseQuery();
                Expect(TokenKind.RParen, ")");
                return (q with { Span = From(start) }, null);
            }

            TableRef table;
            if (Cur.Kind == TokenKind.LParen)
            {
                var innerStart = Cur.Start;
                var (innerQuery, innerTable) = ParseParenFromItem();
                if (innerQuery is not null)
                {
                    if (IsSetOrTail(Cur) || Cur.Kind == TokenKind.RParen)
                    {
                        var q = ContinueQuery(innerQuery, innerStart);
                        Expect(TokenKind.RParen, ")");
                        return (q with { Span = From(start) }, null);
                    }

                    table = new DerivedTable(innerQuery, ParseTableAlias()) { Span = From(innerStart) };
                }
                else
                {
                    table = innerTable!;
                }
            }
            else
            {
                table = ParseTablePrimary();
            }

            table = ParseJoinRest(table);
            Expect(TokenKind.RParen, ")");
            if (IsWord("AS") || IsBareAlias(Cur))
            {
                throw Error(SqlErrorCode.Unsupported, "aliases on parenthesised joins are not supported", Cur.Span);
            }

            return (null, table);
        }

        private TableAlias? ParseTableAlias()
        {
            var start = Cur.Start;
            Identifier name;
            if (Accept("AS"))
            {
                name = ParseIdentifier("an alias");
            }
            else if (IsBareAlias(Cur))
            {
                name = ParseIdentifier("an alias");
            }
            else
            {
                return null;
            }

            var columns = IsParen() ? ParseIdentifierList() : [];
            return new TableAlias(name) { Columns = columns, Span = From(start) };
        }

        private bool IsParen() => Cur.Kind == TokenKind.LParen;

        private IReadOnlyList<Identifier> ParseIdentifierList()
        {
            Expect(TokenKind.LParen, "(");
            var list = new List<Identifier>();
            do
            {
                list.Add(ParseIdentifier("a column name"));
            }
            while (Accept(TokenKind.Comma));
            Expect(TokenKind.RParen, ")");
            return list;
        }

        // ------------------------------------------------------------ names

        private Identifier ParseIdentifier(string what)
        {
            var t = Cur;
            if (t.Kind == TokenKind.QuotedIdentifier)
            {
                Advance();
                return new Identifier(t.Text, true) { Span = t.Span };
            }

            if (t.Kind == TokenKind.Identifier && !SqlGrammar.Reserved.Contains(t.Text))
            {
                Advance();
                return new Identifier(t.Text) { Span = t.Span };
            }

            throw Fail(what);
        }

        /// <summary>An output label after AS: any word, reserved or not.</summary>
        private Identifier ParseLabel()
        {
            var t = Cur;
            if (t.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier)
            {
                Advance();
                return new Identifier(t.Text, t.Kind == TokenKind.QuotedIdentifier) { Span = t.Span };
            }

            throw Fail("an alias");
        }

        private QualifiedName ParseQualifiedName(string what)
        {
            var start = Cur.Start;
            var parts = new List<Identifier> { ParseIdentifier(what) };
            while (Cur.Kind == TokenKind.Dot)
            {
                Advance();
                parts.Add(ParseLabelPart());
            }

            return new QualifiedName(parts) { Span = From(start) };
        }

        /// <summary>After a dot any word is a name (PostgreSQL's attr_name is a ColLabel).</summary>
        private Identifier ParseLabelPart()
        {
            if (Cur.IsOperator("*"))
            {
                throw Error(SqlErrorCode.Syntax, "\"*\" is only allowed as a select-list item or in count(*)", Cur.Span);
            }

            return ParseLabel();
        }

        // ------------------------------------------------------------ ORDER BY and lists

        private List<OrderItem> ParseOrderList()
        {
            var list = new List<OrderItem>();
            do
            {
                var start = Cur.Start;
                var e = ParseExpr();
                SortDirection? dir = null;
                NullsOrder? nulls = null;
                if (Accept("ASC"))
                {
                    dir = SortDirection.Ascending;
                }
                else if (Accept("DESC"))
                {
                    dir = SortDirection.Descending;
                }
                else if (IsWord("USING"))
                {
                    throw Error(SqlErrorCode.Unsupported, "ORDER BY ... USING is not supported: use ASC or DESC", Cur.Span);
                }

                if (Accept("NULLS"))
                {
                    if (Accept("FIRST"))
                    {
                        nulls = NullsOrder.First;
                    }
                    else
                    {
                        Expect("LAST");
                        nulls = NullsOrder.Last;
                    }
                }

                list.Add(new OrderItem(e, dir, nulls) { Span = From(start) });
            }
            while (Accept(TokenKind.Comma));
            return list;
        }

        private List<Expr> ParseExprList()
        {
            var list = new List<Expr>();
            do
            {
                list.Add(ParseExpr());
            }
            while (Accept(TokenKind.Comma));
            return list;
        }

        // ------------------------------------------------------------ expressions

        private Expr ParseExpr() => ParseExpr(0);

        private Expr ParseExpr(int minPrec)
        {
            using var _ = Enter();
            return ParseInfix(ParsePrefix(), minPrec);
        }

        private Expr ParsePrefix()
        {
            var t = Cur;
            if (t.IsWord("NOT"))
            {
                Advance();
                var operand = ParseExpr(SqlGrammar.PrecNot);
                return new UnaryExpr(UnaryOperator.Not, operand) { Span = From(t.Start) };
            }

            if (t.IsOperator("-") || t.IsOperator("+"))
            {
                Advance();
                var operand = ParseExpr(SqlGrammar.PrecUnary);
                return new UnaryExpr(t.Text == "-" ? UnaryOperator.Negate : UnaryOperator.Plus, operand) { Span = From(t.Start) };
            }

            return ParsePostfix(ParsePrimary(), t.Start);
        }

        private Expr ParsePostfix(Expr e, int start)
        {
            while (true)
            {
                if (Cur.Kind == TokenKind.DoubleColon)
                {
                    Advance();
                    var type = ParseTypeName();
                    e = new CastExpr(e, type) { Span = From(start) };
                }
                else if (Cur.Kind == TokenKind.LBracket)
                {
                    throw Error(SqlErrorCode.Unsupported, "array subscripts are not supported", Cur.Span);
                }
                else if (IsWord("COLLATE"))
                {
                    throw Error(SqlErrorCode.Unsupported, "COLLATE is not supported", Cur.Span);
                }
                else
                {
                    return e;
                }
            }
        }

        private Expr ParseInfix(Expr left, int minPrec)
        {
            var start = left.Span.IsKnown ? left.Span.Offset : Cur.Start;
            while (true)
            {
                var t = Cur;
                var negated = false;
                var opTokenIndex = 0;
                if (t.IsWord("NOT") && (PeekWord(1, "LIKE") || PeekWord(1, "ILIKE") || PeekWord(1, "SIMILAR") || PeekWord(1, "IN") || PeekWord(1, "BETWEEN")))
                {
                    negated = true;
                    opTokenIndex = 1;
                }

                var op = Peek(opTokenIndex);
                int prec;
                if (op.IsWord("OR"))
                {
                    prec = SqlGrammar.PrecOr;
                }
                else if (op.IsWord("AND"))
                {
                    prec = SqlGrammar.PrecAnd;
                }
                else if (op.IsWord("IS") || op.IsWord("ISNULL") || op.IsWord("NOTNULL"))
                {
                    prec = SqlGrammar.PrecIs;
                }
                else if (op.IsWord("LIKE") || op.IsWord("ILIKE") || op.IsWord("SIMILAR") || op.IsWord("IN") || op.IsWord("BETWEEN"))
                {
                    prec = SqlGrammar.PrecLike;
                }
                else if (op.IsWord("AT") && PeekWord(opTokenIndex + 1, "TIME"))
                {
                    prec = SqlGrammar.PrecAtTimeZone;
                }
                else if (op.Kind == TokenKind.Operator && SqlGrammar.FromOperatorText(op.Text) is { } bop)
                {
                    prec = SqlGrammar.Precedence(bop);
                }
                else
                {
                    return left;
                }

                if (prec < minPrec)
                {
                    return left;
                }

                if (negated)
                {
                    Advance();
                }

                var opToken = Advance();
                if (opToken.IsWord("OR") || opToken.IsWord("AND"))
                {
                    var right = ParseExpr(prec + 1);
                    left = new BinaryExpr(opToken.IsWord("OR") ? BinaryOperator.Or : BinaryOperator.And, left, right) { Span = From(start) };
                }
                else if (opToken.IsWord("ISNULL") || opToken.IsWord("NOTNULL"))
                {
                    left = new IsExpr(left, IsTest.Null, opToken.IsWord("NOTNULL")) { Span = From(start) };
                }
                else if (opToken.IsWord("IS"))
                {
                    left = ParseIsRest(left, start);
                }
                else if (opToken.IsWord("LIKE") || opToken.IsWord("ILIKE") || opToken.IsWord("SIMILAR"))
                {
                    var kind = opToken.IsWord("LIKE") ? LikeKind.Like : opToken.IsWord("ILIKE") ? LikeKind.ILike : LikeKind.SimilarTo;
                    if (kind == LikeKind.SimilarTo)
                    {
                        Expect("TO");
                    }

                    var pattern = ParseExpr(SqlGrammar.PrecLike + 1);
                    Expr? escape = null;
                    if (Accept("ESCAPE"))
                    {
                        escape = ParseExpr(SqlGrammar.PrecLike + 1);
                    }

                    left = new LikeExpr(left, kind, pattern, negated) { Escape = escape, Span = From(start) };
                }
                else if (opToken.IsWord("IN"))
                {
                    left = ParseInRest(left, negated, start);
                }
                else if (opToken.IsWord("BETWEEN"))
                {
                    var symmetric = false;
                    if (Accept("SYMMETRIC"))
                    {
                        symmetric = true;
                    }
                    else
                    {
                        Accept("ASYMMETRIC");
                    }

                    var low = ParseExpr(SqlGrammar.PrecLike + 1);
                    Expect("AND");
                    var high = ParseExpr(SqlGrammar.PrecLike + 1);
                    left = new BetweenExpr(left, low, high, negated, symmetric) { Span = From(start) };
                }
                else if (opToken.IsWord("AT"))
                {
                    Expect("TIME");
                    Expect("ZONE");
                    var zone = ParseExpr(SqlGrammar.PrecAtTimeZone + 1);
                    left = new AtTimeZoneExpr(left, zone) { Span = From(start) };
                }
                else
                {
                    var bop = SqlGrammar.FromOperatorText(opToken.Text)!.Value;
                    if (SqlGrammar.IsComparison(bop) && (IsWord("ANY") || IsWord("SOME") || IsWord("ALL")) && Peek(1).Kind == TokenKind.LParen)
                    {
                        var qt = Advance();
                        var quantifier = qt.IsWord("ALL") ? Quantifier.All : Quantifier.Any;
                        if (!IsQueryStart(Peek(1)) && Peek(1).Kind != TokenKind.LParen)
                        {
                            throw Error(SqlErrorCode.Unsupported, $"{qt.Text.ToUpperInvariant()} is only supported with a subquery", qt.Span);
                        }

                        Expect(TokenKind.LParen, "(");
                        var q = ParseQuery();
                        Expect(TokenKind.RParen, ")");
                        left = new QuantifiedComparisonExpr(left, bop, quantifier, q) { Span = From(start) };
                    }
                    else
                    {
                        var right = ParseExpr(prec + 1);
                        left = new BinaryExpr(bop, left, right) { Span = From(start) };
                    }
                }
            }
        }

        private Expr ParseIsRest(Expr left, int start)
        {
            var not = Accept("NOT");
            if (Accept("NULL"))
            {
                return new IsExpr(left, IsTest.Null, not) { Span = From(start) };
            }

            if (Accept("TRUE"))
            {
                return new IsExpr(left, IsTest.True, not) { Span = From(start) };
            }

            if (Accept("FALSE"))
            {
                return new IsExpr(left, IsTest.False, not) { Span = From(start) };
            }

            if (Accept("UNKNOWN"))
            {
                return new IsExpr(left, IsTest.Unknown, not) { Span = From(start) };
            }

            if (Accept("DISTINCT"))
            {
                Expect("FROM");
                var right = ParseExpr(SqlGrammar.PrecIs + 1);
                return new IsDistinctFromExpr(left, right, not) { Span = From(start) };
            }

            if (IsWord("DOCUMENT") || IsWord("NORMALIZED") || IsWord("OF") || IsWord("JSON"))
            {
                throw Error(SqlErrorCode.Unsupported, $"IS {Cur.Text.ToUpperInvariant()} is not supported", Cur.Span);
            }

            throw Fail("NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM");
        }

        private Expr ParseInRest(Expr left, bool negated, int start)
        {
            if (Cur.Kind != TokenKind.LParen)
            {
                throw Fail("( after IN");
            }

            if (IsQueryStart(Peek(1)))
            {
                Advance();
                var q = ParseQuery();
                Expect(TokenKind.RParen, ")");
                return new InSubqueryExpr(left, q, negated) { Span = From(start) };
            }

            var listStart = Advance().Start;
            var values = ParseExprList();
            if (values.Count == 1 && values[0] is SubqueryExpr first && IsSetOrTail(Cur))
            {
                // IN ((SELECT ...) UNION ...): the parenthesised subquery was the first set operand.
                var q = ContinueQuery(first.Query, listStart + 1);
                Expect(TokenKind.RParen, ")");
                return new InSubqueryExpr(left, q, negated) { Span = From(start) };
            }

            Expect(TokenKind.RParen, ")");
            if (values.Count == 1 && values[0] is SubqueryExpr sub)
            {
                return new InSubqueryExpr(left, sub.Query, negated) { Span = From(start) };
            }

            return new InListExpr(left, values, negated) { Span = From(start) };
        }

        private Expr ParsePrimary()
        {
            var t = Cur;
            switch (t.Kind)
            {
                case TokenKind.Number:
                    Advance();
                    return new NumericLiteral(t.Text) { Span = t.Span };
                case TokenKind.String:
                    Advance();
                    return new StringLiteral(t.Text) { Span = t.Span };
                case TokenKind.LParen:
                    return ParseParenExpr();
                case TokenKind.QuotedIdentifier:
                    return ParseNameExpr();
                case TokenKind.Identifier:
                    break;
                case TokenKind.Operator when t.Text == "*":
                    throw Error(SqlErrorCode.Syntax, "\"*\" is only allowed as a select-list item or in count(*)", t.Span);
                default:
                    throw Fail("an expression");
            }

            var word = SqlGrammar.AsciiUpper(t.Text);
            switch (word)
            {
                case "TRUE":
                    Advance();
                    return new BooleanLiteral(true) { Span = t.Span };
                case "FALSE":
                    Advance();
                    return new BooleanLiteral(false) { Span = t.Span };
                case "NULL":
                    Advance();
                    return new NullLiteral { Span = t.Span };
                case "CASE":
                    return ParseCase();
                case "CAST":
                    {
                        Advance();
                        Expect(TokenKind.LParen, "(");
                        var operand = ParseExpr();
                        Expect("AS");
                        var type = ParseTypeName();
                        Expect(TokenKind.RParen, ")");
                        return new CastExpr(operand, type) { Span = From(t.Start) };
                    }

                case "EXISTS":
                    {
                        Advance();
                        if (Cur.Kind != TokenKind.LParen)
                        {
                            throw Fail("( after EXISTS");
                        }

                        Advance();
                        var q = ParseQuery();
                        Expect(TokenKind.RParen, ")");
                        return new ExistsExpr(q) { Span = From(t.Start) };
                    }

                case "EXTRACT" when Peek(1).Kind == TokenKind.LParen:
                    return ParseExtract();
                case "POSITION" when Peek(1).Kind == TokenKind.LParen:
                    return ParsePosition();
                case "SUBSTRING" when Peek(1).Kind == TokenKind.LParen:
                    return ParseSubstring();
                case "TRIM" when Peek(1).Kind == TokenKind.LParen:
                    return ParseTrim();
                case "CURRENT_DATE":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.CurrentDate) { Span = t.Span };
                case "CURRENT_TIME":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.CurrentTime) { Span = t.Span };
                case "CURRENT_TIMESTAMP":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.CurrentTimestamp) { Span = t.Span };
                case "LOCALTIME":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.LocalTime) { Span = t.Span };
                case "LOCALTIMESTAMP":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.LocalTimestamp) { Span = t.Span };
                case "CURRENT_USER":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.CurrentUser) { Span = t.Span };
                case "SESSION_USER":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.SessionUser) { Span = t.Span };
                case "USER":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.User) { Span = t.Span };
                case "CURRENT_ROLE":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.CurrentRole) { Span = t.Span };
                case "CURRENT_SCHEMA":
                    Advance();
                    if (Cur.Kind == TokenKind.LParen && Peek(1).Kind == TokenKind.RParen)
                    {
                        Advance();
                        Advance();
                    }

                    return new SpecialValueExpr(SpecialValueKind.CurrentSchema) { Span = From(t.Start) };
                case "CURRENT_CATALOG":
                    Advance();
                    return new SpecialValueExpr(SpecialValueKind.CurrentCatalog) { Span = t.Span };
                case "ARRAY" or "ROW" when Peek(1).Kind is TokenKind.LParen or TokenKind.LBracket:
                    throw Error(SqlErrorCode.Unsupported, $"{word} constructors are not supported", t.Span);
                case "GROUPING" when Peek(1).Kind == TokenKind.LParen:
                    throw Error(SqlErrorCode.Unsupported, "GROUPING() is not supported", t.Span);
            }

            // Typed literals: DATE '2020-01-01', TIMESTAMP WITH TIME ZONE '...', INTERVAL '1 day', int '1'.
            var lower = Identifier.FoldCase(t.Text);
            if (Peek(1).Kind == TokenKind.String && !SqlGrammar.Reserved.Contains(t.Text)
                || (lower is "timestamp" or "time" && (PeekWord(1, "WITH") || PeekWord(1, "WITHOUT")))
                || (lower == "double" && PeekWord(1, "PRECISION") && Peek(2).Kind == TokenKind.String))
            {
                var type = ParseTypeName();
                var value = Expect(TokenKind.String, "a string literal");
                if (IsWord("YEAR") || IsWord("MONTH") || IsWord("DAY") || IsWord("HOUR") || IsWord("MINUTE") || IsWord("SECOND"))
                {
                    throw Error(SqlErrorCode.Unsupported, "interval field qualifiers are not supported: write INTERVAL '1 day'", Cur.Span);
                }

                return new TypedLiteral(type, value.Text) { Span = From(t.Start) };
            }

            if (SqlGrammar.Reserved.Contains(t.Text) && !(SqlGrammar.CallableKeywords.Contains(t.Text) && Peek(1).Kind == TokenKind.LParen))
            {
                throw Fail("an expression");
            }

            return ParseNameExpr();
        }

        /// <summary>A column reference or a function call.</summary>
        private Expr ParseNameExpr()
        {
            var start = Cur.Start;
            var first = Cur;
            var parts = new List<Identifier>();
            if (first.Kind == TokenKind.Identifier && SqlGrammar.Reserved.Contains(first.Text))
            {
                // left(...) / right(...)
                Advance();
                parts.Add(new Identifier(first.Text) { Span = first.Span });
            }
            else
            {
                parts.Add(ParseIdentifier("a name"));
            }

            while (Cur.Kind == TokenKind.Dot)
            {
                Advance();
                parts.Add(ParseLabelPart());
            }

            var name = new QualifiedName(parts) { Span = From(start) };
            if (Cur.Kind == TokenKind.LParen)
            {
                return ParseFunctionRest(name, start);
            }

            return new ColumnRef(name) { Span = name.Span };
        }

        private FunctionCall ParseFunctionRest(QualifiedName name, int start)
        {
            Expect(TokenKind.LParen, "(");
            var args = new List<Expr>();
            var star = false;
            var distinct = false;
            IReadOnlyList<OrderItem> orderBy = [];
            if (Cur.IsOperator("*"))
            {
                Advance();
                star = true;
            }
            else if (Cur.Kind != TokenKind.RParen)
            {
                if (Accept("DISTINCT"))
                {
                    distinct = true;
                }
                else
                {
                    Accept("ALL");
                }

                if (IsWord("VARIADIC"))
                {
                    throw Error(SqlErrorCode.Unsupported, "VARIADIC arguments are not supported", Cur.Span);
                }

                args = ParseExprList();
                if (IsWord("ORDER"))
                {
                    Advance();
                    Expect("BY");
                    orderBy = ParseOrderList();
                }
            }

            Expect(TokenKind.RParen, ")");
            IReadOnlyList<OrderItem> withinGroup = [];
            if (IsWord("WITHIN") && PeekWord(1, "GROUP"))
            {
                Advance();
                Advance();
                Expect(TokenKind.LParen, "(");
                Expect("ORDER");
                Expect("BY");
                withinGroup = ParseOrderList();
                Expect(TokenKind.RParen, ")");
            }

            Expr? filter = null;
            if (IsWord("FILTER") && Peek(1).Kind == TokenKind.LParen)
            {
                Advance();
                Advance();
                Expect("WHERE");
                filter = ParseExpr();
                Expect(TokenKind.RParen, ")");
            }

            WindowSpec? over = null;
            if (Accept("OVER"))
            {
                if (Cur.Kind == TokenKind.LParen)
                {
                    over = ParseWindowSpec();
                }
                else
                {
                    var ws = Cur.Start;
                    var refName = ParseIdentifier("a window name or (");
                    over = new WindowSpec(refName) { Span = From(ws) };
                }
            }

            return new FunctionCall(name, args)
            {
                Star = star,
                Distinct = distinct,
                OrderBy = orderBy,
                WithinGroup = withinGroup,
                Filter = filter,
                Over = over,
                Span = From(start),
            };
        }

        private WindowSpec ParseWindowSpec()
        {
            var start = Expect(TokenKind.LParen, "(").Start;
            Identifier? baseWindow = null;
            if (IsName(Cur) && !IsWord("PARTITION") && !IsWord("ORDER") && !IsWord("ROWS") && !IsWord("RANGE") && !IsWord("GROUPS"))
            {
                baseWindow = ParseIdentifier("a window name");
            }

            IReadOnlyList<Expr> partition = [];
            if (IsWord("PARTITION"))
            {
                Advance();
                Expect("BY");
                partition = ParseExprList();
            }

            IReadOnlyList<OrderItem> order = [];
            if (IsWord("ORDER"))
            {
                Advance();
                Expect("BY");
                order = ParseOrderList();
            }

            WindowFrame? frame = null;
            if (IsWord("ROWS") || IsWord("RANGE") || IsWord("GROUPS"))
            {
                frame = ParseFrame();
            }

            Expect(TokenKind.RParen, ")");
            return new WindowSpec(baseWindow) { PartitionBy = partition, OrderBy = order, Frame = frame, Span = From(start) };
        }

        private WindowFrame ParseFrame()
        {
            var t = Advance();
            var unit = t.IsWord("ROWS") ? FrameUnit.Rows : t.IsWord("RANGE") ? FrameUnit.Range : FrameUnit.Groups;
            FrameBound startBound;
            FrameBound? endBound = null;
            if (Accept("BETWEEN"))
            {
                startBound = ParseFrameBound();
                Expect("AND");
                endBound = ParseFrameBound();
            }
            else
            {
                startBound = ParseFrameBound();
            }

            var exclusion = FrameExclusion.None;
            if (Accept("EXCLUDE"))
            {
                if (Accept("CURRENT"))
                {
                    Expect("ROW");
                    exclusion = FrameExclusion.CurrentRow;
                }
                else if (Accept("GROUP"))
                {
                    exclusion = FrameExclusion.Group;
                }
                else if (Accept("TIES"))
                {
                    exclusion = FrameExclusion.Ties;
                }
                else
                {
                    Expect("NO");
                    Expect("OTHERS");
                }
            }

            return new WindowFrame(unit, startBound, endBound) { Exclusion = exclusion, Span = From(t.Start) };
        }

        private FrameBound ParseFrameBound()
        {
            var start = Cur.Start;
            if (IsWord("UNBOUNDED"))
            {
                Advance();
                if (Accept("PRECEDING"))
                {
                    return new FrameBound(FrameBoundKind.UnboundedPreceding) { Span = From(start) };
                }

                Expect("FOLLOWING");
                return new FrameBound(FrameBoundKind.UnboundedFollowing) { Span = From(start) };
            }

            if (IsWord("CURRENT") && PeekWord(1, "ROW"))
            {
                Advance();
                Advance();
                return new FrameBound(FrameBoundKind.CurrentRow) { Span = From(start) };
            }

            var offset = ParseExpr(SqlGrammar.PrecAdd);
            if (Accept("PRECEDING"))
            {
                return new FrameBound(FrameBoundKind.Preceding, offset) { Span = From(start) };
            }

            Expect("FOLLOWING");
            return new FrameBound(FrameBoundKind.Following, offset) { Span = From(start) };
        }

        /// <summary>
        /// At "(" in an expression: a scalar subquery, a parenthesised expression, or (after
        /// nested parentheses) a query whose first operand was itself parenthesised.
        /// </summary>
        private Expr ParseParenExpr()
        {
            using var _ = Enter();
            var start = Expect(TokenKind.LParen, "(").Start;
            if (IsQueryStart(Cur))
            {
                var q = ParseQuery();
                Expect(TokenKind.RParen, ")");
                return new SubqueryExpr(q) { Span = From(start) };
            }

            Expr e;
            if (Cur.Kind == TokenKind.LParen)
            {
                var innerStart = Cur.Start;
                var inner = ParseParenExpr();
                if (inner is SubqueryExpr sub && IsSetOrTail(Cur))
                {
                    var q = ContinueQuery(sub.Query, innerStart);
                    Expect(TokenKind.RParen, ")");
                    return new SubqueryExpr(q) { Span = From(start) };
                }

                e = ParseInfix(ParsePostfix(inner, innerStart), 0);
            }
            else
            {
                e = ParseExpr();
            }

            if (Cur.Kind == TokenKind.Comma)
            {
                throw Error(SqlErrorCode.Unsupported, "row constructors (a, b) are not supported", Cur.Span);
            }

            Expect(TokenKind.RParen, ")");
            return e;
        }

        private Expr ParseCase()
        {
            var start = Expect("CASE").Start;
            Expr? operand = null;
            if (!IsWord("WHEN"))
            {
                operand = ParseExpr();
            }

            var whens = new List<WhenClause>();
            while (IsWord("WHEN"))
            {
                var ws = Advance().Start;
                var cond = ParseExpr();
                Expect("THEN");
                var result = ParseExpr();
                whens.Add(new WhenClause(cond, result) { Span = From(ws) });
            }

            if (whens.Count == 0)
            {
                throw Fail("WHEN");
            }

            var elseExpr = Accept("ELSE") ? ParseExpr() : null;
            Expect("END");
            return new CaseExpr(operand, whens, elseExpr) { Span = From(start) };
        }

        private Expr ParseExtract()
        {
            var start = Advance().Start;
            Expect(TokenKind.LParen, "(");
            var ft = Cur;
            string field;
            if (ft.Kind is TokenKind.Identifier or TokenKind.String or TokenKind.QuotedIdentifier)
            {
                Advance();
                field = ft.Kind == TokenKind.Identifier ? Identifier.FoldCase(ft.Text) : ft.Text;
            }
            else
            {
                throw Fail("a field name such as YEAR");
            }

            if (!SqlGrammar.ExtractFields.Contains(field))
            {
                throw Error(SqlErrorCode.Syntax, $"unknown EXTRACT field \"{ft.Text}\"", ft.Span);
            }

            Expect("FROM");
            var source = ParseExpr();
            Expect(TokenKind.RParen, ")");
            return new ExtractExpr(field, source) { Span = From(start) };
        }

        private Expr ParsePosition()
        {
            var nameToken = Advance();
            Expect(TokenKind.LParen, "(");
            var needle = ParseExpr(SqlGrammar.PrecLike + 1);
            Expect("IN");
            var haystack = ParseExpr();
            Expect(TokenKind.RParen, ")");
            // position(a IN b) is strpos(b, a); written as the plain function so it renders unambiguously.
            return new FunctionCall(new QualifiedName([new Identifier("strpos") { Span = nameToken.Span }]), [haystack, needle]) { Span = From(nameToken.Start) };
        }

        private Expr ParseSubstring()
        {
            var nameToken = Advance();
            Expect(TokenKind.LParen, "(");
            var text = ParseExpr();
            var args = new List<Expr> { text };
            if (Accept(TokenKind.Comma))
            {
                args.AddRange(ParseExprList());
            }
            else if (Accept("FROM"))
            {
                args.Add(ParseExpr());
                if (Accept("FOR"))
                {
                    args.Add(ParseExpr());
                }
            }
            else if (Accept("FOR"))
            {
                args.Add(new NumericLiteral(1));
                args.Add(ParseExpr());
            }

            Expect(TokenKind.RParen, ")");
            return new FunctionCall(new QualifiedName([new Identifier("substring") { Span = nameToken.Span }]), args) { Span = From(nameToken.Start) };
        }

        private Expr ParseTrim()
        {
            var nameToken = Advance();
            Expect(TokenKind.LParen, "(");
            var function = "btrim";
            if (Accept("BOTH"))
            {
                function = "btrim";
            }
            else if (Accept("LEADING"))
            {
                function = "ltrim";
            }
            else if (Accept("TRAILING"))
            {
                function = "rtrim";
            }

            var args = new List<Expr>();
            if (Accept("FROM"))
            {
                args.Add(ParseExpr());
            }
            else
            {
                var first = ParseExpr();
                if (Accept("FROM"))
                {
                    args.Add(ParseExpr());
                    args.Add(first);
                }
                else
                {
                    args.Add(first);
                    if (Accept(TokenKind.Comma))
                    {
                        args.Add(ParseExpr());
                    }
                }
            }

            Expect(TokenKind.RParen, ")");
            return new FunctionCall(new QualifiedName([new Identifier(function) { Span = nameToken.Span }]), args) { Span = From(nameToken.Start) };
        }

        // ------------------------------------------------------------ types

        private TypeName ParseTypeName()
        {
            var start = Cur.Start;
            var t = Cur;
            if (t.Kind == TokenKind.QuotedIdentifier)
            {
                Advance();
                if (Cur.Kind == TokenKind.Dot)
                {
                    throw Error(SqlErrorCode.Unsupported, "schema-qualified type names are not supported", Cur.Span);
                }

                return FinishType(t.Text, start);
            }

            if (t.Kind != TokenKind.Identifier)
            {
                throw Fail("a type name");
            }

            Advance();
            if (Cur.Kind == TokenKind.Dot)
            {
                throw Error(SqlErrorCode.Unsupported, "schema-qualified type names are not supported", Cur.Span);
            }

            var word = Identifier.FoldCase(t.Text);
            switch (word)
            {
                case "double":
                    Expect("PRECISION");
                    return FinishType("double precision", start);
                case "character" or "char" when IsWord("VARYING"):
                    Advance();
                    return FinishType("varchar", start);
                case "timestamp" or "time":
                    {
                        var mods = ParseTypeModifiers();
                        var name = word;
                        if (IsWord("WITH") && PeekWord(1, "TIME"))
                        {
                            Advance();
                            Expect("TIME");
                            Expect("ZONE");
                            name += " with time zone";
                        }
                        else if (Accept("WITHOUT"))
                        {
                            Expect("TIME");
                            Expect("ZONE");
                        }

                        return WithArray(new TypeName(name) { Modifiers = mods }, start);
                    }

                case "float":
                    {
                        var mods = ParseTypeModifiers();
                        var name = mods.Count == 1 && mods[0] <= 24 ? "real" : "double precision";
                        return WithArray(new TypeName(name), start);
                    }

                case "interval":
                    {
                        var mods = ParseTypeModifiers();
                        return WithArray(new TypeName("interval") { Modifiers = mods }, start);
                    }
            }

            return FinishType(SqlGrammar.CanonicalType(word), start);
        }

        private TypeName FinishType(string name, int start)
        {
            var mods = ParseTypeModifiers();
            return WithArray(new TypeName(name) { Modifiers = mods }, start);
        }

        private TypeName WithArray(TypeName type, int start)
        {
            var dims = 0;
            while (Cur.Kind == TokenKind.LBracket)
            {
                Advance();
                if (Cur.Kind == TokenKind.Number)
                {
                    Advance();
                }

                Expect(TokenKind.RBracket, "]");
                dims++;
            }

            if (IsWord("ARRAY"))
            {
                Advance();
                dims++;
            }

            return type with { ArrayDimensions = dims, Span = From(start) };
        }

        private IReadOnlyList<int> ParseTypeModifiers()
        {
            if (Cur.Kind != TokenKind.LParen)
            {
                return [];
            }

            Advance();
            var mods = new List<int>();
            do
            {
                var n = Expect(TokenKind.Number, "an integer type modifier");
                if (!int.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    throw Error(SqlErrorCode.Syntax, "type modifiers must be integers", n.Span);
                }

                mods.Add(value);
            }
            while (Accept(TokenKind.Comma));
            Expect(TokenKind.RParen, ")");
            return mods;
        }
    }
}
