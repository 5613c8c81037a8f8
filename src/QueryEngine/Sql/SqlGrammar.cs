namespace AstralytiQ.QueryEngine.Sql;

/// <summary>
/// Compares ignoring the case of ASCII letters only, as PostgreSQL does for keywords and unquoted
/// names: <c>ſelect</c> (long s) is not <c>SELECT</c>.
/// </summary>
internal sealed class AsciiIgnoreCase : IEqualityComparer<string>
{
    public static readonly AsciiIgnoreCase Instance = new();

    public static bool Equal(string? a, string? b)
    {
        if (a is null || b is null || a.Length != b.Length)
        {
            return a is null && b is null;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y && !(char.IsAsciiLetter(x) && char.IsAsciiLetter(y) && (x | 0x20) == (y | 0x20)))
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(string? x, string? y) => Equal(x, y);

    public int GetHashCode(string obj) => StringComparer.Ordinal.GetHashCode(Identifier.FoldCase(obj));
}

/// <summary>Keyword sets and operator precedence shared by the parser and the renderer.</summary>
internal static class SqlGrammar
{
    /// <summary>Upper-cases ASCII letters only (keywords are ASCII).</summary>
    public static string AsciiUpper(string text) => string.Create(text.Length, text, static (span, t) =>
    {
        for (var i = 0; i < t.Length; i++)
        {
            span[i] = char.IsAsciiLetterLower(t[i]) ? (char)(t[i] & ~0x20) : t[i];
        }
    });

    /// <summary>PostgreSQL's reserved keywords plus the type/function-name keywords: never bare column names or aliases.</summary>
    public static readonly HashSet<string> Reserved = new(AsciiIgnoreCase.Instance)
    {
        "ALL", "ANALYSE", "ANALYZE", "AND", "ANY", "ARRAY", "AS", "ASC", "ASYMMETRIC", "BOTH", "CASE", "CAST",
        "CHECK", "COLLATE", "COLUMN", "CONSTRAINT", "CREATE", "CURRENT_CATALOG", "CURRENT_DATE", "CURRENT_ROLE",
        "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "DEFAULT", "DEFERRABLE", "DESC", "DISTINCT", "DO",
        "ELSE", "END", "EXCEPT", "FALSE", "FETCH", "FOR", "FOREIGN", "FROM", "GRANT", "GROUP", "HAVING", "IN",
        "INITIALLY", "INTERSECT", "INTO", "LATERAL", "LEADING", "LIMIT", "LOCALTIME", "LOCALTIMESTAMP", "NOT",
        "NULL", "OFFSET", "ON", "ONLY", "OR", "ORDER", "PLACING", "PRIMARY", "REFERENCES", "RETURNING", "SELECT",
        "SESSION_USER", "SOME", "SYMMETRIC", "TABLE", "THEN", "TO", "TRAILING", "TRUE", "UNION", "UNIQUE", "USER",
        "USING", "VARIADIC", "WHEN", "WHERE", "WINDOW", "WITH",
        // type_func_name keywords
        "AUTHORIZATION", "BINARY", "COLLATION", "CONCURRENTLY", "CROSS", "CURRENT_SCHEMA", "FREEZE", "FULL",
        "ILIKE", "INNER", "IS", "ISNULL", "JOIN", "LEFT", "LIKE", "NATURAL", "NOTNULL", "OUTER", "OVERLAPS",
        "RIGHT", "SIMILAR", "TABLESAMPLE", "VERBOSE",
    };

    /// <summary>Type/function-name keywords that may still be called as functions, e.g. <c>left(s, 3)</c>.</summary>
    public static readonly HashSet<string> CallableKeywords = new(AsciiIgnoreCase.Instance)
    {
        "LEFT", "RIGHT",
    };

    /// <summary>First words of statements other than SELECT, refused with a clear message.</summary>
    public static readonly HashSet<string> OtherStatements = new(AsciiIgnoreCase.Instance)
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "COPY",
        "SET", "RESET", "SHOW", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE",
        "EXPLAIN", "ANALYZE", "ANALYSE", "VACUUM", "CALL", "DO", "LISTEN", "NOTIFY", "UNLISTEN", "LOCK", "PREPARE",
        "EXECUTE", "DEALLOCATE", "DECLARE", "FETCH", "MOVE", "CLOSE", "DISCARD", "LOAD", "REINDEX", "CLUSTER",
        "CHECKPOINT", "COMMENT", "SECURITY", "REFRESH", "IMPORT", "REASSIGN", "IMPORT",
    };

