using System.Diagnostics;
using AstralytiQ.Server.Infrastructure.Redis;
using static AstralytiQ.Server.Tests.Redis.RedisTestClient;

namespace AstralytiQ.Server.Tests.Redis;

public sealed class RedisPipeliningTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisConnection _connection = Connect(redis.Server.Endpoint);

    private IRedisDatabase Db => _connection.GetDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _connection.DisposeAsync().AsTask();

    [Fact]
    public async Task Ten_thousand_concurrent_increments_each_get_a_distinct_count_and_the_total_is_exact()
    {
        var key = UniqueKey("counter");

        var perTask = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            var seen = new List<long>(200);
            var inFlight = Enumerable.Range(0, 200).Select(_ => Db.StringIncrementAsync(key)).ToArray();
            foreach (var increment in inFlight)
            {
                seen.Add(await increment);
            }

            return seen;
        })));

        // Each reply went to exactly one caller: together they are 1..10000 with no repeats.
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), perTask.SelectMany(s => s).Order());
        Assert.Equal(10_000, (long)await Db.StringGetAsync(key));
    }

    [Fact]
    public async Task Concurrent_gets_of_distinct_keys_each_return_their_own_value()
    {
        var prefix = UniqueKey("own");
        await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Db.StringSetAsync($"{prefix}:{i}", $"value-{i}")));

        var reads = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Task.Run(async () =>
            (Index: i, Value: (string?)await Db.StringGetAsync($"{prefix}:{i}")))));

        Assert.All(reads, r => Assert.Equal($"value-{r.Index}", r.Value));
    }

    [Fact]
    public async Task Many_callers_share_one_connection()
    {
        var clientName = UniqueKey("client");
        await Db.ExecuteAsync("CLIENT", "SETNAME", clientName.Replace(':', '-'));

        await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => Task.Run(() => Db.PingAsync())));

        var clients = (string?)await Db.ExecuteAsync("CLIENT", "LIST");
        Assert.Single(clients!.Split('\n'), line => line.Contains(clientName.Replace(':', '-'), StringComparison.Ordinal));
        Assert.True(_connection.IsConnected);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(50)]
    public async Task Large_value_of_megabytes_round_trips_byte_exact(int megabytes)
    {
        var key = UniqueKey("large");
        var value = new byte[megabytes * 1024 * 1024];
        new Random(megabytes).NextBytes(value);

        Assert.True(await Db.StringSetAsync(key, value));
        var read = (byte[]?)await Db.StringGetAsync(key);

        Assert.NotNull(read);
        Assert.Equal(value.Length, read.Length);
        Assert.True(value.AsSpan().SequenceEqual(read), "The value read back differs from the one written.");
        await Db.KeyDeleteAsync(key);
    }

    [Fact]
    public async Task Small_commands_around_a_large_value_get_their_own_replies()
    {
        var large = UniqueKey("large");
        var small = UniqueKey("small");
        var value = new byte[12 * 1024 * 1024];
        new Random(7).NextBytes(value);
        await Db.StringSetAsync(large, value);
        await Db.StringSetAsync(small, "tiny");

        var before = Db.StringGetAsync(small);
        var big = Db.StringGetAsync(large);
        var after = Enumerable.Range(0, 100).Select(i => Db.ExecuteAsync("ECHO", i)).ToArray();

        Assert.Equal("tiny", (string?)await before);
        var bigValue = (byte[]?)await big;
        Assert.True(value.AsSpan().SequenceEqual(bigValue));
        for (var i = 0; i < after.Length; i++)
        {
            Assert.Equal(i, (int)await after[i]);
        }

        await Db.KeyDeleteAsync(large);
    }

    [Fact]
    public async Task Large_array_reply_arrives_complete_and_in_order()
    {
        var key = UniqueKey("wide-hash");
        var fields = Enumerable.Range(0, 100_000).Select(i => new HashEntry($"field-{i}", $"value-{i}")).ToArray();
        foreach (var chunk in fields.Chunk(10_000))
        {
            await Db.HashSetAsync(key, chunk);
        }

        var started = Stopwatch.StartNew();
        var all = await Db.HashGetAllAsync(key);
        var elapsed = started.Elapsed;

        Assert.Equal(100_000, all.Length);
        Assert.All(all, e => Assert.Equal(((string)e.Name!).Replace("field", "value", StringComparison.Ordinal), (string?)e.Value));
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"HGETALL of 100k fields took {elapsed}.");
        await Db.KeyDeleteAsync(key);
    }
}
