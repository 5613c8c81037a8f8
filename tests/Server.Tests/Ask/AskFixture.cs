using System.Globalization;
using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Ask.Llm;
using AstralytiQ.Server.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;

namespace AstralytiQ.Server.Tests.Ask;

/// <summary>
/// One database and one server for an Ask test class. Each test signs up its own tenants and
/// uploads its own datasets through the datasets API (so they are profiled as in production), so
/// tests never share state. Query login roles (tq_*) live in the cluster and are dropped here.
/// </summary>
public class AskFixture : IAsyncLifetime
{
    public PostgresTestDatabase Database { get; } = new();

    public ServerHost Server { get; private set; } = null!;

    public IdentityService.IdentityServiceClient Identity => new(Server.Channel);

    public AdminService.AdminServiceClient Admin => new(Server.Channel);

    public static IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:LoginAttemptsPerAddress"] = "1000000",
        ["Plans:Free:Users"] = "1000",
        ["Query:MaxRows"] = "1000",
    };

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Server = await StartServerAsync();
    }

    protected virtual IDictionary<string, string?> ServerSettings => Settings;

    /// <summary>Another server on the same database and Redis, with these settings on top.</summary>
    public Task<ServerHost> StartServerAsync(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(ServerSettings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return ServerHost.StartAsync(Database.ConnectionString, settings);
    }

    public async Task<AskSession> SignUpAsync()
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var response = await Identity.SignUpAsync(new SignUpRequest
        {
            TenantName = "Tenant " + unique,
            Email = $"admin-{unique}@example.com",
            Password = AskSession.Password,
            DisplayName = "Admin " + unique,
        });
        return new AskSession(this, Server, response.Tokens);
    }

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>
    /// "orders": 240 rows; order_id 1..240; order_date from 2024-01-01, one a day; city cycles through
    /// 24 cities (more than the profile keeps values for); category cycles Books, Games, Garden, Toys;
    /// quantity 1..5; revenue = order_id * 2.5.
    /// </summary>
    public static string OrdersCsv()
    {
        var cities = Cities;
        string[] categories = ["Books", "Games", "Garden", "Toys"];
        var csv = new StringBuilder("order_id,order_date,city,category,quantity,revenue\n");
        for (var i = 1; i <= 240; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i},{new DateOnly(2024, 1, 1).AddDays(i - 1):yyyy-MM-dd},{cities[i % cities.Length]},{categories[i % 4]},{1 + i % 5},{i * 2.5m:0.00}\n");
        }
        return csv.ToString();
    }

    public static readonly string[] Cities =
    [
        "Austin", "Boston", "Chicago", "Dallas", "Denver", "Detroit", "El Paso", "Fresno", "Houston", "Indianapolis", "Jacksonville", "Kansas City",
        "Las Vegas", "Memphis", "Miami", "Nashville", "New York City", "Oakland", "Phoenix", "Portland", "San Diego", "Seattle", "Tucson", "Tulsa",
    ];
}

/// <summary>The fixture with a fake OpenAI-compatible model configured: the server translates with it first.</summary>
public sealed class AskLlmFixture : AskFixture
{
    public const string ApiKey = "sk-fixture-9d8c7b6a5f4e3d2c1b0a";

    public FakeOpenAIServer Model { get; private set; } = null!;

    protected override IDictionary<string, string?> ServerSettings
    {
        get
        {
            var settings = Settings;
            settings["Llm:Endpoint"] = Model.BaseAddress.ToString();
            settings["Llm:Model"] = "fake-model";
            settings["Llm:ApiKey"] = ApiKey;
            settings["Llm:Timeout"] = "00:00:01";
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        Model = await FakeOpenAIServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }
}

/// <summary>A signed-in user of an Ask test, calling one server.</summary>
public sealed record AskSession(AskFixture Fixture, ServerHost Server, AuthTokens Tokens)
{
    public const string Password = "correct horse battery staple";

    public Guid UserId => Guid.Parse(Tokens.User.Id);

    public Guid TenantId => Guid.Parse(Tokens.User.TenantId);

    public Metadata Headers => new() { { "authorization", "Bearer " + Tokens.AccessToken } };

    public AskService.AskServiceClient Ask => new(Server.Channel);

    public QueryService.QueryServiceClient Query => new(Server.Channel);

    /// <summary>The same user on another server of the fixture.</summary>
    public AskSession On(ServerHost server) => this with { Server = server };

    public async Task<AskSession> AddUserAsync(Role role, Tier tier = Tier.Free)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.com".ToLowerInvariant();
        await Fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = email, Role = role, Tier = tier, Password = Password, DisplayName = role.ToString() }, Headers);
        var tokens = await Fixture.Identity.LoginAsync(new LoginRequest { Email = email, Password = Password });
        return new AskSession(Fixture, Server, tokens);
    }

    public Task<AskResponse> AskAsync(string question, string? conversationId = null, bool offline = false, bool skipCache = false, params string[] datasetIds)
    {
        var request = new AskRequest { Question = question, ConversationId = conversationId ?? "", SkipCache = skipCache, Translator = offline ? TranslatorPreference.Offline : TranslatorPreference.Unspecified };
        request.DatasetIds.AddRange(datasetIds);
        return Ask.AskAsync(request, Headers).ResponseAsync;
    }

    /// <summary>Uploads a CSV through the datasets API and waits until it is published; returns the dataset id.</summary>
    public async Task<string> UploadAsync(string name, string csv)
    {
        var datasets = new DatasetService.DatasetServiceClient(Server.Channel);
        using (var upload = datasets.UploadDataset(Headers))
        {
            await upload.RequestStream.WriteAsync(new UploadDatasetRequest { Metadata = new UploadMetadata { Name = name, FileName = name + ".csv" } });
            await upload.RequestStream.WriteAsync(new UploadDatasetRequest { Chunk = ByteString.CopyFromUtf8(csv) });
            await upload.RequestStream.CompleteAsync();
            var job = await upload.ResponseAsync;
            var jobs = new JobService.JobServiceClient(Server.Channel);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var watch = jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, Headers, cancellationToken: deadline.Token);
            while (await watch.ResponseStream.MoveNext(deadline.Token) && !watch.ResponseStream.Current.Final)
            {
            }
            var done = await jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }, Headers);
            Assert.True(done.State == JobState.Succeeded, $"The upload of {name} ended {done.State}: {done.Error}");
            return done.DatasetId;
        }
    }
}
