using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.NaturalLanguage.Reading;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>
/// Properties over generated schemas and generated questions (FsCheck, fixed replay seed): the
/// offline translator never throws, never names a table or column outside the schema, never writes
/// a string literal that is neither a profiled value nor text the user quoted, always produces a
/// tree SafeSql.Prepare accepts, and every refusal names only words of the question.
/// </summary>
public sealed class NoInventionPropertyTests(ITestOutputHelper output)
{
    private static readonly ulong Seed = ulong.TryParse(Environment.GetEnvironmentVariable("ASTQ_FSCHECK_SEED"), out var s) ? s : 20_241_122;
    private const ulong Gamma = 1_442_695_040_888_963_407;

    private static readonly string[] NameWords =
    [
        "order", "date", "region", "city", "price", "unit", "amount", "customer", "id", "name", "type", "year", "month", "total", "count",
        "status", "product", "category", "score", "rating", "age", "salary", "department", "hire", "country", "code", "sales", "revenue",
        "profit", "created", "at", "is", "active", "number", "of", "employees", "level", "weight", "height", "flight", "origin", "dest",
    ];

    private static readonly string[] ValueWords =
    [
        "Austin", "Texas", "North", "South", "Gold", "Silver", "Ideal", "Very Good", "New York City", "O'Brien", "100% Cotton", "a_b",
        "Back\\slash", "Home & Kitchen", "AND", "IF", "Or", "Q1", "2015", "None", "Null", "drop table", "x'); --", "Zürich", "東京",
        "Delta Air Lines", "Café", "E", "I", "J", "Good", "Fair", "May", "March",
    ];

    private static readonly string[] QuestionWords =
    [
        "how many", "number of", "count", "average", "mean", "total", "sum", "highest", "most", "largest", "top", "lowest", "least",
        "smallest", "bottom", "per", "by", "for each", "which", "what is", "show", "list", "distinct", "unique", "different", "more than",
        "at least", "under", "between", "and", "or", "not", "no", "without", "missing", "in", "since", "before", "after", "last year",
        "this year", "in March", "2015", "2021", "5", "10", "1,000", "$20", "20%", "sorted by", "descending", "ascending", "only", "what about",
        "instead", "percentage of", "?", ",", "the", "of", "'quoted text'", "\"O'Brien\"", "zorblax", "flibber", "Springfield", "is", "are",
        "median", "range", "oldest", "cheapest", "most common", "first", "last", "1 to 2", "above average", "full name", "a", "with",
    ];

    private sealed record Case(DatasetSchema Schema, string Question, string? Previous);

    private static Gen<Case> Cases => Gen.Choose(0, int.MaxValue).Select(seed => Make(new Random(seed)));

