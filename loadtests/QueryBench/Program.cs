// RunSql benchmark (issue 6): latency of a grouped aggregate over a 1,000,000-row dataset through
// the gRPC API, against a server running as its own process (Release) with its own PostgreSQL and
// Redis.
//
// Cold: every call sets skip_cache, so the result cache is bypassed and the query really runs in
// PostgreSQL (parse, validate, render, the query login's READ ONLY transaction, the scan and the
// aggregate, typing the rows). The very first call is reported on its own: it also pays for the
// tenant's query login being created and its first connection. PostgreSQL's own buffers are warm,
// as they are for a dataset in use (the table was just written); "cold" is about AstralytiQ's cache.
// Cached: the same query without skip_cache, after one call that stores the result.
//
// Calls are made one at a time (closed loop): this measures latency, not throughput.
using System.Diagnostics;
using System.Globalization;
using AstralytiQ.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;

var rows = ArgInt("--rows", 1_000_000);
var coldRuns = ArgInt("--cold", 30);
var cachedRuns = ArgInt("--cached", 300);
var adminConnection = Environment.GetEnvironmentVariable("BENCH_PG") ?? throw new InvalidOperationException("BENCH_PG is not set; run loadtests/QueryBench/bench");
var redis = Environment.GetEnvironmentVariable("BENCH_REDIS") ?? throw new InvalidOperationException("BENCH_REDIS is not set");
var serverDll = Environment.GetEnvironmentVariable("BENCH_SERVER_DLL") ?? throw new InvalidOperationException("BENCH_SERVER_DLL is not set");
const string Sql = """
    SELECT category, count(*) AS orders, sum(amount) AS revenue, avg(price) AS avg_price, max(order_date) AS last_order
    FROM sales
    WHERE active
    GROUP BY category
    ORDER BY revenue DESC
    """;

// A database and application role of the benchmark's own (not a superuser, as in production).
var database = "astq_qbench_" + Guid.NewGuid().ToString("N")[..8];
var password = Guid.NewGuid().ToString("N");
await Exec(adminConnection, $"CREATE ROLE {database}_app LOGIN CREATEROLE PASSWORD '{password}'");
await Exec(adminConnection, $"CREATE DATABASE {database} OWNER {database}_app");
var admin = new NpgsqlConnectionStringBuilder(adminConnection);
var appConnection = new NpgsqlConnectionStringBuilder { Host = admin.Host, Port = admin.Port, Database = database, Username = database + "_app", Password = password }.ConnectionString;
var grpcPort = FreePort();
var server = StartServer(serverDll, appConnection, redis, grpcPort);
try
{
    using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    var identity = new IdentityService.IdentityServiceClient(channel);
    SignUpResponse signUp = null!;
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            signUp = await identity.SignUpAsync(new SignUpRequest { TenantName = "Bench", Email = $"bench-{Guid.NewGuid():N}@example.com", Password = "correct horse battery staple", DisplayName = "Bench" });
            break;
        }
        catch (RpcException) when (attempt < 120 && !server.HasExited)
        {
            await Task.Delay(500);
        }
    }
    var headers = new Metadata { { "authorization", "Bearer " + signUp.Tokens.AccessToken } };
    var query = new QueryService.QueryServiceClient(channel);

    var load = Stopwatch.StartNew();
    await CreateDatasetAsync(appConnection, Guid.Parse(signUp.Tenant.Id), rows);
    Console.WriteLine($"dataset: {rows:N0} rows x 8 columns loaded and analysed in {load.Elapsed.TotalSeconds:0.0} s");
    Console.WriteLine($"query:   {string.Join(' ', Sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}");

    var first = await TimedAsync(query, headers, skipCache: true);
    Console.WriteLine($"first run (creates the tenant's query login): {first.Wall:0.0} ms, {first.Response.RowCount} rows, in PostgreSQL {first.Database:0.0} ms");

    var cold = new List<Sample>();
    for (var i = 0; i < coldRuns; i++)
    {
        var sample = await TimedAsync(query, headers, skipCache: true);
        if (sample.Response.Cached)
        {
            throw new InvalidOperationException("skip_cache returned a cached result");
        }
        cold.Add(sample);
    }

    var warm = await TimedAsync(query, headers, skipCache: false); // stores (or finds) the entry
    var cached = new List<Sample>();
    for (var i = 0; i < cachedRuns; i++)
    {
        var sample = await TimedAsync(query, headers, skipCache: false);
        if (!sample.Response.Cached)
        {
            throw new InvalidOperationException("expected a cached result");
        }
        cached.Add(sample);
    }

    Console.WriteLine();
    Console.WriteLine($"RunSql, {rows:N0}-row dataset, {first.Response.RowCount} groups, one call at a time ({Environment.ProcessorCount} cores)");
    Report("cold   (skip_cache)", cold);
    Report("cached (same SQL)  ", cached);
    Console.WriteLine($"cold median: {Percentile(cold.Select(s => s.Database), 50):0.0} ms in PostgreSQL (execution_time), the rest is auth, quota, catalog, validation, history, audit and transport");
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    NpgsqlConnection.ClearAllPools();
    await Exec(adminConnection, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    // The tenant's reader role (tr_*) and query login (tq_*) live in the cluster, not the database.
    await Exec(adminConnection, $"DO $$DECLARE r text; BEGIN FOR r IN SELECT quote_ident(m.rolname) FROM pg_roles m WHERE (m.rolname LIKE 'tq\\_%' AND EXISTS (SELECT FROM pg_auth_members a JOIN pg_roles t ON t.oid = a.roleid WHERE a.member = m.oid AND pg_has_role('{database}_app', t.oid, 'MEMBER'))) LOOP EXECUTE 'DROP ROLE ' || r; END LOOP; END$$");
    await Exec(adminConnection, $"DO $$DECLARE r text; BEGIN FOR r IN SELECT quote_ident(rolname) FROM pg_roles WHERE rolname LIKE 'tr\\_%' AND pg_has_role('{database}_app', oid, 'MEMBER') LOOP EXECUTE 'DROP ROLE ' || r; END LOOP; END$$");
    await Exec(adminConnection, $"DROP ROLE IF EXISTS {database}_app");
}

