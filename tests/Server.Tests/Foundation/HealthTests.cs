using System.Net;
using System.Text.Json;
using AstralytiQ.Server.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace AstralytiQ.Server.Tests.Foundation;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_follows_PostgreSQL_down_and_back_up_without_a_restart()
    {
        await using var cluster = await PrivatePostgresCluster.StartAsync();
        await using var server = await ServerHost.StartAsync(cluster.ConnectionString);
        var health = new Health.HealthClient(server.Channel);

        using var watch = health.Watch(new HealthCheckRequest(), cancellationToken: TestTimeout.Token(TimeSpan.FromSeconds(60)));
        Assert.Equal(ServingStatus.Serving, await NextStatusAsync(watch));
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        await cluster.StopServerAsync();

        Assert.Equal(ServingStatus.NotServing, await NextStatusAsync(watch));
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        var ready = await server.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
        {
            var components = body.RootElement.GetProperty("components");
            Assert.False(components.GetProperty("postgres").GetProperty("healthy").GetBoolean());
            Assert.True(components.GetProperty("redis").GetProperty("healthy").GetBoolean());
        }
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/health/live")).StatusCode);

        await cluster.StartServerAsync();

        Assert.Equal(ServingStatus.Serving, await NextStatusAsync(watch));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Readiness_names_Redis_when_it_is_down_while_gRPC_health_keeps_serving()
    {
        await using var database = new PostgresTestDatabase();
        await database.InitializeAsync();
        var deadRedis = $"127.0.0.1:{TestEnvironment.FreePort()}";
        await using var server = await ServerHost.StartAsync(database.ConnectionString, new Dictionary<string, string?> { ["Redis:Endpoint"] = deadRedis });

        var ready = await server.Http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var components = body.RootElement.GetProperty("components");
        Assert.False(components.GetProperty("redis").GetProperty("healthy").GetBoolean());
        Assert.True(components.GetProperty("postgres").GetProperty("healthy").GetBoolean());
        var check = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(ServingStatus.Serving, check.Status);
    }

    private static async Task<ServingStatus> NextStatusAsync(AsyncServerStreamingCall<HealthCheckResponse> watch)
    {
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None), "The health watch ended early.");
        return watch.ResponseStream.Current.Status;
    }
}

internal static class TestTimeout
{
    public static CancellationToken Token(TimeSpan timeout) => new CancellationTokenSource(timeout).Token;
}
