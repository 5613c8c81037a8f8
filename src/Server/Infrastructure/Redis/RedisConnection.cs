using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// The shared connection. It connects on first use (so start-up never waits on Redis), and a
/// background supervisor keeps it connected: when the socket drops, in-flight commands fail at
/// once, the supervisor reconnects with exponential backoff and jitter (re-sending AUTH and
/// SELECT), and commands issued meanwhile fail fast instead of queueing. Only the very first
/// command waits, for the first connection attempt.
/// </summary>
public sealed class RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger) : IRedisConnection
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(50);

    private readonly RedisOptions _options = Validated(options.Value);
    private readonly CancellationTokenSource _disposing = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RedisEndpoint _endpoint = RedisEndpoint.Parse(options.Value.Endpoint);
    private RedisPhysicalConnection? _current;
    private RedisDatabase? _database;
    private Task? _supervisor;
    private int _started;
    private int _disposed;
    private volatile Exception? _lastFailure;

    public bool IsConnected => Volatile.Read(ref _current) is { IsOpen: true };

    internal string Endpoint => _endpoint.ToString();

    public IRedisDatabase GetDatabase() => _database ??= new RedisDatabase(this, _options.Database);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        var current = Volatile.Read(ref _current);
        current?.Close("the Redis client was disposed");
        _firstAttempt.TrySetResult();
        if (Volatile.Read(ref _supervisor) is { } supervisor)
        {
            await supervisor.ConfigureAwait(false);
        }

        if (current is not null)
        {
            await current.Completion.ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal Task<RedisResult> ExecuteAsync(string command, RedisValue[] args)
    {
        if (Volatile.Read(ref _disposed) == 0 && Volatile.Read(ref _current) is { IsOpen: true } connection)
        {
            return connection.SendAsync(new PendingCommand(command, args));
        }

        return ExecuteWhileDisconnectedAsync(command, args);
    }

    private async Task<RedisResult> ExecuteWhileDisconnectedAsync(string command, RedisValue[] args)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EnsureStarted();

        // Only the first attempt is waited for; after that, "not connected" is answered at once
        // so that callers can fall back rather than pile up behind an outage.
        await _firstAttempt.Task.ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _current) is not { IsOpen: true } connection)
        {
            var lastFailure = _lastFailure;
            throw new RedisConnectionException(
                $"Not connected to Redis at {Endpoint}; reconnecting in the background. Last failure: {lastFailure?.Message ?? "none"}",
                lastFailure);
        }

        return await connection.SendAsync(new PendingCommand(command, args)).ConfigureAwait(false);
    }

    private void EnsureStarted()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            Volatile.Write(ref _supervisor, Task.Run(SuperviseAsync));
        }
    }

    private async Task SuperviseAsync()
    {
        var stopping = _disposing.Token;
        var state = new SupervisorState();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await ConnectAndHoldAsync(state, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A bug here must not leave the process without Redis for good.
                logger.LogError(ex, "The Redis connection supervisor for {Endpoint} failed; restarting it", Endpoint);
                _firstAttempt.TrySetResult();
                await Task.Delay(_options.MaxReconnectDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>One connection attempt and, when it succeeds, the connection's lifetime.</summary>
    private async Task ConnectAndHoldAsync(SupervisorState state, CancellationToken stopping)
    {
        RedisPhysicalConnection connection;
        try
        {
            connection = await RedisPhysicalConnection.ConnectAsync(_endpoint, _options, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            state.Failures++;
            _lastFailure = ex;
            if (state.Failures == 1)
            {
                logger.LogWarning("Could not connect to Redis at {Endpoint}: {Reason} Retrying in the background.", Endpoint, ex.Message);
            }
            else
            {
                logger.LogDebug("Attempt {Attempt} to connect to Redis at {Endpoint} failed: {Reason}", state.Failures, Endpoint, ex.Message);
            }

            _firstAttempt.TrySetResult();
            await Task.Delay(NextDelay(state.Failures), stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }

        // A full fence between publishing the connection and checking for disposal, so that
        // either this loop or DisposeAsync sees the other and closes it.
        Interlocked.Exchange(ref _current, connection);
        if (stopping.IsCancellationRequested)
        {
            connection.Close("the Redis client was disposed");
            await connection.Completion.ConfigureAwait(false);
            return;
        }

        _firstAttempt.TrySetResult();
        if (state.LostAt is { } since)
        {
            logger.LogInformation(
                "Reconnected to Redis at {Endpoint} after {DowntimeMs} ms",
                Endpoint,
                (long)Stopwatch.GetElapsedTime(since).TotalMilliseconds);
        }
        else
        {
            logger.LogInformation("Connected to Redis at {Endpoint}", Endpoint);
        }

        state.Failures = 0;
        state.LostAt = null;
        var closed = await connection.Completion.ConfigureAwait(false);
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        // The first reconnect attempt follows at once: a dropped socket often means nothing worse.
        state.LostAt = Stopwatch.GetTimestamp();
        _lastFailure = closed;
        logger.LogWarning("Lost the connection to Redis at {Endpoint}: {Reason} Reconnecting.", Endpoint, closed.Message);
    }

    private TimeSpan NextDelay(int failures)
    {
        var exponential = FirstReconnectDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = exponential < _options.MaxReconnectDelay ? exponential : _options.MaxReconnectDelay;

        // Jitter keeps several server instances from reconnecting in lock step.
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private sealed class SupervisorState
    {
        public int Failures { get; set; }

        public long? LostAt { get; set; }
    }

    private static RedisOptions Validated(RedisOptions value)
    {
        RedisOptionsValidator.ThrowIfInvalid(value);
        return value;
    }
}
