using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AstralytiQ.Portal.Tests.Infrastructure;

/// <summary>
/// Re-signs a real access token with changed times, using the test server's key: a token that is genuine in
/// every claim but expired (or about to expire), so refresh can be tested without waiting or moving clocks.
/// </summary>
public static class TestTokens
{
    public static string WithLifetime(string token, string signingKey, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        payload["iat"] = issuedAt.ToUnixTimeSeconds();
        payload["nbf"] = issuedAt.ToUnixTimeSeconds();
        payload["exp"] = expiresAt.ToUnixTimeSeconds();
        var unsigned = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = HMACSHA256.HashData(Convert.FromBase64String(signingKey), Encoding.ASCII.GetBytes(unsigned));
        return unsigned + "." + Base64Url.EncodeToString(signature);
    }

    public static DateTimeOffset ExpiresAt(string token) =>
        DateTimeOffset.FromUnixTimeSeconds(JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!["exp"]!.GetValue<long>());
}
