using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Postgres;

/// <summary>Section "Postgres" (environment: ASTQ__Postgres__ConnectionString, ...).</summary>
public sealed class PostgresOptions : IValidatableObject
{
    public const string SectionName = "Postgres";

    /// <summary>Npgsql connection string for the application role.</summary>
    [Required(ErrorMessage = "Postgres:ConnectionString is required (environment variable ASTQ__Postgres__ConnectionString).")]
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations when the server starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>How long start-up waits for PostgreSQL to accept connections before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Postgres:StartupTimeout must be between 0 and 10 minutes.")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default command timeout for application queries, in seconds.</summary>
    [Range(1, 3600, ErrorMessage = "Postgres:CommandTimeoutSeconds must be between 1 and 3600.")]
    public int CommandTimeoutSeconds { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield break;
        }
        string? problem = null;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            if (string.IsNullOrEmpty(builder.Host))
            {
                problem = "has no Host";
            }
            else if (string.IsNullOrEmpty(builder.Database))
            {
                problem = "has no Database";
            }
        }
        catch (ArgumentException ex)
        {
            // Never echo the string itself: it holds a password.
            problem = $"cannot be parsed ({ex.Message.Split('\n')[0]})";
        }
        if (problem is not null)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(ConnectionString)} {problem}.", [nameof(ConnectionString)]);
        }
    }
}
