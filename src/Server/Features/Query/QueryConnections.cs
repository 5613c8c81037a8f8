using System.Collections.Concurrent;
using System.Security.Cryptography;
using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Features.Query;

/// <summary>
/// Where a tenant's queries get their connection. By default each tenant's queries log in as
/// <c>tq_&lt;tenant&gt;</c>: LOGIN NOINHERIT, no privileges of its own, and a member of nothing but the
/// tenant's reader role <c>tr_&lt;tenant&gt;</c>. The executor then does SET LOCAL ROLE to the reader
/// role, so a RESET ROLE that slipped through would leave a role that can read nothing, and a SET ROLE
/// to another tenant's reader role is refused because the login is not a member of it. (One shared
/// login that belongs to every reader role would stop RESET ROLE but not SET ROLE.)
/// </summary>
/// <remarks>
/// The role and its random password are made on the tenant's first query by the application role
/// (which has CREATEROLE, as tenant provisioning needs) and the password is kept in
/// <c>app.query_logins</c>: nothing for an operator to configure or rotate. The password reaches
/// PostgreSQL only as a SCRAM verifier. Each tenant gets a small pool of its own, which also caps
/// how many of its queries run at once on this instance; idle connections close after a minute.
/// </remarks>
public sealed class QueryConnections(
    NpgsqlDataSource applicationSource,
    TenantDatabase database,
    IOptions<QueryOptions> options,
    IOptions<PostgresOptions> postgresOptions,
    ILoggerFactory loggerFactory,
    ILogger<QueryConnections> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, NpgsqlDataSource> _sources = new();

    /// <summary>The login role a tenant's queries use.</summary>
    public static string LoginRole(Guid tenantId) => "tq_" + tenantId.ToString("N");

    /// <summary>An open connection for running the tenant's query; the caller sets the role and limits.</summary>
    public async Task<NpgsqlConnection> OpenAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (!options.Value.IsolatedLogin)
        {
            return await applicationSource.OpenConnectionAsync(cancellationToken);
        }
        var source = await GetSourceAsync(tenantId, resetPassword: false, cancellationToken);
        try
        {
            return await source.OpenConnectionAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            // The role was recreated or altered elsewhere (a restore, a clone): set the stored password again, once.
            logger.LogWarning("Query login {Role} refused its stored password; setting it again", LoginRole(tenantId));
            if (_sources.TryRemove(tenantId, out var stale))
            {
                await stale.DisposeAsync();
            }
            source = await GetSourceAsync(tenantId, resetPassword: true, cancellationToken);
            return await source.OpenConnectionAsync(cancellationToken);
        }
    }

    private async Task<NpgsqlDataSource> GetSourceAsync(Guid tenantId, bool resetPassword, CancellationToken cancellationToken)
    {
        if (_sources.TryGetValue(tenantId, out var existing))
        {
            return existing;
        }
        var (role, password) = await EnsureLoginAsync(tenantId, resetPassword, cancellationToken);
        var settings = options.Value;
        var connection = new NpgsqlConnectionStringBuilder(postgresOptions.Value.ConnectionString)
        {
            Username = role,
            Password = password,
            Passfile = null,
            ApplicationName = "astralytiq-query",
            MinPoolSize = 0,
            MaxPoolSize = settings.MaxConnectionsPerTenant,
            ConnectionIdleLifetime = 60,
            ConnectionPruningInterval = 10,
            Timeout = (int)Math.Ceiling(settings.ConnectionWaitTimeout.TotalSeconds),
            // A client-side backstop well after PostgreSQL's own statement_timeout.
            CommandTimeout = (int)Math.Ceiling(settings.StatementTimeout.TotalSeconds) + 10,
            Multiplexing = false,
            Enlist = false,
        };
        var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString);
        builder.UseLoggerFactory(loggerFactory);
        var source = builder.Build();
        if (_sources.TryAdd(tenantId, source))
        {
            return source;
        }
        await source.DisposeAsync();
        return _sources[tenantId];
    }

    /// <summary>Creates the tenant's login role (or repairs it) and returns its name and password.</summary>
    private Task<(string Role, string Password)> EnsureLoginAsync(Guid tenantId, bool resetPassword, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async (c, t) =>
        {
            var role = LoginRole(tenantId);
            var reader = TenantNames.ReaderRole(tenantId);
            // Servers starting a tenant's first query together: one creates, the others then find it.
            await c.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = "astq.query_login:" + role }, t, cancellationToken: cancellationToken));
            var password = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT password FROM app.query_logins WHERE tenant_id = @tenantId", new { tenantId }, t, cancellationToken: cancellationToken));
            var newPassword = password is null;
            if (newPassword)
            {
                password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO app.query_logins (tenant_id, role_name, password) VALUES (@tenantId, @role, @password)",
                    new { tenantId, role, password }, t, cancellationToken: cancellationToken));
            }
            var state = await c.QuerySingleAsync<(bool Exists, bool IsMember)>(new CommandDefinition(
                """
                SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = @role),
                       EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles l ON l.oid = m.member
                               WHERE r.rolname = @reader AND l.rolname = @role)
                """, new { role, reader }, t, cancellationToken: cancellationToken));
            var quotedRole = TenantNames.Quote(role);
            var verifier = ScramVerifier.Create(password!);
            var ddl = new List<string>();
            if (!state.Exists)
            {
                ddl.Add($"CREATE ROLE {quotedRole} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{verifier}'");
                // Belt and braces: even a transaction that forgot READ ONLY starts read-only.
                ddl.Add($"ALTER ROLE {quotedRole} SET default_transaction_read_only = on");
            }
            else if (newPassword || resetPassword)
            {
                ddl.Add($"ALTER ROLE {quotedRole} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{verifier}'");
            }
            if (!state.IsMember)
            {
                ddl.Add($"GRANT {TenantNames.Quote(reader)} TO {quotedRole}");
            }
            foreach (var statement in ddl)
            {
                await c.ExecuteAsync(new CommandDefinition(statement, transaction: t, cancellationToken: cancellationToken));
            }
            if (ddl.Count > 0)
            {
                logger.LogInformation("Prepared query login {Role} for tenant {TenantId}", role, tenantId);
            }
            return (role, password!);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values)
        {
            await source.DisposeAsync();
        }
        _sources.Clear();
    }
}
