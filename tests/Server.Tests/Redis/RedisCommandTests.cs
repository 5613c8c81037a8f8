using System.Text;
using AstralytiQ.Server.Infrastructure.Redis;
using static AstralytiQ.Server.Tests.Redis.RedisTestClient;

namespace AstralytiQ.Server.Tests.Redis;

public sealed class RedisCommandTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisConnection _connection = Connect(redis.Server.Endpoint);

    private IRedisDatabase Db => _connection.GetDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _connection.DisposeAsync().AsTask();

    [Fact]
    public async Task Client_connects_on_first_command_not_on_construction()
    {
        Assert.False(_connection.IsConnected);

        await Db.PingAsync();

        Assert.True(_connection.IsConnected);
    }

    [Fact]
    public async Task Set_then_get_returns_strings_bytes_and_numbers_and_a_missing_key_is_null()
    {
        var text = UniqueKey("text");
        var bytes = UniqueKey("bytes");
        var number = UniqueKey("number");

        Assert.True(await Db.StringSetAsync(text, "héllo ✓ 日本"));
        Assert.True(await Db.StringSetAsync(bytes, new byte[] { 0, 13, 10, 255, 36 }));
        Assert.True(await Db.StringSetAsync(number, 42L));

        Assert.Equal("héllo ✓ 日本", (string?)await Db.StringGetAsync(text));
        Assert.Equal(new byte[] { 0, 13, 10, 255, 36 }, (byte[]?)await Db.StringGetAsync(bytes));
        Assert.Equal(42L, (long)await Db.StringGetAsync(number));
        var missing = await Db.StringGetAsync(UniqueKey("missing"));
        Assert.True(missing.IsNull);
        Assert.Null((string?)missing);
        Assert.Null((long?)missing);
    }

    [Fact]
    public async Task Set_with_expiry_has_a_ttl_that_expire_and_persist_change()
    {
        var key = UniqueKey("ttl");

        await Db.StringSetAsync(key, "v", TimeSpan.FromSeconds(30));
        var ttl = await Db.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));

        Assert.True(await Db.KeyExpireAsync(key, TimeSpan.FromHours(1)));
        Assert.InRange((await Db.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));

        Assert.True(await Db.KeyExpireAsync(key, null));
        Assert.Null(await Db.KeyTimeToLiveAsync(key));
        Assert.Null(await Db.KeyTimeToLiveAsync(UniqueKey("missing")));
        Assert.False(await Db.KeyExpireAsync(UniqueKey("missing"), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Short_expiry_removes_the_key()
    {
        var key = UniqueKey("expires");

        await Db.StringSetAsync(key, "v", TimeSpan.FromMilliseconds(50));
        await Task.Delay(150);

        Assert.False(await Db.KeyExistsAsync(key));
    }

    [Fact]
    public async Task Set_when_not_exists_keeps_the_first_value_and_set_when_exists_needs_the_key()
    {
        var key = UniqueKey("nx");

        Assert.False(await Db.StringSetAsync(key, "x", when: When.Exists));
        Assert.True(await Db.StringSetAsync(key, "first", when: When.NotExists));
        Assert.False(await Db.StringSetAsync(key, "second", when: When.NotExists));
        Assert.True(await Db.StringSetAsync(key, "third", TimeSpan.FromMinutes(1), When.Exists));

        Assert.Equal("third", (string?)await Db.StringGetAsync(key));
    }

    [Fact]
    public async Task Increment_adds_the_amount_and_returns_the_new_value()
    {
        var key = UniqueKey("counter");

        Assert.Equal(1, await Db.StringIncrementAsync(key));
        Assert.Equal(11, await Db.StringIncrementAsync(key, 10));
        Assert.Equal(-89, await Db.StringIncrementAsync(key, -100));
    }

    [Fact]
    public async Task Delete_and_exists_count_single_and_many_keys()
    {
        var a = UniqueKey("a");
        var b = UniqueKey("b");
        var c = UniqueKey("c");
        await Db.StringSetAsync(a, 1);
        await Db.StringSetAsync(b, 2);

        Assert.True(await Db.KeyExistsAsync(a));
        Assert.Equal(2, await Db.KeyExistsAsync([a, b, c]));
        Assert.Equal(2, await Db.KeyDeleteAsync([a, b, c]));
        Assert.False(await Db.KeyDeleteAsync(a));
        Assert.Equal(0, await Db.KeyExistsAsync([a, b]));
        Assert.Equal(0, await Db.KeyDeleteAsync([]));
    }

    [Fact]
    public async Task Hash_fields_set_one_by_one_or_together_read_back()
    {
        var key = UniqueKey("hash");

        await Db.HashSetAsync(key, [new HashEntry("plan", "premium"), new HashEntry("quota", 1000)]);
        Assert.True(await Db.HashSetAsync(key, "region", "eu"));
        Assert.False(await Db.HashSetAsync(key, "region", "us"));
        Assert.False(await Db.HashSetAsync(key, "plan", "free", When.NotExists));

        Assert.Equal("premium", (string?)await Db.HashGetAsync(key, "plan"));
        Assert.Equal(1000, (long)await Db.HashGetAsync(key, "quota"));
        Assert.True((await Db.HashGetAsync(key, "nope")).IsNull);
        var all = (await Db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
        Assert.Equal(new Dictionary<string, string?> { ["plan"] = "premium", ["quota"] = "1000", ["region"] = "us" }, all);
        Assert.Empty(await Db.HashGetAllAsync(UniqueKey("no-hash")));
    }

    [Fact]
    public async Task Script_receives_keys_and_args_and_returns_nested_arrays()
    {
        var key = UniqueKey("script");
        const string script = """
            redis.call('SET', KEYS[1], ARGV[1])
            return { redis.call('GET', KEYS[1]), tonumber(ARGV[2]) * 2, { 'nested', false }, redis.status_reply('FINE') }
            """;

        var result = await Db.ScriptEvaluateAsync(script, [key], ["stored", 21]);

        Assert.Equal(ResultType.Array, result.Type);
        Assert.Equal(4, result.Length);
        Assert.Equal("stored", (string?)result[0]);
        Assert.Equal(42, (long)result[1]);
        Assert.Equal("nested", (string?)result[2][0]);
        Assert.True(result[2][1].IsNull);
        Assert.Equal(ResultType.SimpleString, result[3].Type);
        Assert.Equal("FINE", (string?)result[3]);
    }

    [Fact]
    public async Task Script_runs_again_after_the_server_forgets_it()
    {
        const string script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
        var key = UniqueKey("flush");

        Assert.Equal(5, (long)await Db.ScriptEvaluateAsync(script, [key], [5]));
        await Db.ExecuteAsync("SCRIPT", "FLUSH");

        Assert.Equal(10, (long)await Db.ScriptEvaluateAsync(script, [key], [5]));
        Assert.Equal(15, (long)await Db.ScriptEvaluateAsync(script, [key], [5]));
    }

    [Fact]
    public async Task Script_error_is_a_server_exception()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(
            () => Db.ScriptEvaluateAsync("return redis.error_reply('LIMIT exceeded')"));

        Assert.Equal("LIMIT exceeded", error.Message);
        Assert.Equal("LIMIT", error.ErrorCode);
    }

    [Fact]
    public async Task Wrong_type_is_a_server_exception_and_the_connection_keeps_working()
    {
        var key = UniqueKey("string");
        await Db.StringSetAsync(key, "plain");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => Db.HashGetAsync(key, "field"));

        Assert.StartsWith("WRONGTYPE", error.Message, StringComparison.Ordinal);
        Assert.Equal("WRONGTYPE", error.ErrorCode);
        Assert.Equal("plain", (string?)await Db.StringGetAsync(key));
        Assert.True(_connection.IsConnected);
    }

    [Fact]
    public async Task Unknown_command_is_a_server_exception_and_the_connection_keeps_working()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(() => Db.ExecuteAsync("NOSUCHCOMMAND", "x"));

        Assert.Contains("unknown command", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ERR", error.ErrorCode);
        await Db.PingAsync();
    }

    [Fact]
    public async Task Errors_in_a_pipeline_reach_only_their_own_callers()
    {
        var text = UniqueKey("text");
        await Db.StringSetAsync(text, "not a number");

        var calls = Enumerable.Range(0, 300).Select(i => i % 3 == 0
            ? Db.StringIncrementAsync(text).ContinueWith(t => t.Exception?.InnerException is RedisServerException ? "error" : (string?)"wrong")
            : Db.ExecuteAsync("ECHO", $"echo-{i}").ContinueWith(t => (string?)t.Result)).ToArray();
        var results = await Task.WhenAll(calls);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 3 == 0 ? "error" : $"echo-{i}", results[i]);
        }
    }

    [Fact]
    public async Task Ping_measures_latency_and_publish_counts_subscribers()
    {
        var latency = await Db.PingAsync();

        Assert.InRange(latency, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(0, await Db.PublishAsync(RedisChannel.Literal(UniqueKey("channel")), "hello"));
    }

    [Fact]
    public async Task Execute_reads_null_elements_integers_and_dictionaries()
    {
        var a = UniqueKey("a");
        await Db.StringSetAsync(a, "1");

        var values = (RedisValue[]?)await Db.ExecuteAsync("MGET", a, new RedisKey(UniqueKey("missing")));
        var config = (await Db.ExecuteAsync("CONFIG", "GET", "appendonly")).ToDictionary();
        var length = await Db.ExecuteAsync("STRLEN", (RedisKey)a);

        Assert.Equal(["1", RedisValue.Null], values!);
        Assert.Equal("no", (string?)config["appendonly"]);
        Assert.Equal(ResultType.Integer, length.Type);
        Assert.Equal(1, (int)length);
    }

    [Fact]
    public async Task Execute_refuses_commands_that_would_change_the_shared_connection()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Db.ExecuteAsync("SELECT", 2));
        await Assert.ThrowsAsync<ArgumentException>(() => Db.ExecuteAsync("subscribe", "news"));
        await Assert.ThrowsAsync<ArgumentException>(() => Db.ExecuteAsync("CLIENT", "REPLY", "OFF"));
        await Assert.ThrowsAsync<ArgumentException>(() => Db.ExecuteAsync("ECHO", new object()));

        Assert.Equal("still fine", (string?)await Db.ExecuteAsync("ECHO", "still fine"));
    }

    [Fact]
    public async Task Long_strings_and_binary_values_keep_every_byte()
    {
        var key = UniqueKey("long-text");
        var text = string.Concat(Enumerable.Repeat("Zürich → 東京 ✓ ", 20_000));

        await Db.StringSetAsync(key, text);

        Assert.Equal(text, (string?)await Db.StringGetAsync(key));
        Assert.Equal(Encoding.UTF8.GetByteCount(text), (long)await Db.ExecuteAsync("STRLEN", key));
    }
}
