using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Infrastructure;
using AstralytiQ.Server.Tests.Proto;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace AstralytiQ.Server.Tests.Identity;

public sealed class AuthenticationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Sign_up_creates_tenant_admin_schema_and_reader_role()
    {
        var admin = await fixture.SignUpAsync("Acme Analytics");

        Assert.Equal(Role.Admin, admin.Tokens.User.Role);
        Assert.StartsWith("acme-analytics", admin.Tenant!.Slug, StringComparison.Ordinal);
        var profile = await fixture.Identity.GetProfileAsync(new GetProfileRequest(), admin.Options);
        Assert.Equal(admin.Email, profile.Email);
        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var check = new NpgsqlCommand("SELECT to_regnamespace(@schema) IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @role AND NOT rolcanlogin)", connection);
        check.Parameters.AddWithValue("schema", "t_" + admin.TenantId.ToString("N"));
        check.Parameters.AddWithValue("role", "tr_" + admin.TenantId.ToString("N"));
        Assert.True((bool)(await check.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Emails_are_unique_ignoring_case()
    {
        var admin = await fixture.SignUpAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.SignUpAsync(new SignUpRequest
        {
            TenantName = "Other", Email = admin.Email.ToUpperInvariant(), Password = TestSession.Password,
        }).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.StartsWith("email:", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short1!", "password: must be at least 10 characters long")]
    [InlineData("Password2024!", "password: is too common")]
    [InlineData("qwertyuiop", "password: is too common")]
    [InlineData("1234567890", "password: is too common")]
    [InlineData("aaaaaaaaaaaa", "password: repeats too few characters")]
    public async Task Weak_passwords_are_refused_naming_the_field(string password, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.SignUpAsync(new SignUpRequest
        {
            TenantName = "Weak", Email = $"weak-{Guid.NewGuid():N}@example.com", Password = password,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_with_a_wrong_password_or_unknown_email_gives_the_same_answer()
    {
        var admin = await fixture.SignUpAsync();

        var wrong = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = admin.Email, Password = "not the password at all" }).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = $"nobody-{Guid.NewGuid():N}@example.com", Password = "whatever-long" }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal(wrong.Status.Detail, unknown.Status.Detail);
        var session = await fixture.LoginAsync(admin.Email.ToUpperInvariant());
        Assert.Equal(admin.UserId, session.UserId);
        Assert.Equal(admin.Tenant!.Name, session.Tokens.Tenant.Name);
    }

    [Fact]
    public async Task Missing_and_malformed_credentials_are_unauthenticated()
    {
        var noHeader = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest()).ResponseAsync);
        var notBearer = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "authorization", "Basic dXNlcjpwYXNz" } }).ResponseAsync);
        var garbage = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), Bearer("not-a-jwt")).ResponseAsync);

        Assert.All([noHeader, notBearer, garbage], e => Assert.Equal(StatusCode.Unauthenticated, e.StatusCode));
    }

    [Fact]
    public async Task Forged_signature_is_rejected()
    {
        var admin = await fixture.SignUpAsync();
        var forged = CreateToken(admin, Encoding.UTF8.GetBytes("an attacker's own key, 32 bytes or more!!"), DateTime.UtcNow.AddHours(1));

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), Bearer(forged)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Unsigned_alg_none_token_is_rejected()
    {
        var admin = await fixture.SignUpAsync();
        var claims = new JsonWebToken(admin.Tokens.AccessToken);
        string Encode(string json) => Base64UrlEncoder.Encode(json);
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(claims.EncodedPayload));
        var unsigned = Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64UrlEncoder.Encode(payload) + ".";

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), Bearer(unsigned)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Expired_token_is_rejected()
    {
        var admin = await fixture.SignUpAsync();
        var expired = CreateToken(admin, Convert.FromBase64String(ServerHost.SigningKey), DateTime.UtcNow.AddMinutes(-5));

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), Bearer(expired)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("expired", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_correctly_signed_token_is_accepted_and_tells_who_calls()
    {
        var admin = await fixture.SignUpAsync();
        var valid = CreateToken(admin, Convert.FromBase64String(ServerHost.SigningKey), DateTime.UtcNow.AddMinutes(5));

        var probe = await fixture.Probe.GeneralAsync(new ProbeRequest(), Bearer(valid));

        Assert.Equal(admin.UserId.ToString(), probe.UserId);
        Assert.Equal(admin.TenantId.ToString(), probe.TenantId);
    }

    [Fact]
    public async Task Deactivated_users_tokens_stop_working_at_once()
    {
        var admin = await fixture.SignUpAsync();
        var analyst = await admin.AddUserAsync(Role.Analyst);
        await fixture.Probe.GeneralAsync(new ProbeRequest(), analyst.Options);

        await fixture.Admin.DeactivateUserAsync(new DeactivateUserRequest { UserId = analyst.UserId.ToString() }, admin.Headers);

        var call = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), analyst.Options).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, call.StatusCode);
        Assert.Contains("deactivated", call.Status.Detail, StringComparison.Ordinal);
        var refresh = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = analyst.Tokens.RefreshToken }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refresh.StatusCode);
        var login = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = analyst.Email, Password = TestSession.Password }).ResponseAsync);
        Assert.Contains("deactivated", login.Status.Detail, StringComparison.Ordinal);
    }

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>A token with the session's real claims, signed with <paramref name="key"/> and expiring at <paramref name="expires"/>.</summary>
    private static string CreateToken(TestSession session, byte[] key, DateTime expires)
    {
        var original = new JsonWebToken(session.Tokens.AccessToken);
        var claims = original.Claims.Where(c => c.Type is not ("exp" or "iat" or "nbf" or "aud" or "iss"))
            .ToDictionary(c => c.Type, c => c.Type == "ver" ? (object)int.Parse(c.Value, System.Globalization.CultureInfo.InvariantCulture) : c.Value);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "astralytiq",
            Audience = "astralytiq-api",
            IssuedAt = expires.AddHours(-1),
            NotBefore = expires.AddHours(-1),
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }
}
