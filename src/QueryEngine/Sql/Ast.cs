using System.Text;

namespace AstralytiQ.QueryEngine.Sql;

// The syntax tree. Every node is an immutable record whose constructor takes the parts a
// caller must give; optional parts are init properties with safe defaults, so code (such as
// the natural-language translator) can build trees as easily as the parser does. Spans are
// set by the parser and stay SourceSpan.None on built nodes.

/// <summary>Base of every syntax node.</summary>
public abstract record SqlNode
{
    /// <summary>Where the node came from in the source text; <see cref="SourceSpan.None"/> for nodes built in code.</summary>
    public SourceSpan Span { get; init; } = SourceSpan.None;
}

/// <summary>A name. Unquoted names fold to lower case as in PostgreSQL; quoted names keep their case.</summary>
/// <param name="Name">The name as written (without quotes; doubled quotes already undone).</param>
/// <param name="IsQuoted">True when written in double quotes.</param>
public sealed record Identifier(string Name, bool IsQuoted = false) : SqlNode
{
    /// <summary>The name PostgreSQL would look up: the quoted text, or the unquoted text with ASCII letters lowered.</summary>
    public string Normalized => IsQuoted ? Name : FoldCase(Name);

    /// <summary>Lowers ASCII letters only, as PostgreSQL does for unquoted identifiers in UTF-8 databases.</summary>
    /// <param name="name">The identifier text.</param>
    public static string FoldCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                var sb = new StringBuilder(name.Length);
                foreach (var d in name)
                {
                    sb.Append(char.IsAsciiLetterUpper(d) ? (char)(d | 0x20) : d);
                }

                return sb.ToString();
            }
        }

        return name;
    }

    /// <summary>Returns the name as written.</summary>
    public override string ToString() => IsQuoted ? "\"" + Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : Name;
}

/// <summary>A dotted name such as <c>sales</c>, <c>s.amount</c> or <c>schema.table</c>.</summary>
/// <param name="Parts">The parts, outermost first; at least one.</param>
public sealed record QualifiedName(IReadOnlyList<Identifier> Parts) : SqlNode
{
    /// <summary>Builds a name from plain (unquoted) parts.</summary>
    /// <param name="parts">The parts, outermost first.</param>
    public static QualifiedName Of(params string[] parts) => new(parts.Select(p => new Identifier(p)).ToArray());

    /// <summary>The last part (the object's own name).</summary>
    public Identifier Last => Parts[^1];

    /// <summary>Returns the dotted name as written.</summary>
    public override string ToString() => string.Join('.', Parts.Select(p => p.ToString()));
}

/// <summary>The physical location of a table, filled in by the validator.</summary>
/// <param name="Schema">Physical schema, e.g. <c>t_acme</c>.</param>
/// <param name="Table">Physical table, e.g. <c>ds_12_v3</c>.</param>
public sealed record PhysicalTableName(string Schema, string Table);

// ---------------------------------------------------------------- queries

/// <summary>A whole query: optional WITH, a body (SELECT or set operation), ORDER BY, LIMIT/OFFSET, locking.</summary>
/// <param name="Body">The SELECT or set operation.</param>
public sealed record Query(QueryBody Body) : SqlNode
{
    /// <summary>The WITH clause, if any.</summary>
    public WithClause? With { get; init; }

    /// <summary>ORDER BY items (empty when absent).</summary>
    public IReadOnlyList<OrderItem> OrderBy { get; init; } = [];

    /// <summary>LIMIT (or FETCH FIRST) row count; null for none or LIMIT ALL.</summary>
    public Expr? Limit { get; init; }

    /// <summary>OFFSET row count; null for none.</summary>
    public Expr? Offset { get; init; }

    /// <summary>True for FETCH FIRST n ROWS WITH TIES.</summary>
    public bool WithTies { get; init; }

    /// <summary>FOR UPDATE/SHARE clauses. Parsed so the validator can refuse them by name.</summary>
    public IReadOnlyList<LockingClause> Locking { get; init; } = [];

    /// <summary>True when the query has nothing but its body (so parentheses around it add nothing).</summary>
    public bool IsBare => With is null && OrderBy.Count == 0 && Limit is null && Offset is null && Locking.Count == 0;
}

