using System.Globalization;
using System.Runtime.CompilerServices;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Broad column types the reader cares about.</summary>
internal enum ColumnKind
{
    Integer,
    Decimal,
    Text,
    Date,
    Timestamp,
    Boolean,
    Other,
}

/// <summary>A column with everything the reader needs to link words to it.</summary>
internal sealed class ColumnInfo
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public required ColumnKind Kind { get; init; }

    public required ColumnProfile Profile { get; init; }

    public required int Ordinal { get; init; }

    /// <summary>Canonical stems of the name's words, abbreviations expanded.</summary>
    public required IReadOnlyList<string> Stems { get; init; }

    public bool IsNumeric => Kind is ColumnKind.Integer or ColumnKind.Decimal;

    public bool IsTemporal => Kind is ColumnKind.Date or ColumnKind.Timestamp;

    public bool IsText => Kind == ColumnKind.Text;

    /// <summary>An integer (or numeric) column holding calendar years.</summary>
    public bool IsYear { get; init; }

    /// <summary>An integer column holding month numbers 1-12.</summary>
    public bool IsMonth { get; init; }

    /// <summary>A column whose name ends in "id" (counting it counts entities).</summary>
    public bool IsIdentifier { get; init; }

    /// <summary>The column has a list of distinct values (low-cardinality text).</summary>
    public bool IsCategorical => Profile.Values.Count > 0;

    public decimal? MinNumber { get; init; }

    public decimal? MaxNumber { get; init; }

    public DateOnly? MinDate { get; init; }

    public DateOnly? MaxDate { get; init; }

    public override string ToString() => Name;
}

/// <summary>A phrase that names a column (or, for value synonyms, one value of a column).</summary>
internal sealed record ColumnPhrase(string[] Stems, ColumnInfo Column, double Weight, string? Value = null, bool Synonym = false);

/// <summary>A value of a low-cardinality text column, as the words a question would use.</summary>
internal sealed record ValueEntry(string[] Lowers, string[] Stems, ColumnInfo Column, string Value, bool Partial)
{
    /// <summary>The entry is an analyst's synonym for the value ("NYC"), not the value as written.</summary>
    public bool FromSynonym { get; init; }
}

/// <summary>Everything the reader links against for one dataset, built once per schema instance.</summary>
internal sealed class SchemaIndex
{
    private static readonly ConditionalWeakTable<DatasetSchema, SchemaIndex> Cache = [];

