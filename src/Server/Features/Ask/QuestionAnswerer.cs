using System.Diagnostics;
using System.Globalization;
using AstralytiQ.QueryEngine;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.NaturalLanguage.Llm;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Features.Query;
using AstralytiQ.Server.Infrastructure.Auth;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Ask;

/// <summary>What a question came to: a refusal, or a query with its rows, explanation and chart.</summary>
public sealed record Answer
{
    public required NlTranslation Translation { get; init; }

    /// <summary>Set when the question was not answered (the translator's refusal, or a query that could not be run as built).</summary>
    public NlRefusal? Refusal { get; init; }

    public DatasetTable? Table { get; init; }

    public PreparedQuery? Prepared { get; init; }

    public SqlRun? Run { get; init; }

    public string Explanation { get; init; } = "";

    public string ExplanationSource { get; init; } = "";

    public ChartSpec? Chart { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    public TimeSpan TranslationTime { get; init; }

    public TimeSpan ExecutionTime { get; init; }
}

/// <summary>
/// A question's way through the pipeline (DESIGN section 5), without gRPC: schemas, translator
/// (the model first when configured and wanted, the offline translator otherwise or as fallback),
/// validation, the query feature's <see cref="SqlRunner"/> (cache, read-only execution, history,
/// audit, usage), then the explanation and the chart. The model's SQL is run through the same
/// runner when the translator checks it, so PostgreSQL's refusal can feed its repair round.
/// </summary>
public sealed class QuestionAnswerer(
    AskSchemas schemas,
    AskTranslators translators,
    AskStore store,
    SavedQueryStore savedQueries,
    SqlRunner runner,
    IOptions<AskOptions> options,
    ILogger<QuestionAnswerer> logger)
{
    public const string Deterministic = "deterministic";

    public async Task<Answer> AnswerAsync(
        Caller caller, string question, IReadOnlyList<DatasetTable> tables, QueryCatalogSnapshot catalog, NlTurn? previous,
        bool offlineOnly, bool useCache, ServerCallContext? context, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var datasetSchemas = await schemas.GetAsync(caller.TenantId, tables, cancellationToken);
        var request = new NlRequest(question, datasetSchemas) { PreviousTurn = previous };

        NlTranslation translation;
        PreparedQuery? prepared = null;
        SqlRun? run = null;
        var checkTime = TimeSpan.Zero;
        var llm = offlineOnly ? null : translators.Llm;
        if (llm is not null)
        {
            var llmContext = new LlmRequestContext
            {
                Examples = await ExamplesAsync(caller.TenantId, cancellationToken),
                // The model's SQL runs for real here: its rows are the answer, and PostgreSQL's refusal feeds the repair round.
                Check = async (_, candidate, token) =>
                {
                    var checkStarted = Stopwatch.GetTimestamp();
                    try
                    {
                        run = await runner.RunAsync(caller, "ask", candidate.CanonicalSql!, candidate, catalog, useCache, context, token);
                        return null;
                    }
                    catch (QueryExecutionException ex) when (ex.Kind == QueryFailureKind.Rejected)
                    {
                        return ex.Message;
                    }
                    finally
                    {
                        checkTime += Stopwatch.GetElapsedTime(checkStarted);
                    }
                },
            };
            var outcome = await llm.TranslateWithOutcomeAsync(request, llmContext, cancellationToken);
            translation = outcome.Translation;
            if (outcome.UsedModel)
            {
                prepared = outcome.Prepared;
            }
            else
            {
                run = null;
                logger.LogInformation("Language model answer not used for tenant {TenantId}: {Failure} ({Detail}); {Attempts} call(s)",
                    caller.TenantId, outcome.Failure, outcome.FailureDetail, outcome.Attempts.Count);
            }
        }
        else
        {
            translation = await translators.Offline.TranslateAsync(request, cancellationToken);
        }
        var translationTime = Stopwatch.GetElapsedTime(started) - checkTime;

        if (!translation.Succeeded)
        {
            return new Answer { Translation = translation, Refusal = translation.Refusal, Notes = translation.Notes, TranslationTime = translationTime };
        }

        var table = tables.First(t => t.SqlName == translation.Dataset);
        prepared ??= SafeSql.Prepare(translation.Query!, catalog.Catalog, runner.Policy);
        if (!prepared.Succeeded)
        {
            // The translators check their trees, so this is a translator bug; say so rather than fail.
            logger.LogWarning("A {Translator} translation failed validation: {Error}", translation.Translator, prepared.Errors[0].Message);
            return Refused(translation, table, translationTime, "I read the question but could not build a valid query from it: " + prepared.Errors[0].Message);
        }

        var executionStarted = Stopwatch.GetTimestamp();
        if (run is null)
        {
            try
            {
                run = await runner.RunAsync(caller, "ask", prepared.CanonicalSql!, prepared, catalog, useCache, context, cancellationToken);
            }
            catch (QueryExecutionException ex) when (ex.Kind == QueryFailureKind.Rejected)
            {
                return Refused(translation, table, translationTime, "The database refused the query I built from the question: " + ex.Message);
            }
        }
        var executionTime = run.Elapsed > TimeSpan.Zero ? run.Elapsed : Stopwatch.GetElapsedTime(executionStarted);

        var result = ToNlResult(run.Result);
        var explanation = NlExplainer.Summarize(prepared.Query!, result);
        var source = Deterministic;
        if (translators.Chat is { } chat && !offlineOnly && result.Rows.Count > 0 && await store.GetShareRowsAsync(caller.TenantId, cancellationToken))
        {
            var polished = await LlmExplainer.PolishAsync(chat, translators.Model!, question, translation.Interpretation, explanation, result,
                translators.Timeout, options.Value.ExplanationRows, cancellationToken);
            if (polished is not null)
            {
                explanation = polished;
                source = "llm:" + translators.Model;
            }
        }

        return new Answer
        {
            Translation = translation,
            Table = table,
            Prepared = prepared,
            Run = run,
            Explanation = explanation,
            ExplanationSource = source,
            Chart = ChartAdvisor.Suggest(result, prepared.Query),
            Notes = translation.Notes,
            TranslationTime = translationTime,
            ExecutionTime = executionTime,
        };
    }

    private static Answer Refused(NlTranslation translation, DatasetTable table, TimeSpan translationTime, string message) => new()
    {
        Translation = translation,
        Table = table,
        Refusal = new NlRefusal(message, []),
        Notes = translation.Notes,
        TranslationTime = translationTime,
    };

    /// <summary>The tenant's saved queries (human-written SQL) first, then questions the offline translator read with confidence.</summary>
    private async Task<IReadOnlyList<NlExample>> ExamplesAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var max = translators.MaxExamples;
        if (max == 0)
        {
            return [];
        }
        var saved = await savedQueries.ListAsync(tenantId, null, 4 * max, null, cancellationToken);
        var examples = saved
            .Select(s => new NlExample(s.Description.TrimEnd().EndsWith('?') ? s.Description.Trim() : s.Name, s.Sql))
            .ToList();
        if (examples.Count < max)
        {
            examples.AddRange((await store.GetConfidentTurnsAsync(tenantId, 4 * max, cancellationToken)).Select(t => new NlExample(t.Question, t.Sql)));
        }
        // The translator keeps those that validate against the offered datasets, up to its limit.
        return examples;
    }

    /// <summary>The runner's typed values as the explainer reads them (numeric text as decimal).</summary>
    public static NlResult ToNlResult(QueryResult result)
    {
        var columns = result.Columns.Select(c => new NlResultColumn(c.Name, c.DatabaseType)).ToArray();
        var rows = new List<IReadOnlyList<object?>>(result.Rows.Count);
        foreach (var row in result.Rows)
        {
            var values = new object?[row.Length];
            for (var i = 0; i < row.Length; i++)
            {
                values[i] = result.Columns[i].Kind == ValueKind.Decimal && row[i] is string text
                    && decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : row[i];
            }
            rows.Add(values);
        }
        return new NlResult(columns, rows) { Truncated = result.Truncated };
    }

    /// <summary>The query a follow-up refines: the stored translator query, else the canonical SQL; null when it no longer parses.</summary>
    public static NlTurn? PreviousTurn(TurnRecord? turn)
    {
        var sql = turn?.QuerySql ?? turn?.CanonicalSql;
        if (turn is null || sql is null)
        {
            return null;
        }
        try
        {
            return new NlTurn(turn.Question, SqlParser.Parse(sql));
        }
        catch (SqlSyntaxException)
        {
            return null;
        }
    }
}