/// <summary>A WITH clause.</summary>
/// <param name="Recursive">True for WITH RECURSIVE (parsed so the validator can refuse it).</param>
/// <param name="Ctes">The common table expressions in order.</param>
public sealed record WithClause(bool Recursive, IReadOnlyList<CommonTableExpression> Ctes) : SqlNode;

/// <summary>One <c>name [(columns)] AS [NOT] [MATERIALIZED] (query)</c> in a WITH clause.</summary>
/// <param name="Name">The name the rest of the query uses.</param>
/// <param name="Query">The query.</param>
public sealed record CommonTableExpression(Identifier Name, Query Query) : SqlNode
{
    /// <summary>Optional column names.</summary>
    public IReadOnlyList<Identifier> Columns { get; init; } = [];

    /// <summary>MATERIALIZED (true), NOT MATERIALIZED (false) or unspecified (null).</summary>
    public bool? Materialized { get; init; }
}

/// <summary>Strength of a locking clause.</summary>
public enum LockStrength
{
    /// <summary>FOR UPDATE.</summary>
    Update,

    /// <summary>FOR NO KEY UPDATE.</summary>
    NoKeyUpdate,

    /// <summary>FOR SHARE.</summary>
    Share,

    /// <summary>FOR KEY SHARE.</summary>
    KeyShare,
}

/// <summary>A FOR UPDATE/SHARE clause (always refused by the policy; kept to name it in the error).</summary>
/// <param name="Strength">The lock strength.</param>
public sealed record LockingClause(LockStrength Strength) : SqlNode
{
    /// <summary>Tables named after OF.</summary>
    public IReadOnlyList<QualifiedName> Of { get; init; } = [];

    /// <summary>NOWAIT or SKIP LOCKED text, if given.</summary>
    public string? WaitPolicy { get; init; }
}

/// <summary>The body of a query: a SELECT, a set operation or a parenthesised query.</summary>
public abstract record QueryBody : SqlNode;

/// <summary>A set operator.</summary>
public enum SetOperator
{
    /// <summary>UNION.</summary>
    Union,

    /// <summary>INTERSECT (binds tighter than UNION and EXCEPT).</summary>
    Intersect,

    /// <summary>EXCEPT.</summary>
    Except,
}

/// <summary><c>left UNION|INTERSECT|EXCEPT [ALL] right</c>.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="All">True for the ALL variant.</param>
/// <param name="Left">Left operand.</param>
/// <param name="Right">Right operand.</param>
public sealed record SetOperation(SetOperator Operator, bool All, QueryBody Left, QueryBody Right) : QueryBody;

/// <summary>A parenthesised query with its own WITH, ORDER BY or LIMIT, used as a set operand.</summary>
/// <param name="Query">The inner query.</param>
public sealed record NestedQuery(Query Query) : QueryBody;

/// <summary>A SELECT block.</summary>
/// <param name="Items">The select list.</param>
public sealed record SelectCore(IReadOnlyList<SelectItem> Items) : QueryBody
{
    /// <summary>DISTINCT (with an empty ON list) or DISTINCT ON (...); null when absent.</summary>
    public DistinctClause? Distinct { get; init; }

    /// <summary>SELECT INTO target (parsed so the validator can refuse it).</summary>
    public QualifiedName? Into { get; init; }

    /// <summary>FROM items; several items are comma joins.</summary>
    public IReadOnlyList<TableRef> From { get; init; } = [];

    /// <summary>WHERE condition.</summary>
    public Expr? Where { get; init; }

    /// <summary>GROUP BY expressions.</summary>
    public IReadOnlyList<Expr> GroupBy { get; init; } = [];

    /// <summary>HAVING condition.</summary>
    public Expr? Having { get; init; }

    /// <summary>Named windows from the WINDOW clause.</summary>
    public IReadOnlyList<NamedWindow> Windows { get; init; } = [];
}

/// <summary>DISTINCT or DISTINCT ON (expressions).</summary>
/// <param name="On">The DISTINCT ON expressions; empty for plain DISTINCT.</param>
public sealed record DistinctClause(IReadOnlyList<Expr> On) : SqlNode;

/// <summary>An entry of a select list.</summary>
public abstract record SelectItem : SqlNode;

