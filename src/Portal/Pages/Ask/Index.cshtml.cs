using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Ask;

/// <summary>
/// The Ask page: a question in plain English over one dataset or all of them, answered with how it was read
/// (interpretation, SQL, translator, confidence) beside the answer (chart, table, explanation, timings), or with a
/// refusal that names the words it could not place. A conversation continues with follow-ups; past conversations
/// are listed a page at a time; each dataset's synonyms are listed for everyone and edited by analysts.
/// <para>
/// An answer is drawn from the Ask response itself, on the POST that asked: the server keeps a conversation's
/// turns (question, SQL, reading) but not an answer's chart, explanation and timings, so a redirect would lose
/// them. What the server keeps is addressable by GET (<c>?c=</c> shows a conversation, its rows are a link to the
/// SQL page's run). Saving a query and editing synonyms change state and follow post-redirect-get.
/// </para>
/// <para>
/// Asking needs the analyst role on the server (a question runs a query, as RunSql does); viewers see the
/// suggestions, the synonyms and their own conversations, and no ask or edit controls. The server refuses a
/// forced post with PERMISSION_DENIED, which reaches the 403 page.
/// </para>
/// </summary>
public sealed class IndexModel(
    AskService.AskServiceClient ask,
    QueryService.QueryServiceClient queries,
    PortalSession session) : PageModel
{
    public const int ConversationsPerPage = 10;
    public const int RowsShown = 200;
    private const int SuggestionCount = 6;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty]
    public SaveInputModel Save { get; set; } = new();

    [BindProperty]
    public SynonymInputModel Synonym { get; set; } = new();

    /// <summary>A conversation to show and continue.</summary>
    [BindProperty(SupportsGet = true, Name = "c")]
    public string? ConversationId { get; set; }

    /// <summary>The dataset picked (suggestions and synonyms follow it).</summary>
    [BindProperty(SupportsGet = true, Name = "ds")]
    public string? DatasetId { get; set; }

    /// <summary>A question to put in the box (from a link).</summary>
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? PrefillQuestion { get; set; }

    /// <summary>Where the list of conversations continues.</summary>
    [BindProperty(SupportsGet = true, Name = "convs")]
    public string? ConversationsToken { get; set; }

    public IReadOnlyList<QueryTable> Tables { get; private set; } = [];

    public IReadOnlyList<QuestionSuggestion> Suggestions { get; private set; } = [];

    public IReadOnlyList<Conversation> Conversations { get; private set; } = [];

    public string ConversationsNextToken { get; private set; } = "";

    /// <summary>The conversation being continued, with its turns; null for a new one.</summary>
    public Conversation? Conversation { get; private set; }

    /// <summary>The answer to the question just asked (only on the POST that asked it).</summary>
    public AskResponse? Answer { get; private set; }

    public string AskedQuestion { get; private set; } = "";

    /// <summary>The picked dataset, when it is one of the workspace's.</summary>
    public QueryTable? SelectedTable { get; private set; }

    public IReadOnlyList<Synonym> Synonyms { get; private set; } = [];

    public bool CanAsk => session.User?.IsAnalyst == true;

    public bool CanEditSynonyms => session.User?.IsAnalyst == true;

    /// <summary>Turns of the conversation before the answer shown (all of them when no answer is shown).</summary>
    public IEnumerable<ConversationTurn> PreviousTurns =>
        Conversation?.Turns.Where(t => Answer is null || t.Id != Answer.TurnId) ?? [];

    public sealed class InputModel
    {
        [StringLength(1000, ErrorMessage = "Question must be at most 1,000 characters.")]
        [Display(Name = "Question")]
        public string? Question { get; set; }

        [Display(Name = "Dataset")]
        [ServerField("dataset_ids[0]")]
        public string? DatasetId { get; set; }

        [ServerField("conversation_id")]
        public string? ConversationId { get; set; }
    }

    public sealed class SaveInputModel
    {
        [StringLength(200, ErrorMessage = "Name must be at most 200 characters.")]
        [Display(Name = "Name")]
        public string? Name { get; set; }

        [StringLength(100_000)]
        public string? Sql { get; set; }

        /// <summary>The conversation to show again when the save is refused.</summary>
        public string? ConversationId { get; set; }
    }

    public sealed class SynonymInputModel
    {
        public string? DatasetId { get; set; }

        [StringLength(100, ErrorMessage = "Word or phrase must be at most 100 characters.")]
        [Display(Name = "Word or phrase")]
        public string? Phrase { get; set; }

        [Display(Name = "Column")]
        public string? Column { get; set; }

        [StringLength(200, ErrorMessage = "Value must be at most 200 characters.")]
        [Display(Name = "Value")]
        public string? Value { get; set; }
    }

    public async Task OnGetAsync()
    {
        Input.Question = PrefillQuestion;
        Input.DatasetId = DatasetId;
        if (!string.IsNullOrEmpty(ConversationId))
        {
            Conversation = await ask.GetConversationAsync(new GetConversationRequest { ConversationId = ConversationId }, cancellationToken: HttpContext.RequestAborted);
            Input.ConversationId = Conversation.Id;
            Input.DatasetId ??= Conversation.Turns.LastOrDefault(t => t.DatasetId.Length > 0)?.DatasetId;
        }
        await LoadAsync(Input.DatasetId);
    }

    public async Task<IActionResult> OnPostAskAsync()
    {
        var question = Input.Question?.Trim() ?? "";
        if (question.Length == 0)
        {
            ModelState.AddModelError("Input.Question", "Write a question first, e.g. “What is the total revenue by region?”.");
        }
        if (ModelState.IsValid)
        {
            try
            {
                var request = new AskRequest { Question = question, ConversationId = Input.ConversationId ?? "" };
                if (!string.IsNullOrEmpty(Input.DatasetId))
                {
                    request.DatasetIds.Add(Input.DatasetId);
                }
                Answer = await ask.AskAsync(request, cancellationToken: HttpContext.RequestAborted);
                AskedQuestion = question;
                // The box becomes the follow-up box of this conversation, empty.
                ModelState.Remove("Input.Question");
                ModelState.Remove("Input.ConversationId");
                Input.Question = "";
                Input.ConversationId = Answer.ConversationId;
            }
            catch (RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                if (ex.Status.Detail.StartsWith("Conversation", StringComparison.Ordinal))
                {
                    ModelState.AddModelError(string.Empty, "That conversation was not found: it may belong to someone else. Start a new question instead.");
                    Input.ConversationId = null;
                }
                else
                {
                    ModelState.AddModelError("Input.DatasetId", "Dataset was not found in your workspace (it may have been deleted). Choose one of the list.");
                }
            }
            catch (RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.DeadlineExceeded)
            {
                ModelState.AddModelError("Input.Question", "The query behind this question took too long. Narrow it, e.g. with a filter, and ask again.");
            }
            catch (RpcException ex) when (ServerErrors.IsFormError(ex))
            {
                ModelState.AddServerError<InputModel>(ex);
            }
        }
        await LoadConversationAsync(Input.ConversationId);
        await LoadAsync(Input.DatasetId);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        if (string.IsNullOrWhiteSpace(Save.Name))
        {
            ModelState.AddModelError("Save.Name", "Name the query to save it, e.g. \"Revenue by region\".");
        }
        if (string.IsNullOrWhiteSpace(Save.Sql))
        {
            ModelState.AddModelError(string.Empty, "There is no SQL to save: ask a question first.");
        }
        if (ModelState.IsValid)
        {
            try
            {
                var saved = await queries.SaveQueryAsync(new SaveQueryRequest { Name = Save.Name!.Trim(), Sql = Save.Sql }, cancellationToken: HttpContext.RequestAborted);
                TempData["StatusMessage"] = $"Saved as “{saved.Name}”.";
                return RedirectToPage("/Query/Index", new { saved = saved.Id });
            }
            catch (RpcException ex) when (ServerErrors.IsFormError(ex))
            {
                ModelState.AddServerError<SaveInputModel>(ex, prefix: "Save");
            }
        }
        await LoadConversationAsync(Save.ConversationId);
        await LoadAsync(Conversation?.Turns.LastOrDefault(t => t.DatasetId.Length > 0)?.DatasetId);
        return Page();
    }

    public async Task<IActionResult> OnPostAddSynonymAsync()
    {
        var phrase = Synonym.Phrase?.Trim() ?? "";
        var column = Synonym.Column?.Trim() ?? "";
        if (phrase.Length == 0)
        {
            ModelState.AddModelError("Synonym.Phrase", "Write the word or phrase people use, e.g. \"turnover\".");
        }
        if (column.Length == 0)
        {
            ModelState.AddModelError("Synonym.Column", "Choose the column the word stands for.");
        }
        if (ModelState.IsValid)
        {
            var synonyms = await ListSynonymsAsync(Synonym.DatasetId);
            var value = Synonym.Value?.Trim() ?? "";
            synonyms.Add(new Synonym { Phrase = phrase, Column = column, Value = value });
            try
            {
                await SetSynonymsAsync(Synonym.DatasetId, synonyms);
                TempData["StatusMessage"] = value.Length == 0
                    ? $"“{phrase}” now stands for the column {column}."
                    : $"“{phrase}” now stands for {column} = {value}.";
                return RedirectToPage(null, null, new { ds = Synonym.DatasetId }, "synonyms");
            }
            catch (RpcException ex) when (ServerErrors.IsFormError(ex))
            {
                AddSynonymErrors(ex);
            }
        }
        await LoadAsync(Synonym.DatasetId);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveSynonymAsync(string phrase, string column, string? value)
    {
        var synonyms = await ListSynonymsAsync(Synonym.DatasetId);
        var removed = synonyms.RemoveAll(s => s.Phrase == phrase && s.Column == column && s.Value == (value ?? ""));
        if (removed > 0)
        {
            await SetSynonymsAsync(Synonym.DatasetId, synonyms);
        }
        TempData["StatusMessage"] = removed > 0 ? $"“{phrase}” no longer stands for {column}." : $"“{phrase}” was already gone.";
        return RedirectToPage(null, null, new { ds = Synonym.DatasetId }, "synonyms");
    }

    /// <summary>The question split into the phrases the translator read (with what each was read as) and the words between.</summary>
    public static IReadOnlyList<(string Text, string? Meaning)> Segments(string question, IEnumerable<AskPhrase> phrases)
    {
        var segments = new List<(string, string?)>();
        var at = 0;
        foreach (var phrase in phrases.OrderBy(p => p.Start))
        {
            if (phrase.Start < at || phrase.Length <= 0 || phrase.Start + phrase.Length > question.Length)
            {
                continue;
            }
            if (phrase.Start > at)
            {
                segments.Add((question[at..phrase.Start], null));
            }
            segments.Add((question.Substring(phrase.Start, phrase.Length), phrase.Meaning));
            at = phrase.Start + phrase.Length;
        }
        if (at < question.Length)
        {
            segments.Add((question[at..], null));
        }
        return segments;
    }

    /// <summary>The question with each phrase read marked, its meaning as the mark's title (all text encoded).</summary>
    public static IHtmlContent Highlight(string question, IEnumerable<AskPhrase> phrases)
    {
        var html = new HtmlContentBuilder();
        foreach (var (text, meaning) in Segments(question, phrases))
        {
            if (meaning is null)
            {
                html.Append(text);
            }
            else
            {
                html.AppendHtml("<mark title=\"").Append(meaning).AppendHtml("\">").Append(text).AppendHtml("</mark>");
            }
        }
        return html;
    }

    public static string Percent(double confidence) => (confidence * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string Describe(Synonym synonym) =>
        string.IsNullOrEmpty(synonym.Value) ? $"the column {synonym.Column}" : $"{synonym.Column} = {synonym.Value}";

    private async Task LoadConversationAsync(string? conversationId)
    {
        if (string.IsNullOrEmpty(conversationId))
        {
            return;
        }
        try
        {
            Conversation = await ask.GetConversationAsync(new GetConversationRequest { ConversationId = conversationId }, cancellationToken: HttpContext.RequestAborted);
        }
        catch (RpcException ex) when (ex.StatusCode is Grpc.Core.StatusCode.NotFound or Grpc.Core.StatusCode.InvalidArgument)
        {
            // A form carrying a conversation that is not the caller's: the form error says so; show none.
            Input.ConversationId = null;
        }
    }

    private async Task LoadAsync(string? datasetId)
    {
        var cancel = HttpContext.RequestAborted;
        var tables = queries.ListQueryTablesAsync(new ListQueryTablesRequest(), cancellationToken: cancel).ResponseAsync;
        var conversations = ask.ListConversationsAsync(new ListConversationsRequest { PageSize = ConversationsPerPage, PageToken = ConversationsToken ?? "" },
            cancellationToken: cancel).ResponseAsync;
        Tables = (await tables).Tables;
        SelectedTable = Tables.FirstOrDefault(t => t.DatasetId == datasetId);
        var suggestionRequest = new SuggestQuestionsRequest { MaxSuggestions = SuggestionCount };
        if (SelectedTable is not null)
        {
            suggestionRequest.DatasetIds.Add(SelectedTable.DatasetId);
        }
        var suggestions = Tables.Count == 0
            ? Task.FromResult(new SuggestQuestionsResponse())
            : ask.SuggestQuestionsAsync(suggestionRequest, cancellationToken: cancel).ResponseAsync;
        var synonyms = SelectedTable is null
            ? Task.FromResult(new ListSynonymsResponse())
            : ask.ListSynonymsAsync(new ListSynonymsRequest { DatasetId = SelectedTable.DatasetId }, cancellationToken: cancel).ResponseAsync;
        Suggestions = (await suggestions).Suggestions;
        Synonyms = (await synonyms).Synonyms;
        var page = await conversations;
        Conversations = page.Conversations;
        ConversationsNextToken = page.NextPageToken;
    }

    private async Task<List<Synonym>> ListSynonymsAsync(string? datasetId) =>
        (await ask.ListSynonymsAsync(new ListSynonymsRequest { DatasetId = datasetId ?? "" }, cancellationToken: HttpContext.RequestAborted)).Synonyms.ToList();

    private async Task SetSynonymsAsync(string? datasetId, IEnumerable<Synonym> synonyms)
    {
        var request = new SetSynonymsRequest { DatasetId = datasetId ?? "" };
        request.Synonyms.AddRange(synonyms);
        await ask.SetSynonymsAsync(request, cancellationToken: HttpContext.RequestAborted);
    }

    /// <summary>The server names the entry's field ("synonyms[3].column: ..."): put it on the matching input of the add form.</summary>
    private void AddSynonymErrors(RpcException ex)
    {
        var violations = ServerErrors.FieldViolations(ex);
        if (violations.Count == 0)
        {
            ModelState.AddServerError<SynonymInputModel>(ex, prefix: "Synonym");
            return;
        }
        foreach (var (field, description) in violations)
        {
            var (key, label) = field[(field.LastIndexOf('.') + 1)..] switch
            {
                "phrase" => ("Synonym.Phrase", "Word or phrase"),
                "column" => ("Synonym.Column", "Column"),
                "value" => ("Synonym.Value", "Value"),
                _ => ("", "Synonyms"),
            };
            ModelState.AddModelError(key, ServerErrors.Sentence(label, description));
        }
    }
}
