using System.Diagnostics;
using System.Text.RegularExpressions;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using Microsoft.Extensions.AI;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Llm;

/// <summary>
/// A translator that asks a language model for SQL through <see cref="IChatClient"/>, and answers
/// from a fallback translator (the offline one by default) whenever the model does not give usable
/// SQL: a timeout, a failed call, a reply without SQL, a refusal to answer, or SQL the validator
/// refuses. The model's SQL is parsed by the engine's own parser and checked with
/// <see cref="SafeSql.Prepare(string, TableCatalog, QueryPolicy)"/> against the offered datasets
/// only; a refusal (or PostgreSQL's error, through <see cref="LlmRequestContext.Check"/>) is fed back
/// for one repair round. SQL that tries something forbidden outright (another statement, another
/// schema, a system function) gets no second chance. Nothing the model wrote is ever run
/// unvalidated: the result is a query tree, like the offline translator's.
/// </summary>
public sealed class LlmTranslator : INlTranslator
{
    private const string NamePrefix = "llm:";
    private static readonly Regex FunctionName = new(@"function (?<name>[A-Za-z_][A-Za-z0-9_.]*) is not allowed", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly string[] FollowUpCues = ["and ", "only ", "what about", "how about", "now ", "just ", "but ", "instead", "same ", "also ", "then "];

    private readonly IChatClient _chat;
    private readonly LlmTranslatorOptions _options;
    private readonly INlTranslator _fallback;

    /// <summary>Creates the translator.</summary>
    /// <param name="chat">The model client.</param>
    /// <param name="options">Model name, timeout, policy and prompt limits.</param>
    /// <param name="fallback">Answers when the model does not; an <see cref="OfflineTranslator"/> with the same policy when null.</param>
    public LlmTranslator(IChatClient chat, LlmTranslatorOptions options, INlTranslator? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the timeout must be positive");
        }

        _chat = chat;
        _options = options;
        _fallback = fallback ?? new OfflineTranslator(options.Policy);
    }

    /// <inheritdoc />
    public string Name => NamePrefix + _options.Model;

    /// <inheritdoc />
    public async Task<NlTranslation> TranslateAsync(NlRequest request, CancellationToken cancellationToken = default) =>
        (await TranslateWithOutcomeAsync(request, LlmRequestContext.None, cancellationToken).ConfigureAwait(false)).Translation;

    /// <summary>Translates one question, saying whether the model's SQL was used and, if not, why.</summary>
    /// <param name="request">The question, the datasets and the previous turn.</param>
    /// <param name="context">Examples and an optional execution check.</param>
    /// <param name="cancellationToken">Cancels the translation (the caller going away); the model's own timeout is <see cref="LlmTranslatorOptions.Timeout"/>.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<LlmOutcome> TranslateWithOutcomeAsync(NlRequest request, LlmRequestContext? context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Datasets);
        context ??= LlmRequestContext.None;
        var attempts = new List<LlmAttempt>();
        var question = (request.Question ?? string.Empty).Trim();
        if (question.Length == 0 || question.Length > 1000 || request.Datasets.Count == 0)
        {
            // The offline translator words these refusals; the model has nothing to add.
            return await FallbackAsync(request, LlmFailure.NoSql, null, attempts, cancellationToken).ConfigureAwait(false);
        }

        var catalog = new TableCatalog(request.Datasets.Select(d => d.Table));
        var described = LlmPrompt.Choose(request, Math.Max(1, _options.MaxPromptDatasets));
        var examples = UsableExamples(context.Examples, new TableCatalog(described.Select(d => d.Table)));
        var messages = LlmPrompt.Build(request with { Question = question }, described, examples, _options);