/// <summary><c>expr [AS alias]</c> in a select list.</summary>
/// <param name="Expr">The expression.</param>
/// <param name="Alias">The output name, if given.</param>
public sealed record ExpressionItem(Expr Expr, Identifier? Alias = null) : SelectItem;

/// <summary><c>*</c> or <c>t.*</c> in a select list.</summary>
/// <param name="Qualifier">The table qualifier, or null for a bare star.</param>
public sealed record StarItem(QualifiedName? Qualifier = null) : SelectItem;

/// <summary><c>WINDOW name AS (spec)</c>.</summary>
/// <param name="Name">Window name.</param>
/// <param name="Spec">Its definition.</param>
public sealed record NamedWindow(Identifier Name, WindowSpec Spec) : SqlNode;

/// <summary>Sort direction.</summary>
public enum SortDirection
{
    /// <summary>ASC.</summary>
    Ascending,

    /// <summary>DESC.</summary>
    Descending,
}

/// <summary>NULLS FIRST / NULLS LAST.</summary>
public enum NullsOrder
{
    /// <summary>NULLS FIRST.</summary>
    First,

    /// <summary>NULLS LAST.</summary>
    Last,
}

/// <summary>An ORDER BY item.</summary>
/// <param name="Expr">The sort key (an expression, an output column name or an ordinal).</param>
/// <param name="Direction">ASC/DESC, or null when not written.</param>
/// <param name="Nulls">NULLS FIRST/LAST, or null when not written.</param>
public sealed record OrderItem(Expr Expr, SortDirection? Direction = null, NullsOrder? Nulls = null) : SqlNode;

// ---------------------------------------------------------------- FROM

/// <summary>An item of a FROM clause.</summary>
public abstract record TableRef : SqlNode;

/// <summary><c>AS alias [(column aliases)]</c> on a FROM item.</summary>
/// <param name="Name">The alias.</param>
public sealed record TableAlias(Identifier Name) : SqlNode
{
    /// <summary>Optional column aliases.</summary>
    public IReadOnlyList<Identifier> Columns { get; init; } = [];
}

/// <summary>A table (or CTE) by name.</summary>
/// <param name="Name">The name as written.</param>
/// <param name="Alias">The alias, if any.</param>
public sealed record NamedTable(QualifiedName Name, TableAlias? Alias = null) : TableRef
{
    /// <summary>The physical table, filled in by the validator; null for CTE references and unvalidated trees.</summary>
    public PhysicalTableName? Physical { get; init; }
}

/// <summary>A subquery in FROM.</summary>
/// <param name="Query">The subquery.</param>
/// <param name="Alias">The alias (the validator supplies one when missing).</param>
public sealed record DerivedTable(Query Query, TableAlias? Alias = null) : TableRef;

/// <summary>A function in FROM, e.g. <c>generate_series(1, 10)</c> (parsed so the validator can refuse it by name).</summary>
/// <param name="Function">The call.</param>
/// <param name="Alias">The alias, if any.</param>
public sealed record FunctionTable(FunctionCall Function, TableAlias? Alias = null) : TableRef;

/// <summary>Join kinds.</summary>
public enum JoinKind
{
    /// <summary>[INNER] JOIN.</summary>
    Inner,

    /// <summary>LEFT [OUTER] JOIN.</summary>
    Left,

    /// <summary>RIGHT [OUTER] JOIN.</summary>
    Right,

    /// <summary>FULL [OUTER] JOIN.</summary>
    Full,

    /// <summary>CROSS JOIN.</summary>
    Cross,
}

/// <summary>A join of two FROM items.</summary>
/// <param name="Kind">The join kind.</param>
/// <param name="Left">Left input.</param>
/// <param name="Right">Right input.</param>
public sealed record JoinedTable(JoinKind Kind, TableRef Left, TableRef Right) : TableRef
{
    /// <summary>ON condition.</summary>
    public Expr? On { get; init; }

    /// <summary>USING columns (empty when not a USING join).</summary>
    public IReadOnlyList<Identifier> Using { get; init; } = [];

    /// <summary>True for NATURAL joins.</summary>
    public bool Natural { get; init; }
}

// ---------------------------------------------------------------- expressions

