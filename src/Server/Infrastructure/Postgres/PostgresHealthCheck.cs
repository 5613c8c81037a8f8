using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Postgres;

/// <summary>Readiness: PostgreSQL answers a trivial query within a short time.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy($"answered in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // A restarted server leaves dead connections in the pool; drop them so recovery is immediate.
            NpgsqlConnection.ClearAllPools();
            var reason = ex is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:F0} s" : Describe(ex);
            return HealthCheckResult.Unhealthy(reason);
        }
    }

    private static string Describe(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException socket)
            {
                return socket.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused ? "connection refused" : socket.Message;
            }
            if (inner is PostgresException postgres)
            {
                return $"{postgres.SqlState}: {postgres.MessageText}";
            }
        }
        return ex.Message;
    }
}
