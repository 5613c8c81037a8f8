using Grpc.Core;

namespace AstralytiQ.Portal.Infrastructure;

/// <summary>What a person should read when a server call fails, and the HTTP status the page answers with.</summary>
public sealed record FriendlyError(int HttpStatus, string Title, string Message, TimeSpan? RetryAfter = null);

public static class GrpcErrors
{
    /// <summary>
    /// Maps a gRPC status to a message a user can act on. Validation and not-found messages come from the
    /// server written for people, so they are shown; internal details never are.
    /// </summary>
    public static FriendlyError ToFriendly(RpcException exception)
    {
        var detail = exception.Status.Detail;
        return exception.StatusCode switch
        {
            StatusCode.InvalidArgument or StatusCode.OutOfRange => new(400, "That request could not be accepted", Fallback(detail, "Check the values you entered and try again.")),
            StatusCode.FailedPrecondition => new(409, "Not possible right now", Fallback(detail, "The item is not in a state that allows this.")),
            StatusCode.AlreadyExists => new(409, "Already exists", Fallback(detail, "Something with that name already exists.")),
            StatusCode.Aborted => new(409, "Someone else changed this", "The item changed while you were working on it. Reload and try again."),
            StatusCode.NotFound => new(404, "Not found", "We could not find what you asked for. It may have been deleted, or you may not have access to it."),
            StatusCode.Unauthenticated => new(401, "Please sign in", "Your session has ended. Sign in again to continue."),
            StatusCode.PermissionDenied => new(403, "Not allowed", "Your role does not allow this. Ask an administrator of your workspace if you need it."),
            StatusCode.ResourceExhausted => new(429, "Limit reached", Fallback(detail, "You have reached a usage limit."), RetryAfter(exception)),
            StatusCode.Unavailable => new(503, "Server unavailable", "The AstralytiQ server is not reachable right now. Try again in a moment."),
            StatusCode.DeadlineExceeded => new(504, "That took too long", "The server did not answer in time. Try again, or narrow the request."),
            StatusCode.Cancelled => new(499, "Cancelled", "The request was cancelled."),
            StatusCode.Unimplemented => new(501, "Not available", "This server does not offer that feature."),
            _ => new(500, "Something went wrong", "An unexpected error occurred on the server. It has been logged; try again later."),
        };
    }

    private static string Fallback(string detail, string fallback) => string.IsNullOrWhiteSpace(detail) ? fallback : detail;

    private static TimeSpan? RetryAfter(RpcException exception) =>
        int.TryParse(exception.Trailers.GetValue("retry-after"), out var seconds) && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
}
