using Npgsql;

namespace AstralytiQ.QueryEngine.Tests;

/// <summary>
/// The PostgreSQL the integration tests use: <c>ASTQ_TEST_PG</c> (an Npgsql connection string for a
/// superuser), set by <c>./astq test</c>. Each test creates its own uniquely named database and
/// drops it at the end, so tests never depend on each other or on run order.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "ASTQ_TEST_PG";

    public static string AdminConnectionString
    {
        get
        {
            var cs = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrWhiteSpace(cs))
            {
                Assert.Fail($"{Variable} is not set. These tests need PostgreSQL 15: run them through `./astq test`, which starts a private server and sets {Variable}.");
            }

            return cs!;
        }
    }

    public static async Task<TempDatabase> CreateDatabaseAsync(string prefix)
    {
        var admin = AdminConnectionString;
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false };
        return new TempDatabase(admin, name, builder.ConnectionString);
    }
}

internal sealed class TempDatabase(string adminConnectionString, string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string ConnectionString { get; } = connectionString;

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    public async ValueTask DisposeAsync()
    {
        await using var conn = new NpgsqlConnection(adminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
