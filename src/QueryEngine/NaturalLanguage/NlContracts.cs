using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage;

/// <summary>
/// Turns a question in English into a query tree for the safe SQL core. Implementations may be
/// wrong, never dangerous: whatever they return still goes through
/// <see cref="SafeSql.Prepare(Query, TableCatalog, QueryPolicy)"/> before anything runs.
/// </summary>
public interface INlTranslator
{
    /// <summary>The name reported with each answer, e.g. <c>offline</c> or <c>llm:gpt-4o-mini</c>.</summary>
    string Name { get; }

    /// <summary>Translates one question.</summary>
    /// <param name="request">The question, the datasets it may read and, for follow-ups, the previous turn.</param>
    /// <param name="cancellationToken">Cancels the translation.</param>
    /// <returns>A query with its reading, or a refusal that says which words could not be placed.</returns>
    Task<NlTranslation> TranslateAsync(NlRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What the profiler knows about one column of a dataset.</summary>
/// <param name="Name">The column name, as in the catalog.</param>
/// <param name="Type">Its PostgreSQL type, e.g. <c>integer</c>, <c>numeric(10,2)</c>, <c>text</c>, <c>date</c>.</param>
public sealed record ColumnProfile(string Name, string Type)
{
    /// <summary>
    /// The distinct non-null values of a low-cardinality text column (the profiler decides what is
    /// low); empty when the column has too many values or is not text. Values are matched against
    /// the question case-insensitively and are the only string literals the offline translator
    /// writes besides text the user quoted.
    /// </summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>Number of distinct non-null values, when known.</summary>
    public long? DistinctCount { get; init; }

    /// <summary>Number of null values, when known.</summary>
    public long? NullCount { get; init; }

    /// <summary>Smallest value as invariant text (numbers as written by PostgreSQL, dates as <c>yyyy-MM-dd</c>), when known.</summary>
    public string? Min { get; init; }

    /// <summary>Largest value as invariant text, when known. For date columns this is "today" for relative dates such as "last year".</summary>
    public string? Max { get; init; }

    /// <summary>An analyst's description of the column, if any.</summary>
    public string? Description { get; init; }
}

/// <summary>An analyst-defined word or phrase for a column, or for one value of a column.</summary>
/// <param name="Phrase">What users say, e.g. <c>sales</c>, <c>NYC</c>.</param>
/// <param name="Column">The column it stands for.</param>
/// <param name="Value">When set, the phrase stands for <c>Column = Value</c> (e.g. <c>NYC</c> for city New York City).</param>
public sealed record NlSynonym(string Phrase, string Column, string? Value = null);

/// <summary>One dataset (table) a question may read: its catalog entry, column profiles and vocabulary.</summary>
/// <param name="Table">The catalog table; queries name it by <see cref="CatalogTable.Name"/>.</param>
/// <param name="Columns">Profiles of the table's columns. Catalog columns without a profile are linked by name and type only.</param>
public sealed record DatasetSchema(CatalogTable Table, IReadOnlyList<ColumnProfile> Columns)
{
    /// <summary>A display title, e.g. <c>Retail sales</c>.</summary>
    public string? Title { get; init; }

    /// <summary>What one row is called, singular, e.g. <c>order</c>, <c>flight</c> ("how many orders" counts rows).</summary>
    public IReadOnlyList<string> RowNouns { get; init; } = [];

    /// <summary>Per-dataset synonyms, editable by analysts.</summary>
    public IReadOnlyList<NlSynonym> Synonyms { get; init; } = [];

    /// <summary>Number of rows, when known.</summary>
    public long? RowCount { get; init; }

    /// <summary>A schema with type-only profiles for every catalog column (no values, no ranges).</summary>
    /// <param name="table">The catalog table.</param>
    public static DatasetSchema FromTable(CatalogTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new DatasetSchema(table, table.Columns.Select(c => new ColumnProfile(c.Name, c.Type)).ToArray());
    }
}

/// <summary>The previous turn of a conversation, for follow-ups such as "only for 2015" or "and by month?".</summary>
/// <param name="Question">The previous question.</param>
/// <param name="Query">The query that answered it (logical table names, as <see cref="NlTranslation.Query"/> or as parsed from its canonical SQL).</param>
public sealed record NlTurn(string Question, Query Query);

/// <summary>A question to translate.</summary>
/// <param name="Question">The user's words.</param>
/// <param name="Datasets">The datasets the question may read; a single-table translator picks one.</param>
public sealed record NlRequest(string Question, IReadOnlyList<DatasetSchema> Datasets)
{
    /// <summary>Creates a request over one dataset.</summary>
    /// <param name="question">The user's words.</param>
    /// <param name="dataset">The dataset.</param>
    public NlRequest(string question, DatasetSchema dataset)
        : this(question, [dataset])
    {
    }

    /// <summary>The previous turn when the question may be a follow-up; null for a fresh question.</summary>
    public NlTurn? PreviousTurn { get; init; }
}

/// <summary>Why a question was not translated.</summary>
/// <param name="Message">One or two sentences a user can act on.</param>
/// <param name="UnplacedWords">The words of the question the translator could not place, in question order.</param>
public sealed record NlRefusal(string Message, IReadOnlyList<string> UnplacedWords)
{
    /// <summary>Columns whose names are close to the unplaced words, offered as "did you mean".</summary>
    public IReadOnlyList<string> Suggestions { get; init; } = [];
}

/// <summary>The outcome of a translation: a query with its reading, or a refusal.</summary>
public sealed record NlTranslation
{
    /// <summary>True when <see cref="Query"/> is set.</summary>
    public bool Succeeded => Query is not null;

    /// <summary>The query tree over logical table names; pass it to <see cref="SafeSql.Prepare(Query, TableCatalog, QueryPolicy)"/>. Null on refusal.</summary>
    public Query? Query { get; init; }

    /// <summary>The dataset (logical table name) the query reads; null on refusal.</summary>
    public string? Dataset { get; init; }

    /// <summary>How sure the translator is, from 0 (guess) to 1 (every word placed, no ambiguity).</summary>
    public double Confidence { get; init; }

    /// <summary>How the question was read, in plain English, e.g. "average of price for each cut".</summary>
    public string Interpretation { get; init; } = string.Empty;

    /// <summary>The translator that produced this answer (<see cref="INlTranslator.Name"/>).</summary>
    public required string Translator { get; init; }

    /// <summary>True when the question was read as a refinement of <see cref="NlRequest.PreviousTurn"/>.</summary>
    public bool IsFollowUp { get; init; }

    /// <summary>Why the question was not translated; null on success.</summary>
    public NlRefusal? Refusal { get; init; }

    /// <summary>Readings the translator chose between, worth showing when <see cref="Confidence"/> is low.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>How each phrase of the question was read, in question order (for highlighting the question in the portal).</summary>
    public IReadOnlyList<NlPhrase> Phrases { get; init; } = [];
}

/// <summary>One phrase of a question and what the translator read it as.</summary>
/// <param name="Text">The words as the user wrote them.</param>
/// <param name="Start">Character offset of the phrase in the question.</param>
/// <param name="Length">Length of the phrase in characters.</param>
/// <param name="Meaning">What it was read as, e.g. <c>column price</c>, <c>cut = Ideal</c>, <c>average</c>, <c>not placed</c>.</param>
public sealed record NlPhrase(string Text, int Start, int Length, string Meaning);
