using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;

namespace AstralytiQ.Server.Features.Identity;

public sealed record ApiKeyRecord(
    Guid Id, Guid TenantId, string Name, string Prefix, byte[] KeyHash, string Role, Guid? CreatedBy,
    DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>Service-account keys: <c>astq_&lt;prefix&gt;_&lt;secret&gt;</c>, stored as a SHA-256 hash, found by prefix.</summary>
public sealed class ApiKeyStore(TenantDatabase database)
{
    private const string Columns = "id, tenant_id, name, prefix, key_hash, role, created_by, created_at, last_used_at, revoked_at";

    public Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        database.InTenantAsync(key.TenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO app.api_keys (id, tenant_id, name, prefix, key_hash, role, created_by, created_at) VALUES (@Id, @TenantId, @Name, @Prefix, @KeyHash, @Role, @CreatedBy, @CreatedAt)",
            key, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Authentication looks keys up across tenants by their public prefix.</summary>
    public Task<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken) =>
        database.InSystemAsync((c, t) => c.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM app.api_keys WHERE prefix = @prefix", new { prefix }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(Guid tenantId, int limit, Infrastructure.Validation.PageToken? after, bool includeRevoked, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<ApiKeyRecord>>(tenantId, async (c, t) => (await c.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM app.api_keys
            WHERE tenant_id = @tenantId AND (@includeRevoked OR revoked_at IS NULL)
              AND (@afterTime::timestamptz IS NULL OR (created_at, id) > (@afterTime, @afterId))
            ORDER BY created_at, id LIMIT @limit
            """,
            new { tenantId, includeRevoked, afterTime = after?.Time, afterId = after?.GuidId ?? Guid.Empty, limit }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public Task<ApiKeyRecord?> RevokeAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"UPDATE app.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE tenant_id = @tenantId AND id = @keyId RETURNING {Columns}",
            new { tenantId, keyId }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Records use at most once a minute per key, so busy service accounts don't write on every call.</summary>
    public Task TouchAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE app.api_keys SET last_used_at = now() WHERE tenant_id = @tenantId AND id = @keyId AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
            new { tenantId, keyId }, t, cancellationToken: cancellationToken)), cancellationToken);
}
