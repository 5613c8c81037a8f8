namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Kinds of tagged spans.</summary>
internal enum ItemKind
{
    Column,
    Value,
    Keyword,
    Number,
    Date,
    Quoted,
    RowNoun,
    Word,
    Symbol,
}

/// <summary>A tagged span of the question: what a run of tokens was read as.</summary>
internal sealed class Item
{
    public required ItemKind Kind { get; init; }

    /// <summary>First token index.</summary>
    public required int Start { get; init; }

    /// <summary>One past the last token index.</summary>
    public required int End { get; init; }

    public double Score { get; init; }

    public ColumnInfo? Column { get; init; }

    /// <summary>The span matched only part of the column's name.</summary>
    public bool Partial { get; init; }

    /// <summary>The span matched an analyst's synonym rather than the column's own name.</summary>
    public bool ViaSynonym { get; init; }

    /// <summary>The span matched a shortened name ("customers" for customer_id).</summary>
    public bool Reduced { get; init; }

    /// <summary>For values: the (column, value) readings, best first.</summary>
    public IReadOnlyList<(ColumnInfo Column, string Value)> Options { get; init; } = [];

    /// <summary>For values: the column's name was written next to the value ("Ideal cut").</summary>
    public bool ColumnNamed { get; init; }

    public KwInfo[] Infos { get; init; } = [];

    public Token? Token { get; init; }

    public string Text { get; init; } = string.Empty;

    /// <summary>Set when a reading pass has consumed the item.</summary>
    public bool Used { get; set; }

    /// <summary>A name that only modifies the next one ("product" in "product category"); passes step over it.</summary>
    public bool Modifier { get; set; }

    public bool IsFiller => Kind == ItemKind.Word && Token is not null && Vocabulary.Filler.Contains(Token.Lower);

    public bool Has(Kw kind) => Kind == ItemKind.Keyword && Infos.Any(i => i.Kind == kind);

    public KwInfo? Get(Kw kind) => Kind == ItemKind.Keyword ? Infos.FirstOrDefault(i => i.Kind == kind) : null;

    public bool IsWord(params string[] lowers) => Kind is ItemKind.Word or ItemKind.Keyword or ItemKind.Symbol && lowers.Contains(Text.ToLowerInvariant(), StringComparer.Ordinal);

    public override string ToString() => Kind switch
    {
        ItemKind.Column => $"[col {Column!.Name}{(Partial ? "?" : string.Empty)}]",
        ItemKind.Value => $"[val {string.Join('|', Options.Select(o => o.Column.Name + "=" + o.Value))}]",
        ItemKind.Keyword => $"[{string.Join('/', Infos.Select(i => i.Kind).Distinct())} '{Text}']",
        ItemKind.RowNoun => $"[rows '{Text}']",
        _ => $"<{Kind} '{Text}'>",
    };
}

/// <summary>Reads a question against one dataset: every plausible span, then the highest-scoring tiling.</summary>
internal static class Tagger
{
    private static readonly HashSet<string> MonthPrepositions = new(StringComparer.Ordinal)
    {
        "in", "of", "during", "since", "before", "after", "until", "till", "through", "from", "to", "between", "and", "for", "on", "by", "last", "this", "early", "late", "mid",
    };

    private static readonly HashSet<string> ComboGlue = new(StringComparer.Ordinal)
    {
        "of", "is", "=", "named", "called", "equal", "equals", "the", "a", "an", ":", "being", "was", "are", "were", "as", "with", "grade", "type", "level",
    };

