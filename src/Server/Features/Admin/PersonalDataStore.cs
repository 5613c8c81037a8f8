using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;

namespace AstralytiQ.Server.Features.Admin;

/// <summary>GDPR access and erasure: everything stored about a user, and its removal.</summary>
public sealed class PersonalDataStore(TenantDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>A JSON document of the user's account, sessions, keys they created, mail sent to them and audit entries about them.</summary>
    public Task<string?> ExportAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async (c, t) =>
        {
            var account = await c.QuerySingleOrDefaultAsync(new CommandDefinition(
                "SELECT id, email, display_name, role, tier, status, created_at, updated_at, last_login_at FROM app.users WHERE tenant_id = @tenantId AND id = @userId AND status <> 'erased'",
                new { tenantId, userId }, t, cancellationToken: cancellationToken));
            if (account is null)
            {
                return null;
            }
            var args = new { tenantId, userId, target = userId.ToString(), email = (string)account.email };
            var document = new
            {
                exportedAt = DateTime.UtcNow,
                account,
                sessions = await c.QueryAsync(new CommandDefinition(
                    "SELECT family_id AS session, created_at, expires_at, used_at, revoked_at, client_address, user_agent FROM app.refresh_tokens WHERE tenant_id = @tenantId AND user_id = @userId ORDER BY created_at",
                    args, t, cancellationToken: cancellationToken)),
                apiKeysCreated = await c.QueryAsync(new CommandDefinition(
                    "SELECT id, name, prefix, role, created_at, last_used_at, revoked_at FROM app.api_keys WHERE tenant_id = @tenantId AND created_by = @userId ORDER BY created_at",
                    args, t, cancellationToken: cancellationToken)),
                passwordResets = await c.QueryAsync(new CommandDefinition(
                    "SELECT created_at, expires_at, used_at FROM app.password_resets WHERE tenant_id = @tenantId AND user_id = @userId ORDER BY created_at",
                    args, t, cancellationToken: cancellationToken)),
                mail = await c.QueryAsync(new CommandDefinition(
                    "SELECT kind, subject, created_at, sent_at FROM app.outbox WHERE tenant_id = @tenantId AND recipient = @email ORDER BY created_at",
                    args, t, cancellationToken: cancellationToken)),
                auditEntries = await c.QueryAsync(new CommandDefinition(
                    "SELECT occurred_at, action, target_type, target_id, outcome, client_address, user_agent, details::text AS details FROM app.audit_log WHERE tenant_id = @tenantId AND (actor_id = @userId OR target_id = @target) ORDER BY occurred_at",
                    args, t, cancellationToken: cancellationToken)),
            };
            return JsonSerializer.Serialize(document, Json);
        }, cancellationToken);

    /// <summary>
    /// Removes the user's personal data in one transaction: identity fields replaced, sessions, resets
    /// and mail deleted, audit entries kept under a pseudonym. Returns the pseudonym, or null if unknown.
    /// </summary>
    public Task<string?> EraseAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async (c, t) =>
        {
            var email = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT email FROM app.users WHERE tenant_id = @tenantId AND id = @userId AND status <> 'erased' FOR UPDATE",
                new { tenantId, userId }, t, cancellationToken: cancellationToken));
            if (email is null)
            {
                return null;
            }
            var pseudonym = Pseudonym(tenantId, userId);
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE app.users
                SET email = @placeholder, email_key = @placeholder, display_name = 'Erased user', password_hash = NULL,
                    status = 'erased', token_version = token_version + 1, updated_at = now(), last_login_at = NULL
                WHERE tenant_id = @tenantId AND id = @userId;
                DELETE FROM app.refresh_tokens WHERE tenant_id = @tenantId AND user_id = @userId;
                DELETE FROM app.password_resets WHERE tenant_id = @tenantId AND user_id = @userId;
                DELETE FROM app.outbox WHERE tenant_id = @tenantId AND recipient = @email;
                """,
                new { tenantId, userId, email, placeholder = $"{pseudonym}@erased.invalid" }, t, cancellationToken: cancellationToken));
            await AuditLog.PseudonymiseAsync(c, t, tenantId, userId, email, pseudonym);
            return pseudonym;
        }, cancellationToken);

    /// <summary>Stable for a user, meaningless without the database's ids.</summary>
    public static string Pseudonym(Guid tenantId, Guid userId) =>
        "user-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId:N}/{userId:N}")))[..12];
}
