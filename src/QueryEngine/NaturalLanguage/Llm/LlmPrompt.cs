using System.Globalization;
using System.Text;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using Microsoft.Extensions.AI;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Llm;

/// <summary>
/// The messages the LLM translator sends: a system message with the rules and the schema (tables,
/// columns, types, ranges, profiled values, synonyms), the tenant's examples as earlier turns, the
/// conversation's previous question and SQL as the turn before, then the question. Only the schema,
/// profile facts, examples and questions are sent; never result rows.
/// </summary>
public static class LlmPrompt
{
    private const int MaxValueText = 400;

    /// <summary>The rules the model is given.</summary>
    public const string Rules = """
        You translate questions about a company's data into one PostgreSQL query.
        Rules:
        - Answer with exactly one read-only SELECT statement (WITH is allowed) in a ```sql code block, and nothing else.
        - Use only the tables and columns listed below, spelled exactly as listed; never a schema prefix, system catalog or other table.
        - Compare text columns with the values exactly as listed (case and spelling).
        - Use only ordinary functions (count, sum, avg, min, max, round, date_trunc, extract, coalesce, ...); no functions starting with pg_.
        - Name computed columns with short aliases (AS total_revenue).
        - When listing rows, add ORDER BY and a LIMIT.
        - If the question cannot be answered from these tables, answer CANNOT_ANSWER: followed by the reason.
        """;

    /// <summary>Builds the conversation for a question.</summary>
    /// <param name="request">The question, datasets and previous turn.</param>
    /// <param name="datasets">The datasets to describe (already chosen and ordered).</param>
    /// <param name="examples">Validated examples, best first.</param>
    /// <param name="options">Limits on values per column.</param>
    public static List<ChatMessage> Build(NlRequest request, IReadOnlyList<DatasetSchema> datasets, IReadOnlyList<NlExample> examples, LlmTranslatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        var system = new StringBuilder(Rules).Append('\n');
        foreach (var dataset in datasets)
        {
            system.Append('\n');
            DescribeDataset(system, dataset, options.MaxSampleValues);
        }

        var messages = new List<ChatMessage> { new(ChatRole.System, system.ToString().TrimEnd()) };
        foreach (var example in examples)
        {
            messages.Add(new ChatMessage(ChatRole.User, Question(example.Question)));
            messages.Add(new ChatMessage(ChatRole.Assistant, Fenced(example.Sql)));
        }

        if (request.PreviousTurn is { } previous)
        {
            messages.Add(new ChatMessage(ChatRole.User, Question(previous.Question)));
            messages.Add(new ChatMessage(ChatRole.Assistant, Fenced(SqlRenderer.Render(previous.Query))));
            messages.Add(new ChatMessage(ChatRole.User, Question(request.Question) + "\n(This may refine the previous question: keep what it does not change.)"));
        }
        else
        {
            messages.Add(new ChatMessage(ChatRole.User, Question(request.Question)));
        }

        return messages;
    }

    /// <summary>The repair turn: the refused reply and why it was refused.</summary>
    /// <param name="reply">What the model answered.</param>
    /// <param name="error">The validator's or PostgreSQL's message.</param>
    /// <param name="byDatabase">True when PostgreSQL refused it, false when the validator did.</param>
    public static IEnumerable<ChatMessage> Repair(string reply, string error, bool byDatabase)
    {
        yield return new ChatMessage(ChatRole.Assistant, reply);
        var who = byDatabase ? "PostgreSQL refused that query" : "That query was refused by the SQL checker";
        yield return new ChatMessage(ChatRole.User,
            $"{who}: {error}\nWrite a corrected query: one SELECT over the listed tables and columns only, in a ```sql code block, nothing else.");
    }

