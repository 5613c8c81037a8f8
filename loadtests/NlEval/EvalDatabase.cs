using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Tests.Spider;
using Npgsql;

namespace AstralytiQ.NlEval;

/// <summary>A throwaway PostgreSQL database: the sample datasets and the Spider dev databases, one schema each.</summary>
internal sealed partial class EvalDatabase : IAsyncDisposable
{
    /// <summary>Text columns with at most this many distinct values keep their values in the profile (as the server's profiler does).</summary>
    public const int ProfileValueLimit = 250;

    private readonly string _admin;

    private EvalDatabase(string admin, string name, NpgsqlConnection connection)
    {
        _admin = admin;
        Name = name;
        Connection = connection;
    }

    public string Name { get; }

    public NpgsqlConnection Connection { get; }

    public static async Task<EvalDatabase> CreateAsync(string adminConnectionString)
    {
        var name = "astq_nleval_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(adminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        var cs = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = false, CommandTimeout = 120 }.ConnectionString;
        var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        return new EvalDatabase(adminConnectionString, name, conn);
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await using var admin = new NpgsqlConnection(_admin);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task ExecAsync(string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, Connection);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string Q(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Creates <paramref name="schema"/>.<paramref name="table"/> and copies the CSV into it.</summary>
    public async Task LoadCsvAsync(string schema, string table, IReadOnlyList<(string Name, string Type)> columns, string csvPath, Func<string, string>? fixLine = null)
    {
        await ExecAsync($"CREATE TABLE {Q(schema)}.{Q(table)} ({string.Join(", ", columns.Select(c => $"{Q(c.Name)} {c.Type}"))})");
        var lines = await File.ReadAllLinesAsync(csvPath);
        if (lines.Length == 0)
        {
            return;
        }

        var header = lines[0].Split(',').Select(h => Q(h.Trim().Trim('"').ToLowerInvariant()));
        var body = fixLine is null ? lines : lines.Select(fixLine).ToArray();
        await using var writer = await Connection.BeginTextImportAsync($"COPY {Q(schema)}.{Q(table)} ({string.Join(", ", header)}) FROM STDIN (FORMAT csv, HEADER true)");
        await writer.WriteAsync(string.Join('\n', body) + "\n");
    }

    /// <summary>Profiles a loaded table the way dataset ingestion will: counts, ranges, and the values of low-cardinality text columns.</summary>
    public async Task<DatasetSchema> ProfileAsync(CatalogTable table, string schema)
    {
        var physical = $"{Q(schema)}.{Q(table.PhysicalTable)}";
        long rows;
        await using (var cmd = new NpgsqlCommand($"SELECT count(*) FROM {physical}", Connection))
        {
            rows = (long)(await cmd.ExecuteScalarAsync())!;
        }

        var profiles = new List<ColumnProfile>();
        foreach (var c in table.Columns)
        {
            var col = Q(c.Name);
            var kind = c.Type.Split('(')[0].Trim();
            var orderable = kind is not ("boolean" or "json" or "jsonb");
            var sql = orderable
                ? $"SELECT count(DISTINCT {col}), count(*) - count({col}), min({col})::text, max({col})::text FROM {physical}"
                : $"SELECT count(DISTINCT {col}), count(*) - count({col}), NULL::text, NULL::text FROM {physical}";
            long distinct, nulls;
            string? min, max;
            await using (var cmd = new NpgsqlCommand(sql, Connection))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                distinct = reader.GetInt64(0);
                nulls = reader.GetInt64(1);
                min = reader.IsDBNull(2) ? null : reader.GetString(2);
                max = reader.IsDBNull(3) ? null : reader.GetString(3);
            }

            var values = new List<string>();
            var isText = kind is "text" or "varchar" or "char" or "character varying" or "character";
            if (isText && distinct <= ProfileValueLimit)
            {
                await using var cmd = new NpgsqlCommand($"SELECT DISTINCT {col} FROM {physical} WHERE {col} IS NOT NULL ORDER BY 1", Connection);
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var v = reader.GetString(0);
                    if (v.Length <= 100 && v.Trim().Length > 0)
                    {
                        values.Add(v);
                    }
                }
            }

            profiles.Add(new ColumnProfile(c.Name, c.Type)
            {
                DistinctCount = distinct,
                NullCount = nulls,
                Min = isText ? null : min,
                Max = isText ? null : max,
                Values = values,
            });
        }

        return new DatasetSchema(table, profiles) { RowCount = rows };
    }

