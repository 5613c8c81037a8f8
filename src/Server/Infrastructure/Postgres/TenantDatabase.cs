using Dapper;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Postgres;

/// <summary>
/// Transactions on the platform tables. A tenant transaction sets <c>app.tenant_id</c> so Row Level
/// Security limits every statement to that tenant's rows, behind the stores' own WHERE clauses; a
/// system transaction (login lookups, sweepers, job claims) sets <c>app.system</c> instead.
/// </summary>
public sealed class TenantDatabase(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource => dataSource;

    public Task<T> InTenantAsync<T>(Guid tenantId, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync("SELECT set_config('app.tenant_id', @value, true)", tenantId.ToString(), work, cancellationToken);

    public Task InTenantAsync(Guid tenantId, Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken) =>
        InTenantAsync(tenantId, async (c, t) => { await work(c, t); return true; }, cancellationToken);

    public Task<T> InSystemAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync("SELECT set_config('app.system', @value, true)", "on", work, cancellationToken);

    public Task InSystemAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken) =>
        InSystemAsync(async (c, t) => { await work(c, t); return true; }, cancellationToken);

    private async Task<T> RunAsync<T>(string setting, string value, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(setting, new { value }, transaction, cancellationToken: cancellationToken));
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}

/// <summary>Names of a tenant's schema and database role, and the one quoting helper for dynamic identifiers.</summary>
public static class TenantNames
{
    /// <summary>The schema holding the tenant's datasets as typed tables.</summary>
    public static string Schema(Guid tenantId) => "t_" + tenantId.ToString("N");

    /// <summary>The NOLOGIN role that may only read the tenant's schema; queries run under it.</summary>
    public static string ReaderRole(Guid tenantId) => "tr_" + tenantId.ToString("N");

    /// <summary>Double-quotes an identifier for PostgreSQL. Only for names the platform generates or has validated.</summary>
    public static string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Identifiers cannot contain NUL.", nameof(identifier));
        }
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}

/// <summary>Creates (and drops) a tenant's schema and its read-only role.</summary>
public sealed class TenantProvisioner(NpgsqlDataSource dataSource)
{
    public async Task ProvisionAsync(Guid tenantId, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var schema = TenantNames.Quote(TenantNames.Schema(tenantId));
        var role = TenantNames.Quote(TenantNames.ReaderRole(tenantId));
        // NOINHERIT and no rights outside its schema: even SQL that escaped the validator could only read this tenant.
        var sql = $"""
            CREATE SCHEMA {schema};
            CREATE ROLE {role} NOLOGIN NOINHERIT;
            REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
            GRANT USAGE ON SCHEMA {schema} TO {role};
            ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role};
            GRANT {role} TO CURRENT_USER;
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
    }

    public async Task DropAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sql = $"""
            DROP SCHEMA IF EXISTS {TenantNames.Quote(TenantNames.Schema(tenantId))} CASCADE;
            DROP ROLE IF EXISTS {TenantNames.Quote(TenantNames.ReaderRole(tenantId))};
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }
}
