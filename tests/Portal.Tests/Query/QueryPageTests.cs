using System.Net;
using System.Text.RegularExpressions;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Tests.Infrastructure;

namespace AstralytiQ.Portal.Tests.Query;

public sealed class QueryPageTests(QueryPortalFixture fixture) : IClassFixture<QueryPortalFixture>
{
    private PortalFixture Portal => fixture.Portal;

    [Fact]
    public async Task The_sql_page_needs_sign_in()
    {
        using var anonymous = Portal.NewBrowser();

        var page = await anonymous.GetAsync("/Query");

        Assert.StartsWith("/Account/Login?returnUrl=%2FQuery", page.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schema_sits_beside_the_editor_and_a_run_pages_through_its_rows()
    {
        using var browser = Portal.NewBrowser();
        var account = await Portal.SignUpAsync(browser);
        await QueryPortalData.CreateSalesAsync(Portal.Database, account.Email, rows: 60);

        var page = await browser.GetAsync("/Query");
        Assert.Contains("sales (60 rows, v1)", page.TestId("schema"), StringComparison.Ordinal);
        Assert.Contains("amount numeric", page.TestId("schema"), StringComparison.Ordinal);
        Assert.Contains("<a href=\"/Query\" aria-current=\"page\">SQL</a>", page.Html, StringComparison.Ordinal);

        var run = await PostAsync(browser, page, "Run", new() { ["Input.Sql"] = "SELECT id, region, amount FROM sales ORDER BY id" });

        Assert.Matches("^/Query\\?run=[0-9a-f-]{36}$", run.Path);
        Assert.Contains("Succeeded · 60 rows", run.TestId("run-facts"), StringComparison.Ordinal);
        var table = run.TestId("result-table")!;
        Assert.StartsWith("Rows 1–25 of 60 id integer region text amount numeric 1 south 1.25 2 east 2.50", table, StringComparison.Ordinal);
        Assert.Contains("SELECT id, region, amount FROM sales ORDER BY id</textarea>", run.Html, StringComparison.Ordinal);
        var last = await browser.GetAsync(run.Path + "&p=3");
        Assert.StartsWith("Rows 51–60 of 60", last.TestId("result-table"), StringComparison.Ordinal);
        Assert.Contains("60 north 75.00", last.TestId("result-table"), StringComparison.Ordinal);
        Assert.Equal("Previous page Page 3 of 3", last.TestId("results-pager"));
        // The run is in the history, and opening it from there shows it again.
        var runId = run.Path[(run.Path.IndexOf('=', StringComparison.Ordinal) + 1)..];
        Assert.Contains($"data-run=\"{runId}\"", last.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_sql_comes_back_with_line_column_and_a_caret_under_the_spot()
    {
        using var browser = Portal.NewBrowser();
        var account = await Portal.SignUpAsync(browser);
        await QueryPortalData.CreateSalesAsync(Portal.Database, account.Email, rows: 5);
        var page = await browser.GetAsync("/Query");

        var refused = await PostAsync(browser, page, "Run", new() { ["Input.Sql"] = "SELECT region,\n       amout\nFROM sales" });
        var database = await PostAsync(browser, page, "Run", new() { ["Input.Sql"] = "SELECT region FROM sales\nWHERE amount > 'lots'" });

        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Equal("/Query?handler=Run", refused.Path);
        Assert.Contains("Line 2, column 8: column \"amout\" does not exist", refused.TestId("error-summary"), StringComparison.Ordinal);
        // The caret line sits under the misspelt column (Razor writes the newline as &#xA;).
        Assert.Contains("<pre aria-label=\"Where: line 2, column 8\" data-testid=\"sql-snippet\">2 |        amout&#xA;  |        ^^^^^</pre>", refused.Html, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", Regex.Match(refused.Html, "<textarea[^>]*>").Value, StringComparison.Ordinal);
        Assert.Contains("data-error-offset=\"22\" data-error-length=\"5\"", refused.Html, StringComparison.Ordinal);
        Assert.Contains("SELECT region,&#xA;       amout&#xA;FROM sales</textarea>", refused.Html, StringComparison.Ordinal);
        Assert.Contains("Line 2, column 16: invalid input syntax for type numeric: \"lots\"", database.TestId("sql-errors"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_shows_the_canonical_sql_without_running_it()
    {
        using var browser = Portal.NewBrowser();
        var account = await Portal.SignUpAsync(browser);
        await QueryPortalData.CreateSalesAsync(Portal.Database, account.Email, rows: 5);
        var page = await browser.GetAsync("/Query");

        var checkedPage = await PostAsync(browser, page, "Check", new() { ["Input.Sql"] = "select region, count(*) from sales group by region" });

        Assert.Contains("The query is valid. It reads sales and returns at most 10,000 rows.", checkedPage.TestId("sql-valid"), StringComparison.Ordinal);
        Assert.Contains("LIMIT 10000", checkedPage.TestId("sql-valid"), StringComparison.Ordinal);
        Assert.Null(checkedPage.TestId("history"));
    }

    [Fact]
    public async Task A_query_is_saved_opened_and_deleted_with_post_redirect_get()
    {
        using var browser = Portal.NewBrowser();
        var account = await Portal.SignUpAsync(browser);
        await QueryPortalData.CreateSalesAsync(Portal.Database, account.Email, rows: 5);
        var page = await browser.GetAsync("/Query");

        var unnamed = await PostAsync(browser, page, "Save", new() { ["Input.Sql"] = "SELECT count(*) FROM sales", ["Input.SaveName"] = "" });
        var saved = await PostAsync(browser, page, "Save", new() { ["Input.Sql"] = "SELECT count(*) FROM sales", ["Input.SaveName"] = "Row count", ["Input.SaveDescription"] = "How many sales" });
        var duplicate = await PostAsync(browser, page, "Save", new() { ["Input.Sql"] = "SELECT 1", ["Input.SaveName"] = "row COUNT" });

        Assert.Contains("Name the query to save it", unnamed.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Matches("^/Query\\?saved=[0-9a-f-]{36}$", saved.Path);
        Assert.Contains("Saved as “Row count”.", saved.Text, StringComparison.Ordinal);
        Assert.Equal("Saved query “Row count”: How many sales", saved.TestId("loaded-saved"));
        Assert.Contains("SELECT count(*) FROM sales</textarea>", saved.Html, StringComparison.Ordinal);
        Assert.Contains("data-saved=\"Row count\"", saved.Html, StringComparison.Ordinal);
        Assert.Contains("Name: a saved query with this name already exists.", duplicate.TestId("error-summary"), StringComparison.Ordinal);

        var deleted = await browser.SubmitAsync(saved, formMarker: "handler=DeleteSaved");

        Assert.Equal("/Query", deleted.Path);
        Assert.Contains("The saved query “Row count” has been deleted.", deleted.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("data-saved=\"Row count\"", deleted.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Posts_without_the_anti_forgery_token_are_refused()
    {
        using var browser = Portal.NewBrowser();
        await Portal.SignUpAsync(browser);

        var forged = await browser.PostRawAsync("/Query?handler=Run", [new("Input.Sql", "SELECT 1")]);

        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
    }

    [Fact]
    public async Task A_viewer_can_check_but_gets_no_run_button_and_the_server_refuses_a_forced_run()
    {
        using var admin = Portal.NewBrowser();
        var account = await Portal.SignUpAsync(admin);
        await QueryPortalData.CreateSalesAsync(Portal.Database, account.Email, rows: 5);
        var email = await Portal.AddUserAsync(admin, Role.Viewer);
        using var viewer = Portal.NewBrowser();
        await PortalFixture.LoginAsync(viewer, email);

        var page = await viewer.GetAsync("/Query");
        var checkedPage = await PostAsync(viewer, page, "Check", new() { ["Input.Sql"] = "SELECT count(*) FROM sales" });
        var forced = await PostAsync(viewer, page, "Run", new() { ["Input.Sql"] = "SELECT count(*) FROM sales" });

        Assert.DoesNotContain("handler=Run", page.Html, StringComparison.Ordinal);
        Assert.Contains("running it needs the analyst role", page.Text, StringComparison.Ordinal);
        Assert.NotNull(checkedPage.TestId("sql-valid"));
        Assert.Equal(HttpStatusCode.Forbidden, forced.Status);
    }

    /// <summary>Posts the SQL form to a handler as its button would (formaction), with the page's anti-forgery token.</summary>
    private static Task<PortalPage> PostAsync(FormClient browser, PortalPage page, string handler, Dictionary<string, string> fields)
    {
        var token = Regex.Match(page.Html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<v>[^\"]+)\"").Groups["v"].Value;
        Assert.False(string.IsNullOrEmpty(token), "No anti-forgery token on " + page.Path);
        var values = fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).Append(new("__RequestVerificationToken", token));
        return browser.PostRawAsync($"/Query?handler={handler}", values);
    }
}
