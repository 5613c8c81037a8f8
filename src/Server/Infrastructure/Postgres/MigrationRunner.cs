using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Postgres;

/// <summary>One forward-only migration: an ordered SQL script.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>Where migrations come from; the server's are SQL files embedded in the assembly.</summary>
public interface IMigrationSource
{
    IReadOnlyList<Migration> GetMigrations();
}

/// <summary>Embedded resources named <c>Migrations/NNNN_name.sql</c>.</summary>
public sealed class EmbeddedMigrationSource(Assembly assembly) : IMigrationSource
{
    private const string Prefix = "Migrations/";

    public IReadOnlyList<Migration> GetMigrations()
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            var fileName = resource[Prefix.Length..^4];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(fileName[..separator], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' must be named NNNN_description.sql.");
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new Migration(version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}.");
        }
        return migrations.OrderBy(m => m.Version).ToArray();
    }
}

/// <summary>
/// Applies pending migrations in one transaction under an advisory lock, so servers starting together
/// never race: the first applies, the others wait and then find nothing to do. Start-up against an
/// up-to-date database runs one query and changes nothing. A migration edited after it was applied
/// stops start-up rather than leaving the schema in an unknown state.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, IMigrationSource source, ILogger<MigrationRunner> logger)
{
    // Arbitrary but fixed: the lock key every AstralytiQ server agrees on ("ASTQ" in ASCII).
    private const long AdvisoryLockKey = 0x41535451;

    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = source.GetMigrations();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE SCHEMA IF NOT EXISTS app;
            CREATE TABLE IF NOT EXISTS app.schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            );
            """, transaction: transaction, cancellationToken: cancellationToken));

        var applied = (await connection.QueryAsync<(int Version, string Name, string Checksum)>(new CommandDefinition(
            "SELECT version, name, checksum FROM app.schema_migrations ORDER BY version", transaction: transaction, cancellationToken: cancellationToken)))
            .ToDictionary(m => m.Version);

        foreach (var (version, (_, name, checksum)) in applied)
        {
            var current = migrations.FirstOrDefault(m => m.Version == version);
            if (current is null)
            {
                throw new InvalidOperationException($"The database has migration {version:D4}_{name}, which this server does not know. Is an older server starting against a newer database?");
            }
            if (current.Checksum != checksum)
            {
                throw new InvalidOperationException($"Migration {version:D4}_{name} was changed after it was applied. Migrations are forward-only: add a new one instead.");
            }
        }

        var pending = migrations.Where(m => !applied.ContainsKey(m.Version)).ToArray();
        foreach (var migration in pending)
        {
            logger.LogInformation("Applying migration {Version:D4}_{Name}", migration.Version, migration.Name);
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO app.schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)",
                migration, transaction, cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        if (pending.Length == 0)
        {
            logger.LogInformation("Database schema is up to date ({Count} migrations)", migrations.Count);
        }
        return pending;
    }
}
