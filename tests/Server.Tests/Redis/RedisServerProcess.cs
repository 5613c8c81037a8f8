using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AstralytiQ.Server.Tests.Redis;

/// <summary>
/// A private redis-server on a free loopback port in its own temp directory, so a test class
/// can stop, kill and restart it without disturbing any other test.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("astq-redis-").FullName;
    private readonly string[] _extraArgs;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public RedisServerProcess(params string[] extraArgs)
    {
        _extraArgs = extraArgs;
        Port = FindFreePort();
    }

    public static string Binary =>
        Environment.GetEnvironmentVariable("ASTQ_REDIS_SERVER") is { Length: > 0 } path ? path : "/usr/bin/redis-server";

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                $"redis-server was not found at '{Binary}'. Run the tests with ./astq test, which installs and starts "
                + "what they need, or install redis-server 7 (apt-get install -y redis-server) or point ASTQ_REDIS_SERVER at it.");
        }

        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no" }.Concat(_extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} on port {Port}:\n{Output}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10);
            }
        }
    }

    /// <summary>SIGKILL: the harshest way for Redis to go away.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Class fixture: one redis-server per test class, started before its first test.</summary>
public class RedisServerFixture : IAsyncLifetime
{
    public RedisServerFixture()
        : this([])
    {
    }

    protected RedisServerFixture(string[] extraArgs) => Server = new RedisServerProcess(extraArgs);

    public RedisServerProcess Server { get; }

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}
