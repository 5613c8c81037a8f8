using System.Globalization;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>Settings of the shared Redis connection, bound from the "Redis" configuration section.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>"host:port" (or "[ipv6]:port"); the port defaults to 6379 when left out.</summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>Sent with AUTH on every (re)connect when set. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Sent with SELECT on every (re)connect when not 0.</summary>
    public int Database { get; set; }

    /// <summary>Limit for the TCP connect plus handshake (AUTH, SELECT, PING).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Limit for one command's reply; past it the command fails and the connection is recycled.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound of the exponential backoff between reconnect attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Checks <see cref="RedisOptions"/> and names each bad setting by its configuration key.</summary>
public sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = RedisOptions.SectionName;

        if (string.IsNullOrWhiteSpace(options.Endpoint))
        {
            failures.Add($"{section}:{nameof(RedisOptions.Endpoint)} is required (\"host:port\", e.g. \"127.0.0.1:6379\").");
        }
        else if (!RedisEndpoint.TryParse(options.Endpoint, out _))
        {
            // The value is not echoed: a mistaken URL here may carry a password.
            failures.Add($"{section}:{nameof(RedisOptions.Endpoint)} must be \"host:port\" with a port from 1 to 65535.");
        }

        if (options.Database is < 0 or > 1023)
        {
            failures.Add($"{section}:{nameof(RedisOptions.Database)} must be between 0 and 1023 (got {options.Database.ToString(CultureInfo.InvariantCulture)}).");
        }

        CheckDuration(failures, nameof(RedisOptions.ConnectTimeout), options.ConnectTimeout);
        CheckDuration(failures, nameof(RedisOptions.CommandTimeout), options.CommandTimeout);
        CheckDuration(failures, nameof(RedisOptions.MaxReconnectDelay), options.MaxReconnectDelay);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void ThrowIfInvalid(RedisOptions options)
    {
        var result = new RedisOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RedisOptions), result.Failures);
        }
    }

    private static void CheckDuration(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaxTimeout)
        {
            failures.Add($"{RedisOptions.SectionName}:{setting} must be greater than 0 and at most {MaxTimeout} (got {value}).");
        }
    }
}

/// <summary>A parsed "host:port".</summary>
internal readonly record struct RedisEndpoint(string Host, int Port)
{
    public const int DefaultPort = 6379;

    public static RedisEndpoint Parse(string text) =>
        TryParse(text, out var endpoint) ? endpoint : throw new FormatException("A Redis endpoint must be \"host:port\".");

    public static bool TryParse(string? text, out RedisEndpoint endpoint)
    {
        endpoint = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Contains("://", StringComparison.Ordinal) || text.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        string host;
        string? port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 2)
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                return false;
            }

            port = rest.Length > 0 ? rest[1..] : null;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return false; // a bare IPv6 address is ambiguous: ask for brackets
            }

            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }

        var portNumber = DefaultPort;
        if (host.Length == 0 || host.Any(char.IsWhiteSpace)
            || (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535)))
        {
            return false;
        }

        endpoint = new RedisEndpoint(host, portNumber);
        return true;
    }

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
