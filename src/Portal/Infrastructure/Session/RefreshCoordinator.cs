using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AstralytiQ.Api.V1;
using Grpc.Net.Client;

namespace AstralytiQ.Portal.Infrastructure.Session;

/// <summary>
/// Exchanges refresh tokens, once per token. The server rotates refresh tokens and treats a second use
/// of one as theft (it ends the whole session), but a browser routinely sends several requests with the
/// same cookies at once (two tabs, a page and its downloads). So concurrent and closely following requests
/// carrying the same refresh token share one exchange and all receive the new pair.
/// Per portal instance: several instances behind a load balancer need sticky sessions for this to hold.
/// </summary>
public sealed class RefreshCoordinator(GrpcChannel channel, TimeProvider clock)
{
    /// <summary>How long the answer for a used refresh token is kept for latecomers.</summary>
    public static readonly TimeSpan ShareFor = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    // The raw channel, not the intercepting invoker: the refresh call must not carry the expiring access token.
    private readonly IdentityService.IdentityServiceClient _identity = new(channel);
    private readonly ConcurrentDictionary<string, Exchange> _exchanges = new(StringComparer.Ordinal);

    public Task<AuthTokens> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, old) in _exchanges)
        {
            if (old.Until < now)
            {
                _exchanges.TryRemove(new KeyValuePair<string, Exchange>(key, old));
            }
        }
        var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));
        var exchange = _exchanges.GetOrAdd(id, _ => new Exchange(new Lazy<Task<AuthTokens>>(() => ExchangeAsync(id, refreshToken)), now + ShareFor));
        // One request giving up must not cancel the exchange the others wait for.
        return exchange.Call.Value.WaitAsync(cancellationToken);
    }

    private async Task<AuthTokens> ExchangeAsync(string id, string refreshToken)
    {
        try
        {
            return await _identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = refreshToken },
                deadline: DateTime.UtcNow + CallTimeout, cancellationToken: CancellationToken.None);
        }
        catch
        {
            // Failures are not shared: the next request asks again (the server may be back).
            _exchanges.TryRemove(id, out _);
            throw;
        }
    }

    private sealed record Exchange(Lazy<Task<AuthTokens>> Call, DateTimeOffset Until);
}
