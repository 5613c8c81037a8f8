using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Server.Infrastructure.Configuration;

/// <summary>Where the server listens. Section "Server" (environment: ASTQ__Server__GrpcUrl, ...).</summary>
public sealed class ServerOptions : IValidatableObject
{
    public const string SectionName = "Server";

    /// <summary>The gRPC endpoint, served HTTP/2 only (h2c for http://, TLS with ALPN for https://).</summary>
    [Required(ErrorMessage = "Server:GrpcUrl is required (environment variable ASTQ__Server__GrpcUrl), e.g. http://127.0.0.1:5100.")]
    public string GrpcUrl { get; set; } = "";

    /// <summary>The HTTP/1.1 endpoint for /health/live, /health/ready and /metrics.</summary>
    [Required(ErrorMessage = "Server:HttpUrl is required (environment variable ASTQ__Server__HttpUrl), e.g. http://127.0.0.1:5101.")]
    public string HttpUrl { get; set; } = "";

    /// <summary>PFX certificate for https:// URLs.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>.</summary>
    public string? CertificatePassword { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var grpc = CheckUrl(GrpcUrl, nameof(GrpcUrl), out var grpcError);
        if (grpcError is not null)
        {
            yield return grpcError;
        }
        var http = CheckUrl(HttpUrl, nameof(HttpUrl), out var httpError);
        if (httpError is not null)
        {
            yield return httpError;
        }
        if (grpc is not null && http is not null && grpc.Port == http.Port && grpc.Port != 0)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(GrpcUrl)} and {SectionName}:{nameof(HttpUrl)} must use different ports (both are {grpc.Port}).", [nameof(HttpUrl)]);
        }
        if ((grpc?.Scheme == Uri.UriSchemeHttps || http?.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(CertificatePath))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(CertificatePath)} is required for https:// URLs.", [nameof(CertificatePath)]);
        }
    }

    public Uri GetGrpcUri() => new(GrpcUrl, UriKind.Absolute);

    public Uri GetHttpUri() => new(HttpUrl, UriKind.Absolute);

    private static Uri? CheckUrl(string value, string name, out ValidationResult? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return null; // [Required] reports it.
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
        {
            error = new ValidationResult($"{SectionName}:{name} must be an absolute http:// or https:// URL with a port and no path, e.g. http://127.0.0.1:5100 (got '{value}').", [name]);
            return null;
        }
        return uri;
    }
}