        for (var round = 1; round <= 2; round++)
        {
            var started = Stopwatch.GetTimestamp();
            string reply;
            try
            {
                reply = await AskModelAsync(messages, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                attempts.Add(new LlmAttempt(round, null, "timed out", Stopwatch.GetElapsedTime(started)));
                return await FallbackAsync(request, LlmFailure.Timeout, $"no answer within {Seconds(_options.Timeout)}", attempts, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                attempts.Add(new LlmAttempt(round, null, Describe(ex), Stopwatch.GetElapsedTime(started)));
                return await FallbackAsync(request, LlmFailure.Unavailable, Describe(ex), attempts, cancellationToken).ConfigureAwait(false);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var parsed = SqlReply.Parse(reply);
            switch (parsed.Kind)
            {
                case SqlReplyKind.NoSql:
                    attempts.Add(new LlmAttempt(round, null, "no SQL in the reply", elapsed));
                    return await FallbackAsync(request, LlmFailure.NoSql, "the reply held no SQL", attempts, cancellationToken).ConfigureAwait(false);
                case SqlReplyKind.Declined:
                    attempts.Add(new LlmAttempt(round, null, "declined: " + parsed.Sql, elapsed));
                    return await FallbackAsync(request, LlmFailure.Declined, parsed.Sql.Length > 0 ? parsed.Sql : "the model could not answer from the schema", attempts, cancellationToken).ConfigureAwait(false);
                case SqlReplyKind.Stacked:
                    attempts.Add(new LlmAttempt(round, parsed.Sql, "more than one statement", elapsed));
                    return await FallbackAsync(request, LlmFailure.Unsafe, "the SQL held more than one statement", attempts, cancellationToken).ConfigureAwait(false);
            }

            var sql = parsed.Sql;
            var prepared = SafeSql.Prepare(sql, catalog, _options.Policy);
            if (!prepared.Succeeded)
            {
                var error = string.Join("; ", prepared.Errors.Select(e => e.Message));
                attempts.Add(new LlmAttempt(round, sql, error, elapsed));
                if (IsUnsafe(prepared.Errors))
                {
                    return await FallbackAsync(request, LlmFailure.Unsafe, "refused by the SQL checker: " + error, attempts, cancellationToken).ConfigureAwait(false);
                }

                if (round == 2)
                {
                    return await FallbackAsync(request, LlmFailure.Invalid, "refused by the SQL checker: " + error, attempts, cancellationToken).ConfigureAwait(false);
                }

                messages.AddRange(LlmPrompt.Repair(reply, DescribeErrors(prepared.Errors), byDatabase: false));
                continue;
            }

            var tree = SqlParser.Parse(sql);
            var translation = Success(request, question, tree, prepared, repaired: round == 2);
            if (context.Check is { } check)
            {
                var databaseError = await check(translation, prepared, cancellationToken).ConfigureAwait(false);
                if (databaseError is not null)
                {
                    attempts.Add(new LlmAttempt(round, sql, "PostgreSQL: " + databaseError, elapsed));
                    if (round == 2)
                    {
                        return await FallbackAsync(request, LlmFailure.ExecutionFailed, "refused by PostgreSQL: " + databaseError, attempts, cancellationToken).ConfigureAwait(false);
                    }

                    messages.AddRange(LlmPrompt.Repair(reply, databaseError, byDatabase: true));
                    continue;
                }
            }

            attempts.Add(new LlmAttempt(round, sql, null, elapsed));
            return new LlmOutcome(translation, LlmFailure.None, null, attempts) { Prepared = prepared, Repaired = round == 2 };
        }

        throw new UnreachableException();
    }

    private async Task<string> AskModelAsync(List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var options = new ChatOptions
        {
            ModelId = _options.Model,
            Temperature = _options.Temperature,
            MaxOutputTokens = _options.MaxOutputTokens,
        };
        var response = await _chat.GetResponseAsync(messages, options, timeout.Token).ConfigureAwait(false);
        return response.Text ?? string.Empty;
    }

    private NlTranslation Success(NlRequest request, string question, Query tree, PreparedQuery prepared, bool repaired)
    {
        var dataset = prepared.Tables.Count > 0 ? prepared.Tables[0].Name : request.Datasets[0].Table.Name;
        var notes = new List<string>();
        if (repaired)
        {
            notes.Add("the model's first SQL was refused; this is its corrected query");
        }

        notes.AddRange(prepared.Notices);
        return new NlTranslation
        {
            Query = tree,
            Dataset = dataset,
            Confidence = repaired ? 0.6 : 0.8,
            Interpretation = NlExplainer.Describe(tree),
            Translator = Name,
            IsFollowUp = request.PreviousTurn is not null && LooksLikeFollowUp(question),
            Notes = notes,
            Phrases = LlmPhrases.Find(question, request.Datasets, prepared),
        };
    }

    private async Task<LlmOutcome> FallbackAsync(NlRequest request, LlmFailure failure, string? detail, List<LlmAttempt> attempts, CancellationToken cancellationToken)
    {
        var translation = await _fallback.TranslateAsync(request, cancellationToken).ConfigureAwait(false);
        if (detail is not null)
        {
            var why = failure switch
            {
                LlmFailure.Timeout => "did not answer in time",
                LlmFailure.Unavailable => "could not be reached",
                LlmFailure.NoSql => "answered without SQL",
                LlmFailure.Declined => "could not answer from the schema",
                LlmFailure.Unsafe => "wrote SQL that is not allowed",
                LlmFailure.ExecutionFailed => "wrote SQL the database refused",
                _ => "wrote SQL that was refused",
            };
            translation = translation with { Notes = [.. translation.Notes, $"The language model ({_options.Model}) {why}; answered by the {translation.Translator} translator."] };
        }

        return new LlmOutcome(translation, failure, detail, attempts);
    }

    /// <summary>Examples whose SQL validates against the described datasets, at most <see cref="LlmTranslatorOptions.MaxExamples"/>.</summary>
    private List<NlExample> UsableExamples(IReadOnlyList<NlExample> examples, TableCatalog catalog)
    {
        var usable = new List<NlExample>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var example in examples)
        {
            if (usable.Count >= _options.MaxExamples)
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(example.Question) || string.IsNullOrWhiteSpace(example.Sql) || !seen.Add(example.Question.Trim()))
            {
                continue;
            }

            var prepared = SafeSql.Prepare(example.Sql, catalog, _options.Policy);
            if (prepared.Succeeded)
            {
                // Shown as the engine re-emits it, so comments or odd text in a saved query never reach the prompt.
                usable.Add(new NlExample(example.Question.Trim(), SqlRenderer.Render(SqlParser.Parse(example.Sql))));
            }
        }

        return usable;
    }

