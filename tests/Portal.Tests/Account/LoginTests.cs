using System.Net;
using AstralytiQ.Portal.Tests.Infrastructure;

namespace AstralytiQ.Portal.Tests.Account;

public sealed class LoginTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task Login_signs_in_and_every_page_shows_who_is_signed_in()
    {
        var email = await fixture.SignUpThroughApiAsync("Grace Hopper");
        using var browser = fixture.NewBrowser();

        var home = await PortalFixture.LoginAsync(browser, email);

        Assert.Equal(HttpStatusCode.OK, home.Status);
        Assert.Equal("/", home.Path);
        Assert.Equal("Welcome, Grace Hopper", home.TestId("welcome"));
        Assert.Matches($@"^Signed in as Grace Hopper \({System.Text.RegularExpressions.Regex.Escape(email)}, admin, Workspace [0-9a-f]{{8}}\)$", home.TestId("signed-in-as"));
        Assert.Contains("Signed in as Grace Hopper.", home.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_cookies_are_http_only_and_same_site()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var browser = fixture.NewBrowser();
        var form = await browser.GetAsync("/Account/Login");

        var answer = await browser.SubmitAsync(form, new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = PortalFixture.Password }, follow: false);

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        var cookies = answer.Response.Headers.GetValues("Set-Cookie").ToList();
        foreach (var name in new[] { "astq_at", "astq_rt", "astq_who" })
        {
            var cookie = Assert.Single(cookies, c => c.StartsWith(name + "=", StringComparison.Ordinal));
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
            // Plain HTTP here; Secure is set when the portal is served over HTTPS.
            Assert.DoesNotContain("secure", cookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Wrong_password_shows_the_error_and_keeps_the_email()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var browser = fixture.NewBrowser();

        var page = await PortalFixture.LoginAsync(browser, email, "not the password at all");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("/Account/Login", page.Path);
        Assert.Contains("Email or password is incorrect.", page.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Contains($"value=\"{email}\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("not the password at all", page.Html, StringComparison.Ordinal);
        Assert.Null(browser.Cookie("astq_at"));
    }

    [Fact]
    public async Task Empty_fields_are_reported_in_a_summary_linked_to_each_field()
    {
        using var browser = fixture.NewBrowser();
        var form = await browser.GetAsync("/Account/Login");

        var page = await browser.SubmitAsync(form, new Dictionary<string, string> { ["Input.Email"] = "", ["Input.Password"] = "" });

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("<a href=\"#Input_Email\">Enter your email address.</a>", page.Html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#Input_Password\">Enter your password.</a>", page.Html, StringComparison.Ordinal);
        Assert.Matches("<input[^>]*aria-invalid=\"true\"[^>]*aria-describedby=\"Input_Email-error\"|<input[^>]*aria-describedby=\"Input_Email-error\"[^>]*aria-invalid=\"true\"", page.Html);
        Assert.Contains("id=\"Input_Email-error\"", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_the_anti_forgery_token_is_rejected()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var browser = fixture.NewBrowser();
        await browser.GetAsync("/Account/Login");

        var page = await browser.PostRawAsync("/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = PortalFixture.Password });

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Null(browser.Cookie("astq_at"));
    }

    [Fact]
    public async Task A_token_from_another_browser_is_rejected()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var attacker = fixture.NewBrowser();
        using var victim = fixture.NewBrowser();
        var attackerForm = await attacker.GetAsync("/Account/Login");
        var victimForm = await victim.GetAsync("/Account/Login");

        // The attacker's page holds a token minted for the attacker's anti-forgery cookie, not the victim's.
        var token = System.Text.RegularExpressions.Regex.Match(attackerForm.Html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var page = await victim.PostRawAsync("/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = PortalFixture.Password, ["__RequestVerificationToken"] = token,
        });

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(HttpStatusCode.OK, victimForm.Status);
    }

    [Fact]
    public async Task Login_returns_to_the_local_page_that_asked_for_it_and_ignores_other_sites()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var browser = fixture.NewBrowser();

        var redirected = await browser.GetAsync("/Account/Logout");
        Assert.Equal("/Account/Login?returnUrl=%2FAccount%2FLogout", redirected.Path);
        var back = await browser.SubmitAsync(redirected, new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = PortalFixture.Password });
        Assert.Equal("/Account/Logout", back.Path);

        using var other = fixture.NewBrowser();
        var form = await other.GetAsync("/Account/Login?returnUrl=" + Uri.EscapeDataString("//evil.example/steal"));
        var landed = await other.SubmitAsync(form, new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = PortalFixture.Password }, follow: false);
        Assert.Equal("/", landed.Response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Logout_revokes_the_session_clears_the_cookies_and_protected_pages_redirect_to_login()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var browser = fixture.NewBrowser();
        await PortalFixture.LoginAsync(browser, email);
        var refreshToken = browser.Cookie("astq_rt");
        Assert.NotNull(refreshToken);

        var home = await browser.GetAsync("/");
        var afterLogout = await browser.SubmitAsync(home, formMarker: "action=\"/Account/Logout\"");

        Assert.Equal("/Account/Login", afterLogout.Path);
        Assert.Contains("You have signed out.", afterLogout.Text, StringComparison.Ordinal);
        Assert.Null(browser.Cookie("astq_at"));
        Assert.Null(browser.Cookie("astq_rt"));
        Assert.Null(browser.Cookie("astq_who"));
        var protectedPage = await browser.GetAsync("/Account/Logout", follow: false);
        Assert.Equal(HttpStatusCode.Redirect, protectedPage.Status);
        Assert.Equal("/Account/Login?returnUrl=%2FAccount%2FLogout", protectedPage.Response.Headers.Location?.OriginalString);
        // Revoked on the server too: the refresh token no longer works.
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            fixture.Identity.RefreshTokenAsync(new Api.V1.RefreshTokenRequest { RefreshToken = refreshToken }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Logout_by_get_does_not_sign_out()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var browser = fixture.NewBrowser();
        await PortalFixture.LoginAsync(browser, email);

        var page = await browser.GetAsync("/Account/Logout");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Sign out of AstralytiQ in this browser?", page.Text, StringComparison.Ordinal);
        Assert.NotNull(browser.Cookie("astq_at"));
    }

    [Fact]
    public async Task Too_many_failed_logins_get_the_429_page_with_retry_after()
    {
        var email = await fixture.SignUpThroughApiAsync();
        using var browser = fixture.NewBrowser();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PortalFixture.LoginAsync(browser, email, "wrong password " + i)).Status);
        }

        var page = await PortalFixture.LoginAsync(browser, email, "wrong password again");

        Assert.Equal(HttpStatusCode.TooManyRequests, page.Status);
        Assert.Contains("Too many failed sign-in attempts for this email.", page.Text, StringComparison.Ordinal);
        Assert.True(page.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
