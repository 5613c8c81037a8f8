using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace AstralytiQ.Rpc.Tests;

public sealed class HealthServiceTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private Grpc.Net.Client.GrpcChannel _channel = null!;

    private Health.HealthClient Client => new(_channel);

    private HealthServiceImpl Health => _server.Services.GetRequiredService<HealthServiceImpl>();

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _channel = _server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Server_as_a_whole_is_SERVING_by_default()
    {
        var response = await Client.CheckAsync(new HealthCheckRequest());

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Named_service_reports_the_status_the_app_set()
    {
        Health.SetStatus("rpctest.v1.TestService", ServingStatus.NotServing);

        var response = await Client.CheckAsync(new HealthCheckRequest { Service = "rpctest.v1.TestService" });

        Assert.Equal(ServingStatus.NotServing, response.Status);
    }

    [Fact]
    public async Task Unknown_service_is_NOT_FOUND()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Cleared_service_is_NOT_FOUND_again()
    {
        Health.SetStatus("temp", ServingStatus.Serving);
        Health.ClearStatus("temp");

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.CheckAsync(new HealthCheckRequest { Service = "temp" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Watch_streams_the_current_status_then_every_change()
    {
        Health.SetStatus("svc", ServingStatus.Serving);
        using var call = Client.Watch(new HealthCheckRequest { Service = "svc" });

        Assert.Equal(ServingStatus.Serving, await NextAsync(call));
        Health.SetStatus("svc", ServingStatus.NotServing);
        Assert.Equal(ServingStatus.NotServing, await NextAsync(call));
        Health.SetStatus("svc", ServingStatus.NotServing);
        Health.SetStatus("svc", ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, await NextAsync(call));
        Health.ClearStatus("svc");
        Assert.Equal(ServingStatus.ServiceUnknown, await NextAsync(call));
    }

    [Fact]
    public async Task Watch_of_an_unknown_service_starts_with_SERVICE_UNKNOWN_and_sees_it_appear()
    {
        using var call = Client.Watch(new HealthCheckRequest { Service = "later" });

        Assert.Equal(ServingStatus.ServiceUnknown, await NextAsync(call));
        Health.SetStatus("later", ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, await NextAsync(call));
    }

    [Fact]
    public async Task Several_watchers_of_one_service_all_see_a_change()
    {
        Health.SetStatus("shared", ServingStatus.Serving);
        using var first = Client.Watch(new HealthCheckRequest { Service = "shared" });
        using var second = Client.Watch(new HealthCheckRequest { Service = "shared" });
        await NextAsync(first);
        await NextAsync(second);

        Health.SetStatus("shared", ServingStatus.NotServing);

        Assert.Equal(ServingStatus.NotServing, await NextAsync(first));
        Assert.Equal(ServingStatus.NotServing, await NextAsync(second));
    }

    [Fact]
    public async Task Watch_ends_when_the_client_cancels()
    {
        using var cts = new CancellationTokenSource();
        var id = Guid.NewGuid().ToString();
        using var call = Client.Watch(new HealthCheckRequest { Service = "" }, new Metadata { { "x-call-id", id } }, cancellationToken: cts.Token);
        Assert.Equal(ServingStatus.Serving, await NextAsync(call));

        cts.Cancel();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        var observed = await _server.Observer.WaitForCompletedAsync(id);
        Assert.Equal(StatusCode.Cancelled, observed.Status?.StatusCode);
    }

    [Fact]
    public async Task Watch_ends_at_its_deadline()
    {
        using var call = Client.Watch(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddMilliseconds(300));
        Assert.Equal(ServingStatus.Serving, await NextAsync(call));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext()).WithTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    private static async Task<ServingStatus> NextAsync(AsyncServerStreamingCall<HealthCheckResponse> call)
    {
        Assert.True(await call.ResponseStream.MoveNext().WithTimeout());
        return call.ResponseStream.Current.Status;
    }
}
