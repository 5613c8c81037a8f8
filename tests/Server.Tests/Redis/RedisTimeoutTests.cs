using System.Diagnostics;
using AstralytiQ.Server.Infrastructure.Redis;
using static AstralytiQ.Server.Tests.Redis.RedisTestClient;

namespace AstralytiQ.Server.Tests.Redis;

/// <summary>
/// Stalls Redis with CLIENT PAUSE from a second client. Each test waits the pause out before it
/// ends (the admin's PING is held until then), so no test inherits another's pause.
/// </summary>
[Collection(RedisTimingCollection.Name)]
public sealed class RedisTimeoutTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Command_to_a_stalled_redis_times_out_and_the_client_recovers_on_a_new_connection()
    {
        await using var admin = Connect(redis.Server.Endpoint);
        await using var client = Connect(redis.Server.Endpoint, o => o.CommandTimeout = CommandTimeout);
        var key = UniqueKey("stalled");
        await client.GetDatabase().StringSetAsync(key, "value");
        var firstId = (long)await client.GetDatabase().ExecuteAsync("CLIENT", "ID");

        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", 1_500, "ALL");
        var (error, elapsed) = await FailureOfAsync(() => client.GetDatabase().StringGetAsync(key));

        var timeout = Assert.IsType<RedisTimeoutException>(error);
        Assert.Contains("GET", timeout.Message, StringComparison.Ordinal);
        Assert.InRange(elapsed, CommandTimeout, CommandTimeout * 4);

        await WaitUntilConnectedAsync(client);
        Assert.Equal("value", (string?)await client.GetDatabase().StringGetAsync(key));
        Assert.NotEqual(firstId, (long)await client.GetDatabase().ExecuteAsync("CLIENT", "ID"));
        await admin.GetDatabase().PingAsync();
    }

    [Fact]
    public async Task Every_command_in_flight_on_a_timed_out_connection_fails_promptly_instead_of_hanging()
    {
        await using var admin = Connect(redis.Server.Endpoint);
        await using var client = Connect(redis.Server.Endpoint, o => o.CommandTimeout = CommandTimeout);
        await client.GetDatabase().PingAsync();

        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", 1_500, "ALL");
        var started = Stopwatch.StartNew();
        var commands = Enumerable.Range(0, 50).Select(i => client.GetDatabase().ExecuteAsync("ECHO", i)).ToArray();
        var outcomes = await Task.WhenAll(commands.Select(c => FailureOfAsync(() => c)));

        Assert.All(outcomes, o => Assert.True(o.Error is RedisTimeoutException or RedisConnectionException, o.Error.ToString()));
        Assert.True(started.Elapsed < CommandTimeout * 4, $"Failing all in-flight commands took {started.Elapsed}.");

        await WaitUntilConnectedAsync(client);
        Assert.Equal("back", (string?)await client.GetDatabase().ExecuteAsync("ECHO", "back"));
        await admin.GetDatabase().PingAsync();
    }

    [Fact]
    public async Task Connecting_to_a_stalled_redis_waits_up_to_the_connect_timeout_not_the_command_timeout()
    {
        await using var admin = Connect(redis.Server.Endpoint);
        await using var client = Connect(redis.Server.Endpoint, o => o.CommandTimeout = CommandTimeout);
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", 800, "ALL");

        var latency = await client.GetDatabase().PingAsync();

        Assert.True(latency > CommandTimeout, $"PING answered in {latency}, before the pause could have ended.");
        Assert.True(client.IsConnected);
        await admin.GetDatabase().PingAsync();
    }
}
