using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Features.Query;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Infrastructure.Validation;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using EngineChartKind = AstralytiQ.QueryEngine.NaturalLanguage.ChartKind;
using GrpcStatus = Grpc.Core.Status;

namespace AstralytiQ.Server.Features.Ask;

/// <summary>
/// Questions in plain English over the caller's datasets. Everything is looked up within the
/// caller's tenant (other tenants' dataset ids are NOT_FOUND, as are other users' conversations);
/// the tenant comes from the caller, never from the request.
/// <para>
/// Asking needs the analyst role, like RunSql: a question runs a query over the tenant's data, and
/// with a model configured the SQL is not the offline translator's narrow grammar but anything the
/// validator accepts, so a viewer who could ask could run what RunSql refuses them. Viewers read the
/// vocabulary (synonyms, suggestions) and settings.
/// </para>
/// </summary>
[RequireRole(Infrastructure.Auth.Role.Viewer)]
public sealed class AskApi(
    QuestionAnswerer answerer,
    AskSchemas schemas,
    AskTranslators translators,
    AskStore store,
    SqlRunner runner,
    QuotaGuard quotas,
    AuditLog audit,
    TimeProvider clock) : AskService.AskServiceBase
{
    private const int MaxDatasets = 50;
    private const int MaxSynonyms = 500;

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    [RateLimited(RateLimitClass.Query)]
    public override async Task<AskResponse> Ask(AskRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var caller = context.GetCaller();
        var cancel = context.CancellationToken;
        var question = Input.Text("question", request.Question, 1, 1000);
        var datasetIds = DatasetIds("dataset_ids", request.DatasetIds);
        var conversation = string.IsNullOrEmpty(request.ConversationId)
            ? null
            : await GetOwnConversationAsync(caller, Input.Id("conversation_id", request.ConversationId), cancel);

        await quotas.EnsureAsync(caller.TenantId, UsageMetrics.Queries, 1, cancel);
        var catalog = await runner.GetCatalogAsync(caller.TenantId, cancel);
        var tables = Readable(catalog, datasetIds);
        var previous = conversation is null ? null : QuestionAnswerer.PreviousTurn(await store.GetLastAnsweredTurnAsync(caller.TenantId, conversation.Id, cancel));

        Answer answer;
        try
        {
            answer = await answerer.AnswerAsync(caller, question, tables, catalog, previous,
                offlineOnly: request.Translator == TranslatorPreference.Offline, useCache: !request.SkipCache, context, cancel);
        }
        catch (QueryExecutionException ex)
        {
            throw ExecutionFailed(ex);
        }

        var turn = await store.AddTurnAsync(caller.UserId, new TurnRecord
        {
            Id = Guid.NewGuid(),
            ConversationId = conversation?.Id ?? Guid.NewGuid(),
            TenantId = caller.TenantId,
            Question = question,
            CanonicalSql = answer.Refusal is null ? answer.Prepared?.CanonicalSql : null,
            QuerySql = answer.Refusal is null && answer.Translation.Query is { } query ? QueryEngine.Sql.SqlRenderer.Render(query) : null,
            Interpretation = answer.Translation.Interpretation,
            Translator = answer.Translation.Translator,
            Confidence = answer.Translation.Confidence,
            DatasetId = answer.Table?.DatasetId,
            Dataset = answer.Table?.SqlName,
            FollowUp = answer.Translation.IsFollowUp,
            Refusal = answer.Refusal?.Message,
            RowCount = answer.Run?.Result.Rows.Count ?? 0,
            QueryRunId = answer.Run?.RunId,
            CreatedAt = Microseconds(clock.GetUtcNow().UtcDateTime),
        }, newConversation: conversation is null);

        await audit.RecordAsync(context, "ask.asked", "conversation", turn.ConversationId.ToString(), new
        {
            turnId = turn.Id,
            questionSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(question))),
            translator = answer.Translation.Translator,
            datasets = tables.Select(t => t.SqlName).ToArray(),
            answered = answer.Refusal is null,
            queryRunId = answer.Run?.RunId,
        }, success: answer.Refusal is null);

        var response = ToProto(answer, turn);
        response.Timings = new AskTimings
        {
            Translation = Duration.FromTimeSpan(answer.TranslationTime),
            Execution = Duration.FromTimeSpan(answer.ExecutionTime),
            Total = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started)),
        };
        return response;
    }

    public override async Task<SuggestQuestionsResponse> SuggestQuestions(SuggestQuestionsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var max = Input.PageSize("max_suggestions", request.MaxSuggestions, 8, 50);
        var catalog = await runner.GetCatalogAsync(caller.TenantId, context.CancellationToken);
        var tables = catalog.Tables.Count == 0 && request.DatasetIds.Count == 0 ? [] : Readable(catalog, DatasetIds("dataset_ids", request.DatasetIds));
        var response = new SuggestQuestionsResponse();
        if (tables.Count == 0)
        {
            return response;
        }
        var datasetSchemas = await schemas.GetAsync(caller.TenantId, tables, context.CancellationToken);
        foreach (var (question, dataset) in QuestionSuggester.Suggest(datasetSchemas, translators.Offline, max))
        {
            var table = tables.First(t => t.SqlName == dataset.Table.Name);
            response.Suggestions.Add(new QuestionSuggestion { Question = question, DatasetId = table.DatasetId.ToString(), Dataset = table.SqlName });
        }
        return response;
    }

    public override async Task<ListConversationsResponse> ListConversations(ListConversationsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize);
        var after = PageToken.Decode("page_token", request.PageToken);
        var owner = caller.UserId;
        if (!string.IsNullOrEmpty(request.UserId))
        {
            owner = Input.Id("user_id", request.UserId);
            if (owner != caller.UserId && !caller.IsAtLeast(Infrastructure.Auth.Role.Admin))
            {
                throw RpcErrors.PermissionDenied("Only admins can see other users' conversations.");
            }
        }
        var page = await store.ListConversationsAsync(caller.TenantId, owner, size + 1, after, context.CancellationToken);
        var response = new ListConversationsResponse();
        response.Conversations.AddRange(page.Take(size).Select(c => ToProto(c, [])));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = new PageToken(last.UpdatedAt, last.Id).Encode();
        }
        return response;
    }

    public override async Task<Conversation> GetConversation(GetConversationRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = Input.Id("conversation_id", request.ConversationId);
        var conversation = await store.GetConversationAsync(caller.TenantId, id, context.CancellationToken);
        if (conversation is null || (conversation.UserId != caller.UserId && !caller.IsAtLeast(Infrastructure.Auth.Role.Admin)))
        {
            throw RpcErrors.NotFound("Conversation");
        }
        return ToProto(conversation, await store.GetTurnsAsync(caller.TenantId, id, context.CancellationToken));
    }

    public override async Task<ListSynonymsResponse> ListSynonyms(ListSynonymsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var table = await GetDatasetAsync(caller, Input.Id("dataset_id", request.DatasetId), context.CancellationToken);
        return ToProto(await store.GetSynonymsAsync(caller.TenantId, table.DatasetId, context.CancellationToken));
    }

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    public override async Task<ListSynonymsResponse> SetSynonyms(SetSynonymsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var table = await GetDatasetAsync(caller, Input.Id("dataset_id", request.DatasetId), context.CancellationToken);
        var synonyms = ValidSynonyms(request.Synonyms, table);
        await store.SetSynonymsAsync(caller.TenantId, table.DatasetId, synonyms, caller.UserId, context.CancellationToken);
        await audit.RecordAsync(context, "ask.synonyms_set", "dataset", table.DatasetId.ToString(), new { count = synonyms.Count });
        return ToProto(synonyms);
    }

    public override async Task<AskSettings> GetAskSettings(GetAskSettingsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        return Settings(await store.GetShareRowsAsync(caller.TenantId, context.CancellationToken));
    }

    [RequireRole(Infrastructure.Auth.Role.Admin)]
    public override async Task<AskSettings> UpdateAskSettings(UpdateAskSettingsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        await store.SetShareRowsAsync(caller.TenantId, request.ShareResultRowsWithLlm, context.CancellationToken);
        await audit.RecordAsync(context, "ask.settings_updated", "tenant", caller.TenantId.ToString(), new { shareResultRowsWithLlm = request.ShareResultRowsWithLlm });
        return Settings(request.ShareResultRowsWithLlm);
    }

    // ------------------------------------------------------------ validation

    private static List<Guid> DatasetIds(string field, IReadOnlyList<string> values)
    {
        if (values.Count > MaxDatasets)
        {
            throw RpcErrors.InvalidArgument(field, $"must name at most {MaxDatasets} datasets");
        }
        return values.Select((v, i) => Input.Id($"{field}[{i}]", v)).Distinct().ToList();
    }

    /// <summary>The named datasets (all when none are named) among the tenant's; a name it does not have is NOT_FOUND.</summary>
    private static IReadOnlyList<DatasetTable> Readable(QueryCatalogSnapshot catalog, IReadOnlyList<Guid> ids)
    {
        if (ids.Count == 0)
        {
            return catalog.Tables.Count > 0
                ? catalog.Tables
                : throw RpcErrors.FailedPrecondition("There are no datasets to ask about yet. Upload one first.");
        }
        var tables = new List<DatasetTable>();
        foreach (var id in ids)
        {
            tables.Add(catalog.Tables.FirstOrDefault(t => t.DatasetId == id) ?? throw RpcErrors.NotFound("Dataset"));
        }
        return tables;
    }

    private async Task<DatasetTable> GetDatasetAsync(Caller caller, Guid datasetId, CancellationToken cancellationToken)
    {
        var catalog = await runner.GetCatalogAsync(caller.TenantId, cancellationToken);
        return catalog.Tables.FirstOrDefault(t => t.DatasetId == datasetId) ?? throw RpcErrors.NotFound("Dataset");
    }

    private async Task<ConversationRecord> GetOwnConversationAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var conversation = await store.GetConversationAsync(caller.TenantId, id, cancellationToken);
        // Only one's own conversation can be continued; others' look like nothing at all.
        return conversation is not null && conversation.UserId == caller.UserId ? conversation : throw RpcErrors.NotFound("Conversation");
    }

    private static List<NlSynonym> ValidSynonyms(IReadOnlyList<Synonym> synonyms, DatasetTable table)
    {
        if (synonyms.Count > MaxSynonyms)
        {
            throw RpcErrors.InvalidArgument("synonyms", $"must hold at most {MaxSynonyms} entries");
        }
        var result = new List<NlSynonym>();
        var seen = new HashSet<(string, string, string?)>();
        for (var i = 0; i < synonyms.Count; i++)
        {
            var phrase = Input.Text($"synonyms[{i}].phrase", synonyms[i].Phrase, 1, 100);
            var column = (synonyms[i].Column ?? "").Trim();
            if (table.Columns.All(c => c.Name != column))
            {
                throw RpcErrors.InvalidArgument($"synonyms[{i}].column",
                    $"\"{column}\" is not a column of {table.SqlName}; use one of {string.Join(", ", table.Columns.Take(12).Select(c => c.Name))}");
            }
            var value = string.IsNullOrWhiteSpace(synonyms[i].Value) ? null : Input.Text($"synonyms[{i}].value", synonyms[i].Value, 1, 200);
            if (seen.Add((phrase.ToLowerInvariant(), column, value)))
            {
                result.Add(new NlSynonym(phrase, column, value));
            }
        }
        return result.OrderBy(s => s.Phrase, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Column, StringComparer.Ordinal).ToList();
    }

    private static RpcException ExecutionFailed(QueryExecutionException ex) => ex.Kind switch
    {
        QueryFailureKind.TimedOut => new RpcException(new GrpcStatus(StatusCode.DeadlineExceeded, ex.Message)),
        QueryFailureKind.Cancelled => new RpcException(new GrpcStatus(StatusCode.Cancelled, ex.Message)),
        QueryFailureKind.ResourceExhausted => new RpcException(new GrpcStatus(StatusCode.ResourceExhausted, ex.Message)),
        _ => new RpcException(new GrpcStatus(StatusCode.Unavailable, ex.Message)),
    };

    // ------------------------------------------------------------ mapping

    private AskSettings Settings(bool share) => new()
    {
        ShareResultRowsWithLlm = share,
        LlmConfigured = translators.Llm is not null,
        LlmModel = translators.Model ?? "",
    };

    private static AskResponse ToProto(Answer answer, TurnRecord turn)
    {
        var t = answer.Translation;
        var response = new AskResponse
        {
            ConversationId = turn.ConversationId.ToString(),
            TurnId = turn.Id.ToString(),
            Translator = t.Translator,
            Confidence = t.Confidence,
            FollowUp = t.IsFollowUp,
            Interpretation = t.Interpretation,
        };
        response.Notes.AddRange(answer.Notes);
        response.Phrases.AddRange(t.Phrases.Select(p => new AskPhrase { Text = p.Text, Start = p.Start, Length = p.Length, Meaning = p.Meaning }));
        if (answer.Table is { } table)
        {
            response.DatasetId = table.DatasetId.ToString();
            response.Dataset = table.SqlName;
        }
        if (answer.Refusal is { } refusal)
        {
            response.Refusal = new AskRefusal { Message = refusal.Message };
            response.Refusal.UnplacedWords.AddRange(refusal.UnplacedWords);
            response.Refusal.Suggestions.AddRange(refusal.Suggestions);
            return response;
        }
        var run = answer.Run!;
        response.Sql = answer.Prepared!.CanonicalSql;
        response.Columns.AddRange(run.Result.Columns.Select(QueryMapping.ToProto));
        response.Rows.AddRange(run.Result.Rows.Select(r => QueryMapping.ToProto(run.Result.Columns, r)));
        response.RowCount = run.Result.Rows.Count;
        response.Truncated = run.Result.Truncated;
        response.Explanation = answer.Explanation;
        response.ExplanationSource = answer.ExplanationSource;
        response.Cached = run.Cached;
        response.QueryRunId = run.RunId.ToString();
        response.ComputeTime = Timestamp.FromDateTime(DateTime.SpecifyKind(run.Result.ComputedAt, DateTimeKind.Utc));
        if (answer.Chart is { } chart)
        {
            response.Chart = new Api.V1.ChartSpec
            {
                Kind = chart.Kind switch
                {
                    EngineChartKind.Kpi => Api.V1.ChartKind.Kpi,
                    EngineChartKind.Bar => Api.V1.ChartKind.Bar,
                    EngineChartKind.Line => Api.V1.ChartKind.Line,
                    EngineChartKind.Scatter => Api.V1.ChartKind.Scatter,
                    EngineChartKind.Pie => Api.V1.ChartKind.Pie,
                    _ => Api.V1.ChartKind.Table,
                },
                Title = chart.Title,
                X = chart.X ?? "",
                Series = chart.Series ?? "",
                Reason = chart.Reason,
            };
            response.Chart.Y.AddRange(chart.Y);
        }
        response.Notes.AddRange(answer.Prepared.Notices.Except(response.Notes));
        return response;
    }

    private static Conversation ToProto(ConversationRecord conversation, IReadOnlyList<TurnRecord> turns)
    {
        var proto = new Conversation
        {
            Id = conversation.Id.ToString(),
            Title = conversation.Title,
            UserId = conversation.UserId.ToString(),
            TurnCount = conversation.TurnCount,
            CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(conversation.CreatedAt, DateTimeKind.Utc)),
            UpdateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(conversation.UpdatedAt, DateTimeKind.Utc)),
        };
        proto.Turns.AddRange(turns.Select(t => new ConversationTurn
        {
            Id = t.Id.ToString(),
            Question = t.Question,
            Sql = t.CanonicalSql ?? "",
            Interpretation = t.Interpretation,
            Translator = t.Translator,
            Confidence = t.Confidence,
            DatasetId = t.DatasetId?.ToString() ?? "",
            Dataset = t.Dataset ?? "",
            FollowUp = t.FollowUp,
            Refusal = t.Refusal ?? "",
            RowCount = t.RowCount,
            QueryRunId = t.QueryRunId?.ToString() ?? "",
            CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(t.CreatedAt, DateTimeKind.Utc)),
        }));
        return proto;
    }

    private static ListSynonymsResponse ToProto(IReadOnlyList<NlSynonym> synonyms)
    {
        var response = new ListSynonymsResponse();
        response.Synonyms.AddRange(synonyms.Select(s => new Synonym { Phrase = s.Phrase, Column = s.Column, Value = s.Value ?? "" }));
        return response;
    }

    /// <summary>PostgreSQL keeps microseconds: answer with the time as it is stored.</summary>
    private static DateTime Microseconds(DateTime time) => time.AddTicks(-(time.Ticks % 10));
}
