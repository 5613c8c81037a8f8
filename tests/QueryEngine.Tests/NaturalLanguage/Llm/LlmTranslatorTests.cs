using System.Diagnostics;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.NaturalLanguage.Llm;
using AstralytiQ.QueryEngine.Sql;
using Microsoft.Extensions.AI;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage.Llm;

/// <summary>The LLM translator over a scripted model: what it sends, what it accepts, when it repairs and when it falls back.</summary>
public sealed class LlmTranslatorTests
{
    private static readonly DatasetSchema Diamonds = SampleDatasets.Diamonds;

    private static LlmTranslator Translator(ScriptedChatClient chat, TimeSpan? timeout = null) =>
        new(chat, new LlmTranslatorOptions { Model = "test-model", Timeout = timeout ?? TimeSpan.FromSeconds(10) });

    private static Task<LlmOutcome> AskAsync(ScriptedChatClient chat, string question, LlmRequestContext? context = null, NlTurn? previous = null, TimeSpan? timeout = null, params DatasetSchema[] datasets) =>
        Translator(chat, timeout).TranslateWithOutcomeAsync(
            new NlRequest(question, datasets.Length == 0 ? [Diamonds] : datasets) { PreviousTurn = previous }, context);

    private static string Canonical(Query query) => SampleDatasets.Canonical(query, Diamonds);

    [Fact]
    public async Task Good_sql_in_a_fence_with_prose_is_parsed_validated_and_explained()
    {
        var chat = new ScriptedChatClient().Reply("""
            Sure! Here is the query:

            ```sql
            SELECT cut, avg(price) AS average_price FROM diamonds GROUP BY cut ORDER BY average_price DESC;
            ```
            It averages the price for each cut.
            """);

        var outcome = await AskAsync(chat, "What is the average price for each cut?");

        Assert.True(outcome.UsedModel);
        Assert.False(outcome.Repaired);
        var t = outcome.Translation;
        Assert.Equal("llm:test-model", t.Translator);
        Assert.Equal("diamonds", t.Dataset);
        Assert.Equal(0.8, t.Confidence);
        Assert.Equal(Canonical(SqlParser.Parse("SELECT cut, avg(price) AS average_price FROM diamonds GROUP BY cut ORDER BY average_price DESC")), Canonical(t.Query!));
        Assert.Contains("price", t.Interpretation, StringComparison.Ordinal);
        Assert.Contains("cut", t.Interpretation, StringComparison.Ordinal);
        Assert.Contains(t.Phrases, p => p.Text == "price" && p.Meaning == "column price");
        Assert.Contains(t.Phrases, p => p.Text == "cut" && p.Meaning == "column cut");
        Assert.NotNull(outcome.Prepared);
        Assert.Single(chat.Requests);
        Assert.Equal("test-model", chat.Options[0]!.ModelId);
        Assert.Equal(0f, chat.Options[0]!.Temperature);
    }

    [Fact]
    public async Task The_prompt_holds_the_rules_the_schema_types_values_synonyms_examples_and_the_question()
    {
        var chat = new ScriptedChatClient().Reply("```sql\nSELECT count(*) FROM diamonds\n```");
        var examples = new LlmRequestContext
        {
            Examples =
            [
                new NlExample("How many Ideal diamonds?", "select count(*) from diamonds where cut = 'Ideal' -- saved by Ada"),
                new NlExample("Revenue by region", "SELECT region, sum(revenue) FROM retail_sales GROUP BY region"),
                new NlExample("Broken", "SELECT nonsense FROM diamonds"),
            ],
        };

        await AskAsync(chat, "how many stones are there?", examples);

        var messages = chat.Requests[0];
        Assert.Equal(ChatRole.System, messages[0].Role);
        var system = messages[0].Text;
        Assert.Contains("exactly one read-only SELECT", system, StringComparison.Ordinal);
        Assert.Contains("Table diamonds (20,000 rows; one row per diamond)", system, StringComparison.Ordinal);
        Assert.Contains("- price integer; from ", system, StringComparison.Ordinal);
        Assert.Matches(@"- cut text; values: ('[A-Za-z ]+', )+'[A-Za-z ]+'", system);
        Assert.Contains("'Ideal'", system, StringComparison.Ordinal);
        Assert.Contains("- carat numeric(4,2)", system, StringComparison.Ordinal);
        Assert.Contains("users also say \"weight\", \"size\"", system, StringComparison.Ordinal);
        // Only the example over the offered dataset that validates, re-emitted without its comment.
        Assert.Equal(4, messages.Count);
        Assert.Equal("Question: How many Ideal diamonds?", messages[1].Text);
        Assert.Equal(ChatRole.Assistant, messages[2].Role);
        Assert.Equal("```sql\nSELECT count(*) FROM \"diamonds\" WHERE \"cut\" = 'Ideal'\n```", messages[2].Text);
        Assert.DoesNotContain("Ada", string.Join("\n", messages.Select(m => m.Text)), StringComparison.Ordinal);
        Assert.Equal("Question: how many stones are there?", messages[3].Text);
    }

