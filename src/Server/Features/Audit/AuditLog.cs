using System.Text.Json;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Dapper;
using Grpc.Core;

namespace AstralytiQ.Server.Features.Audit;

public sealed record AuditRecord(
    long Id, DateTime OccurredAt, Guid? ActorId, string ActorLabel, string Action, string? TargetType, string? TargetId,
    string Outcome, string? ClientAddress, string? UserAgent, string Details);

/// <summary>Filters for listing audit events; null means "any".</summary>
public sealed record AuditQuery(Guid? ActorId, string? Action, DateTime? From, DateTime? To);

/// <summary>
/// Who did what, to what, when, from where. Written for sign-ups, logins (success and failure),
/// logouts, password changes, user, role and key changes, every admin action and data access.
/// </summary>
public sealed class AuditLog(TenantDatabase database, ILogger<AuditLog> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records an action by the authenticated caller of <paramref name="context"/>.</summary>
    public Task RecordAsync(ServerCallContext context, string action, string? targetType = null, string? targetId = null, object? details = null, bool success = true)
    {
        var caller = context.GetCaller();
        return RecordAsync(caller.TenantId, caller.UserId, caller.Kind == CallerKind.ApiKey ? $"api-key:{caller.ApiKeyId:N}" : caller.Email,
            context, action, targetType, targetId, details, success);
    }

    /// <summary>Records an action whose actor is known otherwise (sign-up, login, a failed login for an email).</summary>
    public async Task RecordAsync(
        Guid? tenantId, Guid? actorId, string actorLabel, ServerCallContext? context, string action,
        string? targetType = null, string? targetId = null, object? details = null, bool success = true)
    {
        var http = context?.GetHttpContext();
        var entry = new
        {
            tenantId,
            actorId,
            actorLabel,
            action,
            targetType,
            targetId,
            details = details is null ? "{}" : JsonSerializer.Serialize(details, Json),
            outcome = success ? "success" : "failure",
            clientAddress = http?.Connection.RemoteIpAddress?.ToString(),
            userAgent = http?.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, 500)] : null,
        };
        const string sql = """
            INSERT INTO app.audit_log (tenant_id, actor_id, actor_label, action, target_type, target_id, details, outcome, client_address, user_agent)
            VALUES (@tenantId, @actorId, @actorLabel, @action, @targetType, @targetId, @details::jsonb, @outcome, @clientAddress, @userAgent)
            """;
        try
        {
            // The audit write must not be cancelled half-way by the caller going away.
            if (tenantId is { } tenant)
            {
                await database.InTenantAsync(tenant, (c, t) => c.ExecuteAsync(new CommandDefinition(sql, entry, t)), CancellationToken.None);
            }
            else
            {
                await database.InSystemAsync((c, t) => c.ExecuteAsync(new CommandDefinition(sql, entry, t)), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException)
        {
            // Losing an audit row is serious but must not turn a completed action into an error.
            logger.LogError(ex, "Could not write audit entry {Action} for tenant {TenantId}", action, tenantId);
        }
    }

    public Task<IReadOnlyList<AuditRecord>> ListAsync(Guid tenantId, AuditQuery query, int limit, Infrastructure.Validation.PageToken? before, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<AuditRecord>>(tenantId, async (c, t) => (await c.QueryAsync<AuditRecord>(new CommandDefinition(
            """
            SELECT id, occurred_at, actor_id, actor_label, action, target_type, target_id, outcome, client_address, user_agent, details::text AS details
            FROM app.audit_log
            WHERE tenant_id = @tenantId
              AND (@actorId::uuid IS NULL OR actor_id = @actorId)
              AND (@action::text IS NULL OR action = @action OR (right(@action, 1) = '.' AND starts_with(action, @action)))
              AND (@from::timestamptz IS NULL OR occurred_at >= @from)
              AND (@to::timestamptz IS NULL OR occurred_at < @to)
              AND (@beforeTime::timestamptz IS NULL OR (occurred_at, id) < (@beforeTime, @beforeId))
            ORDER BY occurred_at DESC, id DESC
            LIMIT @limit
            """,
            new
            {
                tenantId,
                actorId = query.ActorId,
                action = query.Action,
                from = query.From,
                to = query.To,
                beforeTime = before?.Time,
                beforeId = before?.LongId ?? 0L,
                limit,
            }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    /// <summary>Replaces a user's identity in their audit entries with a pseudonym (GDPR erasure keeps the trail).</summary>
    public static Task PseudonymiseAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, Guid tenantId, Guid userId, string email, string pseudonym) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE app.audit_log
            SET actor_label = CASE WHEN actor_id = @userId THEN @pseudonym ELSE actor_label END,
                details = replace(details::text, @email, @pseudonym)::jsonb
            WHERE tenant_id = @tenantId AND (actor_id = @userId OR target_id = @target OR position(@email in details::text) > 0)
            """,
            new { tenantId, userId, email = JsonEncodedText.Encode(email).ToString(), pseudonym, target = userId.ToString() }, transaction));
}
