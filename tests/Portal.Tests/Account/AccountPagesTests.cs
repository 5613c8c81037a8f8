using System.Net;
using System.Text.RegularExpressions;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Tests.Infrastructure;
using Grpc.Core;

namespace AstralytiQ.Portal.Tests.Account;

public sealed class AccountPagesTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task Sign_up_creates_the_workspace_and_lands_signed_in_on_the_home_page()
    {
        using var browser = fixture.NewBrowser();

        var account = await fixture.SignUpAsync(browser, displayName: "Katherine Johnson");

        var home = account.Landing;
        Assert.Equal(HttpStatusCode.OK, home.Status);
        Assert.Equal("/", home.Path);
        Assert.Equal("Welcome, Katherine Johnson", home.TestId("welcome"));
        Assert.Equal($"Signed in as Katherine Johnson ({account.Email}, admin, {account.Workspace})", home.TestId("signed-in-as"));
        Assert.Contains($"Your workspace {account.Workspace} is ready.", home.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_up_explains_the_password_policy_and_puts_the_servers_refusal_on_the_password_field()
    {
        using var browser = fixture.NewBrowser();
        var form = await browser.GetAsync("/Account/SignUp");
        Assert.Contains("At least 10 characters", form.Text, StringComparison.Ordinal);
        Assert.Contains("aria-describedby=\"Input_Password-hint\"", form.Html, StringComparison.Ordinal);

        var page = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.WorkspaceName"] = "Common Co",
            ["Input.Email"] = PortalFixture.UniqueEmail(),
            ["Input.DisplayName"] = "Someone",
            ["Input.Password"] = "Password2024!",
            ["Input.ConfirmPassword"] = "Password2024!",
        });

        Assert.Equal("/Account/SignUp", page.Path);
        Assert.Contains("<a href=\"#Input_Password\">Password is too common;", page.Html, StringComparison.Ordinal);
        Assert.Matches("<p class=\"field-error\" id=\"Input_Password-error\">.*is too common", page.Html);
        Assert.Contains("aria-describedby=\"Input_Password-hint Input_Password-error\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("value=\"Common Co\"", page.Html, StringComparison.Ordinal);
        Assert.Null(browser.Cookie("astq_at"));
    }

    [Fact]
    public async Task Sign_up_with_a_taken_short_name_or_email_names_the_field()
    {
        using var first = fixture.NewBrowser();
        var taken = await fixture.SignUpAsync(first);
        var slug = "ws-" + Guid.NewGuid().ToString("N")[..10];
        using var second = fixture.NewBrowser();
        var form = await second.GetAsync("/Account/SignUp");
        await second.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.WorkspaceName"] = "Slug Owner", ["Input.Slug"] = slug, ["Input.Email"] = PortalFixture.UniqueEmail(),
            ["Input.DisplayName"] = "Owner", ["Input.Password"] = PortalFixture.Password, ["Input.ConfirmPassword"] = PortalFixture.Password,
        });
        using var third = fixture.NewBrowser();

        var slugTaken = await third.SubmitAsync(await third.GetAsync("/Account/SignUp"), new Dictionary<string, string>
        {
            ["Input.WorkspaceName"] = "Another", ["Input.Slug"] = slug, ["Input.Email"] = PortalFixture.UniqueEmail(),
            ["Input.DisplayName"] = "Other", ["Input.Password"] = PortalFixture.Password, ["Input.ConfirmPassword"] = PortalFixture.Password,
        });
        var emailTaken = await third.SubmitAsync(await third.GetAsync("/Account/SignUp"), new Dictionary<string, string>
        {
            ["Input.WorkspaceName"] = "Another", ["Input.Email"] = taken.Email.ToUpperInvariant(),
            ["Input.DisplayName"] = "Other", ["Input.Password"] = PortalFixture.Password, ["Input.ConfirmPassword"] = PortalFixture.Password,
        });

        Assert.Contains($"<a href=\"#Input_Slug\">Short name (optional): &#x27;{slug}&#x27; is taken; choose another.</a>", slugTaken.Html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#Input_Email\">Email: an account with this email already exists; sign in instead.</a>", emailTaken.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mismatched_passwords_are_caught_before_calling_the_server()
    {
        using var browser = fixture.NewBrowser();
        var page = await browser.SubmitAsync(await browser.GetAsync("/Account/SignUp"), new Dictionary<string, string>
        {
            ["Input.WorkspaceName"] = "Typo Ltd", ["Input.Email"] = PortalFixture.UniqueEmail(), ["Input.DisplayName"] = "T",
            ["Input.Password"] = PortalFixture.Password, ["Input.ConfirmPassword"] = PortalFixture.Password + "x",
        });

        Assert.Contains("<a href=\"#Input_ConfirmPassword\">The two passwords do not match.</a>", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_changes_the_display_name_shown_in_the_header()
    {
        using var browser = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(browser);
        var form = await browser.GetAsync("/Account/Profile");
        Assert.Contains("Admin", form.TestId("profile-facts"), StringComparison.Ordinal);

        var saved = await browser.SubmitAsync(form, new Dictionary<string, string> { ["Input.DisplayName"] = "Dorothy Vaughan" });

        Assert.Equal("/Account/Profile", saved.Path);
        Assert.Contains("Your profile has been saved.", saved.Text, StringComparison.Ordinal);
        Assert.StartsWith("Signed in as Dorothy Vaughan", saved.TestId("signed-in-as"), StringComparison.Ordinal);
        var elsewhere = await browser.GetAsync("/");
        Assert.StartsWith("Signed in as Dorothy Vaughan", elsewhere.TestId("signed-in-as"), StringComparison.Ordinal);
        Assert.Contains(account.Email, elsewhere.TestId("signed-in-as"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_password_checks_the_current_one_then_keeps_this_browser_signed_in_with_new_tokens()
    {
        using var browser = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(browser);
        var oldBearer = PortalFixture.Bearer(browser);
        const string newPassword = "violet harbour 77 lantern";

        var wrong = await browser.SubmitAsync(await browser.GetAsync("/Account/ChangePassword"), new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = "not my password", ["Input.NewPassword"] = newPassword, ["Input.ConfirmPassword"] = newPassword,
        });
        Assert.Contains("<a href=\"#Input_CurrentPassword\">Current password is not your current password.</a>", wrong.Html, StringComparison.Ordinal);

        var done = await browser.SubmitAsync(await browser.GetAsync("/Account/ChangePassword"), new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = PortalFixture.Password, ["Input.NewPassword"] = newPassword, ["Input.ConfirmPassword"] = newPassword,
        });

        Assert.Equal("/Account/Profile", done.Path);
        Assert.Contains("Your password has been changed.", done.Text, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.GetProfileAsync(new GetProfileRequest(), oldBearer).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        using var other = fixture.NewBrowser();
        Assert.Equal("/", (await PortalFixture.LoginAsync(other, account.Email, newPassword)).Path);
    }

    [Fact]
    public async Task Password_reset_end_to_end_through_the_link_in_the_outbox()
    {
        using var owner = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(owner);
        using var browser = fixture.NewBrowser();
        const string newPassword = "copper meadow 19 kestrel";

        var unknown = await browser.SubmitAsync(await browser.GetAsync("/Account/ForgotPassword"), new Dictionary<string, string> { ["Input.Email"] = PortalFixture.UniqueEmail("nobody") });
        var known = await browser.SubmitAsync(await browser.GetAsync("/Account/ForgotPassword"), new Dictionary<string, string> { ["Input.Email"] = account.Email });
        // The same answer whether or not the address has an account.
        Assert.Equal("/Account/ForgotPassword", unknown.Path);
        Assert.Equal(unknown.Text, known.Text);
        Assert.Contains("If an account uses that address, we have sent it a link", known.Text, StringComparison.Ordinal);

        var mail = await fixture.LatestMailAsync(account.Email);
        var link = Regex.Match(mail, @"http://127\.0\.0\.1:5102(?<path>/Account/ResetPassword\?token=\S+)").Groups["path"].Value;
        Assert.False(string.IsNullOrEmpty(link), "No reset link in the mail:\n" + mail);
        var resetForm = await browser.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, resetForm.Status);
        var reset = await browser.SubmitAsync(resetForm, new Dictionary<string, string> { ["Input.NewPassword"] = newPassword, ["Input.ConfirmPassword"] = newPassword });

        Assert.Equal("/Account/Login", reset.Path);
        Assert.Contains("Your new password is set.", reset.Text, StringComparison.Ordinal);
        Assert.Equal("/", (await PortalFixture.LoginAsync(browser, account.Email, newPassword)).Path);

        using var again = fixture.NewBrowser();
        var reused = await again.SubmitAsync(await again.GetAsync(link), new Dictionary<string, string> { ["Input.NewPassword"] = "another fine 88 password", ["Input.ConfirmPassword"] = "another fine 88 password" });
        Assert.Contains("Reset link is invalid, already used or expired; request a new reset link.", reused.TestId("error-summary"), StringComparison.Ordinal);
    }
}
