using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;

namespace AstralytiQ.Portal.Tests.Infrastructure;

/// <summary>
/// One database, the real server and the real portal for a test class. Tests isolate themselves by signing
/// up their own workspace (unique names), never by order.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string Password = "plum tangerine 42 orbit";

    private GrpcChannel? _channel;

    public PostgresTestDatabase Database { get; } = new();

    public ServerProcessHost Server { get; private set; } = null!;

    public PortalHost Portal { get; private set; } = null!;

    /// <summary>
    /// Every test connects from 127.0.0.1, so the per-address sign-in throttle is raised (it has its own
    /// server tests), and the free plan's user cap too, so tests may add users freely.
    /// </summary>
    public static IDictionary<string, string?> ServerSettings => new Dictionary<string, string?>
    {
        ["RateLimits:LoginAttemptsPerAddress"] = "1000000",
        ["Plans:Free:Users"] = "1000",
    };

    /// <summary>The server's API called directly (no portal, no token unless given): for set-up and for checks behind the portal's back.</summary>
    public IdentityService.IdentityServiceClient Identity => new(_channel!);

    public AdminService.AdminServiceClient Admin => new(_channel!);

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Server = await ServerProcessHost.StartAsync(Database.ConnectionString, ServerSettings);
        Portal = await PortalHost.StartAsync(Server.GrpcAddress);
        _channel = GrpcChannel.ForAddress(Server.GrpcAddress);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        await Portal.DisposeAsync();
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }

    public FormClient NewBrowser() => new(Portal.Address);

    public static string UniqueEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}"[..(who.Length + 13)] + "@example.com";

    /// <summary>Signs up a new workspace through the portal's form; the browser ends signed in as its admin.</summary>
    public async Task<SignedUp> SignUpAsync(FormClient browser, string? displayName = null)
    {
        var email = UniqueEmail("admin");
        var workspace = "Workspace " + Guid.NewGuid().ToString("N")[..8];
        var form = await browser.GetAsync("/Account/SignUp");
        var page = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Input.WorkspaceName"] = workspace,
            ["Input.Email"] = email,
            ["Input.DisplayName"] = displayName ?? "Ada Admin",
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        });
        Assert.True(browser.Cookie("astq_at") is not null, "Sign-up did not sign in:\n" + page.Text);
        return new SignedUp(email, workspace, page);
    }

    /// <summary>Signs up a new workspace straight through the API; returns its admin's email.</summary>
    public async Task<string> SignUpThroughApiAsync(string displayName = "Api Admin")
    {
        var email = UniqueEmail("admin");
        await Identity.SignUpAsync(new SignUpRequest { TenantName = "Workspace " + Guid.NewGuid().ToString("N")[..8], Email = email, Password = Password, DisplayName = displayName });
        return email;
    }

    /// <summary>Signs in through the portal's login form.</summary>
    public static async Task<PortalPage> LoginAsync(FormClient browser, string email, string password = Password)
    {
        var form = await browser.GetAsync("/Account/Login");
        return await browser.SubmitAsync(form, new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
    }

    /// <summary>Creates a user straight through the API, as the admin whose browser is given (its access token).</summary>
    public async Task<string> AddUserAsync(FormClient adminBrowser, Role role, string? email = null)
    {
        email ??= UniqueEmail(role.ToString().ToLowerInvariant());
        await Admin.CreateUserAsync(new CreateUserRequest { Email = email, DisplayName = role + " person", Role = role, Password = Password }, Bearer(adminBrowser));
        return email;
    }

    public static Metadata Bearer(FormClient browser) => new() { { "authorization", "Bearer " + browser.Cookie("astq_at") } };

    /// <summary>The newest mail queued for <paramref name="email"/> (the server's outbox), read with the superuser connection.</summary>
    public async Task<string> LatestMailAsync(string email)
    {
        await using var connection = new NpgsqlConnection(Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT body FROM app.outbox WHERE lower(recipient) = lower(@email) ORDER BY id DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("email", email);
        return await command.ExecuteScalarAsync() as string ?? throw new InvalidOperationException($"No mail for {email} in app.outbox.");
    }
}

public sealed record SignedUp(string Email, string Workspace, PortalPage Landing);
