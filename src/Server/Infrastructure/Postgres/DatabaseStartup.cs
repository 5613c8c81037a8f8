using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Postgres;

/// <summary>
/// Runs before the server starts listening: waits for PostgreSQL (up to Postgres:StartupTimeout)
/// and applies pending migrations, so no request ever meets an old schema.
/// </summary>
public sealed class DatabaseStartup(MigrationRunner migrations, IOptions<PostgresOptions> options, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStart)
        {
            return;
        }
        var deadline = DateTime.UtcNow + options.Value.StartupTimeout;
        var attempt = 0;
        while (true)
        {
            try
            {
                await migrations.MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (IsUnreachable(ex) && DateTime.UtcNow < deadline)
            {
                attempt++;
                logger.LogWarning("PostgreSQL is not reachable yet ({Reason}); retrying (attempt {Attempt})", ex.Message, attempt);
                NpgsqlConnection.ClearAllPools();
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool IsUnreachable(Exception ex) =>
        ex is NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException
        || (ex is PostgresException pg && pg.SqlState is "57P03" /* cannot_connect_now: starting up */);
}
