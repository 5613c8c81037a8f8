using System.Net;
using System.Net.Sockets;

namespace AstralytiQ.Server.Tests.Infrastructure;

/// <summary>
/// The real servers `./astq test` starts for the tests. Missing settings fail the test with a message
/// that says how to get them, instead of skipping silently.
/// </summary>
public static class TestEnvironment
{
    public static string PostgresAdminConnectionString => Required("ASTQ_TEST_PG");

    public static string RedisEndpoint => Required("ASTQ_TEST_REDIS");

    public static string PostgresBinDirectory => Environment.GetEnvironmentVariable("ASTQ_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";

    /// <summary>The unprivileged user PostgreSQL runs as when tests run as root; empty otherwise.</summary>
    public static string PostgresOsUser => Environment.GetEnvironmentVariable("ASTQ_PG_OS_USER") ?? "";

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set. Run the tests through `./astq test`, which starts a private PostgreSQL and Redis and sets it.");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
