using System.Buffers.Text;
using System.Text;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;

namespace AstralytiQ.Portal.Tests;

public sealed class SessionUnitTests
{
    private static string Token(string payloadJson) =>
        "eyJhbGciOiJIUzI1NiJ9." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson)) + ".c2ln";

    [Fact]
    public void Access_token_claims_are_read_without_the_signature()
    {
        var info = AccessTokenInfo.Read(Token("""{"sub":"u1","tenant":"t1","email":"a@b.co","role":"analyst","tier":"premium","iat":1000,"exp":87400}"""));

        Assert.NotNull(info);
        Assert.Equal(("u1", "t1", "a@b.co", "analyst", "premium"), (info.UserId, info.TenantId, info.Email, info.Role, info.Tier));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(87400), info.ExpiresAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    public void Malformed_tokens_read_as_nothing(string token) => Assert.Null(AccessTokenInfo.Read(token));

    [Theory]
    [InlineData("""{"sub":"u","tenant":"t","role":"root","exp":2000}""")]
    [InlineData("""{"sub":"u","tenant":"t","role":"admin"}""")]
    [InlineData("""{"tenant":"t","role":"admin","exp":2000}""")]
    [InlineData("""[1,2]""")]
    public void Tokens_missing_claims_or_with_unknown_roles_read_as_nothing(string payload) => Assert.Null(AccessTokenInfo.Read(Token(payload)));

    [Theory]
    [InlineData(24 * 60, 6, false)]
    [InlineData(24 * 60, 5, true)]
    [InlineData(24 * 60, -1, true)]
    [InlineData(2, 1.5, false)]
    [InlineData(2, 1, true)]
    public void Refresh_is_due_five_minutes_before_expiry_or_half_way_for_short_tokens(double lifetimeMinutes, double minutesLeft, bool due)
    {
        var now = DateTimeOffset.UnixEpoch.AddDays(100);
        var info = new AccessTokenInfo("u", "t", "e", "viewer", "free", now.AddMinutes(minutesLeft - lifetimeMinutes), now.AddMinutes(minutesLeft));

        Assert.Equal(due, info.NeedsRefresh(now));
    }

    [Fact]
    public void Field_violations_come_from_the_message_when_no_details_were_sent()
    {
        var violations = ServerErrors.FieldViolations(new RpcException(new Status(StatusCode.AlreadyExists, "tenant_slug: 'acme' is taken; choose another.")));

        Assert.Equal([("tenant_slug", "'acme' is taken; choose another.")], violations);
        Assert.Empty(ServerErrors.FieldViolations(new RpcException(new Status(StatusCode.FailedPrecondition, "A workspace needs at least one active admin; make someone else admin first."))));
    }

    [Theory]
    [InlineData("Password", "must be at least 10 characters long", "Password must be at least 10 characters long.")]
    [InlineData("Email", "an account with this email already exists.", "Email: an account with this email already exists.")]
    public void Server_descriptions_become_sentences_naming_the_field(string label, string description, string sentence) =>
        Assert.Equal(sentence, ServerErrors.Sentence(label, description));

    [Theory]
    [InlineData(null, "/Account/Login")]
    [InlineData("/", "/Account/Login")]
    [InlineData("/Admin/Users?q=a b", "/Account/Login?returnUrl=%2FAdmin%2FUsers%3Fq%3Da%20b")]
    public void Login_url_carries_the_return_address(string? returnUrl, string expected) => Assert.Equal(expected, PortalSession.LoginUrl(returnUrl));
}
