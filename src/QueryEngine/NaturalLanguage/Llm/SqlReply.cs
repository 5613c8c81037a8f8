using System.Text.RegularExpressions;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Llm;

/// <summary>What a model's reply held.</summary>
public enum SqlReplyKind
{
    /// <summary>Nothing usable: empty, or prose without a query.</summary>
    NoSql,

    /// <summary>One query.</summary>
    Sql,

    /// <summary>More than one statement (e.g. <c>SELECT ...; DROP TABLE ...</c>): never run, never trimmed to its first part.</summary>
    Stacked,

    /// <summary>The model said the question cannot be answered (<c>CANNOT_ANSWER: reason</c>).</summary>
    Declined,
}

/// <summary>The SQL taken out of a model's reply.</summary>
/// <param name="Kind">What the reply held.</param>
/// <param name="Sql">The query text for <see cref="SqlReplyKind.Sql"/> and <see cref="SqlReplyKind.Stacked"/>; the reason for <see cref="SqlReplyKind.Declined"/>; empty otherwise.</param>
public sealed record SqlReply(SqlReplyKind Kind, string Sql)
{
    /// <summary>The word a model answers with when the schema cannot answer the question.</summary>
    public const string DeclineMarker = "CANNOT_ANSWER";

    private static readonly Regex Thinking = new(@"<think(?:ing)?>.*?(?:</think(?:ing)?>|\z)", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex Fence = new(@"```[ \t]*(?<lang>[A-Za-z0-9_+-]*)[^\n]*\n?(?<body>.*?)(?:```|\z)", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    // WITH only as a query starts it (WITH name AS (...)), so that "help with that" is not a query.
    private const string QueryStart = @"(?<kw>SELECT\b|WITH\s+(?:RECURSIVE\s+)?""?\w+""?\s*(?:\([^)]*\)\s*)?AS\b)";
    private static readonly Regex QueryStartAtLine = new(@"^[ \t>*`""]*" + QueryStart, RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex QueryStartAnywhere = new(@"\b" + QueryStart, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex Decline = new(@"(?:^|\n)\s*\**" + DeclineMarker + @"\**\s*:?\s*(?<reason>[^\n]*)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex FirstWord = new(@"\G[ \t\r\n]*(?<word>[A-Za-z_]+)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // Words that continue a query on a new line; a line starting with anything else after a blank line is prose.
    private static readonly HashSet<string> ClauseWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FETCH", "WINDOW", "UNION", "INTERSECT", "EXCEPT",
        "JOIN", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "ON", "AND", "OR", "NOT", "AS", "CASE", "WHEN", "THEN", "ELSE", "END",
        "WITH", "DISTINCT", "OVER", "PARTITION", "BY", "ASC", "DESC", "NULLS", "IN", "IS", "BETWEEN", "LIKE", "ILIKE", "USING",
    };

    private static readonly HashSet<string> ObjectWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "TABLE", "INTO", "FROM", "SCHEMA", "DATABASE", "ROLE", "USER", "INDEX", "VIEW", "FUNCTION", "EXTENSION", "ALL", "SEQUENCE", "TRIGGER",
    };

    /// <summary>Takes the SQL out of a reply: a fenced code block if there is one, else the text from the first SELECT or WITH; trailing prose and a final semicolon are dropped, a second statement is kept so it is refused.</summary>
    /// <param name="reply">The model's reply text.</param>
    public static SqlReply Parse(string? reply)
    {
        if (string.IsNullOrWhiteSpace(reply))
        {
            return new SqlReply(SqlReplyKind.NoSql, string.Empty);
        }

        var text = Thinking.Replace(reply, string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal);
        var fenced = FencedQuery(text);
        if (fenced is null && Decline.Match(text) is { Success: true } declined)
        {
            var reason = declined.Groups["reason"].Value.Trim().Trim('*').Trim();
            return new SqlReply(SqlReplyKind.Declined, reason.Length > 300 ? reason[..300] : reason);
        }

        string candidate;
        if (fenced is not null)
        {
            candidate = fenced;
        }
        else
        {
            var start = QueryStartAtLine.Match(text) is { Success: true } atLine ? atLine.Groups["kw"].Index
                : QueryStartAnywhere.Match(text) is { Success: true } anywhere ? anywhere.Groups["kw"].Index
                : -1;
            if (start < 0)
            {
                // A reply that is some other statement (DROP TABLE ...) is passed on as written, so the checker refuses it as such.
                var statement = text.Split('\n').FirstOrDefault(line => FirstWord.Match(line) is { Success: true } m && IsStatementLine(line, m.Groups["word"].Value));
                return statement is null
                    ? new SqlReply(SqlReplyKind.NoSql, string.Empty)
                    : Finish(text[text.IndexOf(statement, StringComparison.Ordinal)..].TrimStart(' ', '\t', '>', '*', '`'), trimProse: false);
            }

            candidate = text[start..];
        }

        return Finish(candidate, trimProse: fenced is null);
    }

    private static string? FencedQuery(string text)
    {
        string? first = null;
        foreach (Match m in Fence.Matches(text))
        {
            var body = m.Groups["body"].Value;
            var lang = m.Groups["lang"].Value;
            if (lang.Equals("sql", StringComparison.OrdinalIgnoreCase) || lang.Equals("postgresql", StringComparison.OrdinalIgnoreCase)
                || lang.Equals("pgsql", StringComparison.OrdinalIgnoreCase) || lang.Equals("postgres", StringComparison.OrdinalIgnoreCase))
            {
                return body;
            }

            if (first is null && QueryStartAnywhere.IsMatch(body + " "))
            {
                first = body;
            }
        }

        return first;
    }

    private static SqlReply Finish(string candidate, bool trimProse)
    {
        var semicolon = TopLevelSemicolon(candidate);
        if (semicolon >= 0)
        {
            var rest = candidate[(semicolon + 1)..];
            if (StartsStatement(rest))
            {
                return new SqlReply(SqlReplyKind.Stacked, candidate.Trim());
            }

            candidate = candidate[..semicolon];
        }
        else if (trimProse)
        {
            var (kept, stacked) = DropTrailingProse(candidate);
            if (stacked)
            {
                return new SqlReply(SqlReplyKind.Stacked, candidate.Trim());
            }

            candidate = kept;
        }

        candidate = candidate.Trim().TrimEnd('`').Trim();
        return candidate.Length == 0 ? new SqlReply(SqlReplyKind.NoSql, string.Empty) : new SqlReply(SqlReplyKind.Sql, candidate);
    }

    /// <summary>True when the text after a statement begins another one (any SQL statement word, including SELECT).</summary>
    private static bool StartsStatement(string rest)
    {
        var m = FirstWord.Match(StripComments(rest));
        if (!m.Success)
        {
            return false;
        }

        var word = m.Groups["word"].Value;
        var line = StripComments(rest).Split('\n')[0];
        return word.Equals("SELECT", StringComparison.OrdinalIgnoreCase) || word.Equals("WITH", StringComparison.OrdinalIgnoreCase)
            || word.Equals("VALUES", StringComparison.OrdinalIgnoreCase) || IsStatementLine(line, word);
    }

    private static string StripComments(string text)
    {
        var s = text.TrimStart();
        while (true)
        {
            if (s.StartsWith("--", StringComparison.Ordinal))
            {
                var nl = s.IndexOf('\n', StringComparison.Ordinal);
                s = nl < 0 ? string.Empty : s[(nl + 1)..].TrimStart();
            }
            else if (s.StartsWith("/*", StringComparison.Ordinal))
            {
                var end = s.IndexOf("*/", 2, StringComparison.Ordinal);
                s = end < 0 ? string.Empty : s[(end + 2)..].TrimStart();
            }
            else
            {
                return s;
            }
        }
    }

    /// <summary>
    /// Cuts prose after the query: at the first blank line whose next line does not continue a query.
    /// A later line that starts another statement (DROP, INSERT, ...) marks the text as stacked.
    /// </summary>
    private static (string Kept, bool Stacked) DropTrailingProse(string candidate)
    {
        var lines = candidate.Split('\n');
        var kept = new List<string>();
        var blank = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
            {
                blank = true;
                continue;
            }

            var word = FirstWord.Match(line) is { Success: true } m ? m.Groups["word"].Value : string.Empty;
            if (i > 0 && IsStatementLine(line, word))
            {
                return (candidate, true);
            }

            if (blank && !ClauseWords.Contains(word) && !line.TrimStart().StartsWith(')') && !line.TrimStart().StartsWith(','))
            {
                break;
            }

            blank = false;
            kept.Add(line);
        }

        return (string.Join('\n', kept), false);
    }

    /// <summary>
    /// A line that starts another statement: a statement word (DROP, INSERT, ...) written as SQL is
    /// written (upper case, followed by an object word, or ending in a semicolon), so that prose such
    /// as "Update: ..." after a query is not mistaken for one.
    /// </summary>
    private static bool IsStatementLine(string line, string word)
    {
        if (!SqlGrammar.OtherStatements.Contains(word) || word.Equals("END", StringComparison.OrdinalIgnoreCase)
            || line.TrimStart().AsSpan(word.Length).TrimStart("*").StartsWith(":", StringComparison.Ordinal))
        {
            return false;
        }

        if (string.Equals(word, word.ToUpperInvariant(), StringComparison.Ordinal) || line.TrimEnd().EndsWith(';'))
        {
            return true;
        }

        var words = line.Trim().Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        return words.Length > 1 && ObjectWords.Contains(words[1]);
    }

    /// <summary>Offset of the first semicolon outside quotes and comments, or -1.</summary>
    internal static int TopLevelSemicolon(string sql)
    {
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            switch (c)
            {
                case '\'' or '"':
                    i = SkipQuoted(sql, i, c);
                    break;
                case '-' when i + 1 < sql.Length && sql[i + 1] == '-':
                    var nl = sql.IndexOf('\n', i);
                    i = nl < 0 ? sql.Length : nl;
                    break;
                case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                    var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? sql.Length : end + 1;
                    break;
                case ';':
                    return i;
            }
        }

        return -1;
    }

    private static int SkipQuoted(string sql, int start, char quote)
    {
        for (var i = start + 1; i < sql.Length; i++)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return sql.Length;
    }
}