    /// <summary>One dataset as the model reads it.</summary>
    internal static void DescribeDataset(StringBuilder text, DatasetSchema dataset, int maxValues)
    {
        text.Append("Table ").Append(dataset.Table.Name);
        var facts = new List<string>();
        if (!string.IsNullOrWhiteSpace(dataset.Title) && !string.Equals(dataset.Title, dataset.Table.Name, StringComparison.OrdinalIgnoreCase))
        {
            facts.Add('"' + OneLine(dataset.Title) + '"');
        }

        if (dataset.RowCount is { } rows)
        {
            facts.Add(rows.ToString("N0", CultureInfo.InvariantCulture) + " rows");
        }

        if (dataset.RowNouns.Count > 0)
        {
            facts.Add("one row per " + dataset.RowNouns[0]);
        }

        if (facts.Count > 0)
        {
            text.Append(" (").Append(string.Join("; ", facts)).Append(')');
        }

        text.Append('\n');
        var profiles = dataset.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var column in dataset.Table.Columns)
        {
            text.Append("- ").Append(column.Name).Append(' ').Append(column.Type);
            if (profiles.TryGetValue(column.Name, out var profile))
            {
                if (profile.Values.Count > 0)
                {
                    text.Append("; values: ").Append(Values(profile.Values, maxValues));
                }
                else if (profile.Min is { Length: > 0 } min && profile.Max is { Length: > 0 } max)
                {
                    text.Append("; from ").Append(OneLine(min)).Append(" to ").Append(OneLine(max));
                }

                if (profile.NullCount is > 0)
                {
                    text.Append("; has missing values");
                }

                if (!string.IsNullOrWhiteSpace(profile.Description))
                {
                    text.Append("; ").Append(OneLine(profile.Description));
                }
            }

            var synonyms = dataset.Synonyms.Where(s => string.Equals(s.Column, column.Name, StringComparison.Ordinal)).ToList();
            if (synonyms.Count > 0)
            {
                text.Append("; users also say ").Append(string.Join(", ", synonyms.Take(8).Select(s =>
                    s.Value is null ? '"' + OneLine(s.Phrase) + '"' : $"\"{OneLine(s.Phrase)}\" for {SqlRenderer.QuoteString(s.Value)}")));
            }

            text.Append('\n');
        }
    }

    private static string Values(IReadOnlyList<string> values, int max)
    {
        var text = new StringBuilder();
        var shown = 0;
        foreach (var value in values)
        {
            if (shown == max || text.Length + value.Length > MaxValueText)
            {
                break;
            }

            text.Append(shown == 0 ? string.Empty : ", ").Append(SqlRenderer.QuoteString(OneLine(value)));
            shown++;
        }

        if (shown < values.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $" (and {values.Count - shown} more)");
        }

        return text.ToString();
    }

    private static string Question(string question) => "Question: " + OneLine(question);

    private static string Fenced(string sql) => "```sql\n" + sql.Trim() + "\n```";

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// The datasets worth describing for a question: all when they fit, else those sharing most
    /// words with it (names, columns, values), keeping the previous turn's table.
    /// </summary>
    internal static IReadOnlyList<DatasetSchema> Choose(NlRequest request, int max)
    {
        if (request.Datasets.Count <= max)
        {
            return request.Datasets;
        }

        var words = Words(request.Question);
        string? previousTable = request.PreviousTurn is { } turn ? TablesOf(turn.Query, request.Datasets).FirstOrDefault() : null;
        return request.Datasets
            .Select((d, i) => (Dataset: d, Index: i, Score: string.Equals(d.Table.Name, previousTable, StringComparison.Ordinal) ? int.MaxValue : Score(d, words)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index)
            .Take(max)
            .Select(x => x.Dataset)
            .ToArray();
    }

    private static int Score(DatasetSchema dataset, HashSet<string> words)
    {
        var score = 0;
        foreach (var word in Words(dataset.Table.Name + " " + dataset.Title + " " + string.Join(' ', dataset.RowNouns)))
        {
            score += words.Contains(word) ? 3 : 0;
        }

        foreach (var column in dataset.Columns)
        {
            score += Words(column.Name).Count(words.Contains);
            score += column.Values.Count(v => words.Contains(v.ToLowerInvariant()));
        }

        return score;
    }

    private static HashSet<string> Words(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.ToLowerInvariant().Split([' ', '_', ',', '.', '?', '!', '\'', '"', '-', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
        {
            words.Add(raw);
            if (raw.Length > 3 && raw.EndsWith('s'))
            {
                words.Add(raw[..^1]);
            }
        }

        return words;
    }

    private static IEnumerable<string> TablesOf(Query query, IReadOnlyList<DatasetSchema> datasets) =>
        QueryValidator.Validate(query, new TableCatalog(datasets.Select(d => d.Table)), QueryPolicy.Default).Tables.Select(t => t.Name);
}
