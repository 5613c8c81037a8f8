using AstralytiQ.Api.V1;
using Grpc.Core;
using Npgsql;

namespace AstralytiQ.Server.Tests.Ask;

/// <summary>Ask end to end through the real gRPC client, PostgreSQL and Redis, with the offline translator.</summary>
public sealed class AskTests(AskFixture fixture) : IClassFixture<AskFixture>
{
    private async Task<(AskSession Admin, string DatasetId)> TenantWithOrdersAsync()
    {
        var admin = await fixture.SignUpAsync();
        var datasetId = await admin.UploadAsync("orders", AskFixture.OrdersCsv());
        return (admin, datasetId);
    }

    [Fact]
    public async Task A_question_is_answered_with_sql_rows_explanation_chart_and_timings()
    {
        var (admin, datasetId) = await TenantWithOrdersAsync();

        var answer = await admin.AskAsync("What is the total revenue by category?");

        Assert.Null(answer.Refusal);
        Assert.Equal("offline", answer.Translator);
        Assert.Equal(datasetId, answer.DatasetId);
        Assert.Equal("orders", answer.Dataset);
        Assert.Contains("GROUP BY \"orders\".\"category\"", answer.Sql, StringComparison.Ordinal);
        Assert.Equal("total revenue of orders for each category", answer.Interpretation);
        Assert.InRange(answer.Confidence, 0.5, 1);
        Assert.Equal(2, answer.Columns.Count);
        Assert.Equal("category", answer.Columns[0].Name);
        Assert.Equal(SqlValueType.Decimal, answer.Columns[1].Type);
        var totals = answer.Rows.ToDictionary(r => r.Values[0].StringValue, r => decimal.Parse(r.Values[1].DecimalValue, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(18300m, totals["Books"]);
        Assert.Equal(17850m, totals["Games"]);
        Assert.Equal(18000m, totals["Garden"]);
        Assert.Equal(18150m, totals["Toys"]);
        Assert.Equal(4, answer.RowCount);
        Assert.False(answer.Cached);
        Assert.Equal(ChartKind.Pie, answer.Chart.Kind);
        Assert.Equal("category", answer.Chart.X);
        Assert.False(string.IsNullOrWhiteSpace(answer.Explanation));
        Assert.Equal("deterministic", answer.ExplanationSource);
        Assert.Contains(answer.Phrases, p => p.Text.Equals("revenue", StringComparison.OrdinalIgnoreCase) && p.Meaning.Contains("revenue", StringComparison.Ordinal));
        Assert.True(answer.Timings.Total.ToTimeSpan() >= answer.Timings.Translation.ToTimeSpan());
        Assert.True(answer.Timings.Execution.ToTimeSpan() > TimeSpan.Zero);
        Assert.True(Guid.TryParse(answer.ConversationId, out _));
        Assert.True(Guid.TryParse(answer.QueryRunId, out _));
    }

    [Fact]
    public async Task Values_beyond_what_the_profile_keeps_are_linked()
    {
        var (admin, _) = await TenantWithOrdersAsync();

        var answer = await admin.AskAsync("How many orders were placed in Austin?");

        Assert.Null(answer.Refusal);
        Assert.Contains("'Austin'", answer.Sql, StringComparison.Ordinal);
        Assert.Equal(10, Assert.Single(answer.Rows).Values[0].Int64Value);
        Assert.Equal(ChartKind.Kpi, answer.Chart.Kind);
    }

    [Fact]
    public async Task An_unreadable_question_gets_a_refusal_not_an_error()
    {
        var (admin, _) = await TenantWithOrdersAsync();

        var answer = await admin.AskAsync("What will the weather be like in Antwerp tomorrow?");

        Assert.NotNull(answer.Refusal);
        Assert.False(string.IsNullOrWhiteSpace(answer.Refusal.Message));
        Assert.NotEmpty(answer.Refusal.UnplacedWords);
        Assert.Empty(answer.Sql);
        Assert.Empty(answer.Rows);
        var conversation = await admin.Ask.GetConversationAsync(new GetConversationRequest { ConversationId = answer.ConversationId }, admin.Headers);
        var turn = Assert.Single(conversation.Turns);
        Assert.Equal(answer.Refusal.Message, turn.Refusal);
        Assert.Empty(turn.Sql);
    }

    [Fact]
    public async Task A_follow_up_refines_the_previous_answer_of_the_conversation()
    {
        var (admin, _) = await TenantWithOrdersAsync();
        var first = await admin.AskAsync("What is the total revenue by category?");

        var second = await admin.AskAsync("only in Austin", first.ConversationId);

        Assert.True(second.FollowUp);
        Assert.Equal(first.ConversationId, second.ConversationId);
        Assert.Contains("'Austin'", second.Sql, StringComparison.Ordinal);
        Assert.Contains("GROUP BY", second.Sql, StringComparison.Ordinal);
        var row = Assert.Single(second.Rows);
        Assert.Equal("Books", row.Values[0].StringValue);
        Assert.Equal("3300.00", row.Values[1].DecimalValue);

        var third = await admin.AskAsync("how many orders are there?", first.ConversationId);
        Assert.Equal(240, Assert.Single(third.Rows).Values[0].Int64Value);

        var conversation = await admin.Ask.GetConversationAsync(new GetConversationRequest { ConversationId = first.ConversationId }, admin.Headers);
        Assert.Equal("What is the total revenue by category?", conversation.Title);
        Assert.Equal(3, conversation.TurnCount);
        Assert.Equal(["What is the total revenue by category?", "only in Austin", "how many orders are there?"], conversation.Turns.Select(t => t.Question));
        Assert.Equal(second.Sql, conversation.Turns[1].Sql);
        Assert.True(conversation.Turns[1].FollowUp);
        Assert.All(conversation.Turns, t => Assert.Equal("offline", t.Translator));
        Assert.Equal(second.QueryRunId, conversation.Turns[1].QueryRunId);

        var list = await admin.Ask.ListConversationsAsync(new ListConversationsRequest(), admin.Headers);
        Assert.Equal(first.ConversationId, Assert.Single(list.Conversations).Id);
        Assert.Empty(list.Conversations[0].Turns);
    }

    [Fact]
    public async Task Asking_again_is_answered_from_the_result_cache()
    {
        var (admin, _) = await TenantWithOrdersAsync();

        var first = await admin.AskAsync("average revenue per category");
        var second = await admin.AskAsync("average revenue per category");
        var fresh = await admin.AskAsync("average revenue per category", skipCache: true);

        Assert.False(first.Cached);
        Assert.True(second.Cached);
        Assert.False(fresh.Cached);
        Assert.Equal(first.Sql, second.Sql);
        Assert.Equal(first.Rows, second.Rows);
        // The same SQL from RunSql shares the cache.
        var run = await admin.Query.RunSqlAsync(new RunSqlRequest { Sql = first.Sql }, admin.Headers);
        Assert.True(run.Cached);
    }

    [Fact]
    public async Task Another_tenant_cannot_ask_about_a_dataset_or_read_a_conversation_even_by_id()
    {
        var (admin, datasetId) = await TenantWithOrdersAsync();
        var answered = await admin.AskAsync("how many orders are there?");
        var other = await fixture.SignUpAsync();

        var byId = await Assert.ThrowsAsync<RpcException>(() => other.AskAsync("how many orders are there?", datasetIds: datasetId));
        Assert.Equal(StatusCode.NotFound, byId.StatusCode);
        var none = await Assert.ThrowsAsync<RpcException>(() => other.AskAsync("how many orders are there?"));
        Assert.Equal(StatusCode.FailedPrecondition, none.StatusCode);
        var conversation = await Assert.ThrowsAsync<RpcException>(() => other.Ask.GetConversationAsync(new GetConversationRequest { ConversationId = answered.ConversationId }, other.Headers).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, conversation.StatusCode);
        await other.UploadAsync("orders", "order_id,city\n1,Paris\n");
        var continued = await Assert.ThrowsAsync<RpcException>(() => other.AskAsync("and in Austin?", answered.ConversationId));
        Assert.Equal(StatusCode.NotFound, continued.StatusCode);
        var synonyms = await Assert.ThrowsAsync<RpcException>(() => other.Ask.ListSynonymsAsync(new ListSynonymsRequest { DatasetId = datasetId }, other.Headers).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, synonyms.StatusCode);

        // Tenant B's own "orders" answers from its own rows.
        var own = await other.AskAsync("how many orders are there?");
        Assert.Equal(1, Assert.Single(own.Rows).Values[0].Int64Value);
    }

    [Fact]
    public async Task Viewers_read_synonyms_and_suggestions_but_only_analysts_ask_and_edit()
    {
        var (admin, datasetId) = await TenantWithOrdersAsync();
        var viewer = await admin.AddUserAsync(Role.Viewer);
        var analyst = await admin.AddUserAsync(Role.Analyst);

        var asked = await Assert.ThrowsAsync<RpcException>(() => viewer.AskAsync("how many orders are there?"));
        Assert.Equal(StatusCode.PermissionDenied, asked.StatusCode);
        var edit = new SetSynonymsRequest { DatasetId = datasetId, Synonyms = { new Synonym { Phrase = "turnover", Column = "revenue" } } };
        var edited = await Assert.ThrowsAsync<RpcException>(() => viewer.Ask.SetSynonymsAsync(edit, viewer.Headers).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, edited.StatusCode);

        await analyst.Ask.SetSynonymsAsync(edit, analyst.Headers);
        var listed = await viewer.Ask.ListSynonymsAsync(new ListSynonymsRequest { DatasetId = datasetId }, viewer.Headers);
        Assert.Equal("turnover", Assert.Single(listed.Synonyms).Phrase);
        Assert.NotEmpty((await viewer.Ask.SuggestQuestionsAsync(new SuggestQuestionsRequest(), viewer.Headers)).Suggestions);
        Assert.False((await viewer.Ask.GetAskSettingsAsync(new GetAskSettingsRequest(), viewer.Headers)).ShareResultRowsWithLlm);
        var settings = await Assert.ThrowsAsync<RpcException>(() => analyst.Ask.UpdateAskSettingsAsync(new UpdateAskSettingsRequest { ShareResultRowsWithLlm = true }, analyst.Headers).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, settings.StatusCode);
        Assert.Equal("orders", (await analyst.AskAsync("how many orders are there?")).Dataset);
    }

    [Fact]
    public async Task Synonyms_change_how_questions_are_read_and_bad_ones_name_the_field()
    {
        var (admin, datasetId) = await TenantWithOrdersAsync();
        var before = await admin.AskAsync("total takings by category");
        Assert.DoesNotContain("revenue", before.Sql, StringComparison.Ordinal);
        Assert.Contains("ignored: takings", before.Notes);

        await admin.Ask.SetSynonymsAsync(new SetSynonymsRequest
        {
            DatasetId = datasetId,
            Synonyms = { new Synonym { Phrase = "takings", Column = "revenue" }, new Synonym { Phrase = "the capital", Column = "city", Value = "Austin" } },
        }, admin.Headers);

        var after = await admin.AskAsync("total takings by category");
        Assert.Null(after.Refusal);
        Assert.Contains("sum(\"orders\".\"revenue\")", after.Sql, StringComparison.Ordinal);
        var valued = await admin.AskAsync("how many orders in the capital?");
        Assert.Contains("'Austin'", valued.Sql, StringComparison.Ordinal);

        var bad = await Assert.ThrowsAsync<RpcException>(() => admin.Ask.SetSynonymsAsync(new SetSynonymsRequest
        {
            DatasetId = datasetId,
            Synonyms = { new Synonym { Phrase = "ok", Column = "revenue" }, new Synonym { Phrase = "x", Column = "no_such_column" } },
        }, admin.Headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("synonyms[1].column:", bad.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await admin.Ask.ListSynonymsAsync(new ListSynonymsRequest { DatasetId = datasetId }, admin.Headers)).Synonyms.Count);
    }

    [Fact]
    public async Task Every_suggestion_is_answered()
    {
        var (admin, _) = await TenantWithOrdersAsync();

        var suggestions = await admin.Ask.SuggestQuestionsAsync(new SuggestQuestionsRequest { MaxSuggestions = 6 }, admin.Headers);

        Assert.InRange(suggestions.Suggestions.Count, 3, 6);
        foreach (var suggestion in suggestions.Suggestions)
        {
            Assert.Equal("orders", suggestion.Dataset);
            var answer = await admin.AskAsync(suggestion.Question, offline: true);
            Assert.True(answer.Refusal is null, $"\"{suggestion.Question}\" was refused: {answer.Refusal?.Message}");
        }
    }

    [Fact]
    public async Task Bad_input_names_the_field()
    {
        var (admin, _) = await TenantWithOrdersAsync();

        var empty = await Assert.ThrowsAsync<RpcException>(() => admin.AskAsync("   "));
        var longQuestion = await Assert.ThrowsAsync<RpcException>(() => admin.AskAsync(new string('a', 1001)));
        var badId = await Assert.ThrowsAsync<RpcException>(() => admin.AskAsync("how many orders", datasetIds: "nope"));
        var badConversation = await Assert.ThrowsAsync<RpcException>(() => admin.AskAsync("how many orders", Guid.NewGuid().ToString()));

        Assert.Equal((StatusCode.InvalidArgument, "question: is required"), (empty.StatusCode, empty.Status.Detail));
        Assert.StartsWith("question: must be at most 1000", longQuestion.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("dataset_ids[0]:", badId.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, badConversation.StatusCode);
    }

    [Fact]
    public async Task Ask_spends_the_query_budget_shared_with_RunSql()
    {
        var (admin, _) = await TenantWithOrdersAsync();
        var analyst = await admin.AddUserAsync(Role.Analyst);
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["RateLimits:QueryPerHourFree"] = "3" });
        var limited = analyst.On(server);

        await limited.AskAsync("how many orders are there?");
        await limited.Query.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM orders" }, limited.Headers);
        await limited.AskAsync("how many orders are there?");
        var refused = await Assert.ThrowsAsync<RpcException>(() => limited.AskAsync("how many orders are there?"));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.NotNull(refused.Trailers.GetValue("retry-after"));
        // Reading conversations is not a query.
        await limited.Ask.ListConversationsAsync(new ListConversationsRequest(), limited.Headers);
    }

    [Fact]
    public async Task An_answer_is_audited_counted_and_kept_in_the_query_history()
    {
        var (admin, _) = await TenantWithOrdersAsync();

        var answer = await admin.AskAsync("how many orders are there?");
        await admin.AskAsync("what is the meaning of life?");

        var history = await admin.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), admin.Headers);
        var run = Assert.Single(history.Runs);
        Assert.Equal("ask", run.Source);
        Assert.Equal(answer.QueryRunId, run.Id);
        Assert.Equal(answer.Sql, run.Sql);
        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var audit = new NpgsqlCommand(
            "SELECT action, outcome, details::text FROM app.audit_log WHERE tenant_id = @tenant AND action IN ('ask.asked', 'query.run') ORDER BY id", connection);
        audit.Parameters.AddWithValue("tenant", admin.TenantId);
        var entries = new List<(string Action, string Outcome, string Details)>();
        await using (var reader = await audit.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                entries.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        Assert.Equal(["query.run", "ask.asked", "ask.asked"], entries.Select(e => e.Action));
        Assert.Equal(["success", "success", "failure"], entries.Select(e => e.Outcome));
        Assert.Contains("\"translator\": \"offline\"", entries[1].Details, StringComparison.Ordinal);
        Assert.DoesNotContain("meaning of life", entries[2].Details, StringComparison.Ordinal);
        // Usage: the answered question counted one query (the refusal ran none).
        var meter = (Features.Usage.UsageMeter)fixture.Server.Services.GetService(typeof(Features.Usage.UsageMeter))!;
        await meter.FlushAsync(CancellationToken.None);
        await using var count = new NpgsqlCommand("SELECT coalesce(sum(amount), 0) FROM app.usage WHERE tenant_id = @tenant AND metric = 'queries'", connection);
        count.Parameters.AddWithValue("tenant", admin.TenantId);
        Assert.Equal(1m, Convert.ToDecimal(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