/// <summary>Base of all value expressions.</summary>
public abstract record Expr : SqlNode;

/// <summary>A column reference: <c>col</c>, <c>t.col</c> (or a longer dotted name, which the validator refuses).</summary>
/// <param name="Name">The dotted name.</param>
public sealed record ColumnRef(QualifiedName Name) : Expr
{
    /// <summary>Builds a reference from plain parts, e.g. <c>ColumnRef.Of("s", "amount")</c>.</summary>
    /// <param name="parts">The parts, table first.</param>
    public static ColumnRef Of(params string[] parts) => new(QualifiedName.Of(parts));
}

/// <summary>A string literal.</summary>
/// <param name="Value">The decoded value.</param>
public sealed record StringLiteral(string Value) : Expr;

/// <summary>A numeric literal, kept as its (validated) text so no precision is lost.</summary>
public sealed record NumericLiteral : Expr
{
    /// <summary>Creates a literal from its text.</summary>
    /// <param name="text">Digits with an optional fraction and exponent, e.g. <c>42</c>, <c>3.14</c>, <c>1e-3</c>.</param>
    /// <exception cref="ArgumentException">The text is not an unsigned decimal numeric literal.</exception>
    public NumericLiteral(string text)
    {
        if (!IsValid(text))
        {
            throw new ArgumentException($"\"{text}\" is not a numeric literal", nameof(text));
        }

        Text = text;
    }

    /// <summary>Creates an integer literal (negative values are not literals: wrap them in a negation).</summary>
    /// <param name="value">A non-negative value.</param>
    public NumericLiteral(long value)
        : this(value >= 0 ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(value)))
    {
    }

    /// <summary>The literal's text.</summary>
    public string Text { get; }

    /// <summary>True when the literal is an integer (no fraction or exponent).</summary>
    public bool IsInteger => Text.All(char.IsAsciiDigit);

    /// <summary>Checks the text against PostgreSQL's decimal numeric literal syntax (unsigned).</summary>
    /// <param name="text">The candidate text.</param>
    public static bool IsValid(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var i = 0;
        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
            digits++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            var exp = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                exp++;
            }

            if (exp == 0)
            {
                return false;
            }
        }

        return i == text.Length;
    }
}

/// <summary>TRUE or FALSE.</summary>
/// <param name="Value">The value.</param>
public sealed record BooleanLiteral(bool Value) : Expr;

/// <summary>NULL.</summary>
public sealed record NullLiteral : Expr;

/// <summary>A typed literal such as <c>DATE '2020-01-01'</c> or <c>INTERVAL '1 day'</c>.</summary>
/// <param name="Type">The type.</param>
/// <param name="Value">The string value.</param>
public sealed record TypedLiteral(TypeName Type, string Value) : Expr;

/// <summary>A type name as used by CAST, <c>::</c> and typed literals.</summary>
/// <param name="Name">Canonical lower-case name, e.g. <c>integer</c>, <c>double precision</c>, <c>timestamp with time zone</c>.</param>
public sealed record TypeName(string Name) : SqlNode
{
    /// <summary>Type modifiers, e.g. precision and scale of <c>numeric(10, 2)</c>.</summary>
    public IReadOnlyList<int> Modifiers { get; init; } = [];

    /// <summary>Number of array dimensions (<c>integer[]</c> is 1).</summary>
    public int ArrayDimensions { get; init; }
}

/// <summary>Prefix operators.</summary>
public enum UnaryOperator
{
    /// <summary>NOT.</summary>
    Not,

    /// <summary>Unary minus.</summary>
    Negate,

    /// <summary>Unary plus.</summary>
    Plus,
}

/// <summary>A prefix operation.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Operand">The operand.</param>
public sealed record UnaryExpr(UnaryOperator Operator, Expr Operand) : Expr;

/// <summary>Binary operators the grammar knows.</summary>
public enum BinaryOperator
{
    /// <summary>OR.</summary>
    Or,

    /// <summary>AND.</summary>
    And,

    /// <summary>=.</summary>
    Equal,

    /// <summary>&lt;&gt; (also written !=).</summary>
    NotEqual,

    /// <summary>&lt;.</summary>
    Less,

    /// <summary>&gt;.</summary>
    Greater,

