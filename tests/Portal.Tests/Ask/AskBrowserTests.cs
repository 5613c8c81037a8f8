using System.Text.RegularExpressions;
using AstralytiQ.Portal.Tests.Browser;
using AstralytiQ.Portal.Tests.Infrastructure;
using AstralytiQ.Portal.Tests.Query;
using Microsoft.Playwright;

namespace AstralytiQ.Portal.Tests.Ask;

/// <summary>The Ask page's main flow in a real browser (Debian's chromium), with screenshots kept as artefacts.</summary>
public sealed class AskBrowserTests(QueryBrowserFixture fixture) : IClassFixture<QueryBrowserFixture>
{
    [Fact]
    public async Task An_analyst_asks_sees_the_chart_follows_up_and_opens_the_sql_in_the_editor()
    {
        var portal = fixture.Browser.Portal;
        using var setup = portal.NewBrowser();
        var account = await portal.SignUpAsync(setup);
        await AskPortalData.UploadAsync(portal, setup, "orders", AskPortalData.OrdersCsv());
        var page = await fixture.Browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, account.Email, "/Ask");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Question", Exact = true }).FillAsync("What is the average revenue by category?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        await page.GetByTestId("answer").WaitForAsync();
        Assert.Equal("average revenue of orders for each category", await page.GetByTestId("interpretation").InnerTextAsync());
        // The chart is an accessible image named by its title, and its bars are drawn.
        var chart = page.GetByRole(AriaRole.Img, new() { Name = "average revenue of orders for each category" });
        Assert.True(await chart.IsVisibleAsync());
        Assert.Equal(4, await chart.Locator("rect.bar").CountAsync());
        var box = await chart.BoundingBoxAsync();
        Assert.True(box is { Width: > 300, Height: > 100 }, $"The chart is drawn too small: {box?.Width}x{box?.Height}");
        await BrowserFixture.ScreenshotAsync(page, "ask-answer");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Follow-up", Exact = true }).FillAsync("only in Austin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask follow-up" }).ClickAsync();
        await page.GetByTestId("follow-up").WaitForAsync();
        Assert.Contains("'Austin'", await page.GetByTestId("answer-sql").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("What is the average revenue by category?", await page.GetByTestId("previous-turns").InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "ask-follow-up");

        var sql = await page.GetByTestId("answer-sql").InnerTextAsync();
        await page.GetByTestId("open-in-sql").ClickAsync();
        await page.WaitForURLAsync(new Regex("/Query\\?sql="));
        Assert.Equal(sql.Trim(), (await page.GetByLabel("SQL", new() { Exact = true }).InputValueAsync()).Trim());
    }
}
