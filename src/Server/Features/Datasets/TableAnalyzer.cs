using System.Threading.Channels;
using AstralytiQ.Server.Infrastructure.Postgres;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>
/// Gathers planner statistics (ANALYZE) for freshly published dataset tables in the background, one
/// table at a time, so an upload is not kept waiting for them: the profile users see is computed
/// while loading, and ANALYZE only helps PostgreSQL plan later queries. A table not analysed here
/// (the server stopped first, ANALYZE failed) is still picked up by autovacuum.
/// </summary>
public sealed class TableAnalyzer(TenantDatabase database, ILogger<TableAnalyzer> logger) : BackgroundService
{
    private readonly Channel<string> _tables = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a table, given as its already-quoted qualified name.</summary>
    public void Enqueue(string qualifiedTable) => _tables.Writer.TryWrite(qualifiedTable);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var table in _tables.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await using var connection = await database.DataSource.OpenConnectionAsync(stoppingToken);
                    await using var analyze = new NpgsqlCommand($"ANALYZE {table}", connection);
                    await analyze.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
                {
                    // Deleted or replaced meanwhile: nothing to plan for.
                }
                catch (NpgsqlException ex)
                {
                    logger.LogWarning("ANALYZE of {Table} failed; autovacuum will gather its statistics: {Reason}", table, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