    private SchemaIndex(DatasetSchema schema)
    {
        Schema = schema;
        Table = schema.Table.Name;
        var profiles = schema.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var tableStems = WordForms.SplitName(schema.Table.Name).Select(WordForms.Stem).ToHashSet(StringComparer.Ordinal);
        var known = schema.Table.Columns.Select(c => WordForms.SplitName(c.Name)).Where(ws => ws.Count > 1).SelectMany(ws => ws).Where(w => w.Length >= 3)
            .Concat(WordForms.SplitName(schema.Table.Name))
            .Concat(schema.Table.Name.ToLowerInvariant().TrimEnd('s') is { Length: >= 3 } t ? [t] : [])
            .Concat(schema.RowNouns.SelectMany(n => n.ToLowerInvariant().Split(' ')))
            .ToHashSet(StringComparer.Ordinal);
        var columns = new List<ColumnInfo>();
        foreach (var (c, ordinal) in schema.Table.Columns.Select((c, i) => (c, i)))
        {
            var profile = profiles.TryGetValue(c.Name, out var p) ? p : new ColumnProfile(c.Name, c.Type);
            var kind = KindOf(c.Type);
            var words = WordForms.SplitName(c.Name).SelectMany(w => WordForms.Segment(w, known) ?? [w]).ToList();
            var stems = Expand(words).Select(w => WordForms.Canon(WordForms.Stem(w))).ToArray();
            decimal? min = null, max = null;
            DateOnly? minDate = null, maxDate = null;
            if (kind is ColumnKind.Integer or ColumnKind.Decimal)
            {
                min = ParseNumber(profile.Min);
                max = ParseNumber(profile.Max);
            }
            else if (kind is ColumnKind.Date or ColumnKind.Timestamp)
            {
                minDate = ParseDate(profile.Min);
                maxDate = ParseDate(profile.Max);
            }

            var hasYearWord = words.Any(w => w is "year" or "yr" or "years");
            var isYear = hasYearWord && kind is ColumnKind.Integer or ColumnKind.Decimal && (min is null || (min >= 1000 && max <= 3000));
            isYear = isYear || (hasYearWord && kind == ColumnKind.Text && profile.Values.Count > 0 && profile.Values.All(v => v.Length == 4 && v.All(char.IsAsciiDigit)));
            var isMonth = words.Any(w => w is "month" or "mon") && kind == ColumnKind.Integer && (min is null || (min >= 1 && max <= 12));
            columns.Add(new ColumnInfo
            {
                Name = c.Name,
                Type = c.Type,
                Kind = kind,
                Profile = profile,
                Ordinal = ordinal,
                Stems = stems,
                IsYear = isYear,
                IsMonth = isMonth,
                IsIdentifier = words.Count > 0 && words[^1] is "id" or "ids" or "key" or "uuid",
                MinNumber = min,
                MaxNumber = max,
                MinDate = minDate,
                MaxDate = maxDate,
            });
        }

        Columns = columns;

        // Phrases that name columns.
        var phrases = new List<ColumnPhrase>();
        foreach (var col in columns)
        {
            var raw = WordForms.SplitName(col.Name).SelectMany(w => WordForms.Segment(w, known) ?? [w]).Select(w => WordForms.Canon(WordForms.Stem(w))).ToArray();
            phrases.Add(new ColumnPhrase(col.Stems.ToArray(), col, 1.0));
            if (!raw.SequenceEqual(col.Stems))
            {
                phrases.Add(new ColumnPhrase(raw, col, 1.0));
            }

            // Without the table's own words ("singer_name" in table singer is "name").
            var reduced = col.Stems.Where(s => !tableStems.Contains(s)).ToArray();
            if (reduced.Length > 0 && reduced.Length < col.Stems.Count)
            {
                phrases.Add(new ColumnPhrase(reduced, col, 0.95));
            }

            // Without a trailing id/name/code ("customer_id" is what "customers" means).
            if (col.Stems.Count > 1 && new[] { "id", "name", "code", "number" }.Select(WordForms.Key).Contains(col.Stems[^1]))
            {
                phrases.Add(new ColumnPhrase(col.Stems.Take(col.Stems.Count - 1).ToArray(), col, 0.9));
            }

            // "is_active" / "has_garage" / "abandoned_yn": the adjective alone.
            if (col.Kind == ColumnKind.Boolean || col.Name.EndsWith("_yn", StringComparison.OrdinalIgnoreCase) || col.Name.EndsWith("_flag", StringComparison.OrdinalIgnoreCase))
            {
                var core = col.Stems.Where(s => s is not ("is" or "has" or "yes" or "no" or "flag" or "was")).ToArray();
                if (core.Length > 0 && core.Length < col.Stems.Count)
                {
                    phrases.Add(new ColumnPhrase(core, col, 0.95));
                }
            }
        }

        foreach (var syn in schema.Synonyms)
        {
            var col = columns.FirstOrDefault(c => string.Equals(c.Name, syn.Column, StringComparison.Ordinal));
            if (col is null)
            {
                continue;
            }

            var stems = Tokenizer.Tokenize(syn.Phrase).Select(t => WordForms.Canon(t.Stem)).ToArray();
            if (stems.Length == 0)
            {
                continue;
            }

            if (syn.Value is null)
            {
                phrases.Add(new ColumnPhrase(stems, col, 1.0, Synonym: true));
            }
            else
            {
                var lowers = Tokenizer.Tokenize(syn.Phrase).Select(t => t.Lower).ToArray();
                SynonymValues.Add(new ValueEntry(lowers, stems, col, syn.Value, false) { FromSynonym = true });
            }
        }

        // "date_arrived" is also "arrival date".
        foreach (var p in phrases.Where(p => p.Stems.Length == 2 && p.Value is null && p.Weight >= 1.0).ToList())
        {
            phrases.Add(p with { Stems = [p.Stems[1], p.Stems[0]], Weight = 0.9 });
        }

        // "level_of_membership" is also "membership level".
        foreach (var p in phrases.Where(p => p.Stems.Length == 3 && p.Stems[1] == "of").ToList())
        {
            phrases.Add(p with { Stems = [p.Stems[2], p.Stems[0]], Weight = p.Weight * 0.95 });
        }

        // "day_of_week" is also "day of the week".
        foreach (var p in phrases.Where(p => p.Stems.Length > 2 && p.Stems.Contains("of")).ToList())
        {
            var at = Array.IndexOf(p.Stems, "of");
            phrases.Add(p with { Stems = [.. p.Stems[..(at + 1)], "the", .. p.Stems[(at + 1)..]] });
        }

        ColumnPhrases = phrases;

        // Values of low-cardinality text columns.
        foreach (var col in columns.Where(c => c.IsCategorical))
        {
            var entries = new List<ValueEntry>();
            foreach (var v in col.Profile.Values)
            {
                var toks = Tokenizer.Tokenize(v);
                if (toks.Count == 0 || toks.Count > 8)
                {
                    continue;
                }

                entries.Add(new ValueEntry(toks.Select(t => t.Lower).ToArray(), toks.Select(t => t.Stem).ToArray(), col, v, false));
            }

            Values.AddRange(entries);

            // Distinctive words of multi-word values: "Delta" for "Delta Air Lines" when no other value has the word.
            var wordCounts = entries.SelectMany(e => e.Stems.Distinct(StringComparer.Ordinal)).GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            foreach (var e in entries.Where(e => e.Stems.Length > 1))
            {
                for (var k = 0; k < e.Stems.Length; k++)
                {
                    var s = e.Stems[k];
                    if (wordCounts[s] == 1 && s.Length >= 3 && !Vocabulary.Filler.Contains(e.Lowers[k]) && !Vocabulary.Phrases.ContainsKey(e.Lowers[k]) && !s.All(char.IsAsciiDigit))
                    {
                        PartialValues.Add(new ValueEntry([e.Lowers[k]], [s], col, e.Value, true));
                    }
                }
            }
        }

        // What a row is called: the analyst's nouns and the table's own name count fully; a single word of a
        // longer table name ("template" of ref_template_types) counts less.
        var nameWords = WordForms.SplitName(schema.Table.Name);
        var full = schema.RowNouns
            .Concat(nameWords.Count <= 3 ? [string.Join(' ', nameWords)] : [])
            .Select(n => Tokenizer.Tokenize(n).Select(t => WordForms.Canon(t.Stem)).ToArray())
            .Where(a => a.Length > 0)
            .Select(a => (Stems: a, Weight: 1.0));
        var parts = nameWords.Count > 1
            ? nameWords.Where(w => w.Length > 2 && !Vocabulary.Filler.Contains(w)).Select(w => (Stems: new[] { WordForms.Canon(WordForms.Stem(w)) }, Weight: 0.55))
            : [];
        RowNouns = full.Concat(parts).DistinctBy(a => string.Join(' ', a.Stems), StringComparer.Ordinal).ToArray();
        RowNounWords = schema.RowNouns.SelectMany(n => n.ToLowerInvariant().Split(' ')).Concat(nameWords).ToHashSet(StringComparer.Ordinal);
    }

