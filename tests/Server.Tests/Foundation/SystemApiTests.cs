using System.Net;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Reflection.V1;

namespace AstralytiQ.Server.Tests.Foundation;

public sealed class SystemApiTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private ServerHost _server = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _server = await ServerHost.StartAsync(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task System_status_reports_version_and_healthy_components()
    {
        var status = await new SystemService.SystemServiceClient(_server.Channel).GetSystemStatusAsync(new GetSystemStatusRequest());

        Assert.True(status.Serving);
        Assert.False(string.IsNullOrEmpty(status.Version));
        Assert.Equal(["postgres", "redis"], status.Components.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(status.Components, c => Assert.True(c.Healthy, c.Name + ": " + c.Detail));
    }

    [Fact]
    public async Task Reflection_lists_the_public_services()
    {
        using var call = new ServerReflection.ServerReflectionClient(_server.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();

        Assert.Contains("astralytiq.v1.SystemService", names);
        Assert.Contains("grpc.health.v1.Health", names);
        Assert.Contains("grpc.reflection.v1.ServerReflection", names);
    }

    [Fact]
    public async Task Metrics_count_calls_by_method_and_status_in_prometheus_text()
    {
        var client = new SystemService.SystemServiceClient(_server.Channel);
        await client.GetSystemStatusAsync(new GetSystemStatusRequest());
        var missing = new Method<GetSystemStatusRequest, SystemStatus>(MethodType.Unary, "astralytiq.v1.SystemService", "NoSuchMethod",
            Marshallers.Create<GetSystemStatusRequest>(m => Google.Protobuf.MessageExtensions.ToByteArray(m), GetSystemStatusRequest.Parser.ParseFrom),
            Marshallers.Create<SystemStatus>(m => Google.Protobuf.MessageExtensions.ToByteArray(m), SystemStatus.Parser.ParseFrom));
        await Assert.ThrowsAsync<RpcException>(() => _server.Channel.CreateCallInvoker().AsyncUnaryCall(missing, null, default, new GetSystemStatusRequest()).ResponseAsync);

        var response = await _server.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handled_total{grpc_method=\"/astralytiq.v1.SystemService/GetSystemStatus\",grpc_code=\"OK\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handled_total{grpc_method=\"/astralytiq.v1.SystemService/NoSuchMethod\",grpc_code=\"UNIMPLEMENTED\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handling_seconds_count{grpc_method=\"/astralytiq.v1.SystemService/GetSystemStatus\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("grpc_server_in_flight{grpc_type=\"server_stream\"}", text, StringComparison.Ordinal);
        Assert.Contains("db_client_connection_max", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Operational_endpoints_are_served_only_on_the_http_port()
    {
        using var onGrpcPort = new HttpClient { BaseAddress = _server.GrpcAddress, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var response = await onGrpcPort.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/health/live")).StatusCode);
    }
}
