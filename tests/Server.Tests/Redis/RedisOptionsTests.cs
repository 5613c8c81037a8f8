using AstralytiQ.Server.Infrastructure.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Tests.Redis;

public sealed class RedisOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:6379", "127.0.0.1", 6379)]
    [InlineData("redis.internal:7000", "redis.internal", 7000)]
    [InlineData("localhost", "localhost", 6379)]
    [InlineData("[::1]:6380", "::1", 6380)]
    [InlineData(" cache:1 ", "cache", 1)]
    public void Endpoint_parses_host_and_port(string text, string host, int port)
    {
        Assert.True(RedisEndpoint.TryParse(text, out var endpoint));
        Assert.Equal(new RedisEndpoint(host, port), endpoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:port")]
    [InlineData(":6379")]
    [InlineData("::1")]
    [InlineData("redis://host:6379")]
    [InlineData("user:pass@host:6379")]
    public void Endpoint_that_is_not_host_and_port_is_rejected(string text) =>
        Assert.False(RedisEndpoint.TryParse(text, out _));

    [Theory]
    [InlineData("Endpoint", "", "Redis:Endpoint is required")]
    [InlineData("Endpoint", "localhost:99999", "Redis:Endpoint must be \"host:port\"")]
    [InlineData("Database", "-1", "Redis:Database must be between 0 and 1023")]
    [InlineData("ConnectTimeout", "00:00:00", "Redis:ConnectTimeout must be greater than 0")]
    [InlineData("CommandTimeout", "-00:00:01", "Redis:CommandTimeout must be greater than 0")]
    [InlineData("MaxReconnectDelay", "01:00:00", "Redis:MaxReconnectDelay must be greater than 0 and at most")]
    public void Bad_setting_is_named_in_the_validation_error(string setting, string value, string expected)
    {
        using var services = BuildServices(new() { ["Redis:Endpoint"] = "127.0.0.1:6379", [$"Redis:{setting}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Endpoint_error_does_not_echo_a_value_that_may_hold_a_password()
    {
        using var services = BuildServices(new() { ["Redis:Endpoint"] = "redis://:hunter2@cache:6379" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_bind_from_the_redis_section()
    {
        using var services = BuildServices(new()
        {
            ["Redis:Endpoint"] = "cache:6380",
            ["Redis:Password"] = "pw",
            ["Redis:Database"] = "3",
            ["Redis:ConnectTimeout"] = "00:00:02",
            ["Redis:CommandTimeout"] = "00:00:00.750",
        });

        var options = services.GetRequiredService<IOptions<RedisOptions>>().Value;

        Assert.Equal(("cache:6380", "pw", 3), (options.Endpoint, options.Password, options.Database));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(750)), (options.ConnectTimeout, options.CommandTimeout));
    }

    [Fact]
    public async Task Host_with_a_bad_setting_fails_to_start_naming_it()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:Endpoint"] = "cache:abc" });
        builder.Services.AddRedis();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Redis:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_starts_while_redis_is_down_and_readiness_reports_it()
    {
        await using var neverStarted = new RedisServerProcess();
        var unusedPort = neverStarted.Port;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:Endpoint"] = $"127.0.0.1:{unusedPort}" });
        builder.Services.AddRedis();
        using var host = builder.Build();

        await host.StartAsync();
        var connection = host.Services.GetRequiredService<IRedisConnection>();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));
        await host.StopAsync();

        Assert.False(connection.IsConnected);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["redis"].Status);
        Assert.Contains($"127.0.0.1:{unusedPort}", report.Entries["redis"].Description, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildServices(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddRedis();
        return services.BuildServiceProvider();
    }
}
