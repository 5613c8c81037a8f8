using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Infrastructure;
using AstralytiQ.Server.Tests.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;

namespace AstralytiQ.Server.Tests.Identity;

/// <summary>One database and one server for a test class; each test makes its own tenants, so tests never share state.</summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    public PostgresTestDatabase Database { get; } = new();

    public ServerHost Server { get; private set; } = null!;

    public IdentityService.IdentityServiceClient Identity => new(Server.Channel);

    public AdminService.AdminServiceClient Admin => new(Server.Channel);

    public ProbeService.ProbeServiceClient Probe => new(Server.Channel);

    /// <summary>
    /// Every test connects from 127.0.0.1, so the per-address login throttle is raised here and tested
    /// on its own server; plan user caps are raised so tests can add users freely.
    /// </summary>
    public IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:LoginAttemptsPerAddress"] = "1000000",
        ["Plans:Free:Users"] = "1000",
    };

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Server = await StartServerAsync();
    }

    public Task<ServerHost> StartServerAsync(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return ServerHost.StartAsync(Database.ConnectionString, settings, MapProbes);
    }

    public static void MapProbes(WebApplication app)
    {
        app.MapGrpcService<ProbeApi>();
        app.MapGrpcService<UnmarkedProbeApi>();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Signs up a new tenant with a unique admin; returns the admin's session.</summary>
    public async Task<TestSession> SignUpAsync(string? name = null)
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var email = $"admin-{unique}@example.com";
        var response = await Identity.SignUpAsync(new SignUpRequest
        {
            TenantName = name ?? "Tenant " + unique,
            Email = email,
            Password = TestSession.Password,
            DisplayName = "Admin " + unique,
        });
        return new TestSession(this, response.Tokens, email, response.Tenant);
    }

    public async Task<TestSession> LoginAsync(string email, string password = TestSession.Password)
    {
        var tokens = await Identity.LoginAsync(new LoginRequest { Email = email, Password = password });
        return new TestSession(this, tokens, email, null);
    }
}

/// <summary>A signed-in user: tokens plus helpers to call as them.</summary>
public sealed record TestSession(IdentityFixture Fixture, AuthTokens Tokens, string Email, Tenant? Tenant)
{
    public const string Password = "correct horse battery staple";

    public Guid UserId => Guid.Parse(Tokens.User.Id);

    public Guid TenantId => Guid.Parse(Tokens.User.TenantId);

    public Metadata Headers => new() { { "authorization", "Bearer " + Tokens.AccessToken } };

    public CallOptions Options => new(Headers);

    /// <summary>Creates another user in this session's tenant (as its admin) and signs them in.</summary>
    public async Task<TestSession> AddUserAsync(Role role, Tier tier = Tier.Free)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.com".ToLowerInvariant();
        await Fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = email, Role = role, Tier = tier, Password = Password, DisplayName = role.ToString() }, Headers);
        return await Fixture.LoginAsync(email);
    }
}