    /// <summary>Loads the Spider dev databases (one schema each) and returns their catalogs.</summary>
    public async Task<Dictionary<string, (TableCatalog Catalog, IReadOnlyList<DatasetSchema> Datasets)>> LoadSpiderAsync(string dir)
    {
        var result = new Dictionary<string, (TableCatalog, IReadOnlyList<DatasetSchema>)>(StringComparer.Ordinal);
        foreach (var db in SpiderCorpus.Databases(dir))
        {
            var tables = SpiderCorpus.LoadSchema(dir, db);
            var catalog = SpiderCorpus.BuildCatalog(tables, db);
            await ExecAsync($"CREATE SCHEMA {Q(db)}");
            foreach (var t in tables)
            {
                var columns = t.Columns.Select(c => (c.Name.ToLowerInvariant(), SpiderCorpus.PgType(c.MySqlType))).ToList();
                var csv = Path.Combine(dir, "databases", db, "data", t.Name + ".csv");
                if (!File.Exists(csv))
                {
                    csv = Directory.GetFiles(Path.Combine(dir, "databases", db, "data"))
                        .FirstOrDefault(f => string.Equals(Path.GetFileNameWithoutExtension(f), t.Name, StringComparison.OrdinalIgnoreCase)) ?? csv;
                }

                if (!File.Exists(csv))
                {
                    await ExecAsync($"CREATE TABLE {Q(db)}.{Q(t.Name.ToLowerInvariant())} ({string.Join(", ", columns.Select(c => $"{Q(c.Item1)} {c.Item2}"))})");
                    continue;
                }

                try
                {
                    await LoadCsvAsync(db, t.Name.ToLowerInvariant(), columns, csv, l => BareNull().Replace(l, "$1"));
                }
                catch (PostgresException ex)
                {
                    Console.Error.WriteLine($"spider load {db}.{t.Name}: {ex.MessageText}");
                }
            }

            var datasets = new List<DatasetSchema>();
            foreach (var table in catalog.Tables)
            {
                datasets.Add(await ProfileAsync(table, db));
            }

            result[db] = (catalog, datasets);
        }

        return result;
    }

    [GeneratedRegex("(^|,)NULL(?=,|$)")]
    private static partial Regex BareNull();

    /// <summary>Runs a query read-only under a search path and returns its rows as normalised text cells.</summary>
    public async Task<(List<string[]> Rows, string? Error)> RunAsync(string sql, string searchPath)
    {
        await using var tx = await Connection.BeginTransactionAsync();
        try
        {
            await using (var set = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SET LOCAL search_path TO {Q(searchPath)}; SET LOCAL statement_timeout = '30s'", Connection, tx))
            {
                await set.ExecuteNonQueryAsync();
            }

            var rows = new List<string[]>();
            await using (var cmd = new NpgsqlCommand(sql, Connection, tx))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    var row = new string[reader.FieldCount];
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        row[i] = Cell(reader.IsDBNull(i) ? null : reader.GetValue(i));
                    }

                    rows.Add(row);
                }
            }

            await tx.RollbackAsync();
            return (rows, null);
        }
        catch (PostgresException ex)
        {
            await tx.RollbackAsync();
            return ([], $"{ex.SqlState} {ex.MessageText}");
        }
    }

    /// <summary>Normalises a cell: numbers rounded to 2 decimals (so ROUND(x, 2) in a gold query still matches), midnight timestamps as dates.</summary>
    private static string Cell(object? v) => v switch
    {
        null => "NULL",
        decimal m => Num(m),
        double d => double.IsFinite(d) ? Num((decimal)d) : d.ToString(CultureInfo.InvariantCulture),
        float f => double.IsFinite(f) ? Num((decimal)f) : f.ToString(CultureInfo.InvariantCulture),
        int or long or short => Convert.ToString(v, CultureInfo.InvariantCulture)!,
        DateTime dt => dt.TimeOfDay == TimeSpan.Zero ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };

    private static string Num(decimal m)
    {
        var r = Math.Round(m, 2, MidpointRounding.AwayFromZero);
        var s = r.ToString("0.##", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }

    public static string Describe(List<string[]> rows, int max = 3)
    {
        var sb = new StringBuilder();
        sb.Append(rows.Count.ToString(CultureInfo.InvariantCulture)).Append(" rows");
        if (rows.Count > 0)
        {
            sb.Append(" [").Append(string.Join(" | ", rows.Take(max).Select(r => string.Join(", ", r)))).Append(rows.Count > max ? " | ..." : string.Empty).Append(']');
        }

        return sb.ToString();
    }
}
