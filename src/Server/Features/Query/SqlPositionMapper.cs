using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using AstralytiQ.QueryEngine.Sql;
using SqlQuery = AstralytiQ.QueryEngine.Sql.Query;

namespace AstralytiQ.Server.Features.Query;

/// <summary>
/// Maps a position PostgreSQL reports in the SQL that ran back onto the text the user wrote. The two
/// texts differ (canonical quoting, physical table names, expanded *, an added LIMIT), but the SQL
/// that ran is rendered from the validated tree, and that tree keeps the user's spans. Parsing the
/// executed SQL gives a tree of the same shape with spans in the executed text; walking both trees
/// together, the deepest node whose executed span holds the position names the user's span. Where the
/// shapes part (a physical <c>"schema"."table"</c> against a logical name) the walk stops at the last
/// node they share, which still points at the right place (the table reference).
/// </summary>
internal static class SqlPositionMapper
{
    /// <summary>
    /// The user's span for a 0-based UTF-16 offset in <paramref name="executedSql"/>; <see cref="SourceSpan.None"/> when
    /// unknown. With <paramref name="userSql"/> the span narrows to the token PostgreSQL pointed at where it can.
    /// </summary>
    public static SourceSpan Map(SqlQuery validated, string executedSql, int offset, string? userSql = null)
    {
        SqlQuery executed;
        try
        {
            executed = SqlParser.Parse(executedSql);
        }
        catch (SqlSyntaxException)
        {
            return SourceSpan.None;
        }

        (SqlNode Executed, SqlNode User)? found = null;
        Walk(executed, validated, offset, ref found, 0);
        return found is { } pair ? Refine(executedSql, pair.Executed, userSql, pair.User, offset) : SourceSpan.None;
    }

    /// <summary>Turns PostgreSQL's 1-based character position (it counts code points) into a 0-based UTF-16 offset.</summary>
    public static int ToUtf16Offset(string text, int position)
    {
        var offset = 0;
        for (var codePoints = 1; codePoints < position && offset < text.Length; codePoints++)
        {
            offset += char.IsHighSurrogate(text[offset]) && offset + 1 < text.Length && char.IsLowSurrogate(text[offset + 1]) ? 2 : 1;
        }
        return Math.Min(offset, text.Length);
    }

    private static void Walk(SqlNode executed, SqlNode validated, int offset, ref (SqlNode, SqlNode)? found, int depth)
    {
        if (depth > 400 || executed.GetType() != validated.GetType() || !Contains(executed.Span, offset))
        {
            return;
        }

        if (validated.Span.IsKnown)
        {
            found = (executed, validated);
        }

        foreach (var (a, b) in ChildPairs(executed, validated))
        {
            Walk(a, b, offset, ref found, depth + 1);
        }
    }

    /// <summary>Children of two nodes of the same type, paired by property (lists only when their lengths agree).</summary>
    private static IEnumerable<(SqlNode A, SqlNode B)> ChildPairs(SqlNode executed, SqlNode validated)
    {
        foreach (var property in SqlTreeWalker.ChildProperties(executed.GetType()))
        {
            var a = property.GetValue(executed);
            var b = property.GetValue(validated);
            if (a is SqlNode childA && b is SqlNode childB)
            {
                yield return (childA, childB);
            }
            else if (a is IEnumerable itemsA && b is IEnumerable itemsB)
            {
                var listA = itemsA.Cast<object?>().ToList();
                var listB = itemsB.Cast<object?>().ToList();
                if (listA.Count != listB.Count)
                {
                    continue;
                }
                for (var i = 0; i < listA.Count; i++)
                {
                    if (listA[i] is SqlNode itemA && listB[i] is SqlNode itemB)
                    {
                        yield return (itemA, itemB);
                    }
                }
            }
        }
    }

    private static bool Contains(SourceSpan span, int offset) =>
        span.IsKnown && offset >= span.Offset && (offset < span.End || (span.Length == 0 && offset == span.Offset));

    /// <summary>
    /// PostgreSQL may point inside the matched node but at none of its children: an operator or a
    /// keyword. Both texts of the node are then read as units (each child node is one unit, whatever
    /// its rendering; between children, tokens); when the two unit sequences agree, the unit at the
    /// position in one is the unit in the other.
    /// </summary>
    private static SourceSpan Refine(string executedSql, SqlNode executed, string? userSql, SqlNode user, int offset)
    {
        if (userSql is null || offset <= executed.Span.Offset || user.Span.End > userSql.Length || executed.Span.End > executedSql.Length)
        {
            return user.Span;
        }
        var pairs = ChildPairs(executed, user).Where(p => p.A.Span.IsKnown && p.B.Span.IsKnown).ToList();
        var executedUnits = Units(executedSql, executed.Span, pairs.Select(p => p.A.Span));
        var userUnits = Units(userSql, user.Span, pairs.Select(p => p.B.Span));
        if (executedUnits is null || userUnits is null || executedUnits.Count != userUnits.Count
            || executedUnits.Zip(userUnits).Any(p => p.First.Kind != p.Second.Kind))
        {
            return user.Span;
        }
        var index = executedUnits.FindIndex(t => offset >= t.Span.Offset && offset < t.Span.End);
        return index < 0 ? user.Span : userUnits[index].Span;
    }

