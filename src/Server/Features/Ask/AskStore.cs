using System.Text.Json;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Dapper;

namespace AstralytiQ.Server.Features.Ask;

public sealed record ConversationRecord(Guid Id, Guid TenantId, Guid UserId, string Title, int TurnCount, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>One question of a conversation (app.ask_turns). Properties, not a positional record: Dapper fills it by name.</summary>
public sealed record TurnRecord
{
    public Guid Id { get; init; }
    public Guid ConversationId { get; init; }
    public Guid TenantId { get; init; }
    public int Ordinal { get; init; }
    public string Question { get; init; } = "";
    public string? CanonicalSql { get; init; }
    public string? QuerySql { get; init; }
    public string Interpretation { get; init; } = "";
    public string Translator { get; init; } = "";
    public double Confidence { get; init; }
    public Guid? DatasetId { get; init; }
    public string? Dataset { get; init; }
    public bool FollowUp { get; init; }
    public string? Refusal { get; init; }
    public long RowCount { get; init; }
    public Guid? QueryRunId { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>What questions need from the catalog besides the catalog itself: synonyms, and the profile when asked for.</summary>
public sealed record VocabularyRecord(Guid DatasetId, Guid VersionId, long Revision, string? SynonymsJson, string? ProfileJson);

/// <summary>Conversations, turns, synonyms and the workspace's question settings.</summary>
public sealed class AskStore(TenantDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string TurnColumns =
        "id, conversation_id, tenant_id, ordinal, question, canonical_sql, query_sql, interpretation, translator, confidence, dataset_id, dataset, follow_up, refusal, row_count, query_run_id, created_at";

    // ------------------------------------------------------------ conversations

    public Task<ConversationRecord?> GetConversationAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<ConversationRecord>(new CommandDefinition(
            "SELECT id, tenant_id, user_id, title, turn_count, created_at, updated_at FROM app.ask_conversations WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Most recently active first; <paramref name="userId"/> null means everyone's.</summary>
    public Task<IReadOnlyList<ConversationRecord>> ListConversationsAsync(Guid tenantId, Guid? userId, int limit, PageToken? after, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<ConversationRecord>>(tenantId, async (c, t) => (await c.QueryAsync<ConversationRecord>(new CommandDefinition(
            """
            SELECT id, tenant_id, user_id, title, turn_count, created_at, updated_at FROM app.ask_conversations
            WHERE tenant_id = @tenantId
              AND (@userId::uuid IS NULL OR user_id = @userId)
              AND (@afterTime::timestamptz IS NULL OR (updated_at, id) < (@afterTime, @afterId))
            ORDER BY updated_at DESC, id DESC
            LIMIT @limit
            """,
            new { tenantId, userId, afterTime = after?.Time, afterId = after?.GuidId ?? Guid.Empty, limit }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public Task<IReadOnlyList<TurnRecord>> GetTurnsAsync(Guid tenantId, Guid conversationId, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<TurnRecord>>(tenantId, async (c, t) => (await c.QueryAsync<TurnRecord>(new CommandDefinition(
            $"SELECT {TurnColumns} FROM app.ask_turns WHERE tenant_id = @tenantId AND conversation_id = @conversationId ORDER BY ordinal",
            new { tenantId, conversationId }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    /// <summary>The conversation's latest answered turn (the one a follow-up refines), or null.</summary>
    public Task<TurnRecord?> GetLastAnsweredTurnAsync(Guid tenantId, Guid conversationId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<TurnRecord>(new CommandDefinition(
            $"""
            SELECT {TurnColumns} FROM app.ask_turns
            WHERE tenant_id = @tenantId AND conversation_id = @conversationId AND canonical_sql IS NOT NULL
            ORDER BY ordinal DESC LIMIT 1
            """,
            new { tenantId, conversationId }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Appends a turn, creating the conversation first when it is new (title: the first question).</summary>
    public Task<TurnRecord> AddTurnAsync(Guid userId, TurnRecord turn, bool newConversation) =>
        // Not cancellable: an answered question is part of the conversation even if the caller went away.
        database.InTenantAsync(turn.TenantId, async (c, t) =>
        {
            if (newConversation)
            {
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO app.ask_conversations (id, tenant_id, user_id, title, created_at, updated_at) VALUES (@Id, @TenantId, @userId, @title, @CreatedAt, @CreatedAt)",
                    new { turn.ConversationId, Id = turn.ConversationId, turn.TenantId, userId, title = Title(turn.Question), turn.CreatedAt }, t));
            }
            var ordinal = await c.ExecuteScalarAsync<int>(new CommandDefinition(
                """
                UPDATE app.ask_conversations SET turn_count = turn_count + 1, updated_at = @CreatedAt
                WHERE tenant_id = @TenantId AND id = @ConversationId
                RETURNING turn_count
                """, turn, t));
            var stored = turn with { Ordinal = ordinal };
            await c.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO app.ask_turns ({TurnColumns})
                VALUES (@Id, @ConversationId, @TenantId, @Ordinal, @Question, @CanonicalSql, @QuerySql, @Interpretation, @Translator, @Confidence, @DatasetId, @Dataset,
                        @FollowUp, @Refusal, @RowCount, @QueryRunId, @CreatedAt)
                """, stored, t));
            return stored;
        }, CancellationToken.None);

    /// <summary>The tenant's recent answered questions that the offline translator read with confidence, newest first: examples for the model.</summary>
    public Task<IReadOnlyList<NlExampleRecord>> GetConfidentTurnsAsync(Guid tenantId, int limit, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<NlExampleRecord>>(tenantId, async (c, t) => (await c.QueryAsync<NlExampleRecord>(new CommandDefinition(
            """
            SELECT DISTINCT ON (lower(question)) question, canonical_sql AS sql, created_at
            FROM app.ask_turns
            WHERE tenant_id = @tenantId AND canonical_sql IS NOT NULL AND translator = 'offline' AND confidence >= 0.9 AND NOT follow_up
              AND created_at > now() - interval '90 days'
            ORDER BY lower(question), created_at DESC
            LIMIT 200
            """,
            new { tenantId }, t, cancellationToken: cancellationToken))).OrderByDescending(r => r.CreatedAt).Take(limit).ToList(), cancellationToken);

    private static string Title(string question) => question.Length <= 200 ? question : question[..199] + "…";

    // ------------------------------------------------------------ synonyms

    public async Task<IReadOnlyList<NlSynonym>> GetSynonymsAsync(Guid tenantId, Guid datasetId, CancellationToken cancellationToken)
    {
        var json = await database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT synonyms::text FROM app.ask_synonyms WHERE tenant_id = @tenantId AND dataset_id = @datasetId",
            new { tenantId, datasetId }, t, cancellationToken: cancellationToken)), cancellationToken);
        return ParseSynonyms(json);
    }

    /// <summary>Replaces the dataset's synonyms; returns the new revision.</summary>
    public Task<long> SetSynonymsAsync(Guid tenantId, Guid datasetId, IReadOnlyList<NlSynonym> synonyms, Guid userId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO app.ask_synonyms (dataset_id, tenant_id, synonyms, updated_by) VALUES (@datasetId, @tenantId, @json::jsonb, @userId)
            ON CONFLICT (dataset_id) DO UPDATE SET synonyms = excluded.synonyms, revision = app.ask_synonyms.revision + 1,
                updated_by = excluded.updated_by, updated_at = now()
            RETURNING revision
            """,
            new { tenantId, datasetId, userId, json = JsonSerializer.Serialize(synonyms.Select(s => new SynonymDocument(s.Phrase, s.Column, s.Value)), Json) },
            t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Synonym lists (with their revisions) of the datasets, and the stored profile of the versions in
    /// <paramref name="profileVersionIds"/> (the ones a server has not cached yet).
    /// </summary>
    public Task<IReadOnlyList<VocabularyRecord>> GetVocabularyAsync(
        Guid tenantId, IReadOnlyList<(Guid DatasetId, Guid VersionId)> datasets, IReadOnlyCollection<Guid> profileVersionIds, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<VocabularyRecord>>(tenantId, async (c, t) => (await c.QueryAsync<VocabularyRecord>(new CommandDefinition(
            """
            SELECT d.dataset_id, d.version_id, coalesce(s.revision, 0) AS revision, s.synonyms::text AS synonyms_json,
                   CASE WHEN d.version_id = ANY(@profiles) THEN p.profile::text END AS profile_json
            FROM unnest(@datasetIds::uuid[], @versionIds::uuid[]) AS d (dataset_id, version_id)
            LEFT JOIN app.ask_synonyms s ON s.tenant_id = @tenantId AND s.dataset_id = d.dataset_id
            LEFT JOIN app.dataset_profiles p ON p.tenant_id = @tenantId AND p.version_id = d.version_id
            """,
            new
            {
                tenantId,
                datasetIds = datasets.Select(d => d.DatasetId).ToArray(),
                versionIds = datasets.Select(d => d.VersionId).ToArray(),
                profiles = profileVersionIds.ToArray(),
            }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public static IReadOnlyList<NlSynonym> ParseSynonyms(string? json) =>
        string.IsNullOrEmpty(json)
            ? []
            : (JsonSerializer.Deserialize<List<SynonymDocument>>(json, Json) ?? []).Select(s => new NlSynonym(s.Phrase, s.Column, s.Value)).ToArray();

    private sealed record SynonymDocument(string Phrase, string Column, string? Value);

    // ------------------------------------------------------------ settings

    public Task<bool> GetShareRowsAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT coalesce((settings -> 'ask' ->> 'shareResultRowsWithLlm')::boolean, false) FROM app.tenants WHERE id = @tenantId",
            new { tenantId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task SetShareRowsAsync(Guid tenantId, bool share, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE app.tenants
            SET settings = jsonb_set(settings, '{ask}', coalesce(settings -> 'ask', '{}'::jsonb) || jsonb_build_object('shareResultRowsWithLlm', @share))
            WHERE id = @tenantId
            """,
            new { tenantId, share }, t, cancellationToken: cancellationToken)), cancellationToken);
}

/// <summary>A question and the SQL that answered it.</summary>
public sealed record NlExampleRecord(string Question, string Sql, DateTime CreatedAt);
