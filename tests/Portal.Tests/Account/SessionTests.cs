using System.Net;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Tests.Infrastructure;
using Grpc.Core;

namespace AstralytiQ.Portal.Tests.Account;

/// <summary>
/// Transparent refresh and the end of sessions. Expiry is simulated by re-signing the browser's real access
/// token with past (or near) expiry times using the test server's signing key: the server itself then
/// refuses that token as expired, so a page that still works proves the portal refreshed first. No waiting,
/// no clock changes, deterministic.
/// </summary>
public sealed class SessionTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task An_expired_access_token_is_refreshed_before_the_page_calls_the_server_and_both_cookies_rotate()
    {
        using var browser = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(browser);
        var refreshBefore = browser.Cookie("astq_rt")!;
        var now = DateTimeOffset.UtcNow;
        var expired = TestTokens.WithLifetime(browser.Cookie("astq_at")!, fixture.Server.SigningKey, now.AddHours(-25), now.AddHours(-1));
        browser.SetCookie("astq_at", expired);
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.GetProfileAsync(new GetProfileRequest(), PortalFixture.Bearer(browser)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

        var profile = await browser.GetAsync("/Account/Profile");

        Assert.Equal(HttpStatusCode.OK, profile.Status);
        Assert.Equal("/Account/Profile", profile.Path);
        Assert.Contains(account.Email, profile.TestId("profile-facts"), StringComparison.Ordinal);
        Assert.NotEqual(expired, browser.Cookie("astq_at"));
        Assert.True(TestTokens.ExpiresAt(browser.Cookie("astq_at")!) > now.AddHours(23));
        Assert.NotEqual(refreshBefore, browser.Cookie("astq_rt"));
        Assert.Contains(account.Workspace, profile.TestId("signed-in-as"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_about_to_expire_is_refreshed_while_one_with_hours_left_is_kept()
    {
        using var browser = fixture.NewBrowser();
        await fixture.SignUpAsync(browser);
        var fresh = browser.Cookie("astq_at")!;

        await browser.GetAsync("/Account/Profile");
        Assert.Equal(fresh, browser.Cookie("astq_at"));

        var now = DateTimeOffset.UtcNow;
        var closeToExpiry = TestTokens.WithLifetime(fresh, fixture.Server.SigningKey, now.AddHours(-24), now.AddMinutes(2));
        browser.SetCookie("astq_at", closeToExpiry);
        var page = await browser.GetAsync("/Account/Profile");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.NotEqual(closeToExpiry, browser.Cookie("astq_at"));
    }

    [Fact]
    public async Task Parallel_requests_with_the_same_expired_token_share_one_refresh_and_the_session_survives()
    {
        using var browser = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(browser);
        var now = DateTimeOffset.UtcNow;
        browser.SetCookie("astq_at", TestTokens.WithLifetime(browser.Cookie("astq_at")!, fixture.Server.SigningKey, now.AddHours(-25), now.AddHours(-1)));

        // Same cookies on every request, as a browser sends for several tabs at once; the server treats a
        // second use of a refresh token as theft and would end the session if each request refreshed alone.
        var pages = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => browser.GetAsync("/Account/Profile", follow: false)));

        Assert.All(pages, p => Assert.Equal(HttpStatusCode.OK, p.Status));
        var later = await browser.GetAsync("/Account/Profile");
        Assert.Equal("/Account/Profile", later.Path);
        Assert.Contains(account.Email, later.TestId("profile-facts"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_refresh_fails_the_cookies_are_cleared_and_the_page_asks_to_sign_in_again()
    {
        using var browser = fixture.NewBrowser();
        await fixture.SignUpAsync(browser);
        var now = DateTimeOffset.UtcNow;
        browser.SetCookie("astq_at", TestTokens.WithLifetime(browser.Cookie("astq_at")!, fixture.Server.SigningKey, now.AddHours(-25), now.AddHours(-1)));
        browser.SetCookie("astq_rt", "rt_not-a-real-refresh-token");

        var page = await browser.GetAsync("/Account/Profile?tab=1", follow: false);

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal("/Account/Login?returnUrl=%2FAccount%2FProfile%3Ftab%3D1", page.Response.Headers.Location?.OriginalString);
        Assert.Null(browser.Cookie("astq_at"));
        Assert.Null(browser.Cookie("astq_rt"));
    }

    [Fact]
    public async Task When_the_server_ends_the_session_the_next_page_clears_the_cookies_and_redirects_to_login()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        var email = await fixture.AddUserAsync(admin, Role.Analyst);
        using var analyst = fixture.NewBrowser();
        await PortalFixture.LoginAsync(analyst, email);
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/Account/Profile")).Status);

        var users = await fixture.Admin.ListUsersAsync(new ListUsersRequest { Filter = email }, PortalFixture.Bearer(admin));
        await fixture.Admin.DeactivateUserAsync(new DeactivateUserRequest { UserId = users.Users.Single().Id }, PortalFixture.Bearer(admin));
        var page = await analyst.GetAsync("/Account/Profile", follow: false);

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal("/Account/Login?returnUrl=%2FAccount%2FProfile", page.Response.Headers.Location?.OriginalString);
        Assert.Null(analyst.Cookie("astq_at"));
        Assert.Null(analyst.Cookie("astq_rt"));
        var login = await PortalFixture.LoginAsync(analyst, email);
        Assert.Contains("This account has been deactivated.", login.TestId("error-summary"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_garbled_access_cookie_without_refresh_token_counts_as_signed_out()
    {
        using var browser = fixture.NewBrowser();
        browser.SetCookie("astq_at", "not.a.jwt");

        var page = await browser.GetAsync("/Account/Profile", follow: false);

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Null(browser.Cookie("astq_at"));
    }

    [Fact]
    public async Task An_analyst_gets_the_403_page_for_admin_pages_and_sees_no_admin_links()
    {
        using var admin = fixture.NewBrowser();
        var adminHome = (await fixture.SignUpAsync(admin)).Landing;
        Assert.Contains("href=\"/Admin/Users\"", adminHome.Html, StringComparison.Ordinal);
        var email = await fixture.AddUserAsync(admin, Role.Analyst);
        using var analyst = fixture.NewBrowser();

        var home = await PortalFixture.LoginAsync(analyst, email);

        Assert.Contains("analyst", home.TestId("signed-in-as"), StringComparison.Ordinal);
        Assert.DoesNotContain("/Admin/", home.Html, StringComparison.Ordinal);
        foreach (var path in new[] { "/Admin/Users", "/Admin/Users/Create", "/Admin/ApiKeys", "/Admin/Audit", "/Admin/Usage" })
        {
            var page = await analyst.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, page.Status);
            Assert.Contains("Not allowed", page.Text, StringComparison.Ordinal);
            Assert.Contains("You do not have access to this page.", page.Text, StringComparison.Ordinal);
        }
        // And a form post to an admin page is refused before it reaches the server.
        var create = await admin.GetAsync("/Admin/ApiKeys");
        var token = System.Text.RegularExpressions.Regex.Match(create.Html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var post = await analyst.PostRawAsync("/Admin/ApiKeys?handler=Create", new Dictionary<string, string> { ["Input.Name"] = "sneaky", ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.Forbidden, post.Status);
    }

    [Fact]
    public async Task Anonymous_visitors_may_see_the_public_pages_only()
    {
        using var browser = fixture.NewBrowser();

        foreach (var path in new[] { "/", "/Account/Login", "/Account/SignUp", "/Account/ForgotPassword", "/Account/ResetPassword?token=x" })
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(path, follow: false)).Status);
        }
        foreach (var path in new[] { "/Account/Profile", "/Account/ChangePassword", "/Account/Logout", "/Admin/Users", "/Admin/Usage" })
        {
            var page = await browser.GetAsync(path, follow: false);
            Assert.Equal(HttpStatusCode.Redirect, page.Status);
            Assert.Equal("/Account/Login?returnUrl=" + Uri.EscapeDataString(path), page.Response.Headers.Location?.OriginalString);
        }
    }
}
