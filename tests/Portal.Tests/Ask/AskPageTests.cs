using System.Net;
using System.Text.RegularExpressions;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Tests.Infrastructure;
using AstralytiQ.Portal.Tests.Query;
using Grpc.Net.Client;

namespace AstralytiQ.Portal.Tests.Ask;

/// <summary>The Ask page against the real server (offline translator), PostgreSQL and Redis; each test in its own workspace.</summary>
public sealed class AskPageTests(QueryPortalFixture fixture) : IClassFixture<QueryPortalFixture>
{
    private PortalFixture Portal => fixture.Portal;

    [Fact]
    public async Task The_ask_page_needs_sign_in_and_is_linked_from_the_navigation()
    {
        using var anonymous = Portal.NewBrowser();
        var redirected = await anonymous.GetAsync("/Ask");
        Assert.StartsWith("/Account/Login?returnUrl=%2FAsk", redirected.Path, StringComparison.Ordinal);

        using var browser = Portal.NewBrowser();
        await Portal.SignUpAsync(browser);
        var page = await browser.GetAsync("/Ask");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("<a href=\"/Ask\" aria-current=\"page\">Ask</a>", page.Html, StringComparison.Ordinal);
        Assert.Contains("No datasets yet.", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_question_shows_the_reading_beside_the_answer_with_table_chart_and_explanation()
    {
        var (browser, _, datasetId) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = browser;
        var page = await browser.GetAsync("/Ask");
        Assert.Contains("(orders)", page.TestId("suggestions"), StringComparison.Ordinal);
        Assert.Contains($"<option value=\"{datasetId}\">orders (orders)</option>", page.Html, StringComparison.Ordinal);

        var answer = await AskPortalData.AskAsync(browser, page, "What is the average revenue by category?", datasetId);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Null(answer.TestId("error-summary"));
        Assert.Equal("average revenue of orders for each category", answer.TestId("interpretation"));
        var sql = answer.TestId("answer-sql")!;
        Assert.Contains("avg(\"orders\".\"revenue\")", sql, StringComparison.Ordinal);
        Assert.Contains("GROUP BY \"orders\".\"category\"", sql, StringComparison.Ordinal);
        Assert.Equal("offline", answer.TestId("translator"));
        Assert.Matches("^[0-9]{1,3}%$", answer.TestId("confidence"));
        // The reading sits beside the result, inside the answer.
        Assert.True(answer.Html.IndexOf("data-testid=\"reading\"", StringComparison.Ordinal) < answer.Html.IndexOf("data-testid=\"answer-table\"", StringComparison.Ordinal));
        var table = answer.TestId("answer-table")!;
        Assert.StartsWith("4 rows category average_revenue", table, StringComparison.Ordinal);
        Assert.Matches("Books 65(\\.0+)? ", table + " ");
        Assert.Matches("Games 57\\.50* ", table + " ");
        Assert.False(string.IsNullOrWhiteSpace(answer.TestId("explanation")));
        Assert.StartsWith("Computed now at ", answer.TestId("answer-facts"), StringComparison.Ordinal);
        Assert.Contains("· total ", answer.TestId("answer-facts"), StringComparison.Ordinal);
        // An average per category is a bar chart: one bar per category, each with its value as a tooltip.
        Assert.Contains("data-chart=\"bar\"", answer.Html, StringComparison.Ordinal);
        var svg = Regex.Match(answer.Html, "<svg class=\"ask-chart bar\" role=\"img\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Equal(4, Regex.Matches(svg, "<rect class=\"bar s0\"").Count);
        Assert.Contains("<title>Books: 65</title>", svg, StringComparison.Ordinal);
        Assert.Contains("<title>Games: 57.5</title>", svg, StringComparison.Ordinal);

        // Asked again: the same SQL answers from the result cache.
        var again = await AskPortalData.AskAsync(browser, page, "What is the average revenue by category?", datasetId);
        Assert.StartsWith("From the cache", again.TestId("answer-facts"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_follow_up_refines_the_answer_in_the_same_conversation()
    {
        var (browser, _, _) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = browser;
        var page = await browser.GetAsync("/Ask");
        var first = await AskPortalData.AskAsync(browser, page, "What is the total revenue by category?");
        var conversationId = AskPortalData.InputValue(first, "Input.ConversationId");
        Assert.Matches("^[0-9a-f-]{36}$", conversationId);
        Assert.Equal("Follow-up", Regex.Match(first.Html, "<label for=\"Input_Question\">(?<t>[^<]*)</label>").Groups["t"].Value);
        Assert.Contains("data-chart=\"pie\"", first.Html, StringComparison.Ordinal);

        var second = await AskPortalData.AskAsync(browser, first, "only in Austin");

        Assert.Equal("refines the previous answer", second.TestId("follow-up"));
        Assert.Contains("'Austin'", second.TestId("answer-sql"), StringComparison.Ordinal);
        Assert.Contains("GROUP BY", second.TestId("answer-sql"), StringComparison.Ordinal);
        Assert.Equal("2 rows category total_revenue Books 300.00 Garden 240.00", second.TestId("answer-table"));
        Assert.Equal(conversationId, AskPortalData.InputValue(second, "Input.ConversationId"));
        Assert.Contains("What is the total revenue by category?", second.TestId("previous-turns"), StringComparison.Ordinal);

        // The conversation is kept: its page lists both turns and continues it; the list shows it once, with two questions.
        var kept = await browser.GetAsync($"/Ask?c={conversationId}");
        var turns = kept.TestId("previous-turns")!;
        Assert.True(turns.IndexOf("What is the total revenue by category?", StringComparison.Ordinal) < turns.IndexOf("only in Austin (follow-up)", StringComparison.Ordinal));
        Assert.Equal(conversationId, AskPortalData.InputValue(kept, "Input.ConversationId"));
        Assert.Single(Regex.Matches(kept.Html, "data-conversation=\""));
        Assert.Contains("What is the total revenue by category? (this one) 2", kept.TestId("conversations"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_question_is_refused_with_the_words_it_could_not_place()
    {
        var (browser, _, _) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = browser;
        var page = await browser.GetAsync("/Ask");

        var refused = await AskPortalData.AskAsync(browser, page, "What will the weather be like in Antwerp tomorrow?");

        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.NotNull(refused.TestId("refusal"));
        var unplaced = refused.TestId("unplaced-words")!;
        Assert.Contains("weather", unplaced, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<mark class=\"unplaced\">", refused.Html, StringComparison.Ordinal);
        Assert.Null(refused.TestId("answer-table"));
        Assert.Null(refused.TestId("answer-sql"));
        Assert.Null(refused.TestId("save-form"));

        // What the user wrote comes back as text, in the heading and among the unplaced words alike.
        var hostile = await AskPortalData.AskAsync(browser, page, "weather <img src=x onerror=alert(1)> forecast");
        Assert.DoesNotContain("<img src=x", hostile.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;img", hostile.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blank_question_is_refused_next_to_the_box_and_posts_need_the_anti_forgery_token()
    {
        var (browser, _, _) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = browser;
        var page = await browser.GetAsync("/Ask");

        var blank = await AskPortalData.AskAsync(browser, page, "   ");
        var forged = await browser.PostRawAsync("/Ask?handler=Ask", [new("Input.Question", "How many orders are there?")]);

        Assert.Contains("Write a question first", blank.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", Regex.Match(blank.Html, "<textarea[^>]*>").Value, StringComparison.Ordinal);
        Assert.Null(blank.TestId("answer"));
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
    }

    [Fact]
    public async Task Another_workspaces_dataset_id_in_the_form_gets_an_error_not_data()
    {
        var (owner, _, datasetId) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = owner;
        // The other workspace has a dataset of its own, so its form is there to be tampered with.
        var (other, _, _) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var __ = other;
        var page = await other.GetAsync("/Ask");

        var tampered = await AskPortalData.AskAsync(other, page, "How many orders are there?", datasetId);
        var synonyms = await other.GetAsync($"/Ask?ds={datasetId}");

        Assert.Equal(HttpStatusCode.OK, tampered.Status);
        Assert.Contains("Dataset was not found in your workspace", tampered.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Null(tampered.TestId("answer"));
        Assert.DoesNotContain(datasetId, tampered.Html, StringComparison.Ordinal);
        // A foreign id in the address is ignored: no synonyms of someone else's dataset.
        Assert.Null(synonyms.TestId("synonyms"));
        Assert.Null(synonyms.TestId("add-synonym"));
    }

    [Fact]
    public async Task Save_as_query_lands_in_the_saved_queries_and_open_in_sql_editor_prefills_the_editor()
    {
        var (browser, _, _) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = browser;
        var page = await browser.GetAsync("/Ask");
        var answer = await AskPortalData.AskAsync(browser, page, "How many orders were placed in Austin?");
        var sql = AskPortalData.InputValue(answer, "Save.Sql")!;
        Assert.Equal(FormClient.Text(sql), answer.TestId("answer-sql"));
        Assert.Contains("'Austin'", sql, StringComparison.Ordinal);
        Assert.Equal("8", Regex.Match(answer.TestId("answer-table")!, "(\\d+)$").Value);
        Assert.Contains("data-chart=\"kpi\"", answer.Html, StringComparison.Ordinal);

        var unnamed = await browser.SubmitAsync(answer, new Dictionary<string, string> { ["Save.Name"] = "" }, "data-testid=\"save-form\"");
        var saved = await browser.SubmitAsync(answer, new Dictionary<string, string> { ["Save.Name"] = "Austin orders" }, "data-testid=\"save-form\"");
        var duplicate = await browser.SubmitAsync(answer, new Dictionary<string, string> { ["Save.Name"] = "austin ORDERS" }, "data-testid=\"save-form\"");

        Assert.Contains("Name the query to save it", unnamed.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Matches("^/Query\\?saved=[0-9a-f-]{36}$", saved.Path);
        Assert.Contains("Saved as “Austin orders”.", saved.Text, StringComparison.Ordinal);
        Assert.Contains("data-saved=\"Austin orders\"", saved.Html, StringComparison.Ordinal);
        Assert.Equal(sql, EditorSql(saved));
        // A refused save comes back on the Ask page with the SQL, next to the name.
        Assert.Contains("Name: a saved query with this name already exists.", duplicate.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Equal(sql, AskPortalData.InputValue(duplicate, "Save.Sql"));

        var anchor = Regex.Match(answer.Html, "<a\\b[^>]*data-testid=\"open-in-sql\"[^>]*>").Value;
        var link = WebUtility.HtmlDecode(Regex.Match(anchor, "href=\"(?<href>[^\"]+)\"").Groups["href"].Value);
        Assert.StartsWith("/Query?sql=", link, StringComparison.Ordinal);
        var editor = await browser.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, editor.Status);
        Assert.Equal(sql, EditorSql(editor));
        Assert.Null(editor.TestId("results"));
    }

    [Fact]
    public async Task An_analyst_adds_and_removes_a_synonym_and_the_next_question_reads_it()
    {
        var (browser, _, datasetId) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = browser;
        var page = await browser.GetAsync($"/Ask?ds={datasetId}");
        Assert.NotNull(page.TestId("no-synonyms"));

        var badColumn = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Synonym.Phrase"] = "takings", ["Synonym.Column"] = "no_such_column" }, "data-testid=\"add-synonym\"");
        var added = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Synonym.Phrase"] = "takings", ["Synonym.Column"] = "revenue" }, "data-testid=\"add-synonym\"");

        Assert.Contains("Column: \"no_such_column\" is not a column of orders", badColumn.TestId("error-summary"), StringComparison.Ordinal);
        Assert.Equal($"/Ask?ds={datasetId}", added.Path);
        Assert.Contains("“takings” now stands for the column revenue.", added.Text, StringComparison.Ordinal);
        Assert.Contains("takings the column revenue", added.TestId("synonyms"), StringComparison.Ordinal);

        var answer = await AskPortalData.AskAsync(browser, added, "total takings by category", datasetId);
        Assert.Contains("sum(\"orders\".\"revenue\")", answer.TestId("answer-sql"), StringComparison.Ordinal);

        var removed = await browser.SubmitAsync(added, formMarker: "data-testid=\"remove-synonym\"");
        Assert.Contains("“takings” no longer stands for revenue.", removed.Text, StringComparison.Ordinal);
        Assert.NotNull(removed.TestId("no-synonyms"));
    }

    [Fact]
    public async Task A_viewer_reads_suggestions_and_synonyms_without_ask_or_edit_controls_and_forced_posts_are_refused()
    {
        var (admin, _, datasetId) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = admin;
        var adminPage = await admin.GetAsync($"/Ask?ds={datasetId}");
        await admin.SubmitAsync(adminPage, new Dictionary<string, string> { ["Synonym.Phrase"] = "turnover", ["Synonym.Column"] = "revenue" }, "data-testid=\"add-synonym\"");
        var email = await Portal.AddUserAsync(admin, Role.Viewer);
        using var viewer = Portal.NewBrowser();
        await PortalFixture.LoginAsync(viewer, email);

        var page = await viewer.GetAsync($"/Ask?ds={datasetId}");
        var token = Regex.Match(page.Html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<v>[^\"]+)\"").Groups["v"].Value;
        var forcedAsk = await viewer.PostRawAsync("/Ask?handler=Ask", [new("Input.Question", "How many orders are there?"), new("__RequestVerificationToken", token)]);
        var forcedEdit = await viewer.PostRawAsync("/Ask?handler=AddSynonym",
            [new("Synonym.DatasetId", datasetId), new("Synonym.Phrase", "sales"), new("Synonym.Column", "revenue"), new("__RequestVerificationToken", token)]);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("needs the analyst role", page.TestId("viewer-note"), StringComparison.Ordinal);
        Assert.NotNull(page.TestId("suggestions"));
        Assert.Contains("turnover the column revenue", page.TestId("synonyms"), StringComparison.Ordinal);
        Assert.Null(page.TestId("ask-form"));
        Assert.DoesNotContain("handler=Ask", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=AddSynonym", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=RemoveSynonym", page.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, forcedAsk.Status);
        Assert.Equal(HttpStatusCode.Forbidden, forcedEdit.Status);
        using var channel = GrpcChannel.ForAddress(Portal.Server.GrpcAddress);
        var synonyms = await new AskService.AskServiceClient(channel).ListSynonymsAsync(new ListSynonymsRequest { DatasetId = datasetId }, PortalFixture.Bearer(admin));
        Assert.Equal(["turnover"], synonyms.Synonyms.Select(s => s.Phrase));
    }

    [Fact]
    public async Task Conversations_are_listed_most_recent_first_a_page_at_a_time()
    {
        var (browser, _, datasetId) = await AskPortalData.WorkspaceWithOrdersAsync(Portal);
        using var _ = browser;
        using var channel = GrpcChannel.ForAddress(Portal.Server.GrpcAddress);
        var ask = new AskService.AskServiceClient(channel);
        var count = Pages.Ask.IndexModel.ConversationsPerPage + 2;
        for (var i = 1; i <= count; i++)
        {
            await ask.AskAsync(new AskRequest { Question = $"How many orders have a quantity of more than {i}?", DatasetIds = { datasetId } }, PortalFixture.Bearer(browser));
        }

        var first = await browser.GetAsync("/Ask");
        var older = first.Html.Contains("Older conversations", StringComparison.Ordinal)
            ? await browser.GetAsync(WebUtility.HtmlDecode(Regex.Match(first.Html, "href=\"(?<h>/Ask\\?convs=[^\"]+)\">Older conversations").Groups["h"].Value))
            : null;

        Assert.Equal(Pages.Ask.IndexModel.ConversationsPerPage, Regex.Matches(first.Html, "data-conversation=\"").Count);
        Assert.Contains($"Last active How many orders have a quantity of more than {count}?", first.TestId("conversations"), StringComparison.Ordinal);
        Assert.NotNull(older);
        Assert.Equal(2, Regex.Matches(older!.Html, "data-conversation=\"").Count);
        Assert.Contains("How many orders have a quantity of more than 1?", older.TestId("conversations"), StringComparison.Ordinal);
        Assert.Equal("Most recent", older.TestId("conversations-pager"));
    }

    /// <summary>The SQL in the SQL page's editor, as text.</summary>
    private static string EditorSql(PortalPage page) =>
        WebUtility.HtmlDecode(Regex.Match(page.Html, "<textarea[^>]*name=\"Input.Sql\"[^>]*>(?<sql>.*?)</textarea>", RegexOptions.Singleline).Groups["sql"].Value).Trim();
}