    /// <summary>
    /// Refusals that no honest mistake explains: another statement, another schema or a system
    /// catalog, a system, file, network or configuration function. They end the attempt at once.
    /// </summary>
    internal static bool IsUnsafe(IReadOnlyList<SqlError> errors) => errors.Any(e => e.Code switch
    {
        SqlErrorCode.StatementNotAllowed or SqlErrorCode.SchemaNotAllowed => true,
        SqlErrorCode.FunctionNotAllowed => FunctionName.Match(e.Message) is { Success: true } m
            && FunctionAllowList.Why(m.Groups["name"].Value.ToLowerInvariant()) is not ("not in the allow-list" or "set-returning function"),
        _ => false,
    });

    private static string DescribeErrors(IReadOnlyList<SqlError> errors) =>
        string.Join("\n", errors.Take(3).Select(e => e.Offset < 0 ? e.Message : $"{e.Message} (line {e.Line}, column {e.Column})"));

    private static bool LooksLikeFollowUp(string question)
    {
        var q = question.TrimStart().ToLowerInvariant();
        return FollowUpCues.Any(c => q.StartsWith(c, StringComparison.Ordinal) || (c == "instead" && q.Contains(c, StringComparison.Ordinal)))
            || q.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 3;
    }

    private static string Describe(Exception ex)
    {
        // The message only: exceptions of HTTP clients may carry request details in other properties.
        var message = ex.Message.ReplaceLineEndings(" ");
        return ex.GetType().Name + ": " + (message.Length > 300 ? message[..300] : message);
    }

    private static string Seconds(TimeSpan time) =>
        time.TotalSeconds >= 1 ? $"{time.TotalSeconds:0.#} s" : $"{time.TotalMilliseconds:0} ms";
}
