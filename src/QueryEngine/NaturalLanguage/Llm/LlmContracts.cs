using AstralytiQ.QueryEngine.Policy;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Llm;

/// <summary>A question with the SQL that answers it, shown to the model as an example (e.g. a tenant's saved query).</summary>
/// <param name="Question">The question in plain English.</param>
/// <param name="Sql">The SELECT that answers it, over the datasets' logical names.</param>
public sealed record NlExample(string Question, string Sql);

/// <summary>
/// Runs (or otherwise checks) a candidate the validator accepted, and returns PostgreSQL's error
/// message when the database refused it, or null when it ran. The LLM translator feeds that error
/// back to the model in its repair round. Failures that are not the query's fault (timeouts, the
/// database being away) should be thrown, not returned.
/// </summary>
/// <param name="candidate">The translation about to be returned.</param>
/// <param name="prepared">The validated query.</param>
/// <param name="cancellationToken">Cancels the check.</param>
public delegate Task<string?> NlExecutionCheck(NlTranslation candidate, PreparedQuery prepared, CancellationToken cancellationToken);

/// <summary>Settings of an <see cref="LlmTranslator"/>.</summary>
public sealed record LlmTranslatorOptions
{
    /// <summary>The model's name as reported in answers (<c>llm:&lt;model&gt;</c>) and sent with each request.</summary>
    public required string Model { get; init; }

    /// <summary>How long one model call may take; past it the translator falls back. Default 20 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The policy the model's SQL must satisfy (the server's row cap and allow-lists).</summary>
    public QueryPolicy Policy { get; init; } = QueryPolicy.Default;

    /// <summary>Most question/SQL examples put in the prompt. Default 8.</summary>
    public int MaxExamples { get; init; } = 8;

    /// <summary>Most profiled values listed per column. Default 12.</summary>
    public int MaxSampleValues { get; init; } = 12;

    /// <summary>Most datasets described in one prompt (those whose names and columns share most words with the question). Default 8.</summary>
    public int MaxPromptDatasets { get; init; } = 8;

    /// <summary>Sampling temperature; 0 (the default) for the most repeatable SQL.</summary>
    public float? Temperature { get; init; } = 0;

    /// <summary>Most tokens the model may answer with. Default 800.</summary>
    public int MaxOutputTokens { get; init; } = 800;
}

/// <summary>What the model's context holds besides the question and the schema.</summary>
public sealed record LlmRequestContext
{
    /// <summary>No examples, no execution check.</summary>
    public static LlmRequestContext None { get; } = new();

    /// <summary>The tenant's own question/SQL pairs, best first; those that do not validate against the offered datasets are left out.</summary>
    public IReadOnlyList<NlExample> Examples { get; init; } = [];

    /// <summary>Runs a validated candidate; its error (if any) starts the repair round. Null: validation only.</summary>
    public NlExecutionCheck? Check { get; init; }
}

/// <summary>Why the model's answer was not used.</summary>
public enum LlmFailure
{
    /// <summary>The model's SQL was used.</summary>
    None,

    /// <summary>The model did not answer in time.</summary>
    Timeout,

    /// <summary>The call failed: HTTP error, connection refused, unreadable response.</summary>
    Unavailable,

    /// <summary>The reply held no SQL.</summary>
    NoSql,

    /// <summary>The model said the question cannot be answered from the schema.</summary>
    Declined,

    /// <summary>The SQL was refused by the validator, also after the repair round.</summary>
    Invalid,

    /// <summary>The SQL tried something the policy forbids outright (another statement, another schema, a system function): refused without a repair round.</summary>
    Unsafe,

    /// <summary>PostgreSQL refused the SQL, also after the repair round.</summary>
    ExecutionFailed,
}

/// <summary>One model call of a translation.</summary>
/// <param name="Round">1 for the first answer, 2 for the repair.</param>
/// <param name="Sql">The SQL taken from the reply, if any.</param>
/// <param name="Error">Why it was not accepted, if it was not.</param>
/// <param name="Elapsed">Time the call took.</param>
public sealed record LlmAttempt(int Round, string? Sql, string? Error, TimeSpan Elapsed);

/// <summary>A translation with the story of how it was reached.</summary>
/// <param name="Translation">The answer: the model's, or the fallback translator's.</param>
/// <param name="Failure"><see cref="LlmFailure.None"/> when the model's SQL was used.</param>
/// <param name="FailureDetail">What went wrong, for logs and notes (never the model's full reply).</param>
/// <param name="Attempts">The model calls made, in order.</param>
public sealed record LlmOutcome(NlTranslation Translation, LlmFailure Failure, string? FailureDetail, IReadOnlyList<LlmAttempt> Attempts)
{
    /// <summary>True when the model's SQL was used.</summary>
    public bool UsedModel => Failure == LlmFailure.None;

    /// <summary>The validated model query, when the model's SQL was used.</summary>
    public PreparedQuery? Prepared { get; init; }

    /// <summary>True when the model's first answer failed and its repaired answer was used.</summary>
    public bool Repaired { get; init; }
}
