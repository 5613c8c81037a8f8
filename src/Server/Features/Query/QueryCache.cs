using System.Security.Cryptography;
using System.Text;
using AstralytiQ.QueryEngine.Sql;
using SqlQuery = AstralytiQ.QueryEngine.Sql.Query;
using AstralytiQ.Server.Infrastructure.Redis;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Query;

/// <summary>
/// Results in Redis for <see cref="QueryOptions.CacheTtl"/> (5 minutes by default). The key holds the
/// tenant, the dataset version ids the query read and its canonical SQL (plus the caps that shaped the
/// result), so a new dataset version makes old entries unreachable and they simply expire. Redis being
/// away never fails a query: the cache is skipped and the query runs.
/// </summary>
public sealed class QueryCache(IRedisConnection redis, IOptions<QueryOptions> options, TimeProvider clock, ILogger<QueryCache> logger)
{
    private const byte FormatVersion = 1;
    private static readonly HashSet<string> TimeDependentFunctions = new(StringComparer.Ordinal)
    {
        "random", "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp",
    };
    private static readonly HashSet<string> TimeDependentLiterals = new(StringComparer.OrdinalIgnoreCase) { "now", "today", "tomorrow", "yesterday" };

    private long _lastWarning;

    public bool Enabled => options.Value.CacheTtl > TimeSpan.Zero;

    public TimeSpan Ttl => options.Value.CacheTtl;

    /// <summary>The key of a result: tenant, dataset versions read, canonical SQL and the caps.</summary>
    public static string Key(Guid tenantId, IEnumerable<Guid> datasetVersionIds, string canonicalSql, QueryLimits limits)
    {
        var text = new StringBuilder("v1\n");
        foreach (var version in datasetVersionIds.Distinct().Order())
        {
            text.Append(version.ToString("N")).Append(',');
        }
        text.Append('\n').Append(limits.MaxRows).Append('\n').Append(limits.MaxBytes).Append('\n').Append(canonicalSql);
        return $"astq:query:{tenantId:N}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))}";
    }

    /// <summary>A key for one run's rows only (results that must not be shared, such as those that call random()).</summary>
    public static string RunKey(Guid tenantId, Guid runId) => $"astq:query-run:{tenantId:N}:{runId:N}";

    /// <summary>
    /// False when the query's result depends on when or how often it runs (random(), now(), CURRENT_DATE,
    /// 'today'), so a stored result must not answer another run.
    /// </summary>
    public static bool IsShareable(SqlQuery query) => !SqlTreeWalker.DescendantsAndSelf(query).Any(node => node switch
    {
        FunctionCall f => TimeDependentFunctions.Contains(f.Name.Last.Normalized) || (f.Name.Last.Normalized == "age" && f.Args.Count == 1),
        SpecialValueExpr => true,
        TypedLiteral t => TimeDependentLiterals.Contains(t.Value.Trim()),
        CastExpr { Operand: StringLiteral s } => TimeDependentLiterals.Contains(s.Value.Trim()),
        _ => false,
    });

    public async Task<QueryResult?> GetAsync(string key)
    {
        if (!Enabled)
        {
            return null;
        }
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(key);
            return value.IsNull ? null : Deserialize((byte[])value!);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Warn(ex);
            return null;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FormatException)
        {
            logger.LogWarning(ex, "Ignoring an unreadable cached query result {Key}", key);
            return null;
        }
    }

    /// <summary>Stores a result; false when the cache is off or Redis is away.</summary>
    public async Task<bool> SetAsync(string key, QueryResult result)
    {
        if (!Enabled)
        {
            return false;
        }
        try
        {
            return await redis.GetDatabase().StringSetAsync(key, Serialize(result), options.Value.CacheTtl);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Warn(ex);
            return false;
        }
    }

    private void Warn(Exception ex)
    {
        // Once a minute is enough to say the cache is being skipped.
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var last = Interlocked.Read(ref _lastWarning);
        if (now - last >= 60 && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            logger.LogWarning("Query result cache skipped: Redis is not available ({Reason})", ex.Message);
        }
    }

    // A compact binary form: the result's own types, no schema to keep in step with the public API.
    internal static byte[] Serialize(QueryResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(result.Truncated);
            w.Write(result.ExecutionTime.Ticks);
            w.Write(result.ComputedAt.Ticks);
            w.Write(result.Bytes);
            w.Write(result.Columns.Count);
            foreach (var column in result.Columns)
            {
                w.Write(column.Name);
                w.Write((byte)column.Kind);
                w.Write(column.DatabaseType);
            }
            w.Write(result.Rows.Count);
            foreach (var row in result.Rows)
            {
                foreach (var value in row)
                {
                    switch (value)
                    {
                        case null: w.Write((byte)0); break;
                        case bool b: w.Write((byte)1); w.Write(b); break;
                        case long l: w.Write((byte)2); w.Write(l); break;
                        case double d: w.Write((byte)3); w.Write(d); break;
                        case string s: w.Write((byte)4); w.Write(s); break;
                        case DateOnly date: w.Write((byte)5); w.Write(date.DayNumber); break;
                        case DateTime time: w.Write((byte)6); w.Write(time.Ticks); break;
                        default: throw new InvalidOperationException($"Unexpected result value type {value.GetType().Name}.");
                    }
                }
            }
        }
        return stream.ToArray();
    }

    internal static QueryResult Deserialize(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (r.ReadByte() != FormatVersion)
        {
            throw new InvalidDataException("Unknown cached result format.");
        }
        var truncated = r.ReadBoolean();
        var executionTime = TimeSpan.FromTicks(r.ReadInt64());
        var computedAt = new DateTime(r.ReadInt64(), DateTimeKind.Utc);
        var size = r.ReadInt64();
        var columns = new QueryColumn[r.ReadInt32()];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = new QueryColumn(r.ReadString(), (ValueKind)r.ReadByte(), r.ReadString());
        }
        var rows = new List<object?[]>(r.ReadInt32());
        for (var count = rows.Capacity; count > 0; count--)
        {
            var row = new object?[columns.Length];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = r.ReadByte() switch
                {
                    0 => null,
                    1 => r.ReadBoolean(),
                    2 => r.ReadInt64(),
                    3 => r.ReadDouble(),
                    4 => r.ReadString(),
                    5 => DateOnly.FromDayNumber(r.ReadInt32()),
                    6 => new DateTime(r.ReadInt64(), DateTimeKind.Utc),
                    var tag => throw new InvalidDataException($"Unknown value tag {tag}."),
                };
            }
            rows.Add(row);
        }
        return new QueryResult(columns, rows, truncated, executionTime, computedAt, size);
    }
}
