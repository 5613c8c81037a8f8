using AstralytiQ.QueryEngine.NaturalLanguage.Reading;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage;

/// <summary>
/// The default translator: deterministic, no model, no network. It links the question's words to
/// the dataset's column names, synonyms and profiled values, reads aggregates, grouping, filters,
/// comparisons, dates, top-N and ordering, and builds a single-table query tree. Every string
/// literal it writes is a profiled value or text the user quoted; every column is a catalog column.
/// When words that carry meaning (a name, a number, a quoted text) cannot be placed, it refuses and
/// names them instead of dropping them.
/// </summary>
/// <param name="policy">The policy each produced tree is checked against before it is returned; <see cref="QueryPolicy.Default"/> when null.</param>
public sealed class OfflineTranslator(QueryPolicy? policy = null) : INlTranslator
{
    /// <summary>The translator name reported with answers.</summary>
    public const string TranslatorName = "offline";

    private readonly QueryPolicy _policy = policy ?? QueryPolicy.Default;

    /// <inheritdoc />
    public string Name => TranslatorName;

    /// <inheritdoc />
    public Task<NlTranslation> TranslateAsync(NlRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Translate(request));
    }

    /// <summary>Translates synchronously (the work is CPU-only and takes well under a millisecond for typical questions).</summary>
    /// <param name="request">The question and datasets.</param>
    public NlTranslation Translate(NlRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Datasets);
        var question = (request.Question ?? string.Empty).Trim();
        if (question.Length == 0)
        {
            return Refuse("The question is empty.", []);
        }

        if (question.Length > 1000)
        {
            return Refuse("The question is too long; ask one thing in a sentence or two.", []);
        }

        if (request.Datasets.Count == 0)
        {
            return Refuse("No dataset was given to answer from.", []);
        }

        if (request.PreviousTurn is { } turn && TryFollowUp(question, turn, request.Datasets) is { } followUp)
        {
            return followUp;
        }

        var readings = request.Datasets.Select(d => QuestionReader.Read(question, SchemaIndex.For(d))).ToList();
        var best = readings.OrderByDescending(r => r.Blocking.Count == 0 && r.HasTarget ? 1 : 0).ThenByDescending(r => r.LinkScore).First();
        if (readings.Count > 1 && readings.Count(r => Math.Abs(r.LinkScore - best.LinkScore) < 1e-9 && r.HasTarget == best.HasTarget) > 1)
        {
            best.Confidence -= 0.2;
            best.Notes.Add("the question fits several datasets equally well; read it against " + best.Index.Table);
        }

        return Finish(best, PlanBuilder.Build(best), followUp: false);
    }

    private NlTranslation? TryFollowUp(string question, NlTurn turn, IReadOnlyList<DatasetSchema> datasets)
    {
        var previous = QueryPlan.FromQuery(turn.Query);
        if (previous is null)
        {
            return null;
        }

        var dataset = datasets.FirstOrDefault(d => string.Equals(d.Table.Name, previous.Table, StringComparison.Ordinal))
            ?? datasets.FirstOrDefault(d => string.Equals(d.Table.Name, previous.Table, StringComparison.OrdinalIgnoreCase));
        if (dataset is null)
        {
            return null;
        }

        var filtered = previous.Where.SelectMany(w => w.Columns).ToHashSet(StringComparer.Ordinal);
        var reading = QuestionReader.Read(question, SchemaIndex.For(dataset), filtered, ComparedColumn(previous));
        var fragment = !reading.HasOwnTarget;
        if (!reading.FollowUpCue && !fragment)
        {
            return null;
        }

        if (!reading.HasAnything && reading.FlipTo is null && reading.Blocking.Count == 0)
        {
            return null;
        }

        var plan = PlanBuilder.Merge(previous, reading);
        return Finish(reading, plan, followUp: true);
    }

    /// <summary>The one column the previous answer's WHERE compares with a number (<c>price &gt; 5000</c>); null when none or several.</summary>
    private static string? ComparedColumn(QueryPlan previous)
    {
        var columns = previous.Where
            .Where(w => w.Expr is BinaryExpr { Operator: BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual } b &&
                b.Left is ColumnRef && b.Right is NumericLiteral or UnaryExpr { Operand: NumericLiteral })
            .SelectMany(w => w.Columns)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return columns.Count == 1 ? columns[0] : null;
    }

    private NlTranslation Finish(QuestionReading reading, QueryPlan plan, bool followUp)
    {
        var translation = Build(reading, plan, followUp);
        return translation with { Phrases = Phrases(reading) };
    }

    private NlTranslation Build(QuestionReading reading, QueryPlan plan, bool followUp)
    {
        if (reading.Blocking.Count > 0)
        {
            var question = string.Join(' ', reading.Tokens.Select(t => t.Text));
            var words = reading.Blocking.Where(b => question.Contains(b.Trim('"'), StringComparison.OrdinalIgnoreCase)).ToList();
            var reasons = reading.Blocking.Except(words).ToList();
            var message = words.Count > 0
                ? $"I could not place {Quote(words)} in {reading.Index.Table}: no column, value or phrase I know matches. Try the column's name or a value as it appears in the data."
                : string.Empty;
            if (reasons.Count > 0)
            {
                message = (message + " I cannot answer with " + string.Join("; ", reasons) + ".").Trim();
            }

            return Refuse(message, reading.Unplaced.Concat(words).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), Suggest(reading));
        }

        if (!followUp && !reading.HasTarget && reading.Groups.Count == 0)
        {
            var what = reading.Unplaced.Count > 0
                ? $"I could not tell what to compute from {Quote(reading.Unplaced)}."
                : "I could not tell what to compute: name a column, a value, or a measure such as \"average price\" or \"number of orders\".";
            return Refuse(what, reading.Unplaced.ToArray(), Suggest(reading));
        }

        if (reading.Confidence < 0.3)
        {
            return Refuse($"Too many words I could not place ({Quote(reading.Unplaced)}); rephrase with column names or values from {reading.Index.Table}.", reading.Unplaced.ToArray(), Suggest(reading));
        }

        if (plan.Having.Count > 0 && plan.GroupBy.Count == 0 && !plan.CountGroups)
        {
            // A condition on groups with nothing grouped would answer over the whole table (a row count, not a count of groups).
            return Refuse("I read a condition on groups (such as \"more than 15 orders\") but not what is grouped; name it, for example \"customers with more than 15 orders\".", reading.Unplaced.ToArray(), Suggest(reading));
        }

        var query = plan.ToQuery();
        var catalog = new TableCatalog([reading.Index.Schema.Table]);
        var prepared = SafeSql.Prepare(query, catalog, _policy);
        if (!prepared.Succeeded)
        {
            return Refuse("I read the question but could not build a valid query from it: " + string.Join("; ", prepared.Errors.Select(e => e.Message)), reading.Unplaced.ToArray());
        }

        var notes = reading.Notes.ToList();
        if (reading.Unplaced.Count > 0)
        {
            notes.Add("ignored: " + string.Join(", ", reading.Unplaced));
        }

        return new NlTranslation
        {
            Query = query,
            Dataset = reading.Index.Table,
            Confidence = Math.Round(reading.Confidence, 2),
            Interpretation = NlExplainer.Describe(query),
            Translator = TranslatorName,
            IsFollowUp = followUp,
            Notes = notes,
        };
    }

    private static IReadOnlyList<NlPhrase> Phrases(QuestionReading reading)
    {
        var result = new List<NlPhrase>();
        foreach (var it in reading.Items)
        {
            if (it.Kind == ItemKind.Symbol || (it.Kind == ItemKind.Word && it.IsFiller))
            {
                continue;
            }

            var start = reading.Tokens[it.Start].Start;
            var end = reading.Tokens[it.End - 1].End;
            var meaning = it.Kind switch
            {
                ItemKind.Column => "column " + it.Column!.Name + (it.Modifier ? " (modifier)" : string.Empty),
                ItemKind.Value => string.Join(" or ", it.Options.Select(o => $"{o.Column.Name} = {o.Value}").Distinct(StringComparer.Ordinal)),
                ItemKind.Keyword => string.Join("/", it.Infos.Select(i => i.Kind.ToString().ToLowerInvariant()).Distinct(StringComparer.Ordinal)),
                ItemKind.RowNoun => "rows of " + reading.Index.Table,
                ItemKind.Number => "number",
                ItemKind.Date => "date",
                ItemKind.Quoted => "quoted text",
                _ => "not placed",
            };
            if (!it.Used && it.Kind != ItemKind.Word)
            {
                meaning += " (unused)";
            }

            result.Add(new NlPhrase(it.Text, start, end - start, meaning));
        }

        return result;
    }

    private static string Quote(IEnumerable<string> words) => string.Join(", ", words.Distinct(StringComparer.OrdinalIgnoreCase).Select(w => "\"" + w + "\""));

    private static NlTranslation Refuse(string message, IReadOnlyList<string> unplaced, IReadOnlyList<string>? suggestions = null) => new()
    {
        Translator = TranslatorName,
        Refusal = new NlRefusal(message, unplaced) { Suggestions = suggestions ?? [] },
    };

    /// <summary>Columns and values whose names are close to the unplaced words (character-bigram similarity), best first.</summary>
    private static IReadOnlyList<string> Suggest(QuestionReading reading)
    {
        var words = reading.Unplaced.Concat(reading.Blocking).Select(w => w.Trim('"').ToLowerInvariant()).Where(w => w.Length >= 3).Distinct(StringComparer.Ordinal).ToList();
        var scored = new List<(string Text, double Score)>();
        foreach (var c in reading.Index.Columns)
        {
            var best = words.Count == 0 ? 0 : words.Max(w => Math.Max(Similarity(w, c.Name.ToLowerInvariant()), WordForms.SplitName(c.Name).Max(part => Similarity(w, part))));
            scored.Add((c.Name, best));
        }

        foreach (var v in reading.Index.Values)
        {
            var best = words.Count == 0 ? 0 : words.Max(w => Similarity(w, v.Value.ToLowerInvariant()));
            scored.Add(($"{v.Column.Name} = {v.Value}", best - 0.05));
        }

        var close = scored.Where(x => x.Score >= 0.4).OrderByDescending(x => x.Score).Select(x => x.Text).Distinct(StringComparer.Ordinal).Take(5).ToList();
        return close.Count > 0 ? close : reading.Index.Columns.Take(8).Select(c => c.Name).ToArray();
    }

    /// <summary>Dice coefficient over character bigrams: 1 for equal strings, 0 for nothing in common.</summary>
    private static double Similarity(string a, string b)
    {
        if (a.Length < 2 || b.Length < 2)
        {
            return string.Equals(a, b, StringComparison.Ordinal) ? 1 : 0;
        }

        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < a.Length; i++)
        {
            var g = a.Substring(i, 2);
            grams[g] = grams.GetValueOrDefault(g) + 1;
        }

        var shared = 0;
        for (var i = 0; i + 1 < b.Length; i++)
        {
            var g = b.Substring(i, 2);
            if (grams.TryGetValue(g, out var n) && n > 0)
            {
                grams[g] = n - 1;
                shared++;
            }
        }

        return 2.0 * shared / (a.Length - 1 + b.Length - 1);
    }
}
