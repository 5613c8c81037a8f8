using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace AstralytiQ.Server.Infrastructure.Errors;

/// <summary>
/// The errors services throw: a status a user can act on, with google.rpc details (field violations,
/// retry info, quota failures) in <c>grpc-status-details-bin</c> for clients that read them.
/// </summary>
public static class RpcErrors
{
    private const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>INVALID_ARGUMENT naming the field, e.g. "email: must be a valid address".</summary>
    public static RpcException InvalidArgument(string field, string description) =>
        WithDetails(StatusCode.InvalidArgument, $"{field}: {description}",
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description } } });

    /// <summary>INVALID_ARGUMENT for several fields at once.</summary>
    public static RpcException InvalidArguments(IReadOnlyList<(string Field, string Description)> violations)
    {
        var details = new BadRequest();
        foreach (var (field, description) in violations)
        {
            details.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        }
        return WithDetails(StatusCode.InvalidArgument, string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")), details);
    }

    /// <summary>NOT_FOUND. Also the answer for ids of other tenants, so existence never leaks.</summary>
    public static RpcException NotFound(string what) => new(new Status(StatusCode.NotFound, $"{what} was not found."));

    public static RpcException AlreadyExists(string message) => new(new Status(StatusCode.AlreadyExists, message));

    public static RpcException PermissionDenied(string message) => new(new Status(StatusCode.PermissionDenied, message));

    public static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));

    public static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    /// <summary>RESOURCE_EXHAUSTED with a <c>retry-after</c> trailer (whole seconds) and google.rpc.RetryInfo.</summary>
    public static RpcException RateLimited(string message, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        var exception = WithDetails(StatusCode.ResourceExhausted, message,
            new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds)) });
        exception.Trailers.Add("retry-after", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return exception;
    }

    /// <summary>RESOURCE_EXHAUSTED with google.rpc.QuotaFailure naming the quota.</summary>
    public static RpcException QuotaExceeded(string subject, string description) =>
        WithDetails(StatusCode.ResourceExhausted, description,
            new QuotaFailure { Violations = { new QuotaFailure.Types.Violation { Subject = subject, Description = description } } });

    [DoesNotReturn]
    public static void ThrowInvalidArgument(string field, string description) => throw InvalidArgument(field, description);

    /// <summary>Reads the google.rpc.Status details a server attached, or null.</summary>
    public static Google.Rpc.Status? GetRichStatus(this RpcException exception) =>
        exception.Trailers.GetValueBytes(DetailsTrailer) is { } bytes ? Google.Rpc.Status.Parser.ParseFrom(bytes) : null;

    private static RpcException WithDetails(StatusCode code, string message, IMessage detail)
    {
        var rich = new Google.Rpc.Status { Code = (int)code, Message = message, Details = { Any.Pack(detail) } };
        var trailers = new Metadata { { DetailsTrailer, rich.ToByteArray() } };
        return new RpcException(new Status(code, message), trailers);
    }
}
