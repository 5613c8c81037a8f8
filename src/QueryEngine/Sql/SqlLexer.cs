using System.Globalization;
using System.Text;

namespace AstralytiQ.QueryEngine.Sql;

internal enum TokenKind
{
    End,
    Error,
    Identifier,
    QuotedIdentifier,
    String,
    Number,
    Operator,
    LParen,
    RParen,
    Comma,
    Semicolon,
    Dot,
    LBracket,
    RBracket,
    DoubleColon,
    Colon,
}

/// <summary>One token. For <see cref="TokenKind.Error"/>, <see cref="Text"/> is the message.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length, string Text, SqlErrorCode ErrorCode = SqlErrorCode.Syntax)
{
    public SourceSpan Span => new(Start, Length);

    public bool IsWord(string keyword) =>
        Kind == TokenKind.Identifier && AsciiIgnoreCase.Equal(Text, keyword);

    public bool IsOperator(string op) => Kind == TokenKind.Operator && string.Equals(Text, op, StringComparison.Ordinal);
}

/// <summary>
/// Splits SQL text into tokens in one linear pass. Comments and whitespace are dropped. A lexical
/// error ends the stream with an <see cref="TokenKind.Error"/> token at the bad spot, so the parser
/// reports errors in source order.
/// </summary>
internal static class SqlLexer
{
    /// <summary>Operators the grammar knows; any other operator text is refused.</summary>
    private static readonly HashSet<string> KnownOperators = new(StringComparer.Ordinal)
    {
        "+", "-", "*", "/", "%", "^", "||", "=", "<>", "!=", "<", ">", "<=", ">=",
        "~", "~*", "!~", "!~*", "&", "|", "#", "<<", ">>",
    };

