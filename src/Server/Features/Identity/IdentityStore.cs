using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Dapper;
using Npgsql;

namespace AstralytiQ.Server.Features.Identity;

public sealed record TenantRecord(Guid Id, string Slug, string Name, string Plan, DateTime CreatedAt);

public sealed record UserRecord(
    Guid Id, Guid TenantId, string Email, string DisplayName, string? PasswordHash, string Role, string Tier,
    string Status, int TokenVersion, DateTime CreatedAt, DateTime? LastLoginAt);

public sealed record UserAccessState(string Status, int TokenVersion, string Role, string Tier, string Email, bool SessionActive);

public sealed record RefreshTokenRecord(Guid Id, Guid TenantId, Guid UserId, Guid FamilyId, DateTime ExpiresAt, DateTime? UsedAt, DateTime? RevokedAt);

public sealed record PasswordResetRecord(Guid Id, Guid TenantId, Guid UserId, DateTime ExpiresAt, DateTime? UsedAt);

/// <summary>Tenants, users, sessions and password resets. Plain SQL; every tenant query filters by tenant_id.</summary>
public sealed class IdentityStore(TenantDatabase database, TenantProvisioner provisioner)
{
    private const string UserColumns = "id, tenant_id, email, display_name, password_hash, role, tier, status, token_version, created_at, last_login_at";

