using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Dapper;

namespace AstralytiQ.Server.Features.Query;

/// <summary>How a run ended.</summary>
public static class QueryRunStates
{
    public const string Succeeded = "succeeded";
    public const string Invalid = "invalid";
    public const string Failed = "failed";
    public const string TimedOut = "timed_out";
    public const string Cancelled = "cancelled";
}

/// <summary>One run in app.queries. (Properties, not a positional record: Dapper fills arrays through setters.)</summary>
public sealed record QueryRunRecord
{
    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public Guid ActorId { get; init; }
    public string ActorLabel { get; init; } = "";
    public string Source { get; init; } = "";
    public string Sql { get; init; } = "";
    public string? CanonicalSql { get; init; }
    public string[] Tables { get; init; } = [];
    public Guid[] DatasetVersionIds { get; init; } = [];
    public string State { get; init; } = "";
    public string? Error { get; init; }
    public long RowCount { get; init; }
    public bool Truncated { get; init; }
    public bool Cached { get; init; }
    public double DurationMs { get; init; }
    public string? ResultKey { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>Every run, successful or not (app.queries).</summary>
public sealed class QueryHistoryStore(TenantDatabase database)
{
    private const string Columns =
        "id, tenant_id, actor_id, actor_label, source, sql, canonical_sql, tables, dataset_version_ids, state, error, row_count, truncated, cached, duration_ms, result_key, created_at";

    public Task InsertAsync(QueryRunRecord run) =>
        // Not cancellable: a run the caller abandoned is still history.
        database.InTenantAsync(run.TenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO app.queries ({Columns})
            VALUES (@Id, @TenantId, @ActorId, @ActorLabel, @Source, @Sql, @CanonicalSql, @Tables, @DatasetVersionIds, @State, @Error,
                    @RowCount, @Truncated, @Cached, @DurationMs, @ResultKey, @CreatedAt)
            """, run, t)), CancellationToken.None);

    public Task<QueryRunRecord?> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<QueryRunRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM app.queries WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Newest first; <paramref name="actorId"/> null means every actor of the tenant.</summary>
    public Task<IReadOnlyList<QueryRunRecord>> ListAsync(Guid tenantId, Guid? actorId, int limit, PageToken? after, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<QueryRunRecord>>(tenantId, async (c, t) => (await c.QueryAsync<QueryRunRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM app.queries
            WHERE tenant_id = @tenantId
              AND (@actorId::uuid IS NULL OR actor_id = @actorId)
              AND (@afterTime::timestamptz IS NULL OR (created_at, id) < (@afterTime, @afterId))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """,
            new { tenantId, actorId, afterTime = after?.Time, afterId = after?.GuidId ?? Guid.Empty, limit }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);
}
