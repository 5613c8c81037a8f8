using AstralytiQ.Portal.Infrastructure;
using Grpc.Core;

namespace AstralytiQ.Portal.Tests;

public sealed class GrpcErrorsTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable, 503, "Server unavailable")]
    [InlineData(StatusCode.DeadlineExceeded, 504, "That took too long")]
    [InlineData(StatusCode.NotFound, 404, "Not found")]
    [InlineData(StatusCode.PermissionDenied, 403, "Not allowed")]
    [InlineData(StatusCode.Unauthenticated, 401, "Please sign in")]
    [InlineData(StatusCode.AlreadyExists, 409, "Already exists")]
    [InlineData(StatusCode.Unimplemented, 501, "Not available")]
    public void Status_codes_map_to_http_status_and_plain_title(StatusCode code, int httpStatus, string title)
    {
        var friendly = GrpcErrors.ToFriendly(new RpcException(new Status(code, "")));

        Assert.Equal(httpStatus, friendly.HttpStatus);
        Assert.Equal(title, friendly.Title);
    }

    [Fact]
    public void Validation_messages_written_for_people_are_shown()
    {
        var friendly = GrpcErrors.ToFriendly(new RpcException(new Status(StatusCode.InvalidArgument, "name: must not be empty")));

        Assert.Equal(400, friendly.HttpStatus);
        Assert.Equal("name: must not be empty", friendly.Message);
    }

    [Fact]
    public void Internal_details_are_never_shown()
    {
        var friendly = GrpcErrors.ToFriendly(new RpcException(new Status(StatusCode.Internal, "NullReferenceException at Foo.Bar()")));

        Assert.Equal(500, friendly.HttpStatus);
        Assert.DoesNotContain("NullReference", friendly.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_limits_carry_retry_after_from_the_trailer()
    {
        var trailers = new Metadata { { "retry-after", "42" } };
        var friendly = GrpcErrors.ToFriendly(new RpcException(new Status(StatusCode.ResourceExhausted, "Query limit of 100 per hour reached."), trailers));

        Assert.Equal(429, friendly.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(42), friendly.RetryAfter);
        Assert.Equal("Query limit of 100 per hour reached.", friendly.Message);
    }
}
