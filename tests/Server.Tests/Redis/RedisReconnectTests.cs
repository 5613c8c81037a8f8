using AstralytiQ.Server.Infrastructure.Redis;
using static AstralytiQ.Server.Tests.Redis.RedisTestClient;

namespace AstralytiQ.Server.Tests.Redis;

/// <summary>Kills and restarts its own redis-server; tests in a class run one at a time.</summary>
[Collection(RedisTimingCollection.Name)]
public sealed class RedisReconnectTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1);

    private readonly CapturingLogger<RedisConnection> _log = new();
    private RedisConnection _connection = null!;

    private IRedisDatabase Db => _connection.GetDatabase();

    public async Task InitializeAsync()
    {
        if (!redis.Server.IsRunning)
        {
            await redis.Server.StartAsync();
        }

        _connection = Connect(redis.Server.Endpoint, logger: _log);
    }

    public Task DisposeAsync() => _connection.DisposeAsync().AsTask();

    [Fact]
    public async Task Killing_redis_fails_in_flight_commands_promptly_and_the_same_client_recovers_after_restart()
    {
        await using var admin = Connect(redis.Server.Endpoint);
        var key = UniqueKey("survivor");
        await Db.StringSetAsync(key, "before");

        // Hold replies back so that commands are truly in flight when Redis dies.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", 5_000, "ALL");
        var inFlight = Enumerable.Range(0, 20).Select(_ => Db.StringGetAsync(key)).ToArray();
        await Task.Delay(50);
        Assert.All(inFlight, t => Assert.False(t.IsCompleted));
        await redis.Server.KillAsync();

        foreach (var command in inFlight)
        {
            var (error, elapsed) = await FailureOfAsync(() => command);
            Assert.IsType<RedisConnectionException>(error);
            Assert.True(elapsed < Prompt, $"An in-flight command took {elapsed} to fail.");
        }

        var (next, nextElapsed) = await FailureOfAsync(() => Db.StringGetAsync(key));
        Assert.IsType<RedisConnectionException>(next);
        Assert.True(nextElapsed < Prompt, $"A command issued while Redis was down took {nextElapsed} to fail.");
        Assert.False(_connection.IsConnected);

        await redis.Server.StartAsync();
        await WaitUntilConnectedAsync(_connection);

        Assert.True(_connection.IsConnected);
        Assert.True((await Db.StringGetAsync(key)).IsNull); // a fresh server without persistence
        await Db.StringSetAsync(key, "after");
        Assert.Equal("after", (string?)await Db.StringGetAsync(key));
        Assert.Contains(_log.Lines, l => l.StartsWith("Warning: Lost the connection to Redis", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.StartsWith("Information: Reconnected to Redis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commands_while_redis_is_down_fail_fast_every_time()
    {
        await Db.PingAsync();
        await redis.Server.KillAsync();
        await Task.Delay(100);

        for (var i = 0; i < 20; i++)
        {
            var (error, elapsed) = await FailureOfAsync(() => Db.StringIncrementAsync("counter"));
            var connectionError = Assert.IsType<RedisConnectionException>(error);
            Assert.Contains(redis.Server.Endpoint, connectionError.Message, StringComparison.Ordinal);
            Assert.True(elapsed < TimeSpan.FromMilliseconds(200), $"Failing took {elapsed}.");
        }

        await redis.Server.StartAsync();
        await WaitUntilConnectedAsync(_connection);
        Assert.Equal(1, await Db.StringIncrementAsync(UniqueKey("counter")));
    }

    [Fact]
    public async Task Connection_closed_by_the_server_is_reestablished_in_the_background()
    {
        await using var admin = Connect(redis.Server.Endpoint);
        await Db.PingAsync();
        var before = (long)await Db.ExecuteAsync("CLIENT", "ID");

        await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "ID", before);
        await WaitUntilConnectedAsync(_connection);

        Assert.NotEqual(before, (long)await Db.ExecuteAsync("CLIENT", "ID"));
    }

    [Fact]
    public async Task Client_created_while_redis_is_down_starts_without_error_and_connects_once_redis_is_up()
    {
        await using var later = new RedisServerProcess();
        await using var client = Connect(later.Endpoint, logger: _log);

        Assert.False(client.IsConnected);
        var (error, elapsed) = await FailureOfAsync(() => client.GetDatabase().PingAsync());
        Assert.IsType<RedisConnectionException>(error);
        Assert.Contains("Could not connect", error.Message, StringComparison.Ordinal);
        Assert.True(elapsed < Prompt, $"The first command took {elapsed} to fail.");

        await later.StartAsync();
        await WaitUntilConnectedAsync(client);

        Assert.True(await client.GetDatabase().StringSetAsync(UniqueKey("late"), "ok"));
    }

    [Fact]
    public async Task Dispose_fails_pending_commands_and_refuses_new_ones()
    {
        var client = Connect(redis.Server.Endpoint);
        await client.GetDatabase().PingAsync();

        // BLPOP on an empty list holds this connection's replies back without pausing Redis.
        var blocked = client.GetDatabase().ExecuteAsync("BLPOP", UniqueKey("empty"), 5);
        var pending = client.GetDatabase().StringGetAsync("anything");
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);

        await client.DisposeAsync();

        foreach (var command in new Task[] { blocked, pending })
        {
            var (error, elapsed) = await FailureOfAsync(() => command);
            Assert.IsType<RedisConnectionException>(error);
            Assert.Contains("disposed", error.Message, StringComparison.Ordinal);
            Assert.True(elapsed < Prompt);
        }

        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetDatabase().PingAsync());
    }
}
