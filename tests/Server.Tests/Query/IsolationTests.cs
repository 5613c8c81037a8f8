using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Query;
using AstralytiQ.Server.Infrastructure.Postgres;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AstralytiQ.Server.Tests.Query;

/// <summary>
/// What stops a query from reading another tenant's rows or writing anything: the validator first,
/// and behind it PostgreSQL itself. The database tests run SQL the validator would never pass
/// directly in the transaction a query runs in, to show the database refuses it on its own.
/// </summary>
public sealed class IsolationTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    private QueryExecutor Executor => fixture.Server.Services.GetRequiredService<QueryExecutor>();

    private QueryLimits Limits => fixture.Server.Services.GetRequiredService<SqlRunner>().Limits;

    [Fact]
    public async Task A_tenant_cannot_see_another_tenants_table_even_by_its_physical_name()
    {
        var adminA = await fixture.SignUpAsync();
        var adminB = await fixture.SignUpAsync();
        var sales = await fixture.Datasets.CreateSalesAsync(adminA.TenantId);
        await fixture.Datasets.CreateSalesAsync(adminB.TenantId, rows: 3, sqlName: "mine");

        var byName = await Assert.ThrowsAsync<RpcException>(() => adminB.RunAsync("SELECT * FROM sales"));
        var byPhysicalName = await Assert.ThrowsAsync<RpcException>(() => adminB.RunAsync($"SELECT * FROM {sales.PhysicalSchema}.{sales.PhysicalTable}"));
        var quoted = await Assert.ThrowsAsync<RpcException>(() => adminB.RunAsync($"SELECT * FROM \"{sales.PhysicalSchema}\".\"{sales.PhysicalTable}\""));
        var inSubquery = await Assert.ThrowsAsync<RpcException>(() => adminB.RunAsync($"SELECT (SELECT count(*) FROM {sales.PhysicalSchema}.{sales.PhysicalTable}) FROM mine"));

        Assert.Equal(SqlErrorCode.UnknownTable, byName.SqlErrors().Errors[0].Code);
        Assert.Contains("mine", byName.SqlErrors().Errors[0].Message, StringComparison.Ordinal);
        Assert.All([byPhysicalName, quoted, inSubquery], e => Assert.Equal(SqlErrorCode.SchemaNotAllowed, e.SqlErrors().Errors[0].Code));
        var tables = await fixture.Query.ListQueryTablesAsync(new ListQueryTablesRequest(), adminB.Headers);
        Assert.Equal(["mine"], tables.Tables.Select(t => t.Name));
    }

    [Fact]
    public async Task Inside_a_query_transaction_postgres_refuses_other_tenants_tables_and_role_changes()
    {
        var adminA = await fixture.SignUpAsync();
        var adminB = await fixture.SignUpAsync();
        var sales = await fixture.Datasets.CreateSalesAsync(adminA.TenantId);
        var qualified = $"\"{sales.PhysicalSchema}\".\"{sales.PhysicalTable}\"";

        var direct = await RefusedInQueryTransactionAsync(adminB.TenantId, $"SELECT count(*) FROM {qualified}");
        var afterReset = await RefusedInQueryTransactionAsync(adminB.TenantId, $"RESET ROLE; SELECT count(*) FROM {qualified}");
        var setOther = await RefusedInQueryTransactionAsync(adminB.TenantId, $"SET ROLE {TenantNames.Quote(TenantNames.ReaderRole(adminA.TenantId))}");
        var appTables = await RefusedInQueryTransactionAsync(adminB.TenantId, "RESET ROLE; SELECT count(*) FROM app.users");

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, direct.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, afterReset.SqlState);
        // The query login is a member of its own tenant's reader role only.
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, setOther.SqlState);
        Assert.Contains("permission denied to set role", setOther.MessageText, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, appTables.SqlState);
    }

    [Fact]
    public async Task Inside_a_query_transaction_postgres_refuses_every_write()
    {
        var admin = await fixture.SignUpAsync();
        var sales = await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        var qualified = $"\"{sales.PhysicalSchema}\".\"{sales.PhysicalTable}\"";

        var insert = await RefusedInQueryTransactionAsync(admin.TenantId, $"INSERT INTO {qualified} (id) VALUES (1000)");
        var delete = await RefusedInQueryTransactionAsync(admin.TenantId, $"DELETE FROM {qualified}");
        var create = await RefusedInQueryTransactionAsync(admin.TenantId, "CREATE TABLE stolen (x int)");
        var temp = await RefusedInQueryTransactionAsync(admin.TenantId, "CREATE TEMP TABLE scratch (x int)");
        var resetThenDrop = await RefusedInQueryTransactionAsync(admin.TenantId, $"RESET ROLE; DROP TABLE {qualified}");
        // READ ONLY cannot be undone: the set-up already took the transaction's first snapshot.
        var readWrite = await RefusedInQueryTransactionAsync(admin.TenantId, $"SET TRANSACTION READ WRITE; INSERT INTO {qualified} (id) VALUES (1000)");

        Assert.All([insert, delete, create, temp, resetThenDrop], e => Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, e.SqlState));
        Assert.Equal(PostgresErrorCodes.ActiveSqlTransaction, readWrite.SqlState);
        Assert.Equal(100L, await CountAsync(qualified));
    }

    [Fact]
    public async Task Even_a_read_write_transaction_on_the_query_login_cannot_write_or_escape()
    {
        // No READ ONLY at all, to show the roles alone hold: the query login has no privileges of its
        // own, and the reader role it may become can only SELECT.
        var admin = await fixture.SignUpAsync();
        var sales = await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        var qualified = $"\"{sales.PhysicalSchema}\".\"{sales.PhysicalTable}\"";
        var reader = TenantNames.Quote(TenantNames.ReaderRole(admin.TenantId));
        var connections = fixture.Server.Services.GetRequiredService<QueryConnections>();

        async Task<PostgresException> RefusedAsync(string sql)
        {
            await using var connection = await connections.OpenAsync(admin.TenantId, CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand($"SET TRANSACTION READ WRITE; {sql}", connection, transaction);
            return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        }

        var asReader = await RefusedAsync($"SET LOCAL ROLE {reader}; INSERT INTO {qualified} (id) VALUES (1000)");
        var asReaderCreate = await RefusedAsync($"SET LOCAL ROLE {reader}; CREATE TABLE \"{sales.PhysicalSchema}\".stolen (x int)");
        var asLogin = await RefusedAsync($"INSERT INTO {qualified} (id) VALUES (1000)");
        var asLoginRead = await RefusedAsync($"SELECT count(*) FROM {qualified}");
        // A reader cannot grant itself more: PostgreSQL only warns "no privileges were granted", and the write still fails.
        var grantSelf = await RefusedAsync($"SET LOCAL ROLE {reader}; GRANT INSERT ON {qualified} TO {reader}; INSERT INTO {qualified} (id) VALUES (1000)");

        Assert.All([asReader, asReaderCreate, asLogin, asLoginRead, grantSelf], e => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState));
        Assert.Equal(100L, await CountAsync(qualified));
    }

    [Fact]
    public async Task The_query_login_is_a_login_role_with_no_privileges_of_its_own()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        await admin.RunAsync("SELECT count(*) FROM sales");

        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT r.rolcanlogin, r.rolinherit, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
                   array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid),
                   (SELECT rolpassword FROM pg_authid WHERE rolname = r.rolname),
                   (SELECT password FROM app.query_logins WHERE role_name = r.rolname)
            FROM pg_roles r WHERE r.rolname = @login
            """, connection);
        command.Parameters.AddWithValue("login", QueryRoles.Login(admin.TenantId));
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.True(reader.GetBoolean(0));
        Assert.False(reader.GetBoolean(1));
        Assert.False(reader.GetBoolean(2) || reader.GetBoolean(3) || reader.GetBoolean(4) || reader.GetBoolean(5));
        Assert.Equal([TenantNames.ReaderRole(admin.TenantId)], (string[])reader.GetValue(6));
        // PostgreSQL holds only a SCRAM verifier; the password itself lives in app.query_logins, random and long.
        Assert.StartsWith("SCRAM-SHA-256$4096:", reader.GetString(7), StringComparison.Ordinal);
        Assert.True(reader.GetString(8).Length >= 43);
        Assert.DoesNotContain(reader.GetString(8), reader.GetString(7), StringComparison.Ordinal);
        var users = await Executor.InQueryTransactionAsync(admin.TenantId, Limits, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("SELECT current_user, session_user, current_setting('transaction_read_only'), current_setting('search_path')", connection, transaction);
            await using var row = await command.ExecuteReaderAsync();
            await row.ReadAsync();
            return (row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3));
        }, CancellationToken.None);
        Assert.Equal((TenantNames.ReaderRole(admin.TenantId), QueryRoles.Login(admin.TenantId), "on", TenantNames.Schema(admin.TenantId)), users);
    }

    [Fact]
    public async Task Without_isolated_logins_queries_still_run_under_the_reader_role_on_the_application_connection()
    {
        // The fallback for clusters whose pg_hba.conf cannot admit the query logins: weaker (RESET ROLE
        // leads back to the application role), so it is off by default and this shows what it does.
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 5);
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Query:IsolatedLogin"] = "false" });
        var executor = server.Services.GetRequiredService<QueryExecutor>();
        var limits = server.Services.GetRequiredService<SqlRunner>().Limits;

        var response = await new QueryService.QueryServiceClient(server.Channel).RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales" }, admin.Headers);
        var users = await executor.InQueryTransactionAsync(admin.TenantId, limits, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("SELECT current_user, session_user", connection, transaction);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (Current: reader.GetString(0), Session: reader.GetString(1));
        }, CancellationToken.None);

        Assert.Equal(5, response.Rows[0].Values[0].Int64Value);
        Assert.Equal(TenantNames.ReaderRole(admin.TenantId), users.Current);
        Assert.Equal(fixture.Database.RoleName, users.Session);
    }

    private async Task<PostgresException> RefusedInQueryTransactionAsync(Guid tenantId, string sql) =>
        await Assert.ThrowsAsync<PostgresException>(() => Executor.InQueryTransactionAsync(tenantId, Limits, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            return await command.ExecuteNonQueryAsync();
        }, CancellationToken.None));

    private async Task<long> CountAsync(string qualified)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {qualified}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
