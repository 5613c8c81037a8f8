using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Server.Features.Identity;

/// <summary>Section "Auth" (environment: ASTQ__Auth__SigningKey, ...).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>Base64 of at least 32 random bytes; HMAC-SHA256 key of access tokens. `./astq up` generates one.</summary>
    [Required(ErrorMessage = "Auth:SigningKey is required (environment variable ASTQ__Auth__SigningKey): base64 of at least 32 random bytes, e.g. `head -c 64 /dev/urandom | base64 -w0`.")]
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "astralytiq";

    public string Audience { get; set; } = "astralytiq-api";

    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Auth:AccessTokenLifetime must be between 1 minute and 7 days.")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:10:00", "365.00:00:00", ErrorMessage = "Auth:RefreshTokenLifetime must be between 10 minutes and 365 days.")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    [Range(typeof(TimeSpan), "00:05:00", "2.00:00:00", ErrorMessage = "Auth:PasswordResetLifetime must be between 5 minutes and 2 days.")]
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Where password-reset links point (the portal); the token is appended.</summary>
    public string PasswordResetUrl { get; set; } = "http://127.0.0.1:5102/Account/ResetPassword?token=";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(SigningKey))
        {
            yield break;
        }
        byte[]? key = null;
        try
        {
            key = Convert.FromBase64String(SigningKey);
        }
        catch (FormatException)
        {
        }
        if (key is null || key.Length < 32)
        {
            yield return new ValidationResult("Auth:SigningKey must be base64 of at least 32 bytes.", [nameof(SigningKey)]);
        }
    }

    public byte[] GetSigningKeyBytes() => Convert.FromBase64String(SigningKey);
}
