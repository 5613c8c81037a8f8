using System.Collections.Concurrent;
using System.Diagnostics;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.NaturalLanguage.Llm;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.Server.Features.Ask.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Tests.Ask.Llm;

/// <summary>
/// The LLM translator through the adapter and the real OpenAI SDK, against a fake OpenAI-compatible
/// server on loopback: what goes over the wire, and every way the model can fail.
/// </summary>
public sealed class OpenAIAdapterTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-4f1c9a7e2b8d4e6a9c0b1d2e3f4a5b6c";

    private static readonly DatasetSchema Orders = new(
        new CatalogTable("orders", "t_x", "ds_x", [
            new CatalogColumn("order_id", "integer"), new CatalogColumn("order_date", "date"), new CatalogColumn("city", "text"),
            new CatalogColumn("category", "text"), new CatalogColumn("revenue", "numeric"),
        ]),
        [
            new ColumnProfile("order_id", "integer") { Min = "1", Max = "200" },
            new ColumnProfile("order_date", "date") { Min = "2024-01-01", Max = "2024-12-30" },
            new ColumnProfile("city", "text") { Values = ["Austin", "Boston", "Dallas"] },
            new ColumnProfile("category", "text") { Values = ["Books", "Games", "Garden", "Toys"] },
            new ColumnProfile("revenue", "numeric") { Min = "1.50", Max = "990.00" },
        ])
    {
        RowNouns = ["order"],
        Synonyms = [new NlSynonym("turnover", "revenue")],
    };

    private readonly CapturingLoggerProvider _logs = new();
    private FakeOpenAIServer _model = null!;
    private ILoggerFactory _loggerFactory = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeOpenAIServer.StartAsync();
        _loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
    }

    public async Task DisposeAsync()
    {
        _loggerFactory.Dispose();
        await _model.DisposeAsync();
    }

    private OpenAIChatClientAdapter Adapter(TimeSpan? timeout = null) => new(Options.Create(new LlmOptions
    {
        Endpoint = _model.BaseAddress.ToString(),
        Model = "fake-model",
        ApiKey = ApiKey,
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
    }), _loggerFactory.CreateLogger<OpenAIChatClientAdapter>());

    private Task<LlmOutcome> AskAsync(string question, TimeSpan? timeout = null)
    {
        var adapter = Adapter(timeout);
        var translator = new LlmTranslator(adapter, new LlmTranslatorOptions { Model = "fake-model", Timeout = timeout ?? TimeSpan.FromSeconds(10) });
        return translator.TranslateWithOutcomeAsync(new NlRequest(question, Orders), LlmRequestContext.None);
    }

    [Fact]
    public async Task Good_sql_travels_through_the_sdk_with_the_key_as_bearer_and_the_schema_in_the_prompt()
    {
        _model.Then(FakeChatReply.Text("Here you go:\n```sql\nSELECT category, sum(revenue) AS total FROM orders GROUP BY category ORDER BY total DESC\n```"));

        var outcome = await AskAsync("total turnover per category");

        Assert.True(outcome.UsedModel, outcome.FailureDetail);
        Assert.Equal("llm:fake-model", outcome.Translation.Translator);
        Assert.Equal("orders", outcome.Translation.Dataset);
        var request = Assert.Single(_model.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer " + ApiKey, request.Authorization);
        Assert.Equal("fake-model", request.Model);
        Assert.Contains("Table orders", request.System, StringComparison.Ordinal);
        Assert.Contains("- category text; values: 'Books', 'Games', 'Garden', 'Toys'", request.System, StringComparison.Ordinal);
        Assert.Contains("- revenue numeric; from 1.50 to 990.00; users also say \"turnover\"", request.System, StringComparison.Ordinal);
        Assert.Equal("Question: total turnover per category", request.LastUser);
        Assert.Contains(outcome.Translation.Phrases, p => p.Text == "turnover" && p.Meaning == "column revenue");
    }

    [Fact]
    public async Task Sql_that_fails_validation_is_repaired_in_the_second_round()
    {
        _model.Then(FakeChatReply.Sql("SELECT avg(revenu) FROM orders")).Then(FakeChatReply.Sql("SELECT avg(revenue) FROM orders"));

        var outcome = await AskAsync("average revenue of an order");

        Assert.True(outcome.UsedModel);
        Assert.True(outcome.Repaired);
        Assert.Equal(2, _model.Requests.Count);
        var repair = _model.Requests.Last();
        Assert.Contains("SELECT avg(revenu) FROM orders", repair.Messages[^2].Content, StringComparison.Ordinal);
        Assert.Contains("refused by the SQL checker", repair.LastUser, StringComparison.Ordinal);
        Assert.Contains("revenu", repair.LastUser, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DROP TABLE orders")]
    [InlineData("SELECT pg_sleep(60)")]
    [InlineData("SELECT count(*) FROM orders WHERE pg_sleep(5) IS NULL")]
    [InlineData("SELECT * FROM t_0b5c2a1d9e8f4a3b8c7d6e5f4a3b2c1d.ds_0b5c2a1d9e8f_v1")]
    [InlineData("SELECT count(*) FROM orders; DROP TABLE orders")]
    public async Task Hostile_sql_is_refused_and_the_offline_translator_answers(string sql)
    {
        _model.Then(FakeChatReply.Sql(sql));

        var outcome = await AskAsync("how many orders are there?");

        Assert.Equal(LlmFailure.Unsafe, outcome.Failure);
        Assert.Single(_model.Requests);
        Assert.Equal("offline", outcome.Translation.Translator);
        Assert.Equal("SELECT count(*) AS \"count\" FROM \"orders\"", QueryEngine.Sql.SqlRenderer.Render(outcome.Translation.Query!));
    }

    [Fact]
    public async Task Garbage_bodies_and_prose_fall_back_to_the_offline_translator()
    {
        _model.Then(FakeChatReply.Garbage());
        var garbage = await AskAsync("how many orders are there?");
        Assert.Equal(LlmFailure.Unavailable, garbage.Failure);
        Assert.Equal("offline", garbage.Translation.Translator);

        _model.Then(FakeChatReply.Text("Orders are great! I love orders."));
        var prose = await AskAsync("how many orders are there?");
        Assert.Equal(LlmFailure.NoSql, prose.Failure);
        Assert.True(prose.Translation.Succeeded);
    }

    [Fact]
    public async Task A_slow_model_is_abandoned_at_the_timeout()
    {
        _model.Then(FakeChatReply.Slow(TimeSpan.FromSeconds(10), "```sql\nSELECT count(*) FROM orders\n```"));
        var watch = Stopwatch.StartNew();

        var outcome = await AskAsync("how many orders are there?", TimeSpan.FromMilliseconds(400));

        Assert.Equal(LlmFailure.Timeout, outcome.Failure);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal("offline", outcome.Translation.Translator);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(401)]
    public async Task Http_errors_fall_back_at_once_without_retries(int status)
    {
        _model.Then(FakeChatReply.Error(status));

        var outcome = await AskAsync("how many orders are there?");

        Assert.Equal(LlmFailure.Unavailable, outcome.Failure);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), outcome.FailureDetail, StringComparison.Ordinal);
        Assert.Single(_model.Requests);
        Assert.Equal("offline", outcome.Translation.Translator);
        Assert.Contains(_logs.Messages, m => m.Contains("answered HTTP " + status, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_is_not_there_falls_back()
    {
        var adapter = new OpenAIChatClientAdapter(Options.Create(new LlmOptions
        {
            Endpoint = $"http://127.0.0.1:{Infrastructure.TestEnvironment.FreePort()}/v1",
            Model = "fake-model",
            ApiKey = ApiKey,
            Timeout = TimeSpan.FromSeconds(5),
        }), _loggerFactory.CreateLogger<OpenAIChatClientAdapter>());
        var translator = new LlmTranslator(adapter, new LlmTranslatorOptions { Model = "fake-model" });

        var outcome = await translator.TranslateWithOutcomeAsync(new NlRequest("how many orders are there?", Orders), null);

        Assert.Equal(LlmFailure.Unavailable, outcome.Failure);
        Assert.True(outcome.Translation.Succeeded);
    }

    [Fact]
    public async Task The_api_key_is_never_logged_not_even_at_trace_level()
    {
        _model.Then(FakeChatReply.Sql("SELECT count(*) FROM orders")).Then(FakeChatReply.Error(500)).Then(FakeChatReply.Garbage());

        await AskAsync("how many orders are there?");
        await AskAsync("how many orders are there?");
        await AskAsync("how many orders are there?");

        Assert.NotEmpty(_logs.Messages);
        Assert.All(_logs.Messages, m => Assert.DoesNotContain(ApiKey, m, StringComparison.Ordinal));
        Assert.All(_logs.Messages, m => Assert.DoesNotContain(ApiKey[3..20], m, StringComparison.Ordinal));
        var options = new LlmOptions { Endpoint = "https://api.openai.com/v1", Model = "m", ApiKey = ApiKey };
        Assert.DoesNotContain(ApiKey, options.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, _model.Requests.Count(r => r.Authorization == "Bearer " + ApiKey));
    }

    [Fact]
    public async Task The_adapter_reports_usage_finish_reason_and_metadata()
    {
        _model.Then(FakeChatReply.Text("hello"));
        using IChatClient adapter = Adapter();

        var response = await adapter.GetResponseAsync([new ChatMessage(ChatRole.System, "s"), new ChatMessage(ChatRole.User, "u"), new ChatMessage(ChatRole.Assistant, "a"), new ChatMessage(ChatRole.User, "u2")],
            new ChatOptions { Temperature = 0, MaxOutputTokens = 50 });

        Assert.Equal("hello", response.Text);
        Assert.Equal(100, response.Usage!.InputTokenCount);
        Assert.Equal(20, response.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(["system", "user", "assistant", "user"], _model.Requests.Single().Messages.Select(m => m.Role));
        var metadata = (ChatClientMetadata)adapter.GetService(typeof(ChatClientMetadata))!;
        Assert.Equal("fake-model", metadata.DefaultModelId);
        Assert.Equal(_model.BaseAddress.ToString(), metadata.ProviderUri!.ToString());
    }

    [Theory]
    [InlineData("ftp://example.com/v1", "fake", "Llm:Endpoint must be an absolute http(s) URL")]
    [InlineData("not a url", "fake", "Llm:Endpoint must be an absolute http(s) URL")]
    [InlineData("https://user:secret@example.com/v1", "fake", "must not carry credentials")]
    [InlineData("http://localhost:11434/v1", "", "Llm:Model is required")]
    public void Bad_settings_name_the_setting(string endpoint, string model, string message)
    {
        var options = new LlmOptions { Endpoint = endpoint, Model = model };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains(message, StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                provider.Messages.Enqueue(formatter(state, exception) + " " + exception + " " + state);
            }
        }
    }
}