    /// <summary>&lt;=.</summary>
    LessOrEqual,

    /// <summary>&gt;=.</summary>
    GreaterOrEqual,

    /// <summary>||.</summary>
    Concat,

    /// <summary>~ (regular expression match).</summary>
    RegexMatch,

    /// <summary>~* (case-insensitive regular expression match).</summary>
    RegexIMatch,

    /// <summary>!~.</summary>
    NotRegexMatch,

    /// <summary>!~*.</summary>
    NotRegexIMatch,

    /// <summary>&amp; (bitwise and).</summary>
    BitAnd,

    /// <summary>| (bitwise or).</summary>
    BitOr,

    /// <summary># (bitwise xor).</summary>
    BitXor,

    /// <summary>&lt;&lt;.</summary>
    ShiftLeft,

    /// <summary>&gt;&gt;.</summary>
    ShiftRight,

    /// <summary>+.</summary>
    Add,

    /// <summary>-.</summary>
    Subtract,

    /// <summary>*.</summary>
    Multiply,

    /// <summary>/.</summary>
    Divide,

    /// <summary>%.</summary>
    Modulo,

    /// <summary>^.</summary>
    Power,
}

/// <summary>A binary operation.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Left">Left operand.</param>
/// <param name="Right">Right operand.</param>
public sealed record BinaryExpr(BinaryOperator Operator, Expr Left, Expr Right) : Expr;

/// <summary>The tests of an IS expression.</summary>
public enum IsTest
{
    /// <summary>IS NULL.</summary>
    Null,

    /// <summary>IS TRUE.</summary>
    True,

    /// <summary>IS FALSE.</summary>
    False,

    /// <summary>IS UNKNOWN.</summary>
    Unknown,
}

/// <summary><c>expr IS [NOT] NULL|TRUE|FALSE|UNKNOWN</c> (ISNULL/NOTNULL too).</summary>
/// <param name="Operand">The tested value.</param>
/// <param name="Test">What is tested.</param>
/// <param name="Negated">True for IS NOT.</param>
public sealed record IsExpr(Expr Operand, IsTest Test, bool Negated = false) : Expr;

/// <summary><c>left IS [NOT] DISTINCT FROM right</c>.</summary>
/// <param name="Left">Left value.</param>
/// <param name="Right">Right value.</param>
/// <param name="Negated">True for IS NOT DISTINCT FROM.</param>
public sealed record IsDistinctFromExpr(Expr Left, Expr Right, bool Negated = false) : Expr;

/// <summary><c>expr [NOT] BETWEEN [SYMMETRIC] low AND high</c>.</summary>
/// <param name="Operand">The tested value.</param>
/// <param name="Low">Lower bound.</param>
/// <param name="High">Upper bound.</param>
/// <param name="Negated">True for NOT BETWEEN.</param>
/// <param name="Symmetric">True for BETWEEN SYMMETRIC.</param>
public sealed record BetweenExpr(Expr Operand, Expr Low, Expr High, bool Negated = false, bool Symmetric = false) : Expr;

/// <summary>Pattern-matching operators.</summary>
public enum LikeKind
{
    /// <summary>LIKE.</summary>
    Like,

    /// <summary>ILIKE.</summary>
    ILike,

    /// <summary>SIMILAR TO.</summary>
    SimilarTo,
}

/// <summary><c>expr [NOT] LIKE|ILIKE|SIMILAR TO pattern [ESCAPE e]</c>.</summary>
/// <param name="Operand">The tested value.</param>
/// <param name="Kind">Which operator.</param>
/// <param name="Pattern">The pattern.</param>
/// <param name="Negated">True for the NOT form.</param>
public sealed record LikeExpr(Expr Operand, LikeKind Kind, Expr Pattern, bool Negated = false) : Expr
{
    /// <summary>The ESCAPE character expression, if given.</summary>
    public Expr? Escape { get; init; }
}

/// <summary><c>expr [NOT] IN (v1, v2, ...)</c>.</summary>
/// <param name="Operand">The tested value.</param>
/// <param name="Values">The list (at least one).</param>
/// <param name="Negated">True for NOT IN.</param>
public sealed record InListExpr(Expr Operand, IReadOnlyList<Expr> Values, bool Negated = false) : Expr;

