using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>
/// One LISTEN connection per instance for job notifications: wakes idle workers when work is
/// queued, and tells watchers (WatchJob, running jobs awaiting a cancel) that their job changed.
/// Notifications carry only the job id; subscribers re-read the row, so a lost or coalesced
/// notification costs nothing but latency. After a reconnect every subscriber is told to re-read,
/// since notifications sent while the connection was down are gone.
/// </summary>
public sealed class JobEvents(NpgsqlDataSource dataSource, ILogger<JobEvents> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();
    private readonly SemaphoreSlim _workAvailable = new(0, int.MaxValue);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place (tests and start-up can wait for it).</summary>
    public Task Listening => _listening.Task;

    /// <summary>Signals "this job may have changed"; dispose to stop listening.</summary>
    public Subscription Subscribe(Guid jobId)
    {
        var subscription = new Subscription(this, jobId);
        _subscribers.GetOrAdd(jobId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    /// <summary>Waits until work may be queued, or the timeout passes.</summary>
    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) => _workAvailable.WaitAsync(timeout, cancellationToken);

    /// <summary>Wakes a waiting worker (used by this instance right after it enqueues or frees a worker).</summary>
    public void SignalWork() => _workAvailable.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {JobQueue.JobChannel}; LISTEN {JobQueue.QueuedChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (failures > 0)
                {
                    logger.LogInformation("Listening for job events again");
                }
                failures = 0;
                _listening.TrySetResult();
                // Anything sent while we were not listening is lost: everyone re-reads.
                WakeEveryone();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                failures++;
                if (failures == 1)
                {
                    logger.LogWarning("Lost the job event connection ({Reason}); reconnecting", ex.Message);
                }
                WakeEveryone();
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(failures, 6)))), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == JobQueue.QueuedChannel)
        {
            _workAvailable.Release();
        }
        else if (Guid.TryParse(e.Payload, out var jobId) && _subscribers.TryGetValue(jobId, out var subscribers))
        {
            foreach (var subscription in subscribers.Keys)
            {
                subscription.Signal();
            }
        }
    }

    private void WakeEveryone()
    {
        _workAvailable.Release();
        foreach (var subscribers in _subscribers.Values)
        {
            foreach (var subscription in subscribers.Keys)
            {
                subscription.Signal();
            }
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        if (_subscribers.TryGetValue(subscription.JobId, out var subscribers))
        {
            subscribers.TryRemove(subscription, out _);
            if (subscribers.IsEmpty)
            {
                _subscribers.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Subscription, byte>>(subscription.JobId, subscribers));
            }
        }
    }

    public override void Dispose()
    {
        _workAvailable.Dispose();
        base.Dispose();
    }

    /// <summary>A watcher's view: "changed" signals, coalesced.</summary>
    public sealed class Subscription(JobEvents owner, Guid jobId) : IDisposable
    {
        private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public Guid JobId { get; } = jobId;

        internal void Signal() => _signals.Writer.TryWrite(true);

        /// <summary>Waits for the next change signal or the timeout; true when signalled.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                await _signals.Reader.ReadAsync(timeoutSource.Token);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public void Dispose() => owner.Unsubscribe(this);
    }
}
