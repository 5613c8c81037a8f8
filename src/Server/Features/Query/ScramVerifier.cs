using System.Security.Cryptography;
using System.Text;

namespace AstralytiQ.Server.Features.Query;

/// <summary>
/// PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802/7677):
/// <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c>. ALTER ROLE ... PASSWORD with this text
/// sets the password without the password itself ever appearing in a statement (or a server log).
/// </summary>
internal static class ScramVerifier
{
    public const int Iterations = 4096;

    public static string Create(string password, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(16);
        // PostgreSQL runs SASLprep on the password; ours are base64url, which SASLprep leaves alone.
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
