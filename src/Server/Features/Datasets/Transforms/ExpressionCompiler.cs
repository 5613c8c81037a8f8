using System.Globalization;
using System.Text;
using NpgsqlTypes;

namespace AstralytiQ.Server.Features.Datasets.Transforms;

/// <summary>An expression could not be read; <see cref="Position"/> is 1-based.</summary>
public sealed class ExpressionException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}

/// <summary>A literal the SQL carries as a parameter (never spliced into the text).</summary>
public sealed record SqlParameter(string Name, object Value, NpgsqlDbType Type);

/// <summary>
/// Compiles the small filter/derive expression language to PostgreSQL: column references
/// (quoted after checking they exist), literals as parameters, an allow-list of operators and
/// functions. Anything else is an <see cref="ExpressionException"/> naming what and where.
/// </summary>
public sealed class ExpressionCompiler
{
    private static readonly Dictionary<string, (int MinArgs, int MaxArgs, Func<string[], string> Render)> Functions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lower"] = (1, 1, a => $"lower({a[0]})"),
        ["upper"] = (1, 1, a => $"upper({a[0]})"),
        ["length"] = (1, 1, a => $"length({a[0]})"),
        ["trim"] = (1, 1, a => $"btrim({a[0]})"),
        ["abs"] = (1, 1, a => $"abs({a[0]})"),
        ["round"] = (1, 2, a => a.Length == 1 ? $"round({a[0]})" : $"round(({a[0]})::numeric, ({a[1]})::int)"),
        ["floor"] = (1, 1, a => $"floor({a[0]})"),
        ["ceil"] = (1, 1, a => $"ceil({a[0]})"),
        ["coalesce"] = (2, 10, a => $"coalesce({string.Join(", ", a)})"),
        ["nullif"] = (2, 2, a => $"nullif({a[0]}, {a[1]})"),
        ["year"] = (1, 1, a => $"extract(year from {a[0]})::int"),
        ["month"] = (1, 1, a => $"extract(month from {a[0]})::int"),
        ["day"] = (1, 1, a => $"extract(day from {a[0]})::int"),
    };

    private readonly IReadOnlyDictionary<string, string> _columns;
    private readonly List<SqlParameter> _parameters;
    private List<Token> _tokens = [];
    private int _index;

    /// <param name="columns">Accepted references (names and labels, case-insensitive) to column names.</param>
    /// <param name="parameters">Shared list literals are appended to (names stay unique across expressions).</param>
    public ExpressionCompiler(IReadOnlyDictionary<string, string> columns, List<SqlParameter> parameters)
    {
        _columns = columns;
        _parameters = parameters;
    }

    public string Compile(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new ExpressionException("is empty", 1);
        }
        if (expression.Length > 2000)
        {
            throw new ExpressionException("is longer than 2000 characters", 2001);
        }
        _tokens = Tokenize(expression);
        _index = 0;
        var sql = Or();
        if (Peek.Kind != TokenKind.End)
        {
            throw new ExpressionException($"unexpected '{Peek.Text}'", Peek.Position);
        }
        return sql;
    }

    private string Or()
    {
        var left = And();
        while (Keyword("OR"))
        {
            left = $"({left} OR {And()})";
        }
        return left;
    }

    private string And()
    {
        var left = Not();
        while (Keyword("AND"))
        {
            left = $"({left} AND {Not()})";
        }
        return left;
    }

    private string Not() => Keyword("NOT") ? $"(NOT {Not()})" : Comparison();

    private string Comparison()
    {
        var left = Additive();
        if (Peek.Kind == TokenKind.Operator && Peek.Text is "=" or "<>" or "!=" or "<" or "<=" or ">" or ">=")
        {
            var op = Next().Text;
            return $"({left} {(op == "!=" ? "<>" : op)} {Additive()})";
        }
        if (Keyword("IS"))
        {
            var not = Keyword("NOT");
            Expect("NULL");
            return $"({left} IS {(not ? "NOT " : "")}NULL)";
        }
        var negated = Keyword("NOT");
        if (Keyword("IN"))
        {
            ExpectSymbol("(");
            var items = new List<string> { Additive() };
            while (Symbol(","))
            {
                items.Add(Additive());
            }
            ExpectSymbol(")");
            return $"({left} {(negated ? "NOT IN" : "IN")} ({string.Join(", ", items)}))";
        }
        if (Keyword("BETWEEN"))
        {
            var low = Additive();
            Expect("AND");
            return $"({left} {(negated ? "NOT BETWEEN" : "BETWEEN")} {low} AND {Additive()})";
        }
        if (Peek.Kind == TokenKind.Word && Peek.Text.ToUpperInvariant() is "LIKE" or "ILIKE")
        {
            var op = Next().Text.ToUpperInvariant();
            return $"({left} {(negated ? "NOT " : "")}{op} {Additive()})";
        }
        if (negated)
        {
            throw new ExpressionException("expected IN, BETWEEN, LIKE or ILIKE after NOT", Peek.Position);
        }
        return left;
    }

    private string Additive()
    {
        var left = Multiplicative();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "+" or "-" or "||")
        {
            var op = Next().Text;
            left = $"({left} {op} {Multiplicative()})";
        }
        return left;
    }

    private string Multiplicative()
    {
        var left = Unary();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "%")
        {
            var op = Next().Text;
            left = $"({left} {op} {Unary()})";
        }
        return left;
    }

    private string Unary() => Symbol("-") ? $"(- {Unary()})" : Primary();

    private string NumberParameter(string text)
    {
        if (text.Contains('.', StringComparison.Ordinal) || text.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            return Parameter(decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric);
        }
        var value = long.Parse(text, CultureInfo.InvariantCulture);
        return value is >= int.MinValue and <= int.MaxValue ? Parameter((int)value, NpgsqlDbType.Integer) : Parameter(value, NpgsqlDbType.Bigint);
    }

    private string Primary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return NumberParameter(token.Text);
            case TokenKind.String:
                // Sent untyped, so PostgreSQL reads it like a literal in context ('2024-01-01' against a date).
                return Parameter(token.Text, NpgsqlDbType.Unknown);
            case TokenKind.QuotedIdentifier:
                return Column(token);
            case TokenKind.Operator when token.Text == "(":
                var inner = Or();
                ExpectSymbol(")");
                return inner;
            case TokenKind.Word:
                var word = token.Text.ToUpperInvariant();
                switch (word)
                {
                    case "TRUE" or "FALSE":
                        return word;
                    case "NULL":
                        return "NULL";
                    case "DATE" when Peek.Kind == TokenKind.String:
                        var literal = Next();
                        if (!DateOnly.TryParseExact(literal.Text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                        {
                            throw new ExpressionException($"'{literal.Text}' is not a date in YYYY-MM-DD form", literal.Position);
                        }
                        return Parameter(date, NpgsqlDbType.Date);
                }
                if (Peek.Kind == TokenKind.Operator && Peek.Text == "(")
                {
                    if (!Functions.TryGetValue(token.Text, out var function))
                    {
                        throw new ExpressionException($"unknown function '{token.Text}' (available: {string.Join(", ", Functions.Keys)})", token.Position);
                    }
                    Next();
                    var args = new List<string>();
                    if (!Symbol(")"))
                    {
                        do
                        {
                            args.Add(Or());
                        }
                        while (Symbol(","));
                        ExpectSymbol(")");
                    }
                    if (args.Count < function.MinArgs || args.Count > function.MaxArgs)
                    {
                        throw new ExpressionException($"{token.Text.ToLowerInvariant()} takes {(function.MinArgs == function.MaxArgs ? function.MinArgs.ToString(CultureInfo.InvariantCulture) : $"{function.MinArgs} to {function.MaxArgs}")} arguments", token.Position);
                    }
                    return function.Render([.. args]);
                }
                if (IsKeyword(word))
                {
                    throw new ExpressionException($"unexpected '{token.Text}'", token.Position);
                }
                return Column(token);
            case TokenKind.End:
                throw new ExpressionException("the expression ends too early", token.Position);
            default:
                throw new ExpressionException($"unexpected '{token.Text}'", token.Position);
        }
    }

    private string Column(Token token)
    {
        if (_columns.TryGetValue(token.Text, out var name))
        {
            return Infrastructure.Postgres.TenantNames.Quote(name);
        }
        throw new ExpressionException($"unknown column '{token.Text}' (columns: {string.Join(", ", _columns.Values.Distinct(StringComparer.Ordinal).Take(30))})", token.Position);
    }

    private string Parameter(object value, NpgsqlDbType type)
    {
        var name = "p" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(new SqlParameter(name, value, type));
        return "@" + name;
    }

    private static bool IsKeyword(string word) => word is "AND" or "OR" or "NOT" or "IS" or "IN" or "BETWEEN" or "LIKE" or "ILIKE" or "SELECT" or "FROM" or "WHERE";

    private Token Peek => _tokens[_index];

    private Token Next() => _tokens[_index < _tokens.Count - 1 ? _index++ : _index];

    private bool Keyword(string keyword)
    {
        if (Peek.Kind == TokenKind.Word && string.Equals(Peek.Text, keyword, StringComparison.OrdinalIgnoreCase))
        {
            _index++;
            return true;
        }
        return false;
    }

    private void Expect(string keyword)
    {
        if (!Keyword(keyword))
        {
            throw new ExpressionException($"expected {keyword}", Peek.Position);
        }
    }

    private bool Symbol(string symbol)
    {
        if (Peek.Kind == TokenKind.Operator && Peek.Text == symbol)
        {
            _index++;
            return true;
        }
        return false;
    }

    private void ExpectSymbol(string symbol)
    {
        if (!Symbol(symbol))
        {
            throw new ExpressionException($"expected '{symbol}'", Peek.Position);
        }
    }

    private enum TokenKind
    {
        Word,
        QuotedIdentifier,
        Number,
        String,
        Operator,
        End,
    }

    private sealed record Token(TokenKind Kind, string Text, int Position);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            var start = i;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Word, text[start..i], start + 1));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                if (i < text.Length && text[i] is 'e' or 'E')
                {
                    i++;
                    if (i < text.Length && text[i] is '+' or '-')
                    {
                        i++;
                    }
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }
                var number = text[start..i];
                if (!decimal.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || number.Count(ch => ch == '.') > 1)
                {
                    throw new ExpressionException($"'{number}' is not a number", start + 1);
                }
                if (!number.Contains('.', StringComparison.Ordinal) && !number.Contains('e', StringComparison.OrdinalIgnoreCase) && !long.TryParse(number, CultureInfo.InvariantCulture, out _))
                {
                    throw new ExpressionException($"'{number}' is too large", start + 1);
                }
                tokens.Add(new Token(TokenKind.Number, number, start + 1));
            }
            else if (c is '\'' or '"')
            {
                var quote = c;
                var builder = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new ExpressionException(quote == '\'' ? "unterminated string" : "unterminated quoted column name", start + 1);
                    }
                    if (text[i] == quote)
                    {
                        if (i + 1 < text.Length && text[i + 1] == quote)
                        {
                            builder.Append(quote);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    builder.Append(text[i++]);
                }
                tokens.Add(new Token(quote == '\'' ? TokenKind.String : TokenKind.QuotedIdentifier, builder.ToString(), start + 1));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "<=" or ">=" or "<>" or "!=" or "||")
                {
                    tokens.Add(new Token(TokenKind.Operator, two, start + 1));
                    i += 2;
                }
                else if ("=<>+-*/%(),".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(new Token(TokenKind.Operator, c.ToString(), start + 1));
                    i++;
                }
                else
                {
                    throw new ExpressionException($"unexpected character '{c}'", start + 1);
                }
            }
        }
        tokens.Add(new Token(TokenKind.End, "", text.Length + 1));
        return tokens;
    }
}
