using System.Net;
using AstralytiQ.Server.Tests.Infrastructure;

namespace AstralytiQ.Portal.Tests;

public sealed class HomePageTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Home_page_shows_server_health_read_through_gRPC()
    {
        await using var server = await ServerProcessHost.StartAsync(_database.ConnectionString);
        await using var portal = await PortalHost.StartAsync(server.GrpcAddress);

        var response = await portal.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("data-testid=\"server-status\">\\s*<span aria-hidden=\"true\">●</span> Serving", html);
        Assert.Contains("data-testid=\"grpc-health\">SERVING<", html, StringComparison.Ordinal);
        Assert.Matches("<tr data-component=\"postgres\">\\s*<th scope=\"row\">postgres</th>\\s*<td class=\"status-up\">healthy</td>", html);
        Assert.Matches("<tr data-component=\"redis\">\\s*<th scope=\"row\">redis</th>\\s*<td class=\"status-up\">healthy</td>", html);
    }

    [Fact]
    public async Task Home_page_reports_an_unreachable_server_in_plain_words()
    {
        var nobody = new Uri($"http://127.0.0.1:{TestEnvironment.FreePort()}");
        await using var portal = await PortalHost.StartAsync(nobody);

        var response = await portal.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Server unreachable", html, StringComparison.Ordinal);
        Assert.Contains("The AstralytiQ server is not reachable right now.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stylesheet_is_served()
    {
        await using var portal = await PortalHost.StartAsync(new Uri("http://127.0.0.1:1"));

        var response = await portal.Http.GetAsync("/css/site.css");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(":focus-visible", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_page_gets_a_friendly_404()
    {
        await using var portal = await PortalHost.StartAsync(new Uri("http://127.0.0.1:1"));

        var response = await portal.Http.GetAsync("/no/such/page");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/\">Back to the home page</a>", html, StringComparison.Ordinal);
    }
}
