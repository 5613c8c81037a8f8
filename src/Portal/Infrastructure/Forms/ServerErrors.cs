using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace AstralytiQ.Portal.Infrastructure.Forms;

/// <summary>Names the request field of the server's API that an input property is sent as (default: the property name in snake_case).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ServerFieldAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Puts server refusals a person can fix on the form next to the field they concern. The server names
/// fields in INVALID_ARGUMENT (google.rpc.BadRequest field violations, and "field: description" messages,
/// also used by ALREADY_EXISTS); a named field that matches an input becomes that input's error, anything
/// else a message for the whole form. Other statuses are not form errors: let them reach the error page
/// (403, 404, 429 with Retry-After, 503) or, for UNAUTHENTICATED, the login redirect.
/// </summary>
public static class ServerErrors
{
    private const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>True for refusals the person can fix by changing what they sent.</summary>
    public static bool IsFormError(RpcException exception) =>
        exception.StatusCode is StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.AlreadyExists or StatusCode.FailedPrecondition;

    /// <summary>Adds the server's refusal to ModelState, matching fields against the properties of <typeparamref name="TInput"/> bound under <paramref name="prefix"/>.</summary>
    public static void AddServerError<TInput>(this ModelStateDictionary modelState, RpcException exception, string prefix = "Input")
    {
        var inputs = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var property in typeof(TInput).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            inputs.TryAdd(property.GetCustomAttribute<ServerFieldAttribute>()?.Name ?? SnakeCase(property.Name), property);
        }
        var violations = FieldViolations(exception);
        if (violations.Count == 0)
        {
            modelState.AddModelError(string.Empty, PageMessage(exception));
            return;
        }
        foreach (var (field, description) in violations)
        {
            if (inputs.TryGetValue(field, out var property))
            {
                var label = property.GetCustomAttribute<DisplayAttribute>()?.GetName() ?? property.Name;
                // A page property bound under another name (query "from" for From) keeps its errors under that name.
                var name = property.GetCustomAttribute<BindPropertyAttribute>()?.Name is { Length: > 0 } bound ? bound : property.Name;
                modelState.AddModelError(string.IsNullOrEmpty(prefix) ? name : prefix + "." + name, Sentence(label, description));
            }
            else
            {
                modelState.AddModelError(string.Empty, Sentence(Humanize(field), description));
            }
        }
    }

    /// <summary>The fields a refusal names: from google.rpc.BadRequest when present, else from a "field: description" message.</summary>
    public static IReadOnlyList<(string Field, string Description)> FieldViolations(RpcException exception)
    {
        if (exception.Trailers.GetValueBytes(DetailsTrailer) is { } bytes)
        {
            try
            {
                var status = Google.Rpc.Status.Parser.ParseFrom(bytes);
                var fromDetails = status.Details
                    .Where(any => any.Is(BadRequest.Descriptor))
                    .SelectMany(any => any.Unpack<BadRequest>().FieldViolations)
                    .Select(v => (v.Field, v.Description))
                    .ToList();
                if (fromDetails.Count > 0)
                {
                    return fromDetails;
                }
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                // Unreadable details: fall back to the message.
            }
        }
        var detail = exception.Status.Detail;
        var colon = detail.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && detail[..colon].All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.')
            ? [(detail[..colon], detail[(colon + 2)..])]
            : [];
    }

    private static string PageMessage(RpcException exception) =>
        string.IsNullOrWhiteSpace(exception.Status.Detail) ? GrpcErrors.ToFriendly(exception).Message : EndSentence(Capitalise(exception.Status.Detail));

    /// <summary>"Password" + "must be at least 10 characters long" reads "Password must be at least 10 characters long.".</summary>
    internal static string Sentence(string label, string description)
    {
        var text = description.Trim();
        var firstWord = text.Split(' ', 2)[0];
        return EndSentence(firstWord is "must" or "is" or "are" or "was" or "has" or "repeats" or "belongs" or "contains" or "should"
            ? label + " " + text
            : label + ": " + text);
    }

    private static string EndSentence(string text) => text.EndsWith('.') || text.EndsWith('!') || text.EndsWith('?') ? text : text + ".";

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Humanize(string field) => Capitalise(field.Replace('_', ' ').Replace('.', ' '));

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
