using System.Buffers.Text;
using System.Text.Json;

namespace AstralytiQ.Portal.Infrastructure.Session;

/// <summary>
/// What the portal reads from an access token's payload, WITHOUT checking its signature: the server
/// validates every call, so the portal only needs to know whom to show and when to refresh. Nothing
/// here is ever trusted for access decisions beyond hiding links; the server enforces roles itself.
/// </summary>
public sealed record AccessTokenInfo(string UserId, string TenantId, string Email, string Role, string Tier, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>The claims of a well-formed token, or null for anything else (truncated, not JSON, unknown role).</summary>
    public static AccessTokenInfo? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return null;
        }
        var parts = token.Split('.');
        if (parts.Length != 3 || !Base64Url.IsValid(parts[1]))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var payload = document.RootElement;
            if (payload.ValueKind != JsonValueKind.Object
                || Text(payload, "sub") is not { Length: > 0 } userId
                || Text(payload, "tenant") is not { Length: > 0 } tenantId
                || Text(payload, "role") is not { } role
                || role is not ("viewer" or "analyst" or "admin")
                || Seconds(payload, "exp") is not { } expires)
            {
                return null;
            }
            return new AccessTokenInfo(userId, tenantId, Text(payload, "email") ?? "", role, Text(payload, "tier") ?? "free",
                Seconds(payload, "iat") ?? expires, expires);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Refresh a little before expiry, so a call made while serving the request never carries a token that
    /// expires on its way: five minutes before, or half the lifetime when tokens live shorter than ten minutes.
    /// </summary>
    public bool NeedsRefresh(DateTimeOffset now)
    {
        var lifetime = ExpiresAt - IssuedAt;
        var margin = lifetime > TimeSpan.Zero && lifetime / 2 < RefreshMargin ? lifetime / 2 : RefreshMargin;
        return ExpiresAt - now <= margin;
    }

    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private static string? Text(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Seconds(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            && seconds is > 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
