using System.Text.RegularExpressions;
using AstralytiQ.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AstralytiQ.Portal.Tests.Browser;

/// <summary>
/// The real server and portal (<see cref="PortalFixture"/>) plus Debian's chromium driven by Playwright. Each
/// test takes a fresh context (its own cookies) from <see cref="NewPageAsync"/> and may save screenshots as
/// test artefacts with <see cref="ScreenshotAsync"/>. Browsers are never downloaded: Playwright launches
/// /usr/bin/chromium (ASTQ_CHROMIUM overrides), with the flags that keep it off the network.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("ASTQ_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Kept off the network and first-run work; see ../shared/DESIGN.md section 11.</summary>
    public static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public PortalFixture Portal { get; } = new();

    /// <summary>Where screenshots go: $ASTQ_TEST_RESULTS/screenshots (set by ./astq test), else TestResults/screenshots beside the tests.</summary>
    public static string ScreenshotDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("ASTQ_TEST_RESULTS") is { Length: > 0 } results ? results : Path.Combine(AppContext.BaseDirectory, "TestResults"), "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}. Run the tests through `./astq test`, which installs Debian's chromium package " +
                "(or install it yourself: `sudo apt-get install -y chromium`). Browsers are never downloaded.");
        }
        await Portal.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        // Playwright starts every launch on a fresh, temporary user-data-dir of its own and removes it on close.
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 30_000,
        });
    }

    /// <summary>A page in a new browser context (no cookies), pointed at the portal.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Portal.Portal.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Opens the login page with <paramref name="returnPath"/> as its return URL and signs in there.</summary>
    public static async Task SignInAsync(IPage page, string email, string returnPath)
    {
        await page.GotoAsync("/Account/Login?returnUrl=" + Uri.EscapeDataString(returnPath));
        await CompleteSignInAsync(page, email, returnPath);
    }

    /// <summary>
    /// Fills the login form already on <paramref name="page"/> and waits to land on <paramref name="returnPath"/>;
    /// if it does not, fails naming where the browser is and what the page says (with a screenshot).
    /// </summary>
    public static async Task CompleteSignInAsync(IPage page, string email, string returnPath)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(PortalFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync(new Regex(Regex.Escape(returnPath) + "$"));
        }
        catch (TimeoutException ex)
        {
            var shot = await ScreenshotAsync(page, "sign-in-failed-" + returnPath.Trim('/').Replace('/', '-'));
            string text;
            try
            {
                text = await page.Locator("main").InnerTextAsync(new() { Timeout = 2_000 });
            }
            catch (TimeoutException)
            {
                text = "(no main element)";
            }
            throw new TimeoutException($"Signing in did not reach {returnPath}: the browser is at {page.Url}, showing: {text.Trim()} (screenshot {shot})", ex);
        }
    }

    /// <summary>Saves a full-page screenshot named after the test step; returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        await Portal.DisposeAsync();
    }
}
