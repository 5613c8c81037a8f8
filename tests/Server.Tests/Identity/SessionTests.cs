using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Proto;
using Dapper;
using Grpc.Core;
using Npgsql;

namespace AstralytiQ.Server.Tests.Identity;

public sealed class SessionTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Refresh_rotates_and_a_reused_refresh_token_ends_the_session()
    {
        var admin = await fixture.SignUpAsync();

        var second = await fixture.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = admin.Tokens.RefreshToken });
        Assert.NotEqual(admin.Tokens.RefreshToken, second.RefreshToken);
        await fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "authorization", "Bearer " + second.AccessToken } });

        // The first token again: a copy was kept somewhere. The whole session ends.
        var reuse = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = admin.Tokens.RefreshToken }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, reuse.StatusCode);
        var afterReuse = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = second.RefreshToken }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, afterReuse.StatusCode);
        var access = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "authorization", "Bearer " + second.AccessToken } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, access.StatusCode);
    }

    [Fact]
    public async Task Concurrent_refreshes_with_one_token_let_exactly_one_through()
    {
        var admin = await fixture.SignUpAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            try
            {
                await fixture.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = admin.Tokens.RefreshToken });
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return false;
            }
        }));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task Logout_revokes_the_session_and_its_access_token()
    {
        var admin = await fixture.SignUpAsync();
        var other = await fixture.LoginAsync(admin.Email);

        await fixture.Identity.LogoutAsync(new LogoutRequest { RefreshToken = admin.Tokens.RefreshToken }, admin.Headers);

        var access = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), admin.Options).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, access.StatusCode);
        var refresh = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = admin.Tokens.RefreshToken }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refresh.StatusCode);
        // Another device's session is untouched until "all sessions".
        await fixture.Probe.GeneralAsync(new ProbeRequest(), other.Options);
        await fixture.Identity.LogoutAsync(new LogoutRequest { AllSessions = true }, other.Headers);
        await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), other.Options).ResponseAsync);
    }

    [Fact]
    public async Task Changing_the_password_ends_other_sessions_and_returns_fresh_tokens()
    {
        var admin = await fixture.SignUpAsync();

        var wrong = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = "not my password", NewPassword = "a brand new passphrase" }, admin.Headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, wrong.StatusCode);
        Assert.StartsWith("current_password:", wrong.Status.Detail, StringComparison.Ordinal);

        var changed = await fixture.Identity.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = TestSession.Password, NewPassword = "a brand new passphrase" }, admin.Headers);

        await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), admin.Options).ResponseAsync);
        await fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "authorization", "Bearer " + changed.Tokens.AccessToken } });
        await fixture.LoginAsync(admin.Email, "a brand new passphrase");
    }

    [Fact]
    public async Task Password_reset_link_works_once_and_only_within_its_hour()
    {
        var admin = await fixture.SignUpAsync();

        await fixture.Identity.RequestPasswordResetAsync(new RequestPasswordResetRequest { Email = admin.Email });
        var token = await ReadResetTokenAsync(admin.Email);
        await fixture.Identity.ResetPasswordAsync(new ResetPasswordRequest { Token = token, NewPassword = "reset passphrase one" });
        await fixture.LoginAsync(admin.Email, "reset passphrase one");

        var again = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.ResetPasswordAsync(new ResetPasswordRequest { Token = token, NewPassword = "reset passphrase two" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, again.StatusCode);
        Assert.StartsWith("token:", again.Status.Detail, StringComparison.Ordinal);

        await fixture.Identity.RequestPasswordResetAsync(new RequestPasswordResetRequest { Email = admin.Email });
        var late = await ReadResetTokenAsync(admin.Email);
        await using (var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString))
        {
            await connection.ExecuteAsync("UPDATE app.password_resets SET expires_at = now() - interval '1 second' WHERE user_id = @id AND used_at IS NULL", new { id = admin.UserId });
        }
        var expired = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.ResetPasswordAsync(new ResetPasswordRequest { Token = late, NewPassword = "reset passphrase three" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, expired.StatusCode);
    }

    [Fact]
    public async Task Password_reset_for_an_unknown_email_answers_the_same_and_sends_nothing()
    {
        var email = $"ghost-{Guid.NewGuid():N}@example.com";

        await fixture.Identity.RequestPasswordResetAsync(new RequestPasswordResetRequest { Email = email });

        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM app.outbox WHERE recipient = @email", new { email }));
    }

    private async Task<string> ReadResetTokenAsync(string email)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        var body = await connection.ExecuteScalarAsync<string>("SELECT body FROM app.outbox WHERE recipient = @email ORDER BY id DESC LIMIT 1", new { email });
        var start = body!.IndexOf("token=", StringComparison.Ordinal) + "token=".Length;
        var end = body.IndexOfAny(['\n', ' '], start);
        return Uri.UnescapeDataString(body[start..(end < 0 ? body.Length : end)]);
    }
}
