using AstralytiQ.Server.Infrastructure.Redis;
using static AstralytiQ.Server.Tests.Redis.RedisTestClient;

namespace AstralytiQ.Server.Tests.Redis;

public sealed class PasswordProtectedRedisFixture() : RedisServerFixture(["--requirepass", PasswordProtectedRedisFixture.Password])
{
    public const string Password = "s3cret-Pa55word";
}

public sealed class RedisAuthTests(PasswordProtectedRedisFixture redis) : IClassFixture<PasswordProtectedRedisFixture>
{
    private string Endpoint => redis.Server.Endpoint;

    [Fact]
    public async Task Correct_password_authenticates()
    {
        await using var client = Connect(Endpoint, o => o.Password = PasswordProtectedRedisFixture.Password);

        await client.GetDatabase().StringSetAsync(UniqueKey("auth"), "ok");

        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Wrong_password_fails_with_a_clear_connection_error_that_never_shows_the_password()
    {
        var log = new CapturingLogger<RedisConnection>();
        const string wrong = "not-the-Pa55word";
        await using var client = Connect(Endpoint, o => o.Password = wrong, log);

        var first = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetDatabase().PingAsync());
        var again = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetDatabase().PingAsync());

        Assert.Contains("refused AUTH", first.Message, StringComparison.Ordinal);
        Assert.Contains("WRONGPASS", first.Message, StringComparison.Ordinal);
        Assert.IsType<RedisServerException>(first.InnerException?.InnerException);
        Assert.Contains("WRONGPASS", again.Message, StringComparison.Ordinal);
        Assert.Contains(log.Lines, l => l.Contains("WRONGPASS", StringComparison.Ordinal));
        Assert.DoesNotContain(wrong, first.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_password_fails_with_noauth()
    {
        await using var client = Connect(Endpoint);

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetDatabase().PingAsync());

        Assert.Contains("NOAUTH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_and_database_are_sent_again_after_a_reconnect()
    {
        await using var admin = Connect(Endpoint, o => o.Password = PasswordProtectedRedisFixture.Password);
        await using var client = Connect(Endpoint, o =>
        {
            o.Password = PasswordProtectedRedisFixture.Password;
            o.Database = 5;
        });
        var key = UniqueKey("db5");
        await client.GetDatabase().StringSetAsync(key, "in five");
        Assert.Equal(5, client.GetDatabase().Database);
        Assert.True((await admin.GetDatabase().StringGetAsync(key)).IsNull);

        var id = (long)await client.GetDatabase().ExecuteAsync("CLIENT", "ID");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "ID", id);
        await WaitUntilConnectedAsync(client);

        Assert.NotEqual(id, (long)await client.GetDatabase().ExecuteAsync("CLIENT", "ID"));
        Assert.Equal("in five", (string?)await client.GetDatabase().StringGetAsync(key));
    }
}