    private static Case Make(Random rng)
    {
        T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];
        string ColumnName()
        {
            var parts = Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => Pick(NameWords)).ToList();
            return rng.Next(4) switch
            {
                0 => string.Concat(parts.Select((p, i) => i == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..])),
                1 => string.Concat(parts),
                _ => string.Join('_', parts),
            };
        }

        var columns = new List<CatalogColumn>();
        var profiles = new List<ColumnProfile>();
        for (var i = 0; i < 2 + rng.Next(9); i++)
        {
            var name = ColumnName();
            if (columns.Any(c => c.Name == name))
            {
                continue;
            }

            var type = Pick(new[] { "integer", "numeric(10,2)", "text", "text", "date", "boolean", "timestamp", "bigint", "double precision" });
            columns.Add(new CatalogColumn(name, type));
            var profile = new ColumnProfile(name, type) { NullCount = rng.Next(3), DistinctCount = rng.Next(1, 500) };
            profile = type switch
            {
                "text" when rng.Next(3) > 0 => profile with { Values = Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => Pick(ValueWords)).Distinct().ToArray() },
                "integer" or "bigint" => profile with { Min = rng.Next(3) == 0 ? "2010" : "0", Max = rng.Next(3) == 0 ? "2024" : "1000" },
                "date" or "timestamp" => profile with { Min = "2019-01-01", Max = "2024-06-30" },
                _ => profile,
            };
            profiles.Add(profile);
        }

        var table = new CatalogTable(Pick(new[] { "sales", "orders", "employees", "flights", "my_table", "Items" }), "t_tenant", "ds_1", columns);
        var synonyms = columns.Count > 0 && rng.Next(2) == 0
            ? new[] { new NlSynonym(Pick(new[] { "turnover", "staff", "place", "kind" }), Pick(columns).Name) }
            : [];
        var schema = new DatasetSchema(table, profiles) { RowNouns = rng.Next(2) == 0 ? ["order", "row"] : [], Synonyms = synonyms, RowCount = rng.Next(1, 100_000) };

        var words = new List<string>();
        for (var i = 0; i < 1 + rng.Next(12); i++)
        {
            words.Add(rng.Next(4) switch
            {
                0 => string.Join(' ', WordForms.SplitName(Pick(columns).Name)),
                1 when profiles.Any(p => p.Values.Count > 0) => Pick(profiles.Where(p => p.Values.Count > 0).SelectMany(p => p.Values).ToArray()) is var v && rng.Next(2) == 0 ? v.ToLowerInvariant() : v,
                _ => Pick(QuestionWords),
            });
        }

        var question = string.Join(' ', words);
        var previous = rng.Next(3) == 0 ? "total " + string.Join(' ', WordForms.SplitName(Pick(columns).Name)) + " by " + string.Join(' ', WordForms.SplitName(Pick(columns).Name)) : null;
        return new Case(schema, question, previous);
    }

    private void Check(string name, Action<Case> property, int tests)
    {
        var config = Config.QuickThrowOnFailure.WithReplay(Seed, Gamma).WithMaxTest(tests).WithName(name).WithQuietOnSuccess(true);
        try
        {
            Prop.ForAll(Arb.From(Cases), property).Check(config);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"property {name} failed (replay seed {Seed}, gamma {Gamma}):\n{ex.Message}");
        }

        output.WriteLine($"{name}: {tests} cases passed (seed {Seed})");
    }

    [Fact]
    public void Translations_only_use_the_schema_the_profile_and_the_users_own_quoted_text()
    {
        var translator = new OfflineTranslator();
        int translated = 0, refused = 0;
        Check("no invented columns or values", c =>
        {
            NlTurn? previous = null;
            if (c.Previous is not null && translator.Translate(new NlRequest(c.Previous, c.Schema)) is { Succeeded: true } first)
            {
                previous = new NlTurn(c.Previous, first.Query!);
            }

            NlTranslation t;
            try
            {
                t = translator.Translate(new NlRequest(c.Question, c.Schema) { PreviousTurn = previous });
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"translator threw on \"{c.Question}\" over [{Columns(c.Schema)}]: {ex}");
            }

            if (!t.Succeeded)
            {
                refused++;
                Assert.NotNull(t.Refusal);
                Assert.False(string.IsNullOrWhiteSpace(t.Refusal!.Message), $"empty refusal for \"{c.Question}\"");
                foreach (var w in t.Refusal.UnplacedWords)
                {
                    Assert.True(c.Question.Contains(w.Trim('"'), StringComparison.OrdinalIgnoreCase), $"refusal names \"{w}\", which is not in \"{c.Question}\"");
                }

                return;
            }

            translated++;
            var quoted = QuotedParts(c.Question).Concat(c.Previous is null ? [] : QuotedParts(c.Previous)).ToList();
            var values = c.Schema.Columns.SelectMany(p => p.Values).Concat(c.Schema.Synonyms.Where(s => s.Value is not null).Select(s => s.Value!)).ToHashSet(StringComparer.Ordinal);
            var columns = c.Schema.Table.Columns.Select(x => x.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var node in Nodes(t.Query!))
            {
                switch (node)
                {
                    case NamedTable nt:
                        Assert.Equal(c.Schema.Table.Name, nt.Name.Last.Name);
                        break;
                    case ColumnRef col:
                        Assert.True(columns.Contains(col.Name.Last.Name), $"invented column \"{col.Name.Last.Name}\" for \"{c.Question}\" over [{Columns(c.Schema)}]");
                        break;
                    case StringLiteral str:
                        var text = str.Value.Trim('%');
                        Assert.True(values.Contains(str.Value) || quoted.Contains(text) || IsDateUnit(str.Value) || QuestionWordsContain(c.Question, text),
                            $"invented value '{str.Value}' for \"{c.Question}\" (profile: {string.Join(", ", values)})");
                        break;
                }
            }

            var prepared = SafeSql.Prepare(t.Query!, new TableCatalog([c.Schema.Table]), QueryPolicy.Default);
            Assert.True(prepared.Succeeded, $"SafeSql.Prepare refused the translation of \"{c.Question}\": {string.Join("; ", prepared.Errors)}");
        }, tests: 3000);

        // The property means little if nearly everything is refused.
        output.WriteLine($"{translated} translated, {refused} refused");
        Assert.True(translated >= 600, $"only {translated} generated questions were translated");
    }

    private static bool IsDateUnit(string s) => s is "year" or "quarter" or "month" or "week" or "day";

    /// <summary>A LIKE pattern may carry one word the user wrote after "the letter"/"the word".</summary>
    private static bool QuestionWordsContain(string question, string text) => text.Length > 0 && question.Contains(text, StringComparison.Ordinal);

    private static string Columns(DatasetSchema s) => string.Join(", ", s.Table.Columns.Select(c => c.Name + " " + c.Type));

    private static IEnumerable<string> QuotedParts(string question)
    {
        foreach (var t in Tokenizer.Tokenize(question).Where(t => t.Kind == AstralytiQ.QueryEngine.NaturalLanguage.Reading.TokenKind.Quoted))
        {
            yield return t.Text;
            yield return t.Text.Trim();
        }
    }

    /// <summary>Every table, column reference and literal in a tree, subqueries included.</summary>
    internal static IEnumerable<SqlNode> Nodes(Query q)
    {
        var list = new List<SqlNode>();
        void Query(Query query)
        {
            if (query.Body is SelectCore core)
            {
                list.AddRange(core.From);
                foreach (var item in core.Items.OfType<ExpressionItem>())
                {
                    Expr(item.Expr);
                }

                foreach (var e in new[] { core.Where, core.Having }.Where(e => e is not null).Concat(core.GroupBy))
                {
                    Expr(e!);
                }
            }

            foreach (var o in query.OrderBy)
            {
                Expr(o.Expr);
            }
        }

        void Expr(Expr e) => Exprs.Walk(e, x =>
        {
            list.Add(x);
            if (x is SubqueryExpr sub)
            {
                Query(sub.Query);
            }
        });

        Query(q);
        return list;
    }
}
