using System.Net;
using System.Text.RegularExpressions;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Tests.Infrastructure;
using Grpc.Core;

namespace AstralytiQ.Portal.Tests.Admin;

public sealed class AdminPagesTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task Admin_creates_a_user_with_a_password_who_can_then_sign_in()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        var email = PortalFixture.UniqueEmail("new");

        var details = await admin.SubmitAsync(await admin.GetAsync("/Admin/Users/Create"), new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.DisplayName"] = "Mary Jackson", ["Input.Role"] = "Viewer", ["Input.Password"] = PortalFixture.Password,
        });

        Assert.StartsWith("/Admin/Users/Details?id=", details.Path, StringComparison.Ordinal);
        Assert.Contains($"{email} has been added as viewer and can sign in with the password you chose.", details.Text, StringComparison.Ordinal);
        Assert.Equal("Viewer", details.TestId("user-role"));
        var list = await admin.GetAsync("/Admin/Users");
        Assert.Contains($"data-user=\"{email}\"", list.Html, StringComparison.Ordinal);
        using var newcomer = fixture.NewBrowser();
        var home = await PortalFixture.LoginAsync(newcomer, email);
        Assert.StartsWith($"Signed in as Mary Jackson ({email}, viewer", home.TestId("signed-in-as"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invited_user_sets_a_password_through_the_mailed_link()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        var email = PortalFixture.UniqueEmail("invited");

        var details = await admin.SubmitAsync(await admin.GetAsync("/Admin/Users/Create"), new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.DisplayName"] = "Invitee", ["Input.Role"] = "Analyst",
        });
        Assert.Contains("An invitation link to set a password has been sent.", details.Text, StringComparison.Ordinal);

        var mail = await fixture.LatestMailAsync(email);
        var link = Regex.Match(mail, @"(?<path>/Account/ResetPassword\?token=\S+)").Groups["path"].Value;
        using var invitee = fixture.NewBrowser();
        await invitee.SubmitAsync(await invitee.GetAsync(link), new Dictionary<string, string> { ["Input.NewPassword"] = "first light 31 harbour", ["Input.ConfirmPassword"] = "first light 31 harbour" });
        Assert.Equal("/", (await PortalFixture.LoginAsync(invitee, email, "first light 31 harbour")).Path);
    }

    [Fact]
    public async Task Create_user_errors_land_on_their_fields()
    {
        using var admin = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(admin);

        var taken = await admin.SubmitAsync(await admin.GetAsync("/Admin/Users/Create"), new Dictionary<string, string>
        {
            ["Input.Email"] = account.Email, ["Input.Role"] = "Viewer",
        });
        var weak = await admin.SubmitAsync(await admin.GetAsync("/Admin/Users/Create"), new Dictionary<string, string>
        {
            ["Input.Email"] = PortalFixture.UniqueEmail(), ["Input.Role"] = "Viewer", ["Input.Password"] = "qwertyuiop1",
        });

        Assert.Contains("<a href=\"#Input_Email\">Email: an account with this email already exists.</a>", taken.Html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#Input_Password\">Initial password (optional) is too common;", weak.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_list_filters_and_pages_through_the_servers_page_tokens()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        var marker = "pg" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 27; i++)
        {
            await fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = $"{marker}-{i:00}@example.com", DisplayName = "Paged " + i, Role = Role.Viewer }, PortalFixture.Bearer(admin));
        }

        var first = await admin.SubmitAsync(await admin.GetAsync("/Admin/Users"), new Dictionary<string, string> { ["q"] = marker });
        Assert.Equal(25, Regex.Matches(first.Html, $"data-user=\"{marker}-").Count);
        var nextHref = WebUtility.HtmlDecode(Regex.Match(first.Html, "data-testid=\"next-page\" href=\"([^\"]+)\"").Groups[1].Value);
        Assert.Contains("q=" + marker, nextHref, StringComparison.Ordinal);
        var second = await admin.GetAsync(nextHref);

        Assert.Equal(2, Regex.Matches(second.Html, $"data-user=\"{marker}-").Count);
        Assert.DoesNotContain("data-testid=\"next-page\"", second.Html, StringComparison.Ordinal);
        Assert.Contains("First page", second.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_changes_a_role_deactivates_and_reactivates_and_the_audit_log_shows_it()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        var email = await fixture.AddUserAsync(admin, Role.Viewer);
        var list = await admin.SubmitAsync(await admin.GetAsync("/Admin/Users"), new Dictionary<string, string> { ["q"] = email });
        var detailsPath = WebUtility.HtmlDecode(Regex.Match(list.Html, "href=\"(/Admin/Users/Details\\?id=[^\"]+)\"").Groups[1].Value);
        var details = await admin.GetAsync(detailsPath);

        var promoted = await admin.SubmitAsync(details, new Dictionary<string, string> { ["NewRole"] = "Analyst" }, formMarker: "data-testid=\"role-form\"");
        Assert.Contains("is now analyst.", promoted.Text, StringComparison.Ordinal);
        Assert.Equal("Analyst", promoted.TestId("user-role"));

        var deactivated = await admin.SubmitAsync(promoted, formMarker: "data-testid=\"deactivate-form\"");
        Assert.Equal("Deactivated", deactivated.TestId("user-state"));
        using var person = fixture.NewBrowser();
        Assert.Contains("deactivated", (await PortalFixture.LoginAsync(person, email)).TestId("error-summary"), StringComparison.Ordinal);
        var hidden = await admin.SubmitAsync(await admin.GetAsync("/Admin/Users"), new Dictionary<string, string> { ["q"] = email });
        Assert.DoesNotContain($"data-user=\"{email}\"", hidden.Html, StringComparison.Ordinal);
        var shown = await admin.GetAsync("/Admin/Users?q=" + Uri.EscapeDataString(email) + "&deactivated=true");
        Assert.Contains($"data-user=\"{email}\"", shown.Html, StringComparison.Ordinal);

        var reactivated = await admin.SubmitAsync(deactivated, formMarker: "data-testid=\"reactivate-form\"");
        Assert.Equal("Active", reactivated.TestId("user-state"));
        Assert.Equal("/", (await PortalFixture.LoginAsync(person, email)).Path);

        var audit = await admin.SubmitAsync(await admin.GetAsync("/Admin/Audit"), new Dictionary<string, string> { ["action"] = "user.role_changed" });
        Assert.Single(Regex.Matches(audit.Html, "<tr data-action=\"user.role_changed\""));
        Assert.DoesNotContain("data-action=\"user.login\"", audit.Html, StringComparison.Ordinal);
        var prefix = await admin.GetAsync("/Admin/Audit?action=user.");
        Assert.Contains("data-action=\"user.deactivated\"", prefix.Html, StringComparison.Ordinal);
        Assert.Contains("data-action=\"user.reactivated\"", prefix.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-action=\"tenant.signup\"", prefix.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_admin_cannot_demote_themselves_and_is_told_why_on_the_page()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        var users = await admin.GetAsync("/Admin/Users");
        var self = WebUtility.HtmlDecode(Regex.Match(users.Html, "href=\"(/Admin/Users/Details\\?id=[^\"]+)\"").Groups[1].Value);

        var page = await admin.SubmitAsync(await admin.GetAsync(self), new Dictionary<string, string> { ["NewRole"] = "Viewer" }, formMarker: "data-testid=\"role-form\"");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("A workspace needs at least one active admin; make someone else admin first.", page.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Equal("Admin", page.TestId("user-role"));
    }

    [Fact]
    public async Task Export_downloads_the_persons_data_as_json_and_erase_needs_the_email_typed()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        var email = await fixture.AddUserAsync(admin, Role.Viewer);
        var list = await admin.GetAsync("/Admin/Users?q=" + Uri.EscapeDataString(email));
        var id = Regex.Match(list.Html, "/Admin/Users/Details\\?id=([0-9a-f-]+)").Groups[1].Value;
        var details = await admin.GetAsync("/Admin/Users/Details?id=" + id);

        var export = await admin.SubmitAsync(details, formMarker: "data-testid=\"export-form\"");
        Assert.Equal(HttpStatusCode.OK, export.Status);
        Assert.Equal("application/json", export.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", export.Response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Contains(email, export.Html, StringComparison.Ordinal);

        var confirm = await admin.GetAsync("/Admin/Users/Erase?id=" + id);
        Assert.Contains("cannot be undone", confirm.Text, StringComparison.Ordinal);
        var wrong = await admin.SubmitAsync(confirm, new Dictionary<string, string> { ["Input.ConfirmEmail"] = "someone@else.example" });
        Assert.Contains($"Type {email} exactly to confirm.", wrong.TestId("error-summary"), StringComparison.Ordinal);
        var erased = await admin.SubmitAsync(confirm, new Dictionary<string, string> { ["Input.ConfirmEmail"] = email });

        Assert.Equal("/Admin/Users", erased.Path);
        Assert.Matches($"{Regex.Escape(email)} has been erased. The audit log now shows their actions as \\S+\\.", erased.Text);
        Assert.DoesNotContain($"data-user=\"{email}\"", erased.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/Admin/Users/Details?id=" + id)).Status);
    }

    [Fact]
    public async Task Api_key_is_shown_once_works_against_the_api_and_stops_working_when_revoked()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);

        var created = await admin.SubmitAsync(await admin.GetAsync("/Admin/ApiKeys"), new Dictionary<string, string> { ["Input.Name"] = "nightly export", ["Input.Role"] = "Admin" }, formMarker: "data-testid=\"create-key-form\"");

        Assert.Equal("/Admin/ApiKeys", created.Path);
        Assert.Contains("this is the only time it is shown", created.TestId("new-key"), StringComparison.Ordinal);
        Assert.True(created.Response.Headers.CacheControl?.NoStore);
        var key = Regex.Match(created.Html, "value=\"(astq_[0-9a-f]{8}_[^\"]+)\"").Groups[1].Value;
        Assert.StartsWith("astq_", key, StringComparison.Ordinal);
        Assert.Contains("data-key=\"nightly export\"", created.Html, StringComparison.Ordinal);
        var users = await fixture.Admin.ListUsersAsync(new ListUsersRequest(), new Metadata { { "x-api-key", key } });
        Assert.Single(users.Users);

        var again = await admin.GetAsync("/Admin/ApiKeys");
        Assert.Null(again.TestId("new-key"));
        Assert.DoesNotContain(key, again.Html, StringComparison.Ordinal);

        var revoked = await admin.SubmitAsync(again, formMarker: "handler=Revoke");
        Assert.Contains("The key “nightly export”", revoked.Text, StringComparison.Ordinal);
        Assert.Contains("has been revoked", revoked.Text, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.ListUsersAsync(new ListUsersRequest(), new Metadata { { "x-api-key", key } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        var withRevoked = await admin.GetAsync("/Admin/ApiKeys?revoked=true");
        Assert.Contains("Revoked ", withRevoked.TestId("api-keys"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_log_filters_by_person_and_time_range_and_explains_a_backwards_range()
    {
        using var admin = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(admin);
        var email = await fixture.AddUserAsync(admin, Role.Analyst);
        using var analyst = fixture.NewBrowser();
        await PortalFixture.LoginAsync(analyst, email);
        var page = await admin.GetAsync("/Admin/Audit");
        var analystId = Regex.Match(page.Html, $"<option value=\"([0-9a-f-]+)\">[^<]*\\({Regex.Escape(email)}\\)</option>").Groups[1].Value;
        Assert.NotEmpty(analystId);

        var byPerson = await admin.SubmitAsync(page, new Dictionary<string, string> { ["actor"] = analystId }, formMarker: "data-testid=\"audit-filters\"");
        Assert.Contains("data-action=\"user.login\"", byPerson.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-action=\"user.created\"", byPerson.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(account.Email, byPerson.TestId("audit-events"), StringComparison.Ordinal);

        var hour = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var future = await admin.GetAsync("/Admin/Audit?from=" + hour);
        Assert.StartsWith("No events match.", future.TestId("audit-events"), StringComparison.Ordinal);

        var backwards = await admin.GetAsync($"/Admin/Audit?from={hour}&to=2020-01-01T00:00");
        Assert.Contains("<a href=\"#to\">To must be after start_time.</a>", backwards.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"to-error\"", backwards.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_page_shows_totals_against_the_plan_a_daily_table_and_a_chart()
    {
        using var admin = fixture.NewBrowser();
        await fixture.SignUpAsync(admin);
        await admin.GetAsync("/Admin/Users");

        var page = await admin.GetAsync("/Admin/Usage");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Plan free", page.TestId("usage-period"), StringComparison.Ordinal);
        var apiCalls = Regex.Match(page.Html, "<tr data-metric=\"api_calls\">\\s*<th scope=\"row\">API calls</th>\\s*<td>([0-9,]+)</td>");
        Assert.True(apiCalls.Success, page.TestId("usage-totals"));
        Assert.True(long.Parse(apiCalls.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("<svg", page.Html, StringComparison.Ordinal);
        Assert.Contains("role=\"img\" aria-labelledby=\"chart-title chart-desc\"", page.Html, StringComparison.Ordinal);
        Assert.Matches("<rect x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"[0-9.]+\" height=\"[1-9][0-9.]*\"", page.Html);
        Assert.Contains(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), page.TestId("usage-days"), StringComparison.Ordinal);
    }
}