    [Fact]
    public async Task Sql_the_validator_refuses_is_repaired_in_a_second_round_with_the_error()
    {
        var chat = new ScriptedChatClient()
            .Reply("```sql\nSELECT avg(cost) FROM diamonds\n```")
            .Reply("```sql\nSELECT avg(price) AS average_price FROM diamonds\n```");

        var outcome = await AskAsync(chat, "average cost of a diamond");

        Assert.True(outcome.UsedModel);
        Assert.True(outcome.Repaired);
        Assert.Equal(0.6, outcome.Translation.Confidence);
        Assert.Equal(2, chat.Requests.Count);
        var repair = chat.Requests[1];
        Assert.Equal(ChatRole.Assistant, repair[^2].Role);
        Assert.Contains("avg(cost)", repair[^2].Text, StringComparison.Ordinal);
        Assert.Contains("refused by the SQL checker", repair[^1].Text, StringComparison.Ordinal);
        Assert.Contains("\"cost\"", repair[^1].Text, StringComparison.Ordinal);
        Assert.Equal(2, outcome.Attempts.Count);
        Assert.NotNull(outcome.Attempts[0].Error);
        Assert.Null(outcome.Attempts[1].Error);
        Assert.Contains("corrected", Assert.Single(outcome.Translation.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sql_still_refused_after_the_repair_round_falls_back_to_the_offline_translator()
    {
        var chat = new ScriptedChatClient()
            .Reply("SELECT avg(cost) FROM diamonds")
            .Reply("SELECT avg(costs) FROM diamonds");

        var outcome = await AskAsync(chat, "average price of a diamond");

        Assert.Equal(LlmFailure.Invalid, outcome.Failure);
        Assert.Equal(2, chat.Requests.Count);
        Assert.Equal("offline", outcome.Translation.Translator);
        Assert.Equal(Canonical(SqlParser.Parse("SELECT avg(price) FROM diamonds")), Canonical(outcome.Translation.Query!));
        Assert.Contains(outcome.Translation.Notes, n => n.Contains("test-model", StringComparison.Ordinal) && n.Contains("offline", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("DROP TABLE diamonds;")]
    [InlineData("```sql\nDROP TABLE diamonds\n```")]
    [InlineData("SELECT count(*) FROM diamonds; DROP TABLE diamonds;")]
    [InlineData("```sql\nSELECT count(*) FROM diamonds;\ndelete from diamonds\n```")]
    [InlineData("SELECT count(*) FROM diamonds\nDROP TABLE diamonds")]
    [InlineData("SELECT pg_sleep(30), count(*) FROM diamonds")]
    [InlineData("SELECT count(*) FROM diamonds WHERE pg_sleep(30) IS NOT NULL")]
    [InlineData("SELECT * FROM t_5d0c6f04a1b24c3e9b1a4d2f6e7c8b90.ds_1a2b3c4d5e6f_v1")]
    [InlineData("SELECT * FROM other_tenant.diamonds")]
    [InlineData("SELECT usename, passwd FROM pg_shadow")]
    [InlineData("SELECT pg_read_file('/etc/passwd')")]
    [InlineData("SELECT set_config('role', 'postgres', false)")]
    [InlineData("WITH gone AS (DELETE FROM diamonds RETURNING *) SELECT count(*) FROM gone")]
    public async Task Hostile_sql_is_refused_without_a_repair_round_and_the_offline_translator_answers(string reply)
    {
        var chat = new ScriptedChatClient().Reply(reply);

        var outcome = await AskAsync(chat, "how many diamonds are there?");

        Assert.False(outcome.UsedModel);
        Assert.Single(chat.Requests);
        Assert.Null(outcome.Prepared);
        Assert.Equal("offline", outcome.Translation.Translator);
        Assert.Equal(Canonical(SqlParser.Parse("SELECT count(*) FROM diamonds")), Canonical(outcome.Translation.Query!));
        Assert.True(outcome.Failure is LlmFailure.Unsafe or LlmFailure.Invalid, outcome.Failure + ": " + outcome.FailureDetail);
        Assert.Contains(outcome.Translation.Notes, n => n.Contains("not allowed", StringComparison.Ordinal) || n.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unsafe_refusals_end_the_attempt_at_once_but_honest_mistakes_get_a_repair()
    {
        var hostile = new ScriptedChatClient().Reply("SELECT pg_sleep(10)");
        Assert.Equal(LlmFailure.Unsafe, (await AskAsync(hostile, "how many diamonds")).Failure);
        Assert.Single(hostile.Requests);

        var honest = new ScriptedChatClient().Reply("SELECT strftime('%Y', now()) FROM diamonds").Reply("SELECT count(*) FROM diamonds");
        Assert.True((await AskAsync(honest, "how many diamonds")).UsedModel);
        Assert.Equal(2, honest.Requests.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("I'm sorry, I can only help with cooking recipes.")]
    [InlineData("{\"error\": \"model overloaded\"}")]
    [InlineData("\u0000\u0001\u0002 lorem ipsum")]
    public async Task Garbage_falls_back_to_the_offline_translator(string reply)
    {
        var chat = new ScriptedChatClient().Reply(reply);

        var outcome = await AskAsync(chat, "average carat of Ideal diamonds");

        Assert.Equal(LlmFailure.NoSql, outcome.Failure);
        Assert.Single(chat.Requests);
        Assert.Equal("offline", outcome.Translation.Translator);
        Assert.True(outcome.Translation.Succeeded);
    }

    [Fact]
    public async Task A_model_that_declines_leaves_the_question_to_the_offline_translator_and_its_refusal()
    {
        var chat = new ScriptedChatClient().Reply("CANNOT_ANSWER: the table has no information about weather.");

        var outcome = await AskAsync(chat, "what was the weather in Antwerp?");

        Assert.Equal(LlmFailure.Declined, outcome.Failure);
        Assert.Equal("the table has no information about weather.", outcome.FailureDetail);
        Assert.False(outcome.Translation.Succeeded);
        Assert.NotNull(outcome.Translation.Refusal);
    }

    [Fact]
    public async Task A_model_that_does_not_answer_in_time_is_abandoned_at_the_timeout()
    {
        var chat = new ScriptedChatClient().Hang();
        var watch = Stopwatch.StartNew();

        var outcome = await AskAsync(chat, "how many diamonds are there?", timeout: TimeSpan.FromMilliseconds(200));

        Assert.Equal(LlmFailure.Timeout, outcome.Failure);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
        Assert.Equal("offline", outcome.Translation.Translator);
        Assert.True(outcome.Translation.Succeeded);
        Assert.Contains(outcome.Translation.Notes, n => n.Contains("did not answer in time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_call_falls_back_to_the_offline_translator()
    {
        var chat = new ScriptedChatClient().Throw(new HttpRequestException("Response status code does not indicate success: 500 (Internal Server Error)."));

        var outcome = await AskAsync(chat, "how many diamonds are there?");

        Assert.Equal(LlmFailure.Unavailable, outcome.Failure);
        Assert.Contains("500", outcome.FailureDetail, StringComparison.Ordinal);
        Assert.Equal("offline", outcome.Translation.Translator);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_mistaken_for_a_timeout()
    {
        var chat = new ScriptedChatClient().Hang();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Translator(chat).TranslateWithOutcomeAsync(new NlRequest("how many diamonds", Diamonds), null, cancel.Token));
    }

    [Fact]
    public async Task A_database_refusal_from_the_execution_check_is_fed_back_for_the_repair_round()
    {
        var chat = new ScriptedChatClient()
            .Reply("SELECT cut, sum(price) / 0 AS ratio FROM diamonds GROUP BY cut")
            .Reply("SELECT cut, sum(price) AS total FROM diamonds GROUP BY cut");
        var checks = new List<string>();
        var context = new LlmRequestContext
        {
            Check = (candidate, prepared, _) =>
            {
                checks.Add(prepared.CanonicalSql!);
                return Task.FromResult(prepared.CanonicalSql!.Contains("/ 0", StringComparison.Ordinal) ? "division by zero" : null);
            },
        };

        var outcome = await AskAsync(chat, "total price per cut", context);

        Assert.True(outcome.UsedModel);
        Assert.True(outcome.Repaired);
        Assert.Equal(2, checks.Count);
        Assert.Contains("PostgreSQL refused that query: division by zero", chat.Requests[1][^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_refusal_after_the_repair_round_falls_back()
    {
        var chat = new ScriptedChatClient().Reply("SELECT 1 / 0 FROM diamonds").Reply("SELECT 2 / 0 FROM diamonds");
        var context = new LlmRequestContext { Check = (_, _, _) => Task.FromResult<string?>("division by zero") };

        var outcome = await AskAsync(chat, "how many diamonds", context);

        Assert.Equal(LlmFailure.ExecutionFailed, outcome.Failure);
        Assert.Equal("offline", outcome.Translation.Translator);
    }

    [Fact]
    public async Task A_follow_up_sends_the_previous_question_and_sql_as_the_turn_before()
    {
        var previous = new NlTurn("average price by cut", SqlParser.Parse("SELECT cut, avg(price) FROM diamonds GROUP BY cut"));
        var chat = new ScriptedChatClient().Reply("SELECT cut, avg(price) FROM diamonds WHERE color = 'D' GROUP BY cut");

        var outcome = await AskAsync(chat, "only for color D", previous: previous);

        var messages = chat.Requests[0];
        Assert.Equal("Question: average price by cut", messages[^3].Text);
        Assert.Contains("GROUP BY \"cut\"", messages[^2].Text, StringComparison.Ordinal);
        Assert.StartsWith("Question: only for color D", messages[^1].Text, StringComparison.Ordinal);
        Assert.True(outcome.Translation.IsFollowUp);
        Assert.Contains(outcome.Translation.Phrases, p => p.Text == "D" && p.Meaning == "value D");
    }

    [Fact]
    public async Task Sql_over_a_dataset_not_offered_is_refused()
    {
        var chat = new ScriptedChatClient().Reply("SELECT count(*) FROM flights").Reply("SELECT count(*) FROM retail_sales");

        var outcome = await AskAsync(chat, "how many diamonds are there?");

        Assert.Equal(LlmFailure.Invalid, outcome.Failure);
        Assert.Equal("diamonds", outcome.Translation.Dataset);
    }

    [Fact]
    public async Task With_several_datasets_the_model_picks_one_and_the_answer_names_it()
    {
        var chat = new ScriptedChatClient().Reply("SELECT carrier, avg(dep_delay) FROM flights GROUP BY carrier");

        var outcome = await AskAsync(chat, "average departure delay per airline", datasets: [SampleDatasets.Retail, Diamonds, SampleDatasets.Flights]);

        Assert.Equal("flights", outcome.Translation.Dataset);
        var system = chat.Requests[0][0].Text;
        Assert.Contains("Table retail_sales", system, StringComparison.Ordinal);
        Assert.Contains("Table flights", system, StringComparison.Ordinal);
    }
}
