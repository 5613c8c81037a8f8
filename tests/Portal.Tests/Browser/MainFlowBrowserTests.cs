using System.Text.RegularExpressions;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AstralytiQ.Portal.Tests.Browser;

/// <summary>The portal's main flows in a real browser (Debian's chromium), with screenshots kept as artefacts.</summary>
public sealed class MainFlowBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Sign_up_in_the_browser_lands_signed_in_on_the_home_page()
    {
        var page = await fixture.NewPageAsync();
        var email = PortalFixture.UniqueEmail("browser");

        await page.GotoAsync("/Account/SignUp");
        await page.GetByLabel("Workspace name").FillAsync("Browser Labs");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Your name").FillAsync("Ada Lovelace");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(PortalFixture.Password);
        await page.GetByLabel("Password again").FillAsync(PortalFixture.Password);
        await BrowserFixture.ScreenshotAsync(page, "signup-filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/$"));
        Assert.Equal("Welcome, Ada Lovelace", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).TextContentAsync());
        Assert.Contains($"Signed in as Ada Lovelace ({email}, admin, Browser Labs)", await page.GetByTestId("signed-in-as").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).IsVisibleAsync());
        await BrowserFixture.ScreenshotAsync(page, "signup-home-signed-in");
        var cookies = await page.Context.CookiesAsync();
        Assert.All(cookies.Where(c => c.Name.StartsWith("astq_", StringComparison.Ordinal)), c => Assert.True(c.HttpOnly));
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => String(document.cookie.split('; ').find(c => c.startsWith('astq_at=')))"));
    }

    [Fact]
    public async Task Admin_logs_in_opens_users_and_adds_a_user()
    {
        var admin = await fixture.Portal.SignUpThroughApiAsync("Browser Admin");
        var page = await fixture.NewPageAsync();
        var email = PortalFixture.UniqueEmail("colleague");

        await page.GotoAsync("/Admin/Users");
        await page.WaitForURLAsync(new Regex("/Account/Login\\?returnUrl=%2FAdmin%2FUsers$"));
        await BrowserFixture.CompleteSignInAsync(page, admin, "/Admin/Users");
        await BrowserFixture.ScreenshotAsync(page, "admin-users");

        await page.GetByRole(AriaRole.Link, new() { Name = "Add a user" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Name").FillAsync("Grace Colleague");
        await page.GetByLabel("Role").SelectOptionAsync(nameof(Role.Analyst));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/Admin/Users/Details\\?id="));
        Assert.Equal("Analyst", await page.GetByTestId("user-role").InnerTextAsync());
        Assert.Contains("An invitation link to set a password has been sent.", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "admin-user-added");
        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).First.ClickAsync();
        Assert.True(await page.Locator($"tr[data-user='{email}']").IsVisibleAsync());
    }

    [Fact]
    public async Task Login_works_with_the_keyboard_alone_with_a_visible_focus()
    {
        var email = await fixture.Portal.SignUpThroughApiAsync("Keyboard User");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/Account/Login");

        // The first Tab reaches the skip link, which jumps to the main content.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        var reached = new List<string>();
        for (var i = 0; i < 10 && await ActiveNameAsync(page) != "Input.Email"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await ActiveNameAsync(page));
        }
        Assert.Equal("Input.Email", await ActiveNameAsync(page));
        Assert.True(reached.Count <= 2, "The email field should be the first stop after the skip link: " + string.Join(", ", reached));
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.TypeAsync(email);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Input.Password", await ActiveNameAsync(page));
        await page.Keyboard.TypeAsync(PortalFixture.Password);
        await BrowserFixture.ScreenshotAsync(page, "keyboard-login-focus");
        await page.Keyboard.PressAsync("Enter");

        // The skip link's #main stays on the address through the redirect, as browsers keep fragments.
        await page.WaitForURLAsync(new Regex("/(#main)?$"));
        Assert.Equal("Welcome, Keyboard User", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).TextContentAsync());

        // Signing out is a button in the header, reachable by keyboard too.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex("/Account/Login(#main)?$"));
        Assert.Contains("You have signed out.", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_api_key_is_shown_once_and_the_copy_button_puts_it_on_the_clipboard()
    {
        var admin = await fixture.Portal.SignUpThroughApiAsync("Key Keeper");
        var page = await fixture.NewPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = fixture.Portal.Portal.Address.ToString().TrimEnd('/') });
        await BrowserFixture.SignInAsync(page, admin, "/Admin/ApiKeys");

        await page.GetByLabel("Name").FillAsync("warehouse sync");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var key = await page.GetByTestId("new-key-value").InputValueAsync();
        Assert.StartsWith("astq_", key, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();

        // The clipboard answers asynchronously: wait for the status line rather than reading it at once.
        await Assertions.Expect(page.Locator("#copy-status")).ToHaveTextAsync("Copied to the clipboard.");
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await BrowserFixture.ScreenshotAsync(page, "api-key-shown-once");
        await page.ReloadAsync();
        Assert.Equal(0, await page.GetByTestId("new-key").CountAsync());
    }

    private static Task<string> ActiveNameAsync(IPage page) =>
        page.EvaluateAsync<string>("() => document.activeElement.getAttribute('name') || document.activeElement.textContent.trim()");
}
