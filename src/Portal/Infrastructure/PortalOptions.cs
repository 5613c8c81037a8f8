using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Portal.Infrastructure;

/// <summary>Section "Portal" (environment: ASTQ__Portal__ServerAddress).</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string SectionName = "Portal";

    /// <summary>The server's gRPC address, e.g. http://127.0.0.1:5100.</summary>
    [Required(ErrorMessage = "Portal:ServerAddress is required (environment variable ASTQ__Portal__ServerAddress), e.g. http://127.0.0.1:5100.")]
    public string ServerAddress { get; set; } = "";

    /// <summary>Deadline for each gRPC call the portal makes on behalf of a page.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Portal:CallTimeout must be between 1 second and 10 minutes.")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ServerAddress)
            && (!Uri.TryCreate(ServerAddress, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(ServerAddress)} must be an absolute http:// or https:// URL (got '{ServerAddress}').", [nameof(ServerAddress)]);
        }
    }
}