    public const int PrecOr = 1;
    public const int PrecAnd = 2;
    public const int PrecNot = 3;
    public const int PrecIs = 4;
    public const int PrecComparison = 5;
    public const int PrecLike = 6;
    public const int PrecOther = 7;
    public const int PrecAdd = 8;
    public const int PrecMultiply = 9;
    public const int PrecPower = 10;
    public const int PrecAtTimeZone = 11;
    public const int PrecUnary = 13;
    public const int PrecPrimary = 20;

    public static int Precedence(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => PrecOr,
        BinaryOperator.And => PrecAnd,
        BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.Greater
            or BinaryOperator.LessOrEqual or BinaryOperator.GreaterOrEqual => PrecComparison,
        BinaryOperator.Add or BinaryOperator.Subtract => PrecAdd,
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo => PrecMultiply,
        BinaryOperator.Power => PrecPower,
        _ => PrecOther,
    };

    /// <summary>Comparison, IS and pattern levels do not associate in PostgreSQL: equal-level operands get parentheses.</summary>
    public static bool IsNonAssociative(int precedence) => precedence is PrecComparison or PrecIs or PrecLike;

    public static string Text(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => "OR",
        BinaryOperator.And => "AND",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "<>",
        BinaryOperator.Less => "<",
        BinaryOperator.Greater => ">",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Concat => "||",
        BinaryOperator.RegexMatch => "~",
        BinaryOperator.RegexIMatch => "~*",
        BinaryOperator.NotRegexMatch => "!~",
        BinaryOperator.NotRegexIMatch => "!~*",
        BinaryOperator.BitAnd => "&",
        BinaryOperator.BitOr => "|",
        BinaryOperator.BitXor => "#",
        BinaryOperator.ShiftLeft => "<<",
        BinaryOperator.ShiftRight => ">>",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Power => "^",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static BinaryOperator? FromOperatorText(string text) => text switch
    {
        "=" => BinaryOperator.Equal,
        "<>" or "!=" => BinaryOperator.NotEqual,
        "<" => BinaryOperator.Less,
        ">" => BinaryOperator.Greater,
        "<=" => BinaryOperator.LessOrEqual,
        ">=" => BinaryOperator.GreaterOrEqual,
        "||" => BinaryOperator.Concat,
        "~" => BinaryOperator.RegexMatch,
        "~*" => BinaryOperator.RegexIMatch,
        "!~" => BinaryOperator.NotRegexMatch,
        "!~*" => BinaryOperator.NotRegexIMatch,
        "&" => BinaryOperator.BitAnd,
        "|" => BinaryOperator.BitOr,
        "#" => BinaryOperator.BitXor,
        "<<" => BinaryOperator.ShiftLeft,
        ">>" => BinaryOperator.ShiftRight,
        "+" => BinaryOperator.Add,
        "-" => BinaryOperator.Subtract,
        "*" => BinaryOperator.Multiply,
        "/" => BinaryOperator.Divide,
        "%" => BinaryOperator.Modulo,
        "^" => BinaryOperator.Power,
        _ => null,
    };

    public static bool IsComparison(BinaryOperator op) => Precedence(op) == PrecComparison;

    /// <summary>Canonical type names the renderer writes bare (they are keywords or built-in names).</summary>
    public static readonly HashSet<string> BuiltinTypes = new(StringComparer.Ordinal)
    {
        "smallint", "integer", "bigint", "real", "double precision", "numeric", "text", "varchar", "char",
        "boolean", "date", "time", "time with time zone", "timestamp", "timestamp with time zone", "interval",
        "json", "jsonb", "uuid", "bytea",
    };

    /// <summary>Maps a single-word type name (lower case) to its canonical name.</summary>
    public static string CanonicalType(string lower) => lower switch
    {
        "int" or "integer" or "int4" => "integer",
        "smallint" or "int2" => "smallint",
        "bigint" or "int8" => "bigint",
        "real" or "float4" => "real",
        "float" or "float8" => "double precision",
        "decimal" or "numeric" => "numeric",
        "varchar" => "varchar",
        "char" or "character" or "bpchar" => "char",
        "bool" or "boolean" => "boolean",
        "timestamptz" => "timestamp with time zone",
        "timetz" => "time with time zone",
        _ => lower,
    };

    /// <summary>Fields EXTRACT accepts.</summary>
    public static readonly HashSet<string> ExtractFields = new(StringComparer.Ordinal)
    {
        "century", "day", "decade", "dow", "doy", "epoch", "hour", "isodow", "isoyear", "julian", "microseconds",
        "millennium", "milliseconds", "minute", "month", "quarter", "second", "timezone", "timezone_hour",
        "timezone_minute", "week", "year",
    };
}