/// <summary><c>expr [NOT] IN (subquery)</c>.</summary>
/// <param name="Operand">The tested value.</param>
/// <param name="Query">The subquery.</param>
/// <param name="Negated">True for NOT IN.</param>
public sealed record InSubqueryExpr(Expr Operand, Query Query, bool Negated = false) : Expr;

/// <summary><c>EXISTS (subquery)</c>.</summary>
/// <param name="Query">The subquery.</param>
public sealed record ExistsExpr(Query Query) : Expr;

/// <summary>A scalar subquery <c>(SELECT ...)</c>.</summary>
/// <param name="Query">The subquery.</param>
public sealed record SubqueryExpr(Query Query) : Expr;

/// <summary>ANY/SOME or ALL.</summary>
public enum Quantifier
{
    /// <summary>ANY (also written SOME).</summary>
    Any,

    /// <summary>ALL.</summary>
    All,
}

/// <summary><c>left op ANY|ALL (subquery)</c>.</summary>
/// <param name="Left">The tested value.</param>
/// <param name="Operator">A comparison operator.</param>
/// <param name="Quantifier">ANY or ALL.</param>
/// <param name="Query">The subquery.</param>
public sealed record QuantifiedComparisonExpr(Expr Left, BinaryOperator Operator, Quantifier Quantifier, Query Query) : Expr;

/// <summary>A WHEN ... THEN ... arm of CASE.</summary>
/// <param name="Condition">The condition (or the value compared with the CASE operand).</param>
/// <param name="Result">The result.</param>
public sealed record WhenClause(Expr Condition, Expr Result) : SqlNode;

/// <summary><c>CASE [operand] WHEN ... THEN ... [ELSE ...] END</c>.</summary>
/// <param name="Operand">The operand of a simple CASE, or null for a searched CASE.</param>
/// <param name="Whens">The arms (at least one).</param>
/// <param name="Else">The ELSE result, if any.</param>
public sealed record CaseExpr(Expr? Operand, IReadOnlyList<WhenClause> Whens, Expr? Else = null) : Expr;

/// <summary><c>CAST(expr AS type)</c> or <c>expr::type</c>.</summary>
/// <param name="Operand">The value.</param>
/// <param name="Type">The target type.</param>
public sealed record CastExpr(Expr Operand, TypeName Type) : Expr;

/// <summary><c>EXTRACT(field FROM source)</c>.</summary>
/// <param name="Field">The field in lower case, e.g. <c>year</c>, <c>epoch</c>.</param>
/// <param name="Source">The date/time value.</param>
public sealed record ExtractExpr(string Field, Expr Source) : Expr;

/// <summary><c>expr AT TIME ZONE zone</c>.</summary>
/// <param name="Operand">The timestamp.</param>
/// <param name="Zone">The zone.</param>
public sealed record AtTimeZoneExpr(Expr Operand, Expr Zone) : Expr;

/// <summary>SQL value functions written without parentheses.</summary>
public enum SpecialValueKind
{
    /// <summary>CURRENT_DATE.</summary>
    CurrentDate,

    /// <summary>CURRENT_TIME.</summary>
    CurrentTime,

    /// <summary>CURRENT_TIMESTAMP.</summary>
    CurrentTimestamp,

    /// <summary>LOCALTIME.</summary>
    LocalTime,

    /// <summary>LOCALTIMESTAMP.</summary>
    LocalTimestamp,

    /// <summary>CURRENT_USER.</summary>
    CurrentUser,

    /// <summary>SESSION_USER.</summary>
    SessionUser,

    /// <summary>USER.</summary>
    User,

    /// <summary>CURRENT_ROLE.</summary>
    CurrentRole,

    /// <summary>CURRENT_SCHEMA.</summary>
    CurrentSchema,

    /// <summary>CURRENT_CATALOG.</summary>
    CurrentCatalog,
}

/// <summary>A SQL value function such as CURRENT_DATE.</summary>
/// <param name="Kind">Which one.</param>
public sealed record SpecialValueExpr(SpecialValueKind Kind) : Expr;