    private static List<(TokenKind Kind, SourceSpan Span)>? Units(string text, SourceSpan range, IEnumerable<SourceSpan> children)
    {
        var units = new List<(TokenKind Kind, SourceSpan Span)>();
        var at = range.Offset;
        foreach (var child in children.Distinct().OrderBy(c => c.Offset))
        {
            if (child.Offset < at)
            {
                if (child.End <= at)
                {
                    continue; // nested in a child already counted (QualifiedName.Last, say)
                }
                return null;
            }
            if (child.End > range.End)
            {
                return null;
            }
            units.AddRange(Tokens(text, new SourceSpan(at, child.Offset - at)));
            units.Add((TokenKind.Child, child));
            at = child.End;
        }
        units.AddRange(Tokens(text, new SourceSpan(at, range.End - at)));
        return units;
    }

    private enum TokenKind
    {
        Name,
        Literal,
        Symbol,
        Child,
    }

    /// <summary>A coarse SQL tokenizer: names (bare or quoted), literals, operators and punctuation; comments skipped.</summary>
    private static List<(TokenKind Kind, SourceSpan Span)> Tokens(string text, SourceSpan range)
    {
        var tokens = new List<(TokenKind, SourceSpan)>();
        var i = range.Offset;
        var end = range.End;
        while (i < end)
        {
            var c = text[i];
            var start = i;
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c == '-' && i + 1 < end && text[i + 1] == '-')
            {
                while (i < end && text[i] != '\n')
                {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < end && text[i + 1] == '*')
            {
                var close = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? end : close + 2;
                continue;
            }
            TokenKind kind;
            if (c is '"' or '\'' || ((c is 'E' or 'e') && i + 1 < end && text[i + 1] == '\''))
            {
                kind = c == '"' ? TokenKind.Name : TokenKind.Literal;
                var quote = c == '"' ? '"' : '\'';
                i += c is 'E' or 'e' ? 2 : 1;
                while (i < end)
                {
                    if (text[i] == '\\' && c is 'E' or 'e')
                    {
                        i += 2;
                        continue;
                    }
                    if (text[i] == quote)
                    {
                        if (i + 1 < end && text[i + 1] == quote)
                        {
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    i++;
                }
            }
            else if (char.IsLetter(c) || c == '_')
            {
                kind = TokenKind.Name;
                while (i < end && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$'))
                {
                    i++;
                }
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < end && char.IsAsciiDigit(text[i + 1])))
            {
                kind = TokenKind.Literal;
                while (i < end && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.'
                    || (text[i] is '+' or '-' && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }
            }
            else if ("+-*/<>=~!@#%^&|`?".Contains(c, StringComparison.Ordinal))
            {
                kind = TokenKind.Symbol;
                while (i < end && "+-*/<>=~!@#%^&|`?".Contains(text[i], StringComparison.Ordinal))
                {
                    i++;
                }
            }
            else
            {
                kind = TokenKind.Symbol;
                i += c == ':' && i + 1 < end && text[i + 1] == ':' ? 2 : 1;
            }
            tokens.Add((kind, new SourceSpan(start, i - start)));
        }
        return tokens;
    }
}

/// <summary>Generic walks over the QueryEngine's syntax tree (its records expose children as properties).</summary>
internal static class SqlTreeWalker
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>The properties of a node type that hold child nodes or lists of them.</summary>
    public static PropertyInfo[] ChildProperties(Type type) => Properties.GetOrAdd(type, static t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0
                && (typeof(SqlNode).IsAssignableFrom(p.PropertyType)
                    || (p.PropertyType.IsGenericType && typeof(IEnumerable).IsAssignableFrom(p.PropertyType)
                        && typeof(SqlNode).IsAssignableFrom(p.PropertyType.GetGenericArguments()[0]))))
            .ToArray());

    /// <summary>The node and every node under it, depth first.</summary>
    public static IEnumerable<SqlNode> DescendantsAndSelf(SqlNode root)
    {
        var stack = new Stack<SqlNode>();
        var seen = new HashSet<SqlNode>(ReferenceEqualityComparer.Instance);
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node))
            {
                continue;
            }
            yield return node;
            foreach (var property in ChildProperties(node.GetType()))
            {
                switch (property.GetValue(node))
                {
                    case SqlNode child:
                        stack.Push(child);
                        break;
                    case IEnumerable items:
                        foreach (var item in items)
                        {
                            if (item is SqlNode child)
                            {
                                stack.Push(child);
                            }
                        }
                        break;
                }
            }
        }
    }
}