static async Task<Sample> TimedAsync(QueryService.QueryServiceClient query, Metadata headers, bool skipCache)
{
    var clock = Stopwatch.StartNew();
    var response = await query.RunSqlAsync(new RunSqlRequest { Sql = Sql, SkipCache = skipCache }, headers);
    return new Sample(clock.Elapsed.TotalMilliseconds, response.ExecutionTime.ToTimeSpan().TotalMilliseconds, response);
}

static void Report(string name, List<Sample> samples)
{
    var wall = samples.Select(s => s.Wall).ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}  n={samples.Count,4}  p50 {Percentile(wall, 50),7:0.0} ms  p95 {Percentile(wall, 95),7:0.0} ms  p99 {Percentile(wall, 99),7:0.0} ms  max {wall.Max(),7:0.0} ms  mean {wall.Average(),7:0.0} ms"));
}

static double Percentile(IEnumerable<double> values, double p)
{
    var sorted = values.Order().ToArray();
    // Nearest rank.
    var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
    return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
}

// The dataset as ingestion would publish it: a typed table in the tenant's schema, written by the
// application role (so the tenant's reader role may SELECT it), then the catalog rows.
static async Task CreateDatasetAsync(string connectionString, Guid tenantId, int rows)
{
    var versionId = Guid.NewGuid();
    var datasetId = Guid.NewGuid();
    var table = "ds_bench_" + versionId.ToString("N")[..8];
    var qualified = $"\"t_{tenantId:N}\".\"{table}\"";
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using (var create = new NpgsqlCommand($"""
        CREATE TABLE {qualified} (id integer, customer text, category text, amount numeric, price double precision, quantity integer, active boolean, order_date date);
        INSERT INTO {qualified}
        SELECT g, 'customer ' || (1 + (g * 7919) % 50000), 'category ' || lpad((1 + (g * 31) % 40)::text, 2, '0'),
               round(((g * 104729) % 1000000) / 100.0, 2), 1 + ((g * 15485863) % 49900) / 100.0, (1 + g % 100)::integer, g % 3 <> 0,
               date '2020-01-01' + (g % 1500)::integer
        FROM generate_series(1::bigint, {rows}) g;
        ANALYZE {qualified};
        """, connection))
    {
        create.CommandTimeout = 600;
        await create.ExecuteNonQueryAsync();
    }
    await using var transaction = await connection.BeginTransactionAsync();
    await using var catalog = new NpgsqlCommand("""
        SELECT set_config('app.tenant_id', @tenant::text, true);
        INSERT INTO app.datasets (id, tenant_id, name, sql_name, current_version_id) VALUES (@dataset, @tenant, 'Sales', 'sales', @version);
        INSERT INTO app.dataset_versions (id, tenant_id, dataset_id, version, physical_table, row_count, size_bytes) VALUES (@version, @tenant, @dataset, 1, @table, @rows, 0);
        INSERT INTO app.dataset_columns (version_id, tenant_id, ordinal, name, label, data_type)
        SELECT @version, @tenant, ordinal - 1, name, name, type
        FROM unnest(ARRAY['id', 'customer', 'category', 'amount', 'price', 'quantity', 'active', 'order_date'],
                    ARRAY['integer', 'text', 'text', 'numeric', 'double precision', 'integer', 'boolean', 'date']) WITH ORDINALITY AS c(name, type, ordinal);
        """, connection, transaction);
    catalog.Parameters.AddWithValue("tenant", tenantId);
    catalog.Parameters.AddWithValue("dataset", datasetId);
    catalog.Parameters.AddWithValue("version", versionId);
    catalog.Parameters.AddWithValue("table", table);
    catalog.Parameters.AddWithValue("rows", (long)rows);
    await catalog.ExecuteNonQueryAsync();
    await transaction.CommitAsync();
}

static Process StartServer(string dll, string connection, string redis, int grpcPort)
{
    var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
    start.Environment["ASTQ__Postgres__ConnectionString"] = connection;
    start.Environment["ASTQ__Redis__Endpoint"] = redis;
    start.Environment["ASTQ__Server__GrpcUrl"] = $"http://127.0.0.1:{grpcPort}";
    start.Environment["ASTQ__Server__HttpUrl"] = $"http://127.0.0.1:{FreePort()}";
    start.Environment["ASTQ__Auth__SigningKey"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Concat(Guid.NewGuid().ToByteArray()).ToArray());
    start.Environment["ASTQ__Logging__MinimumLevel"] = "Warning";
    // The benchmark makes more calls than a free user's hourly and monthly query budgets allow.
    start.Environment["ASTQ__RateLimits__QueryPerHourFree"] = "1000000";
    start.Environment["ASTQ__Plans__Free__Queries"] = "0";
    start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task Exec(string connection, string sql)
{
    await using var c = new NpgsqlConnection(connection);
    await c.OpenAsync();
    await using var command = new NpgsqlCommand(sql, c);
    await command.ExecuteNonQueryAsync();
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

int ArgInt(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Sample(double Wall, double Database, RunSqlResponse Response);
