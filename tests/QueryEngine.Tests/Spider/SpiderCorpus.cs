using System.Text;
using System.Text.RegularExpressions;
using AstralytiQ.QueryEngine.Policy;

namespace AstralytiQ.QueryEngine.Tests.Spider;

/// <summary>One gold query of the Spider dev set.</summary>
public sealed record SpiderQuery(int Line, string DbId, string Question, string GoldSql);

/// <summary>A column of a Spider table as declared in its MySQL DDL.</summary>
public sealed record SpiderColumn(string Name, string MySqlType);

/// <summary>A Spider table as declared in its MySQL DDL.</summary>
public sealed record SpiderTable(string Name, IReadOnlyList<SpiderColumn> Columns, IReadOnlyList<string> PrimaryKey);

/// <summary>
/// Reads the copied Spider dev corpus (shared by the tests and the benchmark) and applies the
/// harness's mechanical conversions:
/// <list type="bullet">
/// <item>MySQL DDL types to PostgreSQL types (<see cref="PgType"/>); table and column names are
/// folded to lower case, which is what PostgreSQL does with the unquoted names in the gold SQL.</item>
/// <item>SQLite dialect fixes on the gold SQL (<see cref="ApplyDialectFixes"/>), applied to every
/// query alike, never per query.</item>
/// </list>
/// </summary>
public static partial class SpiderCorpus
{
    /// <summary>The copied corpus folder: next to the test binaries, or found by walking up to the repository.</summary>
    public static string FindDirectory()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "Spider") };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "tests", "QueryEngine.Tests", "Spider"));
        }

        candidates.Add(Path.Combine(Directory.GetCurrentDirectory(), "tests", "QueryEngine.Tests", "Spider"));
        foreach (var c in candidates)
        {
            if (File.Exists(Path.Combine(c, "dev.tsv")))
            {
                return c;
            }
        }

        throw new DirectoryNotFoundException("Spider corpus not found (looked for Spider/dev.tsv next to the binaries and under tests/QueryEngine.Tests)");
    }

    /// <summary>Reads dev.tsv: tab-separated, fields with quotes are CSV-quoted.</summary>
    public static IReadOnlyList<SpiderQuery> LoadQueries(string dir)
    {
        var lines = File.ReadAllLines(Path.Combine(dir, "dev.tsv"));
        var result = new List<SpiderQuery>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var fields = SplitTsv(lines[i]);
            result.Add(new SpiderQuery(i + 1, fields[0], fields[1], fields[2]));
        }

        return result;
    }

    private static List<string> SplitTsv(string line)
    {
        var fields = new List<string>();
        var i = 0;
        while (i <= line.Length)
        {
            var sb = new StringBuilder();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    sb.Append(line[i++]);
                }
            }

            while (i < line.Length && line[i] != '\t')
            {
                sb.Append(line[i++]);
            }

            fields.Add(sb.ToString());
            i++;
        }

        return fields;
    }

    /// <summary>The database ids (folders under databases/).</summary>
    public static IReadOnlyList<string> Databases(string dir) =>
        Directory.GetDirectories(Path.Combine(dir, "databases")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;

    [GeneratedRegex(@"CREATE TABLE `[^`]*`\.`(?<table>[^`]+)` \((?<body>.*?)\n\);", RegexOptions.Singleline)]
    private static partial Regex CreateTableRegex();

    [GeneratedRegex(@"^\s*`(?<name>[^`]+)` (?<type>[A-Za-z]+(\([0-9, ]+\))?)", RegexOptions.Multiline)]
    private static partial Regex ColumnRegex();

    [GeneratedRegex(@"^\s*PRIMARY KEY \((?<cols>[^)]*)\)", RegexOptions.Multiline)]
    private static partial Regex PrimaryKeyRegex();

    /// <summary>Reads databases/&lt;db&gt;/schema.sql (MySQL DDL as shipped).</summary>
    public static IReadOnlyList<SpiderTable> LoadSchema(string dir, string db)
    {
        var ddl = File.ReadAllText(Path.Combine(dir, "databases", db, "schema.sql"));
        var tables = new List<SpiderTable>();
        foreach (Match m in CreateTableRegex().Matches(ddl))
        {
            var body = m.Groups["body"].Value;
            var columns = ColumnRegex().Matches(body).Select(c => new SpiderColumn(c.Groups["name"].Value, c.Groups["type"].Value)).ToList();
            var pk = PrimaryKeyRegex().Match(body);
            var pkCols = pk.Success ? pk.Groups["cols"].Value.Split(',').Select(s => s.Trim().Trim('`')).ToList() : [];
            tables.Add(new SpiderTable(m.Groups["table"].Value, columns, pkCols));
        }

        return tables;
    }

    /// <summary>Mechanical MySQL-to-PostgreSQL type mapping.</summary>
    public static string PgType(string mysqlType)
    {
        var t = mysqlType.ToUpperInvariant();
        var paren = t.IndexOf('(', StringComparison.Ordinal);
        var name = paren < 0 ? t : t[..paren];
        var mods = paren < 0 ? string.Empty : t[paren..].Replace(" ", string.Empty, StringComparison.Ordinal);
        return name switch
        {
            "INT" or "INTEGER" or "MEDIUMINT" => "integer",
            "SMALLINT" or "TINYINT" => "smallint",
            "BIGINT" => "bigint",
            "TEXT" => "text",
            "VARCHAR" => "varchar" + mods,
            "CHAR" => "char" + mods,
            "DATE" => "date",
            "DATETIME" or "TIMESTAMP" => "timestamp",
            "DECIMAL" or "NUMERIC" => "numeric" + mods,
            "FLOAT" or "DOUBLE" or "REAL" => "double precision",
            "BOOL" or "BOOLEAN" => "boolean",
            _ => "text",
        };
    }

    /// <summary>Catalog for one database: logical names as declared, physical names folded to lower case.</summary>
    public static TableCatalog BuildCatalog(IReadOnlyList<SpiderTable> tables, string physicalSchema) =>
        new(tables.Select(t => new CatalogTable(
            t.Name,
            physicalSchema,
            t.Name.ToLowerInvariant(),
            t.Columns.Select(c => new CatalogColumn(c.Name.ToLowerInvariant(), PgType(c.MySqlType))).ToArray())));

    /// <summary>
    /// The harness's SQLite-to-PostgreSQL dialect fixes, applied mechanically to every gold query:
    /// <list type="number">
    /// <item>Double-quoted string literals become single-quoted literals (SQLite reads <c>"USA"</c> as a
    /// string when no such column exists; Spider's SQL never uses quoted identifiers).</item>
    /// <item>A JOIN whose table reference is followed by neither ON nor USING gets <c>ON TRUE</c>
    /// (SQLite allows a JOIN without a condition; PostgreSQL requires one; the meaning is a cross join).</item>
    /// <item>A subquery in FROM without an alias gets <c>AS derived</c> (PostgreSQL 15 requires one).</item>
    /// </list>
    /// </summary>
    public static string ApplyDialectFixes(string sql)
    {
        // 1. "..." -> '...' outside single-quoted strings.
        var sb = new StringBuilder(sql.Length);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\'')
            {
                var end = sql.IndexOf('\'', i + 1);
                end = end < 0 ? sql.Length - 1 : end;
                sb.Append(sql, i, end - i + 1);
                i = end + 1;
            }
            else if (c == '"')
            {
                var end = sql.IndexOf('"', i + 1);
                if (end < 0)
                {
                    sb.Append(sql, i, sql.Length - i);
                    break;
                }

                sb.Append('\'').Append(sql[(i + 1)..end].Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                i = end + 1;
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }

        // 2. JOIN name [[AS] alias] followed by neither ON nor USING.
        var fixedQuotes = sb.ToString();
        var tokens = WordRegex().Matches(fixedQuotes).ToList();
        var insertAt = new List<int>();
        for (var t = 0; t < tokens.Count; t++)
        {
            if (!tokens[t].Value.Equals("JOIN", StringComparison.OrdinalIgnoreCase) || t + 1 >= tokens.Count || !IsWord(tokens[t + 1].Value))
            {
                continue;
            }

            var k = t + 2;
            if (k < tokens.Count && tokens[k].Value.Equals("AS", StringComparison.OrdinalIgnoreCase))
            {
                k += 2;
            }
            else if (k < tokens.Count && IsWord(tokens[k].Value) && !ClauseWords.Contains(tokens[k].Value))
            {
                k += 1;
            }

            if (k >= tokens.Count || !(tokens[k].Value.Equals("ON", StringComparison.OrdinalIgnoreCase) || tokens[k].Value.Equals("USING", StringComparison.OrdinalIgnoreCase)))
            {
                var last = tokens[Math.Min(k, tokens.Count) - 1];
                insertAt.Add(last.Index + last.Length);
            }
        }

        // 3. FROM ( SELECT ... ) not followed by an alias.
        for (var t = 0; t + 2 < tokens.Count; t++)
        {
            if (!tokens[t].Value.Equals("FROM", StringComparison.OrdinalIgnoreCase) || tokens[t + 1].Value != "(" || !tokens[t + 2].Value.Equals("SELECT", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var depth = 0;
            var k = t + 1;
            for (; k < tokens.Count; k++)
            {
                depth += tokens[k].Value == "(" ? 1 : tokens[k].Value == ")" ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }

            var next = k + 1 < tokens.Count ? tokens[k + 1].Value : string.Empty;
            if (k < tokens.Count && !(next.Equals("AS", StringComparison.OrdinalIgnoreCase) || (IsWord(next) && !ClauseWords.Contains(next))))
            {
                insertAt.Add(-(tokens[k].Index + 1));
            }
        }

        var result = new StringBuilder(fixedQuotes);
        foreach (var at in insertAt.OrderByDescending(Math.Abs))
        {
            result.Insert(Math.Abs(at), at < 0 ? " AS derived" : " ON TRUE");
        }

        return result.ToString();
    }

    private static readonly HashSet<string> ClauseWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "ON", "USING", "WHERE", "GROUP", "ORDER", "LIMIT", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS",
        "NATURAL", "UNION", "INTERSECT", "EXCEPT", "HAVING",
    };

    private static bool IsWord(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] == '_');

    [GeneratedRegex(@"'[^']*'|\w+|\S")]
    private static partial Regex WordRegex();
}
