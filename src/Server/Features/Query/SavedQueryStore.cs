using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Dapper;

namespace AstralytiQ.Server.Features.Query;

public sealed record SavedQueryRecord(
    Guid Id, Guid TenantId, Guid OwnerId, string OwnerLabel, string Name, string Description, string Sql, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Named queries shared within a tenant (app.saved_queries). Names are unique per tenant, ignoring case.</summary>
public sealed class SavedQueryStore(TenantDatabase database)
{
    private const string Columns = "id, tenant_id, owner_id, owner_label, name, description, sql, created_at, updated_at";

    public Task InsertAsync(SavedQueryRecord query, CancellationToken cancellationToken) =>
        database.InTenantAsync(query.TenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO app.saved_queries ({Columns})
            VALUES (@Id, @TenantId, @OwnerId, @OwnerLabel, @Name, @Description, @Sql, @CreatedAt, @UpdatedAt)
            """, query, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<SavedQueryRecord?> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<SavedQueryRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM app.saved_queries WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Newest first; <paramref name="nameContains"/> filters by name, ignoring case.</summary>
    public Task<IReadOnlyList<SavedQueryRecord>> ListAsync(Guid tenantId, string? nameContains, int limit, PageToken? after, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<SavedQueryRecord>>(tenantId, async (c, t) => (await c.QueryAsync<SavedQueryRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM app.saved_queries
            WHERE tenant_id = @tenantId
              AND (@pattern::text IS NULL OR name ILIKE @pattern ESCAPE '\')
              AND (@afterTime::timestamptz IS NULL OR (created_at, id) < (@afterTime, @afterId))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """,
            new
            {
                tenantId,
                pattern = string.IsNullOrEmpty(nameContains) ? null : "%" + nameContains.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%",
                afterTime = after?.Time,
                afterId = after?.GuidId ?? Guid.Empty,
                limit,
            }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public Task<SavedQueryRecord?> UpdateAsync(Guid tenantId, Guid id, string name, string description, string sql, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<SavedQueryRecord>(new CommandDefinition(
            $"""
            UPDATE app.saved_queries SET name = @name, description = @description, sql = @sql, updated_at = now()
            WHERE tenant_id = @tenantId AND id = @id
            RETURNING {Columns}
            """, new { tenantId, id, name, description, sql }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<bool> DeleteAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async (c, t) => await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM app.saved_queries WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, t, cancellationToken: cancellationToken)) > 0, cancellationToken);
}
