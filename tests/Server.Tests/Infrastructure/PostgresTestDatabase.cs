using System.Security.Cryptography;
using Npgsql;

namespace AstralytiQ.Server.Tests.Infrastructure;

/// <summary>
/// A fresh database in the test cluster owned by its own application role (LOGIN CREATEROLE, not a
/// superuser), like production's astq_app, so Row Level Security and role grants really apply.
/// Dropped, with its roles (the application role, tenant reader roles, per-tenant query logins), on dispose.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private int _disposed;

    public string Name { get; } = "astq_test_" + Guid.NewGuid().ToString("N")[..16];

    public string RoleName => Name + "_app";

    /// <summary>The application role's connection string; what the server under test uses.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A superuser connection to the same database, for test set-up and inspection only.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdminConnectionString);
        await admin.OpenAsync();
        await ExecuteAsync(admin, $"CREATE ROLE \"{RoleName}\" LOGIN CREATEROLE PASSWORD '{_password}'");
        await ExecuteAsync(admin, $"CREATE DATABASE \"{Name}\" OWNER \"{RoleName}\"");
        var adminBuilder = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdminConnectionString) { Database = Name };
        AdminConnectionString = adminBuilder.ConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = adminBuilder.Host,
            Port = adminBuilder.Port,
            Database = Name,
            Username = RoleName,
            Password = _password,
        }.ConnectionString;
    }

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public NpgsqlDataSource CreateAdminDataSource() => NpgsqlDataSource.Create(AdminConnectionString);

    public async Task DisposeAsync()
    {
        // Idempotent: a test may both 'await using' the database and dispose it in a finally block.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        // The per-tenant query logins the server made are cluster-wide roles recorded inside the database: read them first.
        var queryLogins = await QueryLoginsAsync();
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdminConnectionString);
        await admin.OpenAsync();
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        foreach (var login in queryLogins)
        {
            await ExecuteAsync(admin, $"DROP ROLE IF EXISTS \"{login}\"");
        }
        // Tenant reader roles the application created belong to this test; drop them with its role.
        await using (var roles = new NpgsqlCommand(
            "SELECT quote_ident(r.rolname) FROM pg_roles r JOIN pg_auth_members m ON m.roleid = r.oid JOIN pg_roles app ON app.oid = m.member WHERE app.rolname = @app AND r.rolname LIKE 'tr\\_%'", admin))
        {
            roles.Parameters.AddWithValue("app", RoleName);
            var names = new List<string>();
            await using (var reader = await roles.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    names.Add(reader.GetString(0));
                }
            }
            foreach (var name in names)
            {
                await ExecuteAsync(admin, $"DROP ROLE IF EXISTS {name}");
            }
        }
        await ExecuteAsync(admin, $"DROP ROLE IF EXISTS \"{RoleName}\"");
    }

    private async Task<List<string>> QueryLoginsAsync()
    {
        var logins = new List<string>();
        if (AdminConnectionString.Length == 0)
        {
            return logins;
        }
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var find = new NpgsqlCommand("SELECT role_name FROM app.query_logins WHERE to_regclass('app.query_logins') IS NOT NULL", admin);
        try
        {
            await using var reader = await find.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                logins.Add(reader.GetString(0));
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // Not migrated that far (a test that never started a server).
        }
        return logins;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
