using System.Text.RegularExpressions;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Llm;

/// <summary>
/// Phrases of a question a model's query accounts for, for highlighting: the columns it reads (by
/// name, spaced name or synonym, plurals included) and the text values it compares with. A model
/// does not say how it read each word, so only literal matches are marked; the rest stays plain.
/// </summary>
internal static class LlmPhrases
{
    private static readonly Regex StringLiteral = new(@"E?'(?<v>(?:[^']|'')*)'", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static IReadOnlyList<NlPhrase> Find(string question, IReadOnlyList<DatasetSchema> datasets, PreparedQuery prepared)
    {
        var terms = new List<(string Term, string Meaning)>();
        foreach (var used in prepared.Columns)
        {
            var meaning = "column " + used.Column;
            terms.Add((used.Column.Replace('_', ' '), meaning));
            var dataset = datasets.FirstOrDefault(d => string.Equals(d.Table.Name, used.Table, StringComparison.Ordinal));
            foreach (var synonym in dataset?.Synonyms ?? [])
            {
                if (string.Equals(synonym.Column, used.Column, StringComparison.Ordinal))
                {
                    terms.Add((synonym.Phrase, synonym.Value is null ? meaning : $"{used.Column} = {synonym.Value}"));
                }
            }
        }

        foreach (Match m in StringLiteral.Matches(prepared.CanonicalSql ?? string.Empty))
        {
            var value = m.Groups["v"].Value.Replace("''", "'", StringComparison.Ordinal).Trim('%');
            if (value.Length > 0)
            {
                terms.Add((value, "value " + value));
            }
        }

        var found = new List<NlPhrase>();
        foreach (var (term, meaning) in terms.OrderByDescending(t => t.Term.Length))
        {
            if (term.Trim().Length == 0)
            {
                continue;
            }

            // One-letter values (color D) only as written, so that "a" is not read as value A.
            var options = term.Trim().Length == 1 ? RegexOptions.CultureInvariant : RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
            var pattern = @"(?<![\p{L}\p{N}])" + Regex.Escape(term.Trim()).Replace(@"\ ", @"[\s_-]+", StringComparison.Ordinal) + @"(?:e?s)?(?![\p{L}\p{N}])";
            foreach (Match m in Regex.Matches(question, pattern, options, TimeSpan.FromSeconds(1)))
            {
                if (!found.Any(p => m.Index < p.Start + p.Length && p.Start < m.Index + m.Length))
                {
                    found.Add(new NlPhrase(m.Value, m.Index, m.Length, meaning));
                }
            }
        }

        return found.OrderBy(p => p.Start).ToArray();
    }
}
