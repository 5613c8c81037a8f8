using System.Collections.Concurrent;
using System.Diagnostics;
using AstralytiQ.Server.Infrastructure.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Tests.Redis;

internal static class RedisTestClient
{
    public static RedisConnection Connect(
        string endpoint, Action<RedisOptions>? configure = null, ILogger<RedisConnection>? logger = null)
    {
        var options = new RedisOptions
        {
            Endpoint = endpoint,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            CommandTimeout = TimeSpan.FromSeconds(10),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return new RedisConnection(Options.Create(options), logger ?? NullLogger<RedisConnection>.Instance);
    }

    public static string UniqueKey(string name) => $"test:{name}:{Guid.NewGuid():N}";

    /// <summary>Retries until Redis answers (the client reconnects in the background) or the deadline passes.</summary>
    public static async Task WaitUntilConnectedAsync(IRedisConnection connection, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && deadline.Elapsed < limit)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Awaits a command expected to fail and returns how it failed and how long it took.</summary>
    public static async Task<(Exception Error, TimeSpan Elapsed)> FailureOfAsync(Func<Task> action)
    {
        var started = Stopwatch.StartNew();
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            return (ex, started.Elapsed);
        }

        throw new Xunit.Sdk.XunitException("The command was expected to fail but succeeded.");
    }
}

internal sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string Text => string.Join('\n', Lines);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
}
