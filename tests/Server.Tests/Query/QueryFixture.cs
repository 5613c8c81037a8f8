using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Query;
using AstralytiQ.Server.Tests.Infrastructure;
using Grpc.Core;
using Npgsql;

namespace AstralytiQ.Server.Tests.Query;

/// <summary>
/// One database and one server for a query test class, with a row cap of 50 and a 1.5-second
/// statement timeout so caps and timeouts are quick to show. Each test makes its own tenants and
/// datasets, so tests never share state. Query login roles (tq_*) are cluster-wide, so they are
/// dropped here with the database.
/// </summary>
public sealed class QueryFixture : IAsyncLifetime
{
    public const int MaxRows = 50;

    public PostgresTestDatabase Database { get; } = new();

    public ServerHost Server { get; private set; } = null!;

    public TestDatasets Datasets { get; private set; } = null!;

    public QueryService.QueryServiceClient Query => new(Server.Channel);

    public IdentityService.IdentityServiceClient Identity => new(Server.Channel);

    public AdminService.AdminServiceClient Admin => new(Server.Channel);

    public static IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Every test connects from 127.0.0.1 and adds users freely.
        ["RateLimits:LoginAttemptsPerAddress"] = "1000000",
        ["Plans:Free:Users"] = "1000",
        ["Query:MaxRows"] = MaxRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Query:StatementTimeout"] = "00:00:01.500",
    };

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Datasets = new TestDatasets(Database);
        Server = await StartServerAsync();
    }

    /// <summary>Another server on the same database and Redis, with these settings on top of the fixture's.</summary>
    public Task<ServerHost> StartServerAsync(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return ServerHost.StartAsync(Database.ConnectionString, settings);
    }

    /// <summary>Signs up a new tenant with a unique admin.</summary>
    public async Task<QuerySession> SignUpAsync()
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var email = $"admin-{unique}@example.com";
        var response = await Identity.SignUpAsync(new SignUpRequest
        {
            TenantName = "Tenant " + unique,
            Email = email,
            Password = QuerySession.Password,
            DisplayName = "Admin " + unique,
        });
        return new QuerySession(this, response.Tokens);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>A signed-in user of a query test.</summary>
public sealed record QuerySession(QueryFixture Fixture, AuthTokens Tokens)
{
    public const string Password = "correct horse battery staple";

    public Guid UserId => Guid.Parse(Tokens.User.Id);

    public Guid TenantId => Guid.Parse(Tokens.User.TenantId);

    public Metadata Headers => new() { { "authorization", "Bearer " + Tokens.AccessToken } };

    /// <summary>Creates another user in this session's tenant (as its admin) and signs them in.</summary>
    public async Task<QuerySession> AddUserAsync(Role role, Tier tier = Tier.Free)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.com".ToLowerInvariant();
        await Fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = email, Role = role, Tier = tier, Password = Password, DisplayName = role.ToString() }, Headers);
        var tokens = await Fixture.Identity.LoginAsync(new LoginRequest { Email = email, Password = Password });
        return new QuerySession(Fixture, tokens);
    }

    /// <summary>Runs SQL as this user on the fixture's server.</summary>
    public Task<RunSqlResponse> RunAsync(string sql, bool skipCache = false) =>
        Fixture.Query.RunSqlAsync(new RunSqlRequest { Sql = sql, SkipCache = skipCache }, Headers).ResponseAsync;
}

/// <summary>Reads the google.rpc.Status details RunSql attaches to refused SQL.</summary>
public static class SqlErrorDetailsExtensions
{
    public static SqlErrorDetails SqlErrors(this RpcException exception) =>
        AstralytiQ.Server.Infrastructure.Errors.RpcErrors.GetRichStatus(exception)!.Details.Single(d => d.Is(SqlErrorDetails.Descriptor)).Unpack<SqlErrorDetails>();
}

/// <summary>The query login role of a tenant, for tests that look at the database directly.</summary>
public static class QueryRoles
{
    public static string Login(Guid tenantId) => QueryConnections.LoginRole(tenantId);
}
