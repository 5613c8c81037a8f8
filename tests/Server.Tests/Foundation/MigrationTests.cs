using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace AstralytiQ.Server.Tests.Foundation;

public sealed class MigrationTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Server_migrations_apply_once_and_a_second_start_is_a_no_op()
    {
        await using var dataSource = _database.CreateDataSource();
        var source = new EmbeddedMigrationSource(typeof(MigrationRunner).Assembly);
        var runner = new MigrationRunner(dataSource, source, NullLogger<MigrationRunner>.Instance);

        var first = await runner.MigrateAsync(CancellationToken.None);
        var second = await runner.MigrateAsync(CancellationToken.None);

        Assert.NotEmpty(first);
        Assert.Equal(source.GetMigrations().Select(m => m.Version), first.Select(m => m.Version));
        Assert.Empty(second);
        await using var connection = await dataSource.OpenConnectionAsync();
        var recorded = await connection.QueryAsync<int>("SELECT version FROM app.schema_migrations ORDER BY version");
        Assert.Equal(first.Select(m => m.Version), recorded);
    }

    [Fact]
    public async Task Concurrent_starts_apply_each_migration_exactly_once()
    {
        // A slow migration widens the window in which unsynchronised runners would collide.
        var source = new ListSource(
            new Migration(1, "slow_table", "SELECT pg_sleep(0.3); CREATE TABLE app.race_one (id int PRIMARY KEY);"),
            new Migration(2, "second", "CREATE TABLE app.race_two (id int PRIMARY KEY); INSERT INTO app.race_two VALUES (1);"));
        await using var dataSource = _database.CreateDataSource();

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            new MigrationRunner(dataSource, source, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None))));

        Assert.Equal(2, runs.Sum(r => r.Count));
        Assert.Single(runs, r => r.Count == 2);
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM app.schema_migrations"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM app.race_two"));
    }

    [Fact]
    public async Task Editing_an_applied_migration_stops_start_up_with_its_name()
    {
        await using var dataSource = _database.CreateDataSource();
        await new MigrationRunner(dataSource, new ListSource(new Migration(1, "first", "CREATE TABLE app.edited (id int);")), NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);

        var edited = new MigrationRunner(dataSource, new ListSource(new Migration(1, "first", "CREATE TABLE app.edited (id bigint);")), NullLogger<MigrationRunner>.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => edited.MigrateAsync(CancellationToken.None));

        Assert.Contains("0001_first was changed after it was applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_half_applied()
    {
        await using var dataSource = _database.CreateDataSource();
        var runner = new MigrationRunner(dataSource, new ListSource(
            new Migration(1, "good", "CREATE TABLE app.kept_only_if_all_pass (id int);"),
            new Migration(2, "bad", "CREATE TABLE app.broken (id nonexistent_type);")), NullLogger<MigrationRunner>.Instance);

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => runner.MigrateAsync(CancellationToken.None));

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('app.kept_only_if_all_pass')::text"));
    }

    [Fact]
    public async Task A_database_newer_than_the_server_is_refused()
    {
        await using var dataSource = _database.CreateDataSource();
        await new MigrationRunner(dataSource, new ListSource(new Migration(1, "a", "SELECT 1;"), new Migration(2, "b", "SELECT 1;")), NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);

        var older = new MigrationRunner(dataSource, new ListSource(new Migration(1, "a", "SELECT 1;")), NullLogger<MigrationRunner>.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => older.MigrateAsync(CancellationToken.None));

        Assert.Contains("0002_b", error.Message, StringComparison.Ordinal);
    }

    private sealed class ListSource(params Migration[] migrations) : IMigrationSource
    {
        public IReadOnlyList<Migration> GetMigrations() => migrations;
    }
}
