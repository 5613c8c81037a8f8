using System.Diagnostics;
using AstralytiQ.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Tests.Foundation;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Postgres:ConnectionString", "", "Postgres:ConnectionString is required")]
    [InlineData("Postgres:ConnectionString", "Host=127.0.0.1;Bogus Keyword=1", "Postgres:ConnectionString cannot be parsed")]
    [InlineData("Server:GrpcUrl", "not a url", "Server:GrpcUrl must be an absolute http:// or https:// URL")]
    [InlineData("Server:HttpUrl", "", "Server:HttpUrl is required")]
    [InlineData("Redis:Endpoint", "", "Redis:Endpoint")]
    [InlineData("Health:CheckInterval", "00:00:00.001", "Health:CheckInterval must be between")]
    [InlineData("Auth:SigningKey", "", "Auth:SigningKey is required")]
    [InlineData("Auth:SigningKey", "c2hvcnQ=", "Auth:SigningKey must be base64 of at least 32 bytes")]
    public async Task Bad_setting_stops_start_up_with_a_message_naming_it(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Server:GrpcUrl"] = $"http://127.0.0.1:{TestEnvironment.FreePort()}",
            ["Server:HttpUrl"] = $"http://127.0.0.1:{TestEnvironment.FreePort()}",
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=astq;Username=x",
            ["Postgres:StartupTimeout"] = "00:00:00",
            ["Redis:Endpoint"] = "127.0.0.1:1",
            ["Logging:MinimumLevel"] = "Fatal",
            ["Auth:SigningKey"] = Infrastructure.ServerHost.SigningKey,
            [key] = value,
        };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = ServerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
            await app.StartAsync();
        });

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains("Password", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Server_process_with_missing_settings_exits_with_code_2_and_names_them()
    {
        var serverDll = typeof(ServerApp).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", $"\"{serverDll}\"")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASTQ", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(key);
        }
        start.Environment["ASTQ__Server__GrpcUrl"] = $"http://127.0.0.1:{TestEnvironment.FreePort()}";
        start.Environment["ASTQ__Server__HttpUrl"] = $"http://127.0.0.1:{TestEnvironment.FreePort()}";
        start.Environment["ASTQ__Redis__Endpoint"] = "127.0.0.1:1";
        start.Environment["ASTQ__Auth__SigningKey"] = Infrastructure.ServerHost.SigningKey;

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Postgres:ConnectionString is required", await stderr, StringComparison.Ordinal);
    }
}