    public static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>(Math.Max(16, source.Length / 4));
        var i = 0;
        var n = source.Length;
        while (true)
        {
            // Whitespace and comments.
            while (i < n)
            {
                var c = source[i];
                if (c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
                {
                    i++;
                }
                else if (c == '-' && i + 1 < n && source[i + 1] == '-')
                {
                    while (i < n && source[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (c == '/' && i + 1 < n && source[i + 1] == '*')
                {
                    var start = i;
                    var depth = 0;
                    while (i < n)
                    {
                        if (source[i] == '/' && i + 1 < n && source[i + 1] == '*')
                        {
                            depth++;
                            i += 2;
                        }
                        else if (source[i] == '*' && i + 1 < n && source[i + 1] == '/')
                        {
                            depth--;
                            i += 2;
                            if (depth == 0)
                            {
                                break;
                            }
                        }
                        else
                        {
                            i++;
                        }
                    }

                    if (depth != 0)
                    {
                        tokens.Add(new Token(TokenKind.Error, start, 2, "unterminated /* comment"));
                        return tokens;
                    }
                }
                else
                {
                    break;
                }
            }

            if (i >= n)
            {
                tokens.Add(new Token(TokenKind.End, n, 0, string.Empty));
                return tokens;
            }

            var token = Next(source, ref i);
            tokens.Add(token);
            if (token.Kind == TokenKind.Error)
            {
                return tokens;
            }
        }
    }

    private static Token Next(string s, ref int i)
    {
        var start = i;
        var c = s[i];
        switch (c)
        {
            case '(':
                i++;
                return new Token(TokenKind.LParen, start, 1, "(");
            case ')':
                i++;
                return new Token(TokenKind.RParen, start, 1, ")");
            case ',':
                i++;
                return new Token(TokenKind.Comma, start, 1, ",");
            case ';':
                i++;
                return new Token(TokenKind.Semicolon, start, 1, ";");
            case '[':
                i++;
                return new Token(TokenKind.LBracket, start, 1, "[");
            case ']':
                i++;
                return new Token(TokenKind.RBracket, start, 1, "]");
            case ':':
                if (i + 1 < s.Length && s[i + 1] == ':')
                {
                    i += 2;
                    return new Token(TokenKind.DoubleColon, start, 2, "::");
                }

                i++;
                return new Token(TokenKind.Colon, start, 1, ":");
            case '\'':
                return LexString(s, ref i, start, escapes: false);
            case '"':
                return LexQuotedIdentifier(s, ref i, start);
            case '$':
                return LexDollar(s, ref i);
            case '.':
                if (i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
                {
                    return LexNumber(s, ref i);
                }

                i++;
                return new Token(TokenKind.Dot, start, 1, ".");
        }

        if (char.IsAsciiDigit(c))
        {
            return LexNumber(s, ref i);
        }

        if (IsIdentStart(c))
        {
            return LexWord(s, ref i);
        }

        if (IsOperatorChar(c))
        {
            return LexOperator(s, ref i);
        }

        i++;
        var shown = char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
        return new Token(TokenKind.Error, start, 1, $"unexpected character '{shown}'");
    }

    internal static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || (c >= 0x80 && !char.IsWhiteSpace(c) && !char.IsControl(c));

    internal static bool IsIdentPart(char c) => IsIdentStart(c) || char.IsAsciiDigit(c) || c == '$';

    private static bool IsOperatorChar(char c) => c is '+' or '-' or '*' or '/' or '<' or '>' or '=' or '~' or '!' or '@' or '#' or '%' or '^' or '&' or '|' or '`' or '?';

    private static Token LexWord(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && IsIdentPart(s[i]))
        {
            i++;
        }

        var word = s[start..i];
        if (i < s.Length)
        {
            var next = s[i];
            if (next == '\'' && word.Length == 1)
            {
                switch (word[0])
                {
                    case 'E' or 'e':
                        return LexString(s, ref i, start, escapes: true);
                    case 'B' or 'b' or 'X' or 'x':
                        SkipString(s, ref i);
                        return new Token(TokenKind.Error, start, i - start, "bit-string literals (B'...', X'...') are not supported", SqlErrorCode.Unsupported);
                    case 'N' or 'n':
                        SkipString(s, ref i);
                        return new Token(TokenKind.Error, start, i - start, "national character literals (N'...') are not supported; use '...'", SqlErrorCode.Unsupported);
                }
            }

            if (next == '&' && word.Length == 1 && word[0] is 'U' or 'u' && i + 1 < s.Length && s[i + 1] is '\'' or '"')
            {
                i++;
                if (s[i] == '\'')
                {
                    SkipString(s, ref i);
                }
                else
                {
                    SkipQuoted(s, ref i);
                }

                return new Token(TokenKind.Error, start, i - start, "Unicode escape literals (U&'...' and U&\"...\") are not supported", SqlErrorCode.Unsupported);
            }
        }

        return new Token(TokenKind.Identifier, start, i - start, word);
    }

    /// <summary>Advances past a '...' literal (for refusing it with a span that covers it).</summary>
    private static void SkipString(string s, ref int i)
    {
        i++;
        while (i < s.Length)
        {
            if (s[i] == '\'')
            {
                if (i + 1 < s.Length && s[i + 1] == '\'')
                {
                    i += 2;
                    continue;
                }

                i++;
                return;
            }

            i++;
        }
    }

    private static void SkipQuoted(string s, ref int i)
    {
        i++;
        while (i < s.Length)
        {
            if (s[i] == '"')
            {
                if (i + 1 < s.Length && s[i + 1] == '"')
                {
                    i += 2;
                    continue;
                }

                i++;
                return;
            }

            i++;
        }
    }

    private static Token LexString(string s, ref int i, int start, bool escapes)
    {
        // i is at the opening quote.
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= s.Length)
            {
                return new Token(TokenKind.Error, start, s.Length - start, "unterminated string literal");
            }

            var c = s[i];
            if (c == '\'')
            {
                if (i + 1 < s.Length && s[i + 1] == '\'')
                {
                    sb.Append('\'');
                    i += 2;
                    continue;
                }

                i++;
                break;
            }

            if (c == '\0')
            {
                return new Token(TokenKind.Error, i, 1, "string literals cannot contain the NUL character");
            }

            if (escapes && c == '\\')
            {
                var escStart = i;
                if (i + 1 >= s.Length)
                {
                    return new Token(TokenKind.Error, start, s.Length - start, "unterminated string literal");
                }

                var e = s[i + 1];
                i += 2;
                int code;
                switch (e)
                {
                    case 'b': sb.Append('\b'); continue;
                    case 'f': sb.Append('\f'); continue;
                    case 'n': sb.Append('\n'); continue;
                    case 'r': sb.Append('\r'); continue;
                    case 't': sb.Append('\t'); continue;
                    case >= '0' and <= '7':
                        code = e - '0';
                        for (var k = 0; k < 2 && i < s.Length && s[i] is >= '0' and <= '7'; k++)
                        {
                            code = (code * 8) + (s[i++] - '0');
                        }

                        break;
                    case 'x':
                        code = 0;
                        var digits = 0;
                        while (digits < 2 && i < s.Length && char.IsAsciiHexDigit(s[i]))
                        {
                            code = (code * 16) + HexValue(s[i++]);
                            digits++;
                        }

                        if (digits == 0)
                        {
                            sb.Append('x');
                            continue;
                        }

                        break;
                    case 'u' or 'U':
                        var want = e == 'u' ? 4 : 8;
                        if (i + want > s.Length || !s.AsSpan(i, want).ContainsOnlyHex())
                        {
                            return new Token(TokenKind.Error, escStart, 2, "invalid Unicode escape: \\u needs 4 and \\U needs 8 hex digits");
                        }

                        code = int.Parse(s.AsSpan(i, want), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        i += want;
                        if (code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                        {
                            return new Token(TokenKind.Error, escStart, i - escStart, "invalid Unicode code point in escape");
                        }

                        break;
                    default:
                        sb.Append(e);
                        continue;
                }

                if (code == 0)
                {
                    return new Token(TokenKind.Error, escStart, i - escStart, "string literals cannot contain the NUL character");
                }

                sb.Append(char.ConvertFromUtf32(code));
                continue;
            }

            sb.Append(c);
            i++;
        }

        return new Token(TokenKind.String, start, i - start, sb.ToString());
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static Token LexQuotedIdentifier(string s, ref int i, int start)
    {
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= s.Length)
            {
                return new Token(TokenKind.Error, start, s.Length - start, "unterminated quoted identifier");
            }

            var c = s[i];
            if (c == '"')
            {
                if (i + 1 < s.Length && s[i + 1] == '"')
                {
                    sb.Append('"');
                    i += 2;
                    continue;
                }

                i++;
                break;
            }

            if (c == '\0')
            {
                return new Token(TokenKind.Error, i, 1, "identifiers cannot contain the NUL character");
            }

            sb.Append(c);
            i++;
        }

        if (sb.Length == 0)
        {
            return new Token(TokenKind.Error, start, i - start, "zero-length quoted identifier");
        }

        return new Token(TokenKind.QuotedIdentifier, start, i - start, sb.ToString());
    }

    private static Token LexDollar(string s, ref int i)
    {
        var start = i;
        if (i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            return new Token(TokenKind.Error, start, i - start, "query parameters ($1, $2, ...) are not allowed; write the values into the query", SqlErrorCode.Unsupported);
        }

        // $tag$ ... $tag$ (tag may be empty).
        var j = i + 1;
        if (j < s.Length && s[j] != '$')
        {
            if (!IsIdentStart(s[j]))
            {
                i++;
                return new Token(TokenKind.Error, start, 1, "unexpected character '$'");
            }

            while (j < s.Length && IsIdentPart(s[j]) && s[j] != '$')
            {
                j++;
            }
        }

        if (j >= s.Length || s[j] != '$')
        {
            i = j;
            return new Token(TokenKind.Error, start, 1, "unexpected character '$'");
        }

        var delimiter = s[start..(j + 1)];
        var close = s.IndexOf(delimiter, j + 1, StringComparison.Ordinal);
        i = close < 0 ? s.Length : close + delimiter.Length;
        return new Token(
            TokenKind.Error,
            start,
            i - start,
            close < 0 ? "unterminated dollar-quoted string; dollar-quoted strings are not supported"
                      : "dollar-quoted strings ($$...$$) are not supported; write a standard '...' string literal",
            SqlErrorCode.Unsupported);
    }

    private static Token LexNumber(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i < s.Length && s[i] == '.' && !(i + 1 < s.Length && s[i + 1] == '.'))
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < s.Length && s[j] is '+' or '-')
            {
                j++;
            }

            if (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                while (j < s.Length && char.IsAsciiDigit(s[j]))
                {
                    j++;
                }

                i = j;
            }
        }

