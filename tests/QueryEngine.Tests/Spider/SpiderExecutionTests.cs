using System.Globalization;
using System.Text;
using Npgsql;
using Xunit.Abstractions;

namespace AstralytiQ.QueryEngine.Tests.Spider;

/// <summary>
/// Loads the 20 Spider dev databases into a fresh PostgreSQL database (one schema each, from the
/// shipped MySQL DDL translated mechanically and the shipped CSVs), then runs every gold query
/// twice: as written (after the harness's dialect fixes) and as the engine's executable SQL, and
/// compares the rows.
/// </summary>
public sealed partial class SpiderExecutionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Rendered_Spider_queries_return_the_same_rows_as_the_gold_queries_in_PostgreSQL()
    {
        var dir = SpiderCorpus.FindDirectory();
        var queries = SpiderCorpus.LoadQueries(dir);
        await using var db = await TestPostgres.CreateDatabaseAsync("astq_qe_spider");
        await using var conn = await db.OpenAsync();
        var catalogs = new Dictionary<string, AstralytiQ.QueryEngine.Policy.TableCatalog>();
        foreach (var name in SpiderCorpus.Databases(dir))
        {
            var tables = SpiderCorpus.LoadSchema(dir, name);
            catalogs[name] = SpiderCorpus.BuildCatalog(tables, name);
            foreach (var problem in await LoadDatabaseAsync(conn, dir, name, tables))
            {
                output.WriteLine($"load: {problem}");
            }
        }

        await Exec(conn, "CREATE SCHEMA empty_search_path");
        int same = 0, sameTies = 0, goldFails = 0, sameError = 0;
        var mismatches = new List<(string Reason, SpiderQuery Query)>();
        var goldFailures = new List<(string Reason, SpiderQuery Query)>();
        foreach (var q in queries)
        {
            var gold = SpiderCorpus.ApplyDialectFixes(q.GoldSql);
            var prepared = SafeSql.Prepare(gold, catalogs[q.DbId], SpiderCorpusTests.SpiderPolicy);
            var goldRows = await RunAsync(conn, gold, q.DbId);
            if (goldRows.Error is not null)
            {
                goldFails++;
                goldFailures.Add(("gold query fails on PostgreSQL: " + goldRows.Error, q));
                // Even then the rendered SQL must fail the same way (same SQLSTATE), not differently.
                var oursToo = prepared.Succeeded ? await RunAsync(conn, prepared.ExecutableSql!, "empty_search_path") : null;
                if (oursToo?.Error?[..5] == goldRows.Error[..5])
                {
                    sameError++;
                }
                else
                {
                    mismatches.Add(($"gold fails with {goldRows.Error} but rendered SQL gives {(oursToo is null ? "a refusal" : oursToo.Error ?? "rows")}", q));
                }

                continue;
            }

            if (!prepared.Succeeded)
            {
                mismatches.Add(("engine refused: " + string.Join("; ", prepared.Errors.Select(e => e.Message)), q));
                continue;
            }

            // The executable SQL names physical tables itself: run it with a search_path that holds nothing.
            var ours = await RunAsync(conn, prepared.ExecutableSql!, "empty_search_path");
            if (ours.Error is not null)
            {
                mismatches.Add(("rendered SQL fails: " + ours.Error, q));
                continue;
            }

            var ordered = prepared.Query!.OrderBy.Count > 0;
            if (ordered ? goldRows.Rows.SequenceEqual(ours.Rows) : Sorted(goldRows.Rows).SequenceEqual(Sorted(ours.Rows)))
            {
                same++;
            }
            else if (ordered && Sorted(goldRows.Rows).SequenceEqual(Sorted(ours.Rows)))
            {
                sameTies++;
            }
            else
            {
                mismatches.Add(($"different rows: gold {goldRows.Rows.Count} rows [{Preview(goldRows.Rows)}], rendered {ours.Rows.Count} rows [{Preview(ours.Rows)}]", q));
            }
        }

        var comparable = queries.Count - goldFails;
        output.WriteLine($"Spider execution equivalence: {same + sameTies}/{queries.Count} same rows ({100.0 * (same + sameTies) / queries.Count:F1}% of all; {100.0 * (same + sameTies) / Math.Max(1, comparable):F1}% of the {comparable} gold queries PostgreSQL can run)");
        output.WriteLine($"  identical: {same}; same rows with ties under ORDER BY in another order: {sameTies}; gold fails on PostgreSQL: {goldFails} (rendered SQL fails with the same SQLSTATE: {sameError}); mismatches: {mismatches.Count}");
        foreach (var group in goldFailures.Concat(mismatches).GroupBy(m => Category(m.Reason)))
        {
            output.WriteLine($"[{group.Count()}] {group.Key}");
            foreach (var m in group)
            {
                output.WriteLine($"    dev.tsv line {m.Query.Line} ({m.Query.DbId}): {m.Reason} -- {m.Query.GoldSql}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} queries differ; first: {mismatches.FirstOrDefault().Reason} in {mismatches.FirstOrDefault().Query?.GoldSql}");
    }

    private static string Category(string reason)
    {
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        var head = colon < 0 ? reason : reason[..colon];
        if (head.StartsWith("gold query fails", StringComparison.Ordinal))
        {
            // Group by PostgreSQL's message without the names in it.
            return head + ": " + System.Text.RegularExpressions.Regex.Replace(reason[(colon + 2)..], "\"[^\"]*\"", "\"...\"");
        }

        return head;
    }

    private static string Preview(List<string> rows) => string.Join(" | ", rows.Take(3)) + (rows.Count > 3 ? " | ..." : string.Empty);

    private static List<string> Sorted(List<string> rows) => rows.OrderBy(r => r, StringComparer.Ordinal).ToList();

    private sealed record RunResult(List<string> Rows, string? Error);

    private static async Task<RunResult> RunAsync(NpgsqlConnection conn, string sql, string searchPath)
    {
        await using var tx = await conn.BeginTransactionAsync();
        try
        {
            await using (var set = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SET LOCAL search_path TO \"{searchPath}\"; SET LOCAL statement_timeout = '20s'", conn, tx))
            {
                await set.ExecuteNonQueryAsync();
            }

            var rows = new List<string>();
            await using (var cmd = new NpgsqlCommand(sql, conn, tx))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    var sb = new StringBuilder();
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        sb.Append(i == 0 ? string.Empty : "\u241F").Append(Format(reader.IsDBNull(i) ? null : reader.GetValue(i)));
                    }

                    rows.Add(sb.ToString());
                }
            }

            await tx.RollbackAsync();
            return new RunResult(rows, null);
        }
        catch (PostgresException ex)
        {
            await tx.RollbackAsync();
            return new RunResult([], $"{ex.SqlState} {ex.MessageText}");
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "NULL",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Creates one schema per Spider database and loads its CSVs; returns load problems (reported, not fatal).</summary>
    private static async Task<List<string>> LoadDatabaseAsync(NpgsqlConnection conn, string dir, string db, IReadOnlyList<SpiderTable> tables)
    {
        var problems = new List<string>();
        await Exec(conn, $"CREATE SCHEMA \"{db}\"");
        foreach (var t in tables)
        {
            var cols = t.Columns.Select(c => $"\"{c.Name.ToLowerInvariant()}\" {SpiderCorpus.PgType(c.MySqlType)}").ToList();
            if (t.PrimaryKey.Count > 0)
            {
                cols.Add($"PRIMARY KEY ({string.Join(", ", t.PrimaryKey.Select(k => $"\"{k.ToLowerInvariant()}\""))})");
            }

            await Exec(conn, $"CREATE TABLE \"{db}\".\"{t.Name.ToLowerInvariant()}\" ({string.Join(", ", cols)})");
            var csv = Path.Combine(dir, "databases", db, "data", t.Name + ".csv");
            if (!File.Exists(csv))
            {
                csv = Directory.GetFiles(Path.Combine(dir, "databases", db, "data")).FirstOrDefault(f => string.Equals(Path.GetFileNameWithoutExtension(f), t.Name, StringComparison.OrdinalIgnoreCase)) ?? csv;
            }

            if (!File.Exists(csv))
            {
                problems.Add($"{db}.{t.Name}: no CSV file, table left empty");
                continue;
            }

            // The shipped CSVs write SQL NULL as the bare word NULL: make it an empty (NULL) field.
            var lines = (await File.ReadAllLinesAsync(csv)).Select(l => BareNullRegex().Replace(l, "$1")).ToArray();
            var header = lines[0].Split(',').Select(h => $"\"{h.Trim().Trim('"').ToLowerInvariant()}\"");
            try
            {
                await using (var writer = await conn.BeginTextImportAsync($"COPY \"{db}\".\"{t.Name.ToLowerInvariant()}\" ({string.Join(", ", header)}) FROM STDIN (FORMAT csv, HEADER true)"))
                {
                    await writer.WriteAsync(string.Join('\n', lines) + "\n");
                }
            }
            catch (PostgresException ex)
            {
                problems.Add($"{db}.{t.Name}: COPY failed: {ex.MessageText} ({ex.Where})");
            }
        }

        return problems;
    }

    [System.Text.RegularExpressions.GeneratedRegex("(^|,)NULL(?=,|$)")]
    private static partial System.Text.RegularExpressions.Regex BareNullRegex();
}