/// <summary>A function call, including aggregates and window functions.</summary>
/// <param name="Name">The function name (the validator refuses qualified names).</param>
/// <param name="Args">The arguments.</param>
public sealed record FunctionCall(QualifiedName Name, IReadOnlyList<Expr> Args) : Expr
{
    /// <summary>Builds a call to a plain function name.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="args">The arguments.</param>
    public static FunctionCall Of(string name, params Expr[] args) => new(QualifiedName.Of(name), args);

    /// <summary>True for <c>f(*)</c>, as in <c>count(*)</c>.</summary>
    public bool Star { get; init; }

    /// <summary>True for <c>f(DISTINCT ...)</c>.</summary>
    public bool Distinct { get; init; }

    /// <summary>ORDER BY inside the call, as in <c>string_agg(x, ',' ORDER BY y)</c>.</summary>
    public IReadOnlyList<OrderItem> OrderBy { get; init; } = [];

    /// <summary>WITHIN GROUP (ORDER BY ...) of ordered-set aggregates.</summary>
    public IReadOnlyList<OrderItem> WithinGroup { get; init; } = [];

    /// <summary>FILTER (WHERE ...) of an aggregate.</summary>
    public Expr? Filter { get; init; }

    /// <summary>OVER clause of a window call; a spec with only <see cref="WindowSpec.BaseWindow"/> is <c>OVER name</c>.</summary>
    public WindowSpec? Over { get; init; }
}

/// <summary>Frame units.</summary>
public enum FrameUnit
{
    /// <summary>ROWS.</summary>
    Rows,

    /// <summary>RANGE.</summary>
    Range,

    /// <summary>GROUPS.</summary>
    Groups,
}

/// <summary>Frame bound kinds.</summary>
public enum FrameBoundKind
{
    /// <summary>UNBOUNDED PRECEDING.</summary>
    UnboundedPreceding,

    /// <summary>offset PRECEDING.</summary>
    Preceding,

    /// <summary>CURRENT ROW.</summary>
    CurrentRow,

    /// <summary>offset FOLLOWING.</summary>
    Following,

    /// <summary>UNBOUNDED FOLLOWING.</summary>
    UnboundedFollowing,
}

/// <summary>Frame exclusion.</summary>
public enum FrameExclusion
{
    /// <summary>None written (same as EXCLUDE NO OTHERS).</summary>
    None,

    /// <summary>EXCLUDE CURRENT ROW.</summary>
    CurrentRow,

    /// <summary>EXCLUDE GROUP.</summary>
    Group,

    /// <summary>EXCLUDE TIES.</summary>
    Ties,
}

/// <summary>One bound of a window frame.</summary>
/// <param name="Kind">The bound kind.</param>
/// <param name="Offset">The offset for PRECEDING/FOLLOWING.</param>
public sealed record FrameBound(FrameBoundKind Kind, Expr? Offset = null) : SqlNode;

/// <summary><c>ROWS|RANGE|GROUPS [BETWEEN] start [AND end] [EXCLUDE ...]</c>.</summary>
/// <param name="Unit">The frame unit.</param>
/// <param name="Start">Start bound.</param>
/// <param name="End">End bound, or null for the single-bound form.</param>
public sealed record WindowFrame(FrameUnit Unit, FrameBound Start, FrameBound? End = null) : SqlNode
{
    /// <summary>The EXCLUDE option.</summary>
    public FrameExclusion Exclusion { get; init; }
}

/// <summary>A window definition: <c>([base] [PARTITION BY ...] [ORDER BY ...] [frame])</c>.</summary>
/// <param name="BaseWindow">A named window this one builds on, if any.</param>
public sealed record WindowSpec(Identifier? BaseWindow = null) : SqlNode
{
    /// <summary>PARTITION BY expressions.</summary>
    public IReadOnlyList<Expr> PartitionBy { get; init; } = [];

    /// <summary>ORDER BY items.</summary>
    public IReadOnlyList<OrderItem> OrderBy { get; init; } = [];

    /// <summary>The frame clause, if any.</summary>
    public WindowFrame? Frame { get; init; }

    /// <summary>True when the spec is only a reference to a named window (rendered as <c>OVER name</c>).</summary>
    public bool IsReferenceOnly => BaseWindow is not null && PartitionBy.Count == 0 && OrderBy.Count == 0 && Frame is null;
}
