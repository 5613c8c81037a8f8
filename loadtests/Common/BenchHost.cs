using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AstralytiQ.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;

namespace AstralytiQ.LoadTests;

/// <summary>A tenant signed up for the benchmark, with the headers its calls carry.</summary>
public sealed record BenchTenant(Guid Id, Metadata Headers);

/// <summary>
/// The server under test, running as its own process (the Release build the bench script made),
/// over a database and a non-superuser application role of the benchmark's own (as in production),
/// in the PostgreSQL cluster and Redis the bench script started (BENCH_PG, BENCH_REDIS,
/// BENCH_SERVER_DLL). Disposing stops the server and drops the database and the roles the server
/// made for its tenants.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    private readonly string _adminConnection;
    private readonly string _database;
    private readonly Process _server;

    private BenchHost(string adminConnection, string database, string appConnection, Process server, int grpcPort)
    {
        _adminConnection = adminConnection;
        _database = database;
        _server = server;
        AppConnection = appConnection;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    /// <summary>The application role's connection string (the server's own); owns the benchmark database.</summary>
    public string AppConnection { get; }

    public GrpcChannel Channel { get; }

    /// <summary>The server's peak resident memory so far (VmHWM), in bytes.</summary>
    public long PeakRssBytes
    {
        get
        {
            foreach (var line in File.ReadLines($"/proc/{_server.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
            return 0;
        }
    }

    public int ServerProcessId => _server.Id;

    /// <summary>
    /// Creates the database and role, then starts the server; <paramref name="settings"/> are extra ASTQ__ settings;
    /// <paramref name="serverOutput"/> sees each line the server writes to stdout (its JSON log, at the level
    /// BENCH_SERVER_LOG names, Warning by default).
    /// </summary>
    public static async Task<BenchHost> StartAsync(string name, IReadOnlyDictionary<string, string>? settings = null, Action<string>? serverOutput = null)
    {
        var adminConnection = Require("BENCH_PG");
        var redis = Require("BENCH_REDIS");
        var serverDll = Require("BENCH_SERVER_DLL");
        var database = "astq_" + name + "_" + Guid.NewGuid().ToString("N")[..8];
        var password = Guid.NewGuid().ToString("N");
        await ExecAsync(adminConnection, $"CREATE ROLE {database}_app LOGIN CREATEROLE PASSWORD '{password}'");
        await ExecAsync(adminConnection, $"CREATE DATABASE {database} OWNER {database}_app");
        var admin = new NpgsqlConnectionStringBuilder(adminConnection);
        var appConnection = new NpgsqlConnectionStringBuilder { Host = admin.Host, Port = admin.Port, Database = database, Username = database + "_app", Password = password }.ConnectionString;
        var grpcPort = FreePort();
        var server = StartServer(serverDll, appConnection, redis, grpcPort, settings ?? new Dictionary<string, string>(), serverOutput);
        return new BenchHost(adminConnection, database, appConnection, server, grpcPort);
    }

    /// <summary>Signs up a new tenant (its first user is the admin), waiting for the server to answer.</summary>
    public async Task<BenchTenant> SignUpAsync()
    {
        var identity = new IdentityService.IdentityServiceClient(Channel);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var signUp = await identity.SignUpAsync(new SignUpRequest
                {
                    TenantName = "Bench", Email = $"bench-{Guid.NewGuid():N}@example.com", Password = "correct horse battery staple", DisplayName = "Bench",
                });
                return new BenchTenant(Guid.Parse(signUp.Tenant.Id), new Metadata { { "authorization", "Bearer " + signUp.Tokens.AccessToken } });
            }
            catch (RpcException) when (attempt < 120 && !_server.HasExited)
            {
                await Task.Delay(500);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        _server.Kill(entireProcessTree: true);
        await _server.WaitForExitAsync();
        _server.Dispose();
        NpgsqlConnection.ClearAllPools();
        await ExecAsync(_adminConnection, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        // The tenants' reader roles (tr_*) and query logins (tq_*) live in the cluster, not the database.
        await ExecAsync(_adminConnection, $"DO $$DECLARE r text; BEGIN FOR r IN SELECT quote_ident(m.rolname) FROM pg_roles m WHERE (m.rolname LIKE 'tq\\_%' AND EXISTS (SELECT FROM pg_auth_members a JOIN pg_roles t ON t.oid = a.roleid WHERE a.member = m.oid AND pg_has_role('{_database}_app', t.oid, 'MEMBER'))) LOOP EXECUTE 'DROP ROLE ' || r; END LOOP; END$$");
        await ExecAsync(_adminConnection, $"DO $$DECLARE r text; BEGIN FOR r IN SELECT quote_ident(rolname) FROM pg_roles WHERE rolname LIKE 'tr\\_%' AND pg_has_role('{_database}_app', oid, 'MEMBER') LOOP EXECUTE 'DROP ROLE ' || r; END LOOP; END$$");
        await ExecAsync(_adminConnection, $"DROP ROLE IF EXISTS {_database}_app");
    }

    private static Process StartServer(string dll, string connection, string redis, int grpcPort, IReadOnlyDictionary<string, string> settings, Action<string>? serverOutput)
    {
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.Environment["ASTQ__Postgres__ConnectionString"] = connection;
        start.Environment["ASTQ__Redis__Endpoint"] = redis;
        start.Environment["ASTQ__Server__GrpcUrl"] = $"http://127.0.0.1:{grpcPort}";
        start.Environment["ASTQ__Server__HttpUrl"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASTQ__Auth__SigningKey"] = Convert.ToBase64String([.. Guid.NewGuid().ToByteArray(), .. Guid.NewGuid().ToByteArray(), .. Guid.NewGuid().ToByteArray()]);
        start.Environment["ASTQ__Logging__MinimumLevel"] = Environment.GetEnvironmentVariable("BENCH_SERVER_LOG") ?? "Warning";
        // The benchmarks make more calls than a free user's hourly and monthly query budgets allow.
        start.Environment["ASTQ__RateLimits__QueryPerHourFree"] = "1000000";
        start.Environment["ASTQ__Plans__Free__Queries"] = "0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment["ASTQ__" + key] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) serverOutput?.Invoke(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs one statement on its own connection.</summary>
    public static async Task ExecAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) ?? throw new InvalidOperationException($"{variable} is not set; run the benchmark through its bench script");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
