using System.Text.RegularExpressions;
using AstralytiQ.Portal.Tests.Browser;
using AstralytiQ.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AstralytiQ.Portal.Tests.Query;

/// <summary>The browser fixture, plus dropping the query login roles its server made.</summary>
public sealed class QueryBrowserFixture : IAsyncLifetime
{
    public BrowserFixture Browser { get; } = new();

    public Task InitializeAsync() => Browser.InitializeAsync();

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
    }
}

/// <summary>The SQL page's main flow in a real browser (Debian's chromium), with screenshots kept as artefacts.</summary>
public sealed class QueryBrowserTests(QueryBrowserFixture fixture) : IClassFixture<QueryBrowserFixture>
{
    [Fact]
    public async Task An_analyst_fixes_a_refused_query_runs_it_pages_the_rows_and_saves_it()
    {
        var email = await fixture.Browser.Portal.SignUpThroughApiAsync("Sequel Analyst");
        await QueryPortalData.CreateSalesAsync(fixture.Browser.Portal.Database, email, rows: 40);
        var page = await fixture.Browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, email, "/Query");
        Assert.Contains("amount", await page.GetByTestId("schema").InnerTextAsync(), StringComparison.Ordinal);

        const string typo = "SELECT region, sum(amout) AS total\nFROM sales\nGROUP BY region";
        await page.GetByLabel("SQL", new() { Exact = true }).FillAsync(typo);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await page.GetByTestId("sql-errors").WaitForAsync();
        Assert.Contains("Line 1, column 20", await page.GetByTestId("sql-errors").InnerTextAsync(), StringComparison.Ordinal);
        // The editor has the misspelt column selected, ready to be retyped.
        var selected = await page.EvaluateAsync<string>("() => { const e = document.getElementById('Input_Sql'); return e.value.substring(e.selectionStart, e.selectionEnd); }");
        Assert.Equal("amout", selected);
        await BrowserFixture.ScreenshotAsync(page, "sql-refused");

        await page.GetByLabel("SQL", new() { Exact = true }).FillAsync("SELECT id, region, amount FROM sales ORDER BY id");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/Query\\?run="));
        Assert.StartsWith("Rows 1–25 of 40", await page.GetByTestId("result-table").Locator("caption").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "sql-results");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("p=2"));
        Assert.StartsWith("Rows 26–40 of 40", await page.GetByTestId("result-table").Locator("caption").InnerTextAsync(), StringComparison.Ordinal);

        await page.Locator("summary", new() { HasText = "Save this query" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("All sales");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/Query\\?saved="));
        Assert.Contains("Saved as “All sales”.", await page.GetByRole(AriaRole.Status).First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("tr[data-saved='All sales']").IsVisibleAsync());
        await BrowserFixture.ScreenshotAsync(page, "sql-saved");
    }
}
