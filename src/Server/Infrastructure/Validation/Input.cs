using System.Globalization;
using System.Net.Mail;
using System.Text;
using AstralytiQ.Server.Infrastructure.Errors;
using Microsoft.IdentityModel.Tokens;

namespace AstralytiQ.Server.Infrastructure.Validation;

/// <summary>Checks on request fields; each failure is INVALID_ARGUMENT naming the field.</summary>
public static class Input
{
    public static string Text(string field, string? value, int minLength = 1, int maxLength = 200)
    {
        var trimmed = (value ?? "").Trim();
        if (trimmed.Length < minLength)
        {
            throw RpcErrors.InvalidArgument(field, minLength == 1 ? "is required" : $"must be at least {minLength} characters");
        }
        if (trimmed.Length > maxLength)
        {
            throw RpcErrors.InvalidArgument(field, $"must be at most {maxLength} characters");
        }
        foreach (var c in trimmed)
        {
            if (char.IsControl(c))
            {
                throw RpcErrors.InvalidArgument(field, "must not contain control characters");
            }
        }
        return trimmed;
    }

    public static string Email(string field, string? value)
    {
        var email = (value ?? "").Trim();
        if (email.Length == 0)
        {
            throw RpcErrors.InvalidArgument(field, "is required");
        }
        if (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace))
        {
            throw RpcErrors.InvalidArgument(field, "must be a valid email address, e.g. ada@example.com");
        }
        return email;
    }

    /// <summary>The unique form of an email: lower-cased.</summary>
    public static string EmailKey(string email) => email.Trim().ToLowerInvariant();

    public static Guid Id(string field, string? value) =>
        Guid.TryParse(value, out var id) && id != Guid.Empty ? id : throw RpcErrors.InvalidArgument(field, "must be an id returned by the API");

    public static int PageSize(string field, int value, int defaultSize = 50, int maxSize = 200) => value switch
    {
        0 => defaultSize,
        < 0 => throw RpcErrors.InvalidArgument(field, "must not be negative"),
        _ => Math.Min(value, maxSize),
    };
}

/// <summary>An opaque keyset cursor over (time, id): stable under inserts, no offsets.</summary>
public readonly record struct PageToken(DateTime Time, string Id)
{
    public PageToken(DateTime time, Guid id)
        : this(time, id.ToString("N"))
    {
    }

    public PageToken(DateTime time, long id)
        : this(time, id.ToString(CultureInfo.InvariantCulture))
    {
    }

    public Guid GuidId => Guid.TryParseExact(Id, "N", out var id) ? id : Guid.Empty;

    public long LongId => long.TryParse(Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;

    public string Encode() => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(
        Time.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture) + ":" + Id));

    public static PageToken? Decode(string field, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            var parts = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks is > 0 and < 3155378975999999999 && parts[1].Length is > 0 and <= 32 && parts[1].All(char.IsAsciiLetterOrDigit))
            {
                return new PageToken(new DateTime(ticks, DateTimeKind.Utc), parts[1]);
            }
        }
        catch (FormatException)
        {
        }
        catch (ArgumentException)
        {
        }
        throw RpcErrors.InvalidArgument(field, "is not a token returned by this API");
    }
}
