using System.Diagnostics;
using Npgsql;

namespace AstralytiQ.Server.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of the test's own, so a test can stop and restart the database without
/// disturbing any other test. Runs as the unprivileged user `./astq` provides when tests run as root
/// (PostgreSQL refuses to run as root).
/// </summary>
public sealed class PrivatePostgresCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _dataDirectory;

    private PrivatePostgresCluster(string directory, int port)
    {
        _directory = directory;
        _dataDirectory = Path.Combine(directory, "data");
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=5";

    public static async Task<PrivatePostgresCluster> StartAsync()
    {
        // Not Directory.CreateTempSubdirectory: its mode 700 would lock the postgres user out.
        var directory = Path.Combine(Path.GetTempPath(), "astq-pgtest-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        var cluster = new PrivatePostgresCluster(directory, TestEnvironment.FreePort());
        await cluster.RunAsync("initdb", $"-D {cluster._dataDirectory} -U postgres -A trust --no-sync --locale=C.UTF-8 -E UTF8");
        await cluster.StartServerAsync();
        return cluster;
    }

    public Task StartServerAsync() => RunAsync("pg_ctl",
        $"-D {_dataDirectory} -l {Path.Combine(_directory, "postgres.log")} -w -t 30 -o \"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off\" start");

    public Task StopServerAsync() => RunAsync("pg_ctl", $"-D {_dataDirectory} -w -t 30 -m fast stop");

    public async Task<bool> IsAcceptingAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private async Task RunAsync(string tool, string arguments)
    {
        var executable = Path.Combine(TestEnvironment.PostgresBinDirectory, tool);
        var user = TestEnvironment.PostgresOsUser;
        var start = user.Length > 0
            ? new ProcessStartInfo("runuser", $"-u {user} -- {executable} {arguments}")
            : new ProcessStartInfo(executable, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = _directory;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {arguments} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (await IsAcceptingAsync())
            {
                await StopServerAsync();
            }
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