    private static readonly HashSet<string> GenericStems = new[] { "name", "id", "date", "number", "code", "type", "time", "year", "day", "value", "amount", "detail", "details", "info", "kind" }
        .Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);

    public static List<Item> Tag(IReadOnlyList<Token> tokens, SchemaIndex index, IReadOnlySet<string>? filtered = null)
    {
        var candidates = new List<Item>();
        AddKeywords(tokens, candidates);
        AddRowNouns(tokens, index, candidates);
        var columnCandidates = new List<Item>();
        AddColumns(tokens, index, columnCandidates);
        candidates.AddRange(columnCandidates);
        AddValues(tokens, index, candidates, columnCandidates, filtered);
        foreach (var t in tokens)
        {
            switch (t.Kind)
            {
                case TokenKind.Number:
                    candidates.Add(new Item { Kind = ItemKind.Number, Start = t.Index, End = t.Index + 1, Score = 0.5, Token = t, Text = t.Text });
                    break;
                case TokenKind.Date:
                    candidates.Add(new Item { Kind = ItemKind.Date, Start = t.Index, End = t.Index + 1, Score = 0.5, Token = t, Text = t.Text });
                    break;
                case TokenKind.Quoted:
                    candidates.Add(new Item { Kind = ItemKind.Quoted, Start = t.Index, End = t.Index + 1, Score = 0.5, Token = t, Text = t.Text });
                    break;
                case TokenKind.Word when t.IsNumberWord:
                    candidates.Add(new Item { Kind = ItemKind.Number, Start = t.Index, End = t.Index + 1, Score = 0.3, Token = t, Text = t.Text });
                    break;
            }
        }

        return Tile(tokens, candidates);
    }

    private static List<Item> Tile(IReadOnlyList<Token> tokens, List<Item> candidates)
    {
        var n = tokens.Count;
        var best = new double[n + 1];
        var back = new Item?[n + 1];
        var from = new int[n + 1];
        for (var i = 1; i <= n; i++)
        {
            best[i] = double.NegativeInfinity;
        }

        var byStart = candidates.GroupBy(c => c.Start).ToDictionary(g => g.Key, g => g.ToList());
        for (var i = 0; i < n; i++)
        {
            if (double.IsNegativeInfinity(best[i]))
            {
                continue;
            }

            if (best[i] > best[i + 1])
            {
                best[i + 1] = best[i];
                back[i + 1] = null;
                from[i + 1] = i;
            }

            if (!byStart.TryGetValue(i, out var list))
            {
                continue;
            }

            foreach (var c in list)
            {
                var s = best[i] + c.Score;
                if (s > best[c.End] + 1e-9)
                {
                    best[c.End] = s;
                    back[c.End] = c;
                    from[c.End] = i;
                }
            }
        }

        var items = new List<Item>();
        var pos = n;
        while (pos > 0)
        {
            var c = back[pos];
            var start = from[pos];
            if (c is null)
            {
                var t = tokens[start];
                items.Add(new Item
                {
                    Kind = t.Kind == TokenKind.Symbol ? ItemKind.Symbol : ItemKind.Word,
                    Start = start,
                    End = start + 1,
                    Token = t,
                    Text = t.Text,
                });
            }
            else
            {
                items.Add(c);
            }

            pos = start;
        }

        items.Reverse();
        return items;
    }

    private static string SpanText(IReadOnlyList<Token> tokens, int start, int end) =>
        string.Join(' ', Enumerable.Range(start, end - start).Select(k => tokens[k].Text));

    private static void AddKeywords(IReadOnlyList<Token> tokens, List<Item> candidates)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind is TokenKind.Quoted or TokenKind.Number or TokenKind.Date)
            {
                continue;
            }

            if (!Vocabulary.Phrases.TryGetValue(tokens[i].Lower, out var phrases))
            {
                AddMisspelledKeyword(tokens[i], candidates);
                continue;
            }

            foreach (var (words, infos) in phrases)
            {
                if (i + words.Length > tokens.Count)
                {
                    continue;
                }

                var ok = true;
                for (var k = 0; k < words.Length && ok; k++)
                {
                    ok = tokens[i + k].Kind != TokenKind.Quoted && string.Equals(tokens[i + k].Lower, words[k], StringComparison.Ordinal);
                }

                if (!ok)
                {
                    continue;
                }

                var kept = infos;
                if (i > 0 && words.Length == 1 && tokens[i].Lower is "name" or "names" or "record" or "records" or "report")
                {
                    kept = kept.Where(x => x.Kind is not (Kw.List or Kw.OrderBy)).ToArray();
                    if (kept.Length == 0)
                    {
                        continue;
                    }
                }

                if (words.Length == 1 && kept.Any(x => x.Kind == Kw.OrderBy) && i > 0 &&
                    !(i + 1 < tokens.Count && tokens[i + 1].Lower is "by" or "them" or "it" or "the" or "these" or "those" or "results" or "from" or "in" or "descending" or "ascending" or "alphabetically" or "accordingly" or "all" or "each" or "on"))
                {
                    kept = kept.Where(x => x.Kind != Kw.OrderBy).ToArray();
                    if (kept.Length == 0)
                    {
                        continue;
                    }
                }

                if (kept.Any(x => x.Kind == Kw.CountOf) && tokens[i].Lower == "number" && i > 0 && tokens[i - 1].Kind == TokenKind.Word &&
                    !Vocabulary.Filler.Contains(tokens[i - 1].Lower) && !Vocabulary.Phrases.ContainsKey(tokens[i - 1].Lower))
                {
                    // "phone number of", "version number of": a name, not a count.
                    continue;
                }

                if (infos.Any(x => x.Kind == Kw.Month) && words.Length == 1 && !LooksLikeMonth(tokens, i))
                {
                    kept = infos.Where(x => x.Kind != Kw.Month).ToArray();
                    if (kept.Length == 0)
                    {
                        continue;
                    }
                }

                candidates.Add(new Item
                {
                    Kind = ItemKind.Keyword,
                    Start = i,
                    End = i + words.Length,
                    Score = words.Length + (0.05 * (words.Length - 1)),
                    Infos = kept,
                    Text = SpanText(tokens, i, i + words.Length),
                });
            }
        }
    }

    /// <summary>Words of the vocabulary that carry a computation and are long enough to recognise with one typo.</summary>
    private static readonly string[] TypoKeywords = ["average", "maximum", "minimum", "percentage", "percent", "median", "highest", "lowest", "between", "excluding", "distinct"];

    /// <summary>
    /// One typo in a long word of computation ("avrage", "maximun", "percantage"): read as the word, scored a little
    /// below a correctly spelt keyword so that a column or value spelt the same way still wins.
    /// </summary>
    private static void AddMisspelledKeyword(Token token, List<Item> candidates)
    {
        if (token.Kind != TokenKind.Word || token.Lower.Length < 6 || Vocabulary.Filler.Contains(token.Lower))
        {
            return;
        }

        foreach (var word in TypoKeywords)
        {
            if (WordForms.WithinOneEdit(token.Lower, word) &&
                Vocabulary.Phrases.TryGetValue(word, out var phrases) && phrases.FirstOrDefault(p => p.Words.Length == 1) is { Words: not null } single)
            {
                candidates.Add(new Item { Kind = ItemKind.Keyword, Start = token.Index, End = token.Index + 1, Score = 0.9, Infos = single.Infos, Text = token.Text });
                return;
            }
        }
    }

    private static bool LooksLikeMonth(IReadOnlyList<Token> tokens, int i)
    {
        var t = tokens[i];
        var unambiguous = t.Lower.Length > 3 && t.Lower is not ("march" or "may");
        if (unambiguous)
        {
            return true;
        }

        var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
        if (next is not null && (next.Kind == TokenKind.Number || (next.Number is not null && next.Kind == TokenKind.Word)))
        {
            return true;
        }

        var prev = i > 0 ? tokens[i - 1] : null;
        return (prev is not null && MonthPrepositions.Contains(prev.Lower)) || (t.Capitalized && i > 0 && t.Lower != "may");
    }

    private static void AddRowNouns(IReadOnlyList<Token> tokens, SchemaIndex index, List<Item> candidates)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            // Nouns name rows; "ordered" and "shipping" are verbs even where "order" and "ship" are nouns.
            if ((tokens[i].Lower.EndsWith("ed", StringComparison.Ordinal) || (tokens[i].Lower.EndsWith("ing", StringComparison.Ordinal) && tokens[i].Lower.Length > 5)) &&
                !index.RowNounWords.Contains(tokens[i].Lower))
            {
                continue;
            }

            foreach (var (noun, weight) in index.RowNouns)
            {
                if (noun.Length == 1 && MatchesJoined(tokens, i, noun[0]))
                {
                    candidates.Add(new Item { Kind = ItemKind.RowNoun, Start = i, End = i + 2, Score = (2 * weight) + 0.5 + (0.2 * weight), Text = SpanText(tokens, i, i + 2) });
                }

                if (Matches(tokens, i, noun))
                {
                    candidates.Add(new Item
                    {
                        Kind = ItemKind.RowNoun,
                        Start = i,
                        End = i + noun.Length,
                        Score = (noun.Length * weight) + (0.5 * (noun.Length - 1)) + (0.2 * weight),
                        Text = SpanText(tokens, i, i + noun.Length),
                    });
                }
            }
        }
    }

    /// <summary>Two words written apart for a name written as one ("high schoolers" for highschooler, "pet type" for pettype).</summary>
    private static bool MatchesJoined(IReadOnlyList<Token> tokens, int at, string stem)
    {
        if (stem.Length < 6 || at + 1 >= tokens.Count || tokens[at].Kind != TokenKind.Word || tokens[at + 1].Kind != TokenKind.Word)
        {
            return false;
        }

        var joined = tokens[at].Lower + tokens[at + 1].Lower;
        return string.Equals(WordForms.Key(joined), stem, StringComparison.Ordinal) || string.Equals(tokens[at].Lower + tokens[at + 1].Stem, stem, StringComparison.Ordinal);
    }

    private static bool Matches(IReadOnlyList<Token> tokens, int at, string[] stems)
    {
        if (at + stems.Length > tokens.Count)
        {
            return false;
        }

        for (var k = 0; k < stems.Length; k++)
        {
            var t = tokens[at + k];
            if (t.Kind is not (TokenKind.Word or TokenKind.Number) || !string.Equals(WordForms.Canon(t.Stem), stems[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddColumns(IReadOnlyList<Token> tokens, SchemaIndex index, List<Item> candidates)
    {
        var questionStems = tokens.Where(t => t.Kind == TokenKind.Word).Select(t => WordForms.Canon(t.Stem)).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind is not (TokenKind.Word or TokenKind.Number))
            {
                continue;
            }

            // Whole phrases.
            var verbForm = tokens[i].Lower.EndsWith("ed", StringComparison.Ordinal) || tokens[i].Lower.EndsWith("ing", StringComparison.Ordinal) ||
                tokens[i].Lower is "arrive" or "arrives" or "depart" or "departs" or "leave" or "leaves" or "land" or "lands" or "go" or "goes" or "fly" or "flies";
            foreach (var phrase in index.ColumnPhrases)
            {
                if (verbForm && phrase.Weight < 0.95 && phrase.Stems.Length == 1)
                {
                    // "ordered" is not order_id: a shortened name only stands for nouns.
                    continue;
                }

                if (Matches(tokens, i, phrase.Stems))
                {
                    var len = phrase.Stems.Length;
                    var rowNamed = index.RowNouns.Any(n => n.Weight >= 1.0 && n.Stems.SequenceEqual(phrase.Stems));
                    var keywordNamed = rowNamed || len == 1 && Vocabulary.Phrases.TryGetValue(tokens[i].Lower, out var kws) &&
                        kws.Any(p => p.Words.Length == 1 && p.Infos.Any(x => x.Kind is Kw.Avg or Kw.Sum or Kw.Max or Kw.Min or Kw.CountOf or Kw.Median));
                    candidates.Add(new Item
                    {
                        Kind = ItemKind.Column,
                        Start = i,
                        End = i + len,
                        Score = keywordNamed ? 0.9 : (len * 1.0 * phrase.Weight) + 0.3 + (0.5 * (len - 1)) + (0.01 * (phrase.Column.Stems.Count == len ? 1 : 0)),
                        Column = phrase.Column,
                        ViaSynonym = phrase.Synonym,
                        Reduced = phrase.Weight <= 0.9 && phrase.Stems.Length == 1,
                        Text = SpanText(tokens, i, i + len),
                    });
                }
            }

            foreach (var phrase in index.ColumnPhrases.Where(p => p.Stems.Length == 1 && p.Value is null))
            {
                if (MatchesJoined(tokens, i, phrase.Stems[0]))
                {
                    candidates.Add(new Item { Kind = ItemKind.Column, Start = i, End = i + 2, Score = 2.8 * phrase.Weight, Column = phrase.Column, Text = SpanText(tokens, i, i + 2) });
                }
            }

            // "name of the winner" → winner_name; "date of birth" → birth_date.
            if (i + 2 < tokens.Count && tokens[i + 1].Lower is "of" or "for")
            {
                var j = i + 2;
                if (j < tokens.Count && tokens[j].Lower is "the" or "a" or "an" or "each" or "every" or "all")
                {
                    j++;
                }

                if (j < tokens.Count)
                {
                    var w1 = WordForms.Canon(tokens[i].Stem);
                    var w2 = WordForms.Canon(tokens[j].Stem);
                    foreach (var col in index.Columns)
                    {
                        if (col.Stems.Count == 2 && ((col.Stems[0] == w2 && col.Stems[1] == w1) || (col.Stems[0] == w1 && col.Stems[1] == w2)))
                        {
                            candidates.Add(new Item { Kind = ItemKind.Column, Start = i, End = j + 1, Score = 2.35 + (0.5 * (j - i - 1)), Column = col, Text = SpanText(tokens, i, j + 1) });
                        }
                    }
                }
            }

            // Part of a longer name ("delay" in dep_delay), scored by how many of the name's other words the question has.
            var stem = WordForms.Canon(tokens[i].Stem);
            var lower = tokens[i].Lower;
            if (Vocabulary.Filler.Contains(lower) && lower is not ("name" or "names" or "number" or "type" or "types" or "value" or "amount" or "detail" or "details" or "kind"))
            {
                continue;
            }

            foreach (var col in index.Columns)
            {
                if (col.Stems.Count < 2 || (verbForm && !col.IsYear && !col.IsTemporal))
                {
                    // "departed" may name departure dates ("opened after 2013" is open_year), not other departure columns.
                    continue;
                }

                for (var k = 0; k < col.Stems.Count; k++)
                {
                    if (col.Stems[k] != stem)
                    {
                        continue;
                    }

                    var len = 1;
                    while (k + len < col.Stems.Count && i + len < tokens.Count && WordForms.Canon(tokens[i + len].Stem) == col.Stems[k + len])
                    {
                        len++;
                    }

                    if (len == col.Stems.Count)
                    {
                        continue;
                    }

                    var others = col.Stems.Where((s, idx) => (idx < k || idx >= k + len) && questionStems.Contains(s)).Count();
                    var generic = GenericStems.Contains(stem);
                    candidates.Add(new Item
                    {
                        Kind = ItemKind.Column,
                        Start = i,
                        End = i + len,
                        Score = (len * (generic ? 0.45 : 0.62)) + (0.4 * (len - 1)) + (0.12 * others) - (0.01 * (col.Stems.Count - len)),
                        Column = col,
                        Partial = true,
                        Text = SpanText(tokens, i, i + len),
                    });
                    break;
                }
            }

            // One typo in a longer word ("revenu", "popuation").
            if (lower.Length >= 5 && !Vocabulary.Phrases.ContainsKey(lower) && !Vocabulary.Filler.Contains(lower))
            {
                foreach (var col in index.Columns)
                {
                    foreach (var s in col.Stems)
                    {
                        if (s.Length >= 4 && s != stem && ((WordForms.WithinOneEdit(s, stem) && WordForms.WithinOneEdit(s, WordForms.Stem(lower))) || TypoOfNameWord(col, s, lower)))
                        {
                            candidates.Add(new Item
                            {
                                Kind = ItemKind.Column,
                                Start = i,
                                End = i + 1,
                                Score = col.Stems.Count == 1 ? 0.7 : 0.5,
                                Column = col,
                                Partial = col.Stems.Count > 1,
                                Text = tokens[i].Text,
                            });
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// "raiting" for customer_rating: the written word is one edit from the name's word as spelled, where the stems
    /// ("rate") are too short to compare. The name word must be the one whose stem is <paramref name="stem"/>.
    /// </summary>
    private static bool TypoOfNameWord(ColumnInfo col, string stem, string lower)
    {
        foreach (var w in WordForms.SplitName(col.Name))
        {
            if (w.Length >= 5 && w != lower && WordForms.Canon(WordForms.Stem(w)) == stem && WordForms.WithinOneEdit(w, lower))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddValues(IReadOnlyList<Token> tokens, SchemaIndex index, List<Item> candidates, List<Item> columnCandidates, IReadOnlySet<string>? filtered)
    {
        var valueSpans = new List<Item>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.Quoted)
            {
                var q = t.Text.Trim();
                var matches = index.Values.Where(v => string.Equals(v.Value, q, StringComparison.OrdinalIgnoreCase)).Select(v => (v.Column, v.Value)).ToArray();
                if (matches.Length > 0)
                {
                    valueSpans.Add(new Item { Kind = ItemKind.Value, Start = i, End = i + 1, Score = 1.6, Options = matches, Text = t.Text, Token = t });
                }

                continue;
            }

            var groups = new Dictionary<(int End, bool Exact), List<(ColumnInfo, string)>>();
            var starting = (index.ByFirstLower.TryGetValue(t.Lower, out var byLower) ? byLower : [])
                .Concat(index.ByFirstStem.TryGetValue(t.Stem, out var byStem) ? byStem : [])
                .Distinct();
            foreach (var v in starting)
            {
                var len = v.Lowers.Length;
                if (i + len > tokens.Count)
                {
                    continue;
                }

                var exact = true;
                var stemmed = true;
                for (var k = 0; k < len; k++)
                {
                    var tk = tokens[i + k];
                    if (tk.Kind == TokenKind.Quoted || tk.Kind == TokenKind.Symbol)
                    {
                        exact = stemmed = false;
                        break;
                    }

                    exact &= string.Equals(tk.Lower, v.Lowers[k], StringComparison.Ordinal);
                    stemmed &= string.Equals(tk.Stem, v.Stems[k], StringComparison.Ordinal);
                }

                if (!exact && !stemmed)
                {
                    continue;
                }

                if (len == 1 && !SingleWordValueAllowed(tokens[i], v.Value) && !(v.Value.Length > 1 && exact && filtered is not null && filtered.Contains(v.Column.Name)))
                {
                    continue;
                }

                var key = (i + len, exact);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add((v.Column, v.Value));
            }

            foreach (var ((end, exact), options) in groups)
            {
                var len = end - i;
                valueSpans.Add(new Item
                {
                    Kind = ItemKind.Value,
                    Start = i,
                    End = end,
                    Score = (len * (exact ? 1.2 : 1.1)) + 0.3 + (0.5 * (len - 1)) - (ColumnNamedToo(tokens, i, end, index, options) ? 0.6 : 0),
                    Options = options.Distinct().OrderBy(o => o.Item1.Stems.Count).ThenBy(o => o.Item1.Ordinal).ToArray(),
                    Text = SpanText(tokens, i, end),
                });
            }

            // One typo in a longer one-word value ("califronia" for California), read below the value as spelled and only
            // where nothing is spelled so at this word.
            if (groups.Count == 0 && TypoValues(t, index) is { Length: > 0 } typos)
            {
                valueSpans.Add(new Item { Kind = ItemKind.Value, Start = i, End = i + 1, Score = 1.0, Options = typos, Text = t.Text });
            }

            // "left handed", "right-handed": a hand column's L/R or Left/Right value.
            if (t.Lower is "left" or "right" && i + 1 < tokens.Count && tokens[i + 1].Lower is "handed" or "hand" or "hander" or "handers")
            {
                var side = t.Lower == "left" ? new[] { "L", "Left" } : ["R", "Right"];
                var hands = index.Values.Where(v => v.Column.Stems.Contains("hand") && side.Any(sd => string.Equals(sd, v.Value.Trim(), StringComparison.OrdinalIgnoreCase)))
                    .Select(v => (v.Column, v.Value)).Distinct().ToArray();
                if (hands.Length > 0)
                {
                    valueSpans.Add(new Item { Kind = ItemKind.Value, Start = i, End = i + 2, Score = 2.6, Options = hands, Text = SpanText(tokens, i, i + 2) });
                }
            }

            // "French" for France, "Asian" for Asia.
            if (t.Kind == TokenKind.Word && Vocabulary.Demonyms.TryGetValue(t.Lower, out var places))
            {
                var hits = index.Values.Where(v => places.Any(p => string.Equals(p, v.Value, StringComparison.OrdinalIgnoreCase))).Select(v => (v.Column, v.Value)).Distinct().ToArray();
                if (hits.Length > 0)
                {
                    valueSpans.Add(new Item { Kind = ItemKind.Value, Start = i, End = i + 1, Score = 1.25, Options = hits, Text = t.Text });
                }
            }

            // A distinctive word of a longer value ("Delta" for "Delta Air Lines").
            if (t.Kind == TokenKind.Word && (t.Capitalized || t.Lower.Length >= 5) && !Vocabulary.AmbiguousValueWords.Contains(t.Lower))
            {
                var partial = index.PartialValues.Where(v => string.Equals(v.Stems[0], t.Stem, StringComparison.Ordinal)).Select(v => (v.Column, v.Value)).Distinct().ToArray();
                if (partial.Length > 0)
                {
                    valueSpans.Add(new Item { Kind = ItemKind.Value, Start = i, End = i + 1, Score = 0.95, Options = partial, Text = t.Text });
                }
            }
        }

        candidates.AddRange(valueSpans);

        // Value next to its column's name: "Ideal cut", "cut Ideal", "the color D", "I1 clarity".
        foreach (var col in columnCandidates.Where(c => !c.Partial || c.End - c.Start >= 1))
        {
            for (var i = Math.Max(0, col.Start - 10); i < col.Start; i++)
            {
                // value then column
                var byFirst = index.ByFirstLower.TryGetValue(tokens[i].Lower, out var found) ? found : [];
                foreach (var v in byFirst.Where(v => v.Column == col.Column && v.Lowers.Length <= col.Start - i && !v.FromSynonym))
                {
                    if (col.Start - i - v.Lowers.Length > 1 || !Matches(tokens, i, v.Lowers, lower: true) || !ComboValueAllowed(tokens, i, v))
                    {
                        continue;
                    }

                    var gapOk = col.Start - i - v.Lowers.Length == 0 || ComboGlue.Contains(tokens[i + v.Lowers.Length].Lower);
                    if (gapOk)
                    {
                        candidates.Add(Combo(tokens, i, col.End, col.Column!, v.Value, v.Lowers.Length + (col.End - col.Start)));
                    }
                }
            }

            // column then value (skipping up to two glue words)
            var at = col.End;
            for (var gap = 0; gap <= 2 && at + gap <= tokens.Count; gap++)
            {
                if (gap > 0 && !ComboGlue.Contains(tokens[at + gap - 1].Lower))
                {
                    break;
                }

                var startV = at + gap;
                if (startV >= tokens.Count)
                {
                    break;
                }

                if (tokens[startV].Kind == TokenKind.Quoted)
                {
                    var q = tokens[startV].Text.Trim();
                    var value = col.Column!.Profile.Values.FirstOrDefault(v => string.Equals(v, q, StringComparison.OrdinalIgnoreCase));
                    if (value is not null)
                    {
                        candidates.Add(Combo(tokens, col.Start, startV + 1, col.Column, value, (col.End - col.Start) + 1));
                    }

                    continue;
                }

                var atStart = index.ByFirstLower.TryGetValue(tokens[startV].Lower, out var startsHere) ? startsHere : [];
                foreach (var v in atStart.Where(v => v.Column == col.Column && !v.Partial && !v.FromSynonym))
                {
                    if (Matches(tokens, startV, v.Lowers, lower: true) && ComboValueAllowed(tokens, startV, v))
                    {
                        candidates.Add(Combo(tokens, col.Start, startV + v.Lowers.Length, col.Column!, v.Value, (col.End - col.Start) + v.Lowers.Length));
                    }
                }
            }
        }
    }

    /// <summary>
    /// The one-word values of six letters or more that a word of six letters or more misspells by one edit; none for a word
    /// of the vocabulary or one that is a column's word.
    /// </summary>
    internal static (ColumnInfo Column, string Value)[] TypoValues(Token t, SchemaIndex index)
    {
        if (t.Kind != TokenKind.Word || t.Lower.Length < 6 || !t.Lower.All(char.IsAsciiLetter) || Vocabulary.Phrases.ContainsKey(t.Lower) || Vocabulary.Filler.Contains(t.Lower) ||
            index.Columns.Any(c => c.Stems.Contains(t.Stem)))
        {
            return [];
        }

        return index.Values.Where(v => v.Lowers.Length == 1 && !v.FromSynonym && v.Lowers[0].Length >= 6 && v.Lowers[0] != t.Lower && v.Stems[0] != t.Stem && WordForms.WithinOneEdit(t.Lower, v.Lowers[0]))
            .Select(v => (v.Column, v.Value)).Distinct().OrderBy(o => o.Column.Stems.Count).ThenBy(o => o.Column.Ordinal).ToArray();
    }

    /// <summary>
    /// A word of six letters or more that starts like a value's word of six letters or more and is one edit from it (two
    /// from a word of eight letters or more): it may be that value misspelt.
    /// </summary>
    internal static bool LooksLikeValue(string lower, SchemaIndex index)
    {
        static bool Near(string lower, string w) => w.Length >= 6 && w[0] == lower[0] && w != lower && WordForms.EditDistance(lower, w, w.Length >= 8 ? 2 : 1) <= (w.Length >= 8 ? 2 : 1);
        return lower.Length >= 6 && lower.All(char.IsAsciiLetter) && !Vocabulary.Phrases.ContainsKey(lower) && !Vocabulary.Filler.Contains(lower) &&
            index.Values.Any(v => !v.FromSynonym && v.Lowers.Any(w => Near(lower, w)));
    }

    /// <summary>A one-word value spelled like a question word ("AND", "IN", "OR") is only read with its exact spelling.</summary>
    private static bool ComboValueAllowed(IReadOnlyList<Token> tokens, int at, ValueEntry v)
    {
        if (v.Lowers.Length != 1)
        {
            return true;
        }

        var t = tokens[at];
        var keywordLike = Vocabulary.Filler.Contains(t.Lower) || Vocabulary.Phrases.ContainsKey(t.Lower);
        return !keywordLike || string.Equals(t.Text, v.Value, StringComparison.Ordinal);
    }

    private static Item Combo(IReadOnlyList<Token> tokens, int start, int end, ColumnInfo column, string value, int meaningful) => new()
    {
        Kind = ItemKind.Value,
        Start = start,
        End = end,
        Score = (meaningful * 1.2) + 0.5 + (0.5 * (meaningful - 1)) + (0.3 * (end - start - meaningful)),
        Options = [(column, value)],
        ColumnNamed = true,
        Text = SpanText(tokens, start, end),
    };

    /// <summary>
    /// The span is also a column's own name and is not written the way the value is ("by carrier" is the column carrier,
    /// "because of Carrier" the value).
    /// </summary>
    private static bool ColumnNamedToo(IReadOnlyList<Token> tokens, int start, int end, SchemaIndex index, List<(ColumnInfo, string)> options)
    {
        var stems = Enumerable.Range(start, end - start).Select(k => WordForms.Canon(tokens[k].Stem)).ToArray();
        var isColumn = index.ColumnPhrases.Any(p => p.Value is null && p.Stems.SequenceEqual(stems));
        if (!isColumn)
        {
            return false;
        }

        var text = string.Join(' ', Enumerable.Range(start, end - start).Select(k => tokens[k].Text));
        return !options.Any(o => string.Equals(o.Item2, text, StringComparison.Ordinal));
    }

    private static bool Matches(IReadOnlyList<Token> tokens, int at, string[] lowers, bool lower)
    {
        if (at < 0 || at + lowers.Length > tokens.Count)
        {
            return false;
        }

        for (var k = 0; k < lowers.Length; k++)
        {
            var t = tokens[at + k];
            if (t.Kind is TokenKind.Quoted or TokenKind.Symbol || !string.Equals(lower ? t.Lower : t.Stem, lowers[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A one-word value that is also an English word, a letter or a question keyword needs its exact spelling (case included).</summary>
    private static bool SingleWordValueAllowed(Token t, string value)
    {
        var lower = t.Lower;
        if (value.Length == 1)
        {
            return false;
        }

        var common = Vocabulary.AmbiguousValueWords.Contains(lower) || Vocabulary.Filler.Contains(lower) ||
            (Vocabulary.Phrases.TryGetValue(lower, out var phrases) && phrases.Any(p => p.Words.Length == 1));
        if (!common)
        {
            return true;
        }

        return string.Equals(t.Text, value, StringComparison.Ordinal) && (t.AllCaps || t.Index > 0);
    }
}