    public Task<bool> SlugExistsAsync(string slug, CancellationToken cancellationToken) =>
        database.InSystemAsync((c, t) => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM app.tenants WHERE slug = @slug)", new { slug }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Creates the tenant, its schema and reader role, and its first user in one transaction.</summary>
    public Task CreateTenantAsync(TenantRecord tenant, UserRecord admin, CancellationToken cancellationToken) =>
        database.InSystemAsync(async (c, t) =>
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO app.tenants (id, slug, name, plan, created_at) VALUES (@Id, @Slug, @Name, @Plan, @CreatedAt)", tenant, t, cancellationToken: cancellationToken));
            await InsertUserAsync(c, t, admin, cancellationToken);
            await provisioner.ProvisionAsync(tenant.Id, c, t, cancellationToken);
        }, cancellationToken);

    public Task<TenantRecord?> GetTenantAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<TenantRecord>(new CommandDefinition(
            "SELECT id, slug, name, plan, created_at FROM app.tenants WHERE id = @tenantId", new { tenantId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<TenantRecord?> FindTenantBySlugAsync(string slug, CancellationToken cancellationToken) =>
        database.InSystemAsync((c, t) => c.QuerySingleOrDefaultAsync<TenantRecord>(new CommandDefinition(
            "SELECT id, slug, name, plan, created_at FROM app.tenants WHERE slug = @slug", new { slug }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task InsertUserAsync(UserRecord user, CancellationToken cancellationToken) =>
        database.InTenantAsync(user.TenantId, (c, t) => InsertUserAsync(c, t, user, cancellationToken), cancellationToken);

    private static Task InsertUserAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, UserRecord user, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO app.users (id, tenant_id, email, email_key, display_name, password_hash, role, tier, status, token_version, created_at, updated_at)
            VALUES (@Id, @TenantId, @Email, lower(@Email), @DisplayName, @PasswordHash, @Role, @Tier, @Status, @TokenVersion, @CreatedAt, @CreatedAt)
            """, user, transaction, cancellationToken: cancellationToken));

    /// <summary>Login looks users up across tenants by their unique email.</summary>
    public Task<UserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken) =>
        database.InSystemAsync((c, t) => c.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {UserColumns} FROM app.users WHERE email_key = @key", new { key = Input.EmailKey(email) }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<bool> EmailExistsAsync(string email, CancellationToken cancellationToken) =>
        database.InSystemAsync((c, t) => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM app.users WHERE email_key = @key)", new { key = Input.EmailKey(email) }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<UserRecord?> GetUserAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {UserColumns} FROM app.users WHERE tenant_id = @tenantId AND id = @userId AND status <> 'erased'",
            new { tenantId, userId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<UserRecord>> ListUsersAsync(Guid tenantId, int limit, PageToken? after, string? filter, bool includeDeactivated, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<UserRecord>>(tenantId, async (c, t) => (await c.QueryAsync<UserRecord>(new CommandDefinition(
            $"""
            SELECT {UserColumns} FROM app.users
            WHERE tenant_id = @tenantId
              AND status <> 'erased'
              AND (@includeDeactivated OR status = 'active')
              AND (@pattern::text IS NULL OR email ILIKE @pattern OR display_name ILIKE @pattern)
              AND (@afterTime::timestamptz IS NULL OR (created_at, id) > (@afterTime, @afterId))
            ORDER BY created_at, id
            LIMIT @limit
            """,
            new
            {
                tenantId,
                includeDeactivated,
                pattern = string.IsNullOrWhiteSpace(filter) ? null : "%" + EscapeLike(filter.Trim()) + "%",
                afterTime = after?.Time,
                afterId = after?.GuidId ?? Guid.Empty,
                limit,
            }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public Task<int> CountActiveUsersAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM app.users WHERE tenant_id = @tenantId AND status = 'active'", new { tenantId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<int> CountOtherActiveAdminsAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM app.users WHERE tenant_id = @tenantId AND id <> @userId AND role = 'admin' AND status = 'active'",
            new { tenantId, userId }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>For the auth interceptor on every call: is this user still active, at this token version?</summary>
    public Task<UserAccessState?> GetUserStateAsync(Guid tenantId, Guid userId, Guid sessionId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<UserAccessState>(new CommandDefinition(
            """
            SELECT status, token_version, role, tier, email,
                   NOT EXISTS (SELECT 1 FROM app.refresh_tokens r WHERE r.tenant_id = @tenantId AND r.family_id = @sessionId AND r.revoked_at IS NOT NULL) AS session_active
            FROM app.users WHERE tenant_id = @tenantId AND id = @userId
            """,
            new { tenantId, userId, sessionId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task RecordLoginAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE app.users SET last_login_at = now() WHERE tenant_id = @tenantId AND id = @userId", new { tenantId, userId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<UserRecord?> UpdateDisplayNameAsync(Guid tenantId, Guid userId, string displayName, CancellationToken cancellationToken) =>
        UpdateUserAsync(tenantId, userId, "display_name = @value", displayName, cancellationToken);

    public Task<UserRecord?> UpdateRoleAsync(Guid tenantId, Guid userId, string role, CancellationToken cancellationToken) =>
        // A role change bumps the token version: tokens carrying the old role stop working.
        UpdateUserAsync(tenantId, userId, "role = @value, token_version = token_version + 1", role, cancellationToken);

    public Task<UserRecord?> SetStatusAsync(Guid tenantId, Guid userId, string status, CancellationToken cancellationToken) =>
        UpdateUserAsync(tenantId, userId, "status = @value, token_version = token_version + 1", status, cancellationToken);

    /// <summary>Sets a new password hash, ends every session of the user, and returns the new token version.</summary>
    public Task<UserRecord?> SetPasswordAsync(Guid tenantId, Guid userId, string passwordHash, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async (c, t) =>
        {
            var user = await c.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
                $"UPDATE app.users SET password_hash = @passwordHash, token_version = token_version + 1, updated_at = now() WHERE tenant_id = @tenantId AND id = @userId AND status <> 'erased' RETURNING {UserColumns}",
                new { tenantId, userId, passwordHash }, t, cancellationToken: cancellationToken));
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE app.refresh_tokens SET revoked_at = now() WHERE tenant_id = @tenantId AND user_id = @userId AND revoked_at IS NULL",
                new { tenantId, userId }, t, cancellationToken: cancellationToken));
            return user;
        }, cancellationToken);

    private Task<UserRecord?> UpdateUserAsync(Guid tenantId, Guid userId, string assignment, string value, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"UPDATE app.users SET {assignment}, updated_at = now() WHERE tenant_id = @tenantId AND id = @userId AND status <> 'erased' RETURNING {UserColumns}",
            new { tenantId, userId, value }, t, cancellationToken: cancellationToken)), cancellationToken);

    // ---------------------------------------------------------------- sessions

    public Task InsertRefreshTokenAsync(Guid tenantId, Guid userId, Guid familyId, byte[] hash, DateTime expiresAt, string? clientAddress, string? userAgent, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO app.refresh_tokens (id, tenant_id, user_id, family_id, token_hash, expires_at, client_address, user_agent)
            VALUES (@id, @tenantId, @userId, @familyId, @hash, @expiresAt, @clientAddress, @userAgent)
            """,
            new { id = Guid.NewGuid(), tenantId, userId, familyId, hash, expiresAt, clientAddress, userAgent = Truncate(userAgent, 500) }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Marks a refresh token used, atomically: of two concurrent refreshes with one token, exactly one
    /// wins. Returns the token as it was before, or null if unknown.
    /// </summary>
    public Task<(RefreshTokenRecord? Token, bool Claimed)> ClaimRefreshTokenAsync(byte[] hash, CancellationToken cancellationToken) =>
        database.InSystemAsync(async (c, t) =>
        {
            var token = await c.QuerySingleOrDefaultAsync<RefreshTokenRecord>(new CommandDefinition(
                "SELECT id, tenant_id, user_id, family_id, expires_at, used_at, revoked_at FROM app.refresh_tokens WHERE token_hash = @hash FOR UPDATE",
                new { hash }, t, cancellationToken: cancellationToken));
            if (token is null || token.UsedAt is not null || token.RevokedAt is not null || token.ExpiresAt <= DateTime.UtcNow)
            {
                return (token, false);
            }
            await c.ExecuteAsync(new CommandDefinition("UPDATE app.refresh_tokens SET used_at = now() WHERE id = @Id", token, t, cancellationToken: cancellationToken));
            return (token, true);
        }, cancellationToken);

    public Task RevokeFamilyAsync(Guid tenantId, Guid familyId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE app.refresh_tokens SET revoked_at = now() WHERE tenant_id = @tenantId AND family_id = @familyId AND revoked_at IS NULL",
            new { tenantId, familyId }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Revokes one session (by refresh token) of the user; false when the token is not theirs.</summary>
    public Task<bool> RevokeSessionAsync(Guid tenantId, Guid userId, byte[] hash, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async (c, t) => await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE app.refresh_tokens SET revoked_at = now()
            WHERE tenant_id = @tenantId AND user_id = @userId AND revoked_at IS NULL
              AND family_id = (SELECT family_id FROM app.refresh_tokens WHERE token_hash = @hash AND tenant_id = @tenantId AND user_id = @userId)
            """,
            new { tenantId, userId, hash }, t, cancellationToken: cancellationToken)) > 0, cancellationToken);

    public Task RevokeAllSessionsAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE app.refresh_tokens SET revoked_at = now() WHERE tenant_id = @tenantId AND user_id = @userId AND revoked_at IS NULL",
            new { tenantId, userId }, t, cancellationToken: cancellationToken)), cancellationToken);

    // ---------------------------------------------------------------- password resets and mail

    /// <summary>Stores a reset token and queues the mail carrying it, in one transaction.</summary>
    public Task CreatePasswordResetAsync(UserRecord user, byte[] hash, DateTime expiresAt, string subject, string body, CancellationToken cancellationToken) =>
        database.InTenantAsync(user.TenantId, async (c, t) =>
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO app.password_resets (id, tenant_id, user_id, token_hash, expires_at) VALUES (@resetId, @tenantId, @userId, @hash, @expiresAt)",
                new { resetId = Guid.NewGuid(), tenantId = user.TenantId, userId = user.Id, hash, expiresAt }, t, cancellationToken: cancellationToken));
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO app.outbox (tenant_id, kind, recipient, subject, body) VALUES (@TenantId, 'password_reset', @Email, @subject, @body)",
                new { user.TenantId, user.Email, subject, body }, t, cancellationToken: cancellationToken));
        }, cancellationToken);

    /// <summary>Uses a reset token once; null when unknown, used or expired.</summary>
    public Task<PasswordResetRecord?> ClaimPasswordResetAsync(byte[] hash, CancellationToken cancellationToken) =>
        database.InSystemAsync((c, t) => c.QuerySingleOrDefaultAsync<PasswordResetRecord>(new CommandDefinition(
            """
            UPDATE app.password_resets SET used_at = now()
            WHERE token_hash = @hash AND used_at IS NULL AND expires_at > now()
            RETURNING id, tenant_id, user_id, expires_at, used_at
            """, new { hash }, t, cancellationToken: cancellationToken)), cancellationToken);

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