        if (i < s.Length && IsIdentPart(s[i]))
        {
            var junkEnd = i;
            while (junkEnd < s.Length && IsIdentPart(s[junkEnd]))
            {
                junkEnd++;
            }

            var bad = new Token(TokenKind.Error, start, junkEnd - start, $"trailing junk after numeric literal \"{s[start..junkEnd]}\"");
            i = junkEnd;
            return bad;
        }

        return new Token(TokenKind.Number, start, i - start, s[start..i]);
    }

    private static Token LexOperator(string s, ref int i)
    {
        var start = i;
        var end = i;
        while (end < s.Length && IsOperatorChar(s[end]))
        {
            // A comment start ends the operator.
            if (end > start && ((s[end] == '-' && end + 1 < s.Length && s[end + 1] == '-') || (s[end] == '/' && end + 1 < s.Length && s[end + 1] == '*')))
            {
                break;
            }

            end++;
        }

        var length = end - start;
        if (length > 1)
        {
            var hasSpecial = false;
            for (var k = start; k < end; k++)
            {
                if (s[k] is '~' or '!' or '@' or '#' or '%' or '^' or '&' or '|' or '`' or '?')
                {
                    hasSpecial = true;
                    break;
                }
            }

            // As in PostgreSQL: a multi-character operator cannot end in + or - unless it
            // contains one of the characters above, so "a<-1" is "a < -1".
            if (!hasSpecial)
            {
                while (length > 1 && s[start + length - 1] is '+' or '-')
                {
                    length--;
                }
            }
        }

        i = start + length;
        var text = s.Substring(start, length);
        if (!KnownOperators.Contains(text))
        {
            return new Token(TokenKind.Error, start, length, $"operator \"{text}\" is not supported", SqlErrorCode.Unsupported);
        }

        return new Token(TokenKind.Operator, start, length, text);
    }
}

internal static class SpanHexExtensions
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