    public DatasetSchema Schema { get; }

    public string Table { get; }

    public IReadOnlyList<ColumnInfo> Columns { get; }

    public IReadOnlyList<ColumnPhrase> ColumnPhrases { get; }

    public List<ValueEntry> Values { get; } = [];

    public List<ValueEntry> PartialValues { get; } = [];

    public List<ValueEntry> SynonymValues { get; } = [];

    /// <summary>Stems of what a row is called (row nouns and the table name's words), with how telling each is.</summary>
    public IReadOnlyList<(string[] Stems, double Weight)> RowNouns { get; }

    /// <summary>The words of row nouns and of the table name as written ("hiring" is a table even though it ends in -ing).</summary>
    public IReadOnlySet<string> RowNounWords { get; }

    /// <summary>Values and value synonyms by their first word, lower-case, for fast lookup.</summary>
    public IReadOnlyDictionary<string, ValueEntry[]> ByFirstLower { get; private set; } = new Dictionary<string, ValueEntry[]>();

    /// <summary>Values and value synonyms by the stem of their first word.</summary>
    public IReadOnlyDictionary<string, ValueEntry[]> ByFirstStem { get; private set; } = new Dictionary<string, ValueEntry[]>();

    public static SchemaIndex For(DatasetSchema schema) => Cache.GetValue(schema, s =>
    {
        var index = new SchemaIndex(s);
        var all = index.Values.Concat(index.SynonymValues).ToList();
        index.ByFirstLower = all.GroupBy(v => v.Lowers[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        index.ByFirstStem = all.GroupBy(v => v.Stems[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        return index;
    });

    public ColumnInfo? Find(string name) => Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>The date or timestamp columns, most telling first (names with "date" before others).</summary>
    public IEnumerable<ColumnInfo> DateColumns => Columns.Where(c => c.IsTemporal).OrderBy(c => c.Stems.Contains(WordForms.Key("date")) ? 0 : 1).ThenBy(c => c.Ordinal);

    public static ColumnKind KindOf(string type)
    {
        var t = type.ToLowerInvariant();
        var paren = t.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            t = t[..paren].Trim();
        }

        return t switch
        {
            "smallint" or "integer" or "int" or "int2" or "int4" or "int8" or "bigint" or "serial" or "bigserial" => ColumnKind.Integer,
            "numeric" or "decimal" or "real" or "double precision" or "float4" or "float8" or "money" => ColumnKind.Decimal,
            "text" or "varchar" or "character varying" or "char" or "character" or "bpchar" or "citext" or "name" => ColumnKind.Text,
            "date" => ColumnKind.Date,
            "timestamp" or "timestamp without time zone" or "timestamp with time zone" or "timestamptz" => ColumnKind.Timestamp,
            "boolean" or "bool" => ColumnKind.Boolean,
            _ => ColumnKind.Other,
        };
    }

    private static IEnumerable<string> Expand(IEnumerable<string> words)
    {
        foreach (var w in words)
        {
            if (WordForms.Abbreviations.TryGetValue(w, out var expansion))
            {
                foreach (var e in expansion)
                {
                    yield return e;
                }
            }
            else
            {
                yield return w;
            }
        }
    }

    private static decimal? ParseNumber(string? s) =>
        decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static DateOnly? ParseDate(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return null;
        }

        if (DateOnly.TryParseExact(s.Length >= 10 ? s[..10] : s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        return DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var dt) ? DateOnly.FromDateTime(dt) : null;
    }
}
