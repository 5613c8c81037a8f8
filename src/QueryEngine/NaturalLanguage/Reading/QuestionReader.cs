using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>
/// Turns the tagged spans of a question into the pieces of a plan, in passes that each consume
/// what they recognise: time expressions, comparisons, missing values, patterns, values,
/// measures, grouping, superlatives and ordering, boolean flags, and what is left to show.
/// </summary>
internal sealed partial class QuestionReader
{
    private static readonly HashSet<string> AdditiveWords = new[]
    {
        "revenue", "sale", "sales", "profit", "quantity", "amount", "total", "units", "spend", "spent", "income", "earnings",
        "turnover", "volume", "count", "visitors", "attendance", "budget", "distance", "population", "sold",
        "bonus", "tax", "fees", "gross", "net", "loss", "expense", "expenses", "capacity",
    }.Select(w => WordForms.Canon(WordForms.Stem(w))).ToHashSet(StringComparer.Ordinal);

    /// <summary>Columns where more is worse, so "worst" means the highest value ("worst delay").</summary>
    private static readonly HashSet<string> NegativeWords = new[]
    {
        "delay", "late", "lateness", "loss", "cost", "price", "error", "errors", "defect", "defects", "return", "returns", "cancellation",
        "complaint", "complaints", "churn", "debt", "expense", "expenses", "fee", "fees", "penalty", "risk", "waiting", "wait", "downtime",
        "mortality", "deaths", "injuries", "crime", "pollution", "emissions", "rank", "ranking",
    }.Select(w => WordForms.Canon(WordForms.Stem(w))).ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<string> SuperlativeLeadWords = new(StringComparer.Ordinal)
    {
        "with", "has", "have", "had", "having", "that", "get", "gets", "got", "receive", "receives", "received", "generate", "generates",
        "generated", "make", "makes", "made", "sell", "sells", "sold", "see", "sees", "saw", "bring", "brings", "brought", "record", "records",
        "produce", "produces", "produced", "win", "won", "wins", "earn", "earns", "earned", "score", "scored", "host", "hosts", "hosted",
        "own", "owns", "owned", "reach", "reached", "offer", "offers", "spend", "spends", "account", "accounts", "contribute", "contributes",
        "fly", "flies", "flew", "operate", "operates", "operated", "take", "takes", "took", "cost", "costs", "carry", "carries", "give", "gives",
        "where", "whose", "of", "in", "for", "is", "are", "was", "were", "the", "among", "them",
    };

    private readonly IReadOnlyList<Token> _tokens;
    private readonly List<Item> _items;
    private readonly SchemaIndex _index;
    private readonly QuestionReading _r;
    private readonly List<(int At, ColumnInfo Column, string? Bucket)> _pendingBuckets = [];
    private readonly List<(int At, PlanCondition Condition)> _conditions = [];
    private MeasureSpec? _byMeasure;
    private Item? _target;
    private readonly List<(int At, ColumnInfo Column)> _andValueColumns = [];
    private bool _targetViaWhich;
    private int _percentAt = -1;
    private int _percentObjectEnd = -1;
    private (ColumnInfo From, ColumnInfo To)? _route;

    /// <summary>The previous answer's compared column, for a follow-up that only changes the comparison.</summary>
    private ColumnInfo? _compared;

    private QuestionReader(IReadOnlyList<Token> tokens, List<Item> items, SchemaIndex index)
    {
        _tokens = tokens;
        _items = items;
        _index = index;
        _r = new QuestionReading { Index = index, Tokens = tokens, Items = items };
    }

    /// <param name="question">The question.</param>
    /// <param name="index">The dataset's linking index.</param>
    /// <param name="filtered">
    /// For a follow-up, the columns the previous answer filtered on: their values are read even where they are
    /// spelled like English words ("what about fair?" after "average price of ideal cut diamonds").
    /// </param>
    /// <param name="compared">
    /// For a follow-up, the one numeric column the previous answer compared with a number: a comparison with nothing
    /// of its own to compare ("what about under 60?", "and over 10000?") is on it.
    /// </param>
    public static QuestionReading Read(string question, SchemaIndex index, IReadOnlySet<string>? filtered = null, string? compared = null)
    {
        var tokens = Tokenizer.Tokenize(question);
        var items = Tagger.Tag(tokens, index, filtered);
        var reader = new QuestionReader(tokens, items, index) { _compared = compared is null ? null : index.Find(compared) };
        reader.Run();
        return reader._r;
    }

    private void Run()
    {
        DetectFollowUp();
        ImplicitOnes();
        ExtendValueLists();
        OrientColumns();
        ReadRoutes();
        ResolveCompounds();
        RowNounNames();
        DistributeHeads();
        FindTarget();
        TimePass();
        ComparePass();
        LatenessPass();
        NullPass();
        PresencePass();
        ParticiplePass();
        PatternPass();
        ValuePass();
        RatioPass();
        MeasurePass();
        GroupPass();
        OrderPass();
        BooleanPass();
        Finish();
    }

    // ------------------------------------------------------------------ navigation

    private int Pos(Item it) => _items.IndexOf(it);

    private static bool Skippable(Item it) =>
        it.Modifier ||
        (it.Kind == ItemKind.Word && it.IsFiller && it.Token!.Lower is not ("not" or "no" or "without" or "and" or "or" or "by" or "per" or "than")) ||
        (it.Kind == ItemKind.Symbol && it.Text is "," or "(" or ")" or ":") ||
        (it.Kind == ItemKind.Keyword && it.Infos.All(i => i.Kind is Kw.Which or Kw.List or Kw.Each));

    private Item? Next(int pos, bool skipAnd = false)
    {
        for (var i = pos + 1; i < _items.Count; i++)
        {
            var it = _items[i];
            if (Skippable(it) || (skipAnd && it.Has(Kw.And)))
            {
                continue;
            }

            return it;
        }

        return null;
    }

    private Item? Prev(int pos)
    {
        for (var i = pos - 1; i >= 0; i--)
        {
            if (!Skippable(_items[i]))
            {
                return _items[i];
            }
        }

        return null;
    }

    /// <summary>The lower-case raw word just before token index <paramref name="tokenIndex"/>, or empty.</summary>
    private string WordBefore(int tokenIndex, int back = 1) => tokenIndex - back >= 0 ? _tokens[tokenIndex - back].Lower : string.Empty;

    private string WordAfter(int tokenIndex) => tokenIndex < _tokens.Count ? _tokens[tokenIndex].Lower : string.Empty;

    private void AddCondition(int at, Expr expr) => _conditions.Add((at, PlanCondition.Of(expr)));

    // ------------------------------------------------------------------ shape

    private void DetectFollowUp()
    {
        if (_tokens.Count == 0)
        {
            return;
        }

        var first = _tokens[0].Lower;
        var second = _tokens.Count > 1 ? _tokens[1].Lower : string.Empty;
        _r.FollowUpCue = first is "and" or "but" or "only" or "just" or "now" or "also" or "same" or "then" or "instead" or "ok" or "okay" or "break" or "split" or "sort" or "order" or "rank" or "limit" or "exclude" or "excluding" or "include" or "without" or "except" or "filter" or "restrict" or "group" or "show" && ContainsAny("instead", "it", "that", "those", "them", "these", "this", "only", "just", "also", "too", "same")
            || first is "and" or "but" or "only" or "just" or "instead" or "now" or "also" or "same"
            || (first is "what" or "how" && second == "about")
            || first is "break" or "split" or "sort" or "order" or "rank"
            || ContainsAny("instead", "same", "again")
            // "how many of those are there", "what is the average price of them": the previous answer's rows.
            || ReferringPronoun();
        _r.Instead = ContainsAny("instead", "rather", "replace");
    }

    /// <summary>"of those", "of these", "of them", "those ones": a pronoun that stands for the rows of the previous answer.</summary>
    private bool ReferringPronoun()
    {
        for (var i = 0; i < _tokens.Count; i++)
        {
            if (_tokens[i].Lower is "those" or "these" or "them" && (i > 0 && _tokens[i - 1].Lower is "of" or "among" or "for" or "are" or "were" || i + 1 == _tokens.Count || _tokens[i + 1].Lower is "are" or "were" or "ones" or "have" or "had"))
            {
                return true;
            }
        }

        return false;
    }

    private bool ContainsAny(params string[] words) => _tokens.Any(t => words.Contains(t.Lower, StringComparer.Ordinal));

    /// <summary>The thing the question asks for: "which cut", "what are the names", "show the diamonds".</summary>
    private void FindTarget()
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            if (!(it.Has(Kw.Which) || it.Has(Kw.List)))
            {
                continue;
            }

            for (var j = i + 1; j < _items.Count; j++)
            {
                var n = _items[j];
                if (n.Modifier)
                {
                    continue;
                }

                if (n.Kind is ItemKind.Column or ItemKind.RowNoun)
                {
                    _target = n;
                    _targetViaWhich = it.Text.StartsWith("which", StringComparison.OrdinalIgnoreCase) || (i > 0 && _items[i - 1].IsWord("in", "from", "for", "of"));
                    return;
                }

                if (n.IsFiller || n.Has(Kw.Each) || n.Has(Kw.Distinct) || n.Has(Kw.Top) || n.Kind == ItemKind.Number || n.Kind == ItemKind.Symbol)
                {
                    continue;
                }

                break;
            }
        }
    }

    // ------------------------------------------------------------------ pre-passes

    /// <summary>
    /// "which city do most flights go to": a name shared by an origin-like and a destination-like column
    /// ("city" for origin_city and dest_city) follows the direction the question's verbs give.
    /// </summary>
    private void OrientColumns()
    {
        var words = _tokens.Select(t => t.Lower).ToList();
        var toward = words.Any(w => w is "arrive" or "arrives" or "arriving" or "arrived" or "land" or "lands" or "landing" or "inbound" or "into") ||
            words.Select((w, i) => i > 0 && w == "to" && words[i - 1] is "go" or "goes" or "went" or "fly" or "flies" or "flew" or "flying" or "head" or "heading" or "travel" or "travels" or "bound").Any(x => x);
        var away = words.Any(w => w is "depart" or "departs" or "departing" or "departed" or "leave" or "leaves" or "leaving" or "left" or "outbound" or "from");
        if (toward == away)
        {
            return;
        }

        var fromStems = new[] { "origin", "source", "departure", "start" }.Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);
        var toStems = new[] { "destination", "dest", "arrival", "end" }.Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            if (it.Kind != ItemKind.Column || !it.Partial)
            {
                continue;
            }

            var (wrong, right) = toward ? (fromStems, toStems) : (toStems, fromStems);
            if (!it.Column!.Stems.Any(wrong.Contains))
            {
                continue;
            }

            var rest = it.Column.Stems.Where(s => !wrong.Contains(s)).ToList();
            var other = _index.Columns.FirstOrDefault(c => c.Stems.Any(right.Contains) && c.Stems.Where(s => !right.Contains(s)).SequenceEqual(rest));
            if (other is not null)
            {
                _items[i] = new Item { Kind = ItemKind.Column, Start = it.Start, End = it.End, Score = it.Score, Column = other, Partial = true, Text = it.Text };
            }
        }
    }

    /// <summary>
    /// "busiest route", "average delay by route": a route is an origin and a destination together, so a route read as a
    /// group groups both (the pair of origin- and destination-like columns of the same kind, codes before city names).
    /// Where the question already names both ends ("the JFK to LAX route") the word only restates them.
    /// </summary>
    private void ReadRoutes()
    {
        var at = _items.FindIndex(x => x.Kind == ItemKind.Word && !x.Used && x.Token!.Lower is "route" or "routes");
        if (at < 0)
        {
            return;
        }

        var fromStems = new[] { "origin", "source", "departure", "from" }.Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);
        var toStems = new[] { "destination", "dest", "arrival", "to" }.Select(WordForms.Key).ToHashSet(StringComparer.Ordinal);
        var pairs = from f in _index.Columns
                    where f.IsText && f.Stems.Any(fromStems.Contains)
                    let rest = f.Stems.Where(x => !fromStems.Contains(x)).ToList()
                    from t in _index.Columns
                    where t.IsText && t != f && t.Stems.Any(toStems.Contains) && t.Stems.Where(x => !toStems.Contains(x)).SequenceEqual(rest)
                    orderby rest.Count, f.Ordinal
                    select (f, t);
        if (pairs.FirstOrDefault() is not ({ } from, { } to))
        {
            return;
        }

        var it = _items[at];
        bool IsEnd(ColumnInfo c) => c.IsText && (c.Stems.Any(fromStems.Contains) || c.Stems.Any(toStems.Contains));
        if (_items.Any(x => x.Kind == ItemKind.Column && IsEnd(x.Column!)))
        {
            // "which routes are the longest? show origin and destination": the ends are asked for by name; leave it.
            return;
        }

        var ends = _items.Where(x => x.Kind == ItemKind.Value && x.Options.Any(o => IsEnd(o.Column))).ToList();
        if (ends.Count >= 2)
        {
            it.Used = true;
            return;
        }

        ColumnInfo group = from;
        if (ends.Count == 1)
        {
            // "the busiest route out of Chicago": one end is given, so the route is the other end.
            var start = ends[0].Start;
            var before = start > 0 ? _tokens[start - 1].Lower : string.Empty;
            before = before == "of" && start > 1 && _tokens[start - 2].Lower == "out" ? "out" : before;
            if (before is "from" or "out" or "leaving" or "departing")
            {
                group = to;
            }
            else if (before is not ("to" or "into" or "in" or "for"))
            {
                return;
            }
        }
        else
        {
            _route = (from, to);
        }

        _items[at] = new Item { Kind = ItemKind.Column, Start = it.Start, End = it.End, Score = it.Score, Column = group, Text = it.Text };
    }

    /// <summary>"more than an hour", "under a minute": "a"/"an" before a unit after a comparison is the number one.</summary>
    private void ImplicitOnes()
    {
        for (var i = 1; i + 1 < _items.Count; i++)
        {
            var a = _items[i];
            if (a.Kind == ItemKind.Word && a.Token!.Lower is "a" or "an" && _items[i - 1].Infos.Any(x => x.Kind is Kw.Compare or Kw.Comparative) &&
                _tokens[a.End].Lower is "hour" or "minute" or "day" or "week" or "mile" or "dollar" or "carat" or "thousand" or "million" or "kilometer" or "kilogram" or "pound")
            {
                var value = _tokens[a.End].Lower switch { "thousand" => 1000m, "million" => 1_000_000m, _ => 1m };
                _items[i] = new Item { Kind = ItemKind.Number, Start = a.Start, End = a.End, Score = 0.5, Text = a.Text, Token = a.Token with { Number = value, Kind = TokenKind.Number } };
                if (value != 1m)
                {
                    _items[i + 1].Used = true;
                }
            }
        }
    }

    /// <summary>"a color of E or F": once one value of a column is read, short values after "or"/"and" are read in that column too.</summary>
    private void ExtendValueLists()
    {
        // Backwards: "J and I colored diamonds".
        for (var i = _items.Count - 1; i >= 2; i--)
        {
            var v = _items[i];
            if (v.Kind != ItemKind.Value || v.Options.Select(o => o.Column).Distinct().Count() != 1 || !(_items[i - 1].Has(Kw.Or) || _items[i - 1].Has(Kw.And) || _items[i - 1].Text == ","))
            {
                continue;
            }

            var w = _items[i - 2];
            if (w.Kind is not (ItemKind.Word or ItemKind.Keyword) || w.End - w.Start != 1)
            {
                continue;
            }

            var column = v.Options[0].Column;
            var value = column.Profile.Values.FirstOrDefault(x => w.Text.Length <= 2 ? string.Equals(x, w.Text, StringComparison.Ordinal) : string.Equals(x, w.Text, StringComparison.OrdinalIgnoreCase));
            if (value is not null)
            {
                _items[i - 2] = new Item { Kind = ItemKind.Value, Start = w.Start, End = w.End, Score = 1.2, Options = [(column, value)], Text = w.Text };
            }
        }

        for (var i = 0; i < _items.Count; i++)
        {
            var v = _items[i];
            if (v.Kind != ItemKind.Value || v.Options.Select(o => o.Column).Distinct().Count() != 1)
            {
                continue;
            }

            var column = v.Options[0].Column;
            var j = i + 1;
            while (j + 1 < _items.Count && (_items[j].Has(Kw.Or) || _items[j].Has(Kw.And) || _items[j].Text == ","))
            {
                var w = _items[j + 1];
                if (w.Kind == ItemKind.Value && w.Options.Any(o => o.Column == column))
                {
                    j += 2;
                    continue;
                }

                if (w.Kind is not (ItemKind.Word or ItemKind.Keyword) || w.End - w.Start != 1)
                {
                    break;
                }

                var text = w.Text;
                var value = column.Profile.Values.FirstOrDefault(x => text.Length <= 2 ? string.Equals(x, text, StringComparison.Ordinal) : string.Equals(x, text, StringComparison.OrdinalIgnoreCase));
                if (value is null)
                {
                    break;
                }

                _items[j + 1] = new Item { Kind = ItemKind.Value, Start = w.Start, End = w.End, Score = 1.2, Options = [(column, value)], Text = w.Text };
                j += 2;
            }
        }
    }

    /// <summary>
    /// "airline names" where the airlines table has no name column but an airline column: the names are that column's values,
    /// not the rows themselves.
    /// </summary>
    private void RowNounNames()
    {
        var name = WordForms.Key("name");
        if (_index.Columns.Any(c => c.Stems.Count == 1 && c.Stems[0] == name))
        {
            return;
        }

        for (var i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            if (it.Kind != ItemKind.RowNoun || it.End - it.Start != 1 || it.End >= _tokens.Count || _tokens[it.End].Lower is not ("name" or "names") ||
                _items.Any(x => x.Start == it.End && x.Kind != ItemKind.Word))
            {
                continue;
            }

            var noun = WordForms.Canon(_tokens[it.Start].Stem);
            var column = _index.Columns.FirstOrDefault(c => c.IsText && c.Stems.Count == 1 && c.Stems[0] == noun);
            if (column is null)
            {
                continue;
            }

            _items.RemoveAll(x => x.Start == it.End && x.Kind == ItemKind.Word);
            _items[_items.IndexOf(it)] = new Item { Kind = ItemKind.Column, Start = it.Start, End = it.End + 1, Score = 2.3, Column = column, Text = it.Text + " " + _tokens[it.End].Text };
        }
    }

    /// <summary>
    /// "the names of loser and winner", "average age of losers and winners": the head word of the first column
    /// ("name", "age") carries over to the words joined to it, when a column of that shape exists.
    /// </summary>
    private void DistributeHeads()
    {
        for (var i = 0; i + 2 < _items.Count; i++)
        {
            var a = _items[i];
            if (a.Kind != ItemKind.Column || a.Column!.Stems.Count < 2 || !(_items[i + 1].Has(Kw.And) || _items[i + 1].Text == ","))
            {
                continue;
            }

            var b = _items[i + 2];
            if (b.Kind is not (ItemKind.Column or ItemKind.RowNoun or ItemKind.Word) || b.End - b.Start != 1)
            {
                continue;
            }

            var head = a.Column.Stems[^1];
            var word = WordForms.Key(_tokens[b.Start].Text);
            var target = _index.Columns.FirstOrDefault(c => c != a.Column && c.Stems.Count == 2 && c.Stems[0] == word && c.Stems[1] == head);
            if (target is not null && b.Column != target)
            {
                _items[i + 2] = new Item { Kind = ItemKind.Column, Start = b.Start, End = b.End, Score = 1.3, Column = target, Text = b.Text };
            }
        }

        // Backwards: "the first and last name", "first, middle, and last name": the head word of the last column
        // carries to the words listed before it ("first" is first_name here, not a superlative).
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            var b = _items[i];
            if (b.Kind != ItemKind.Column || b.Column!.Stems.Count != 2 || b.End - b.Start != 2)
            {
                continue;
            }

            var head = b.Column.Stems[1];
            var t = b.Start - 1;
            while (t >= 1 && _tokens[t].Lower is "and" or "," or "or")
            {
                while (t >= 1 && _tokens[t].Lower is "and" or "," or "or")
                {
                    t--;
                }

                var word = WordForms.Key(_tokens[t].Text);
                var target = _index.Columns.FirstOrDefault(c => c != b.Column && c.Stems.Count == 2 && c.Stems[0] == word && c.Stems[1] == head);
                var k = _items.FindIndex(x => x.Start <= t && x.End == t + 1);
                if (target is null || k < 0 || (_items[k].Kind == ItemKind.Column && _items[k].Column == target))
                {
                    if (target is null || k < 0)
                    {
                        break;
                    }

                    t--;
                    continue;
                }

                var old = _items[k];
                if (old.Kind is ItemKind.Value or ItemKind.Number or ItemKind.Quoted || Enumerable.Range(old.Start, t - old.Start).Any(x => _tokens[x].Lower is not ("the" or "a" or "an")))
                {
                    break;
                }

                _items[k] = new Item { Kind = ItemKind.Column, Start = old.Start, End = old.End, Score = 1.3, Column = target, Text = old.Text };
                t = old.Start - 1;
            }
        }
    }

    /// <summary>
    /// Two names in a row are one noun phrase: "product category" is the category, "Electronics products" is a filter
    /// on category with "products" naming the rows, and "destination airport" keeps the column's own name over a synonym.
    /// </summary>
    private void ResolveCompounds()
    {
        // "hour of the day", "day of the month": the second unit only says which hour or day.
        for (var i = 0; i + 1 < _items.Count; i++)
        {
            var unit = Next(i);
            if (_items[i].Kind == ItemKind.Column && unit is not null && unit.End - unit.Start == 1 && unit.Kind is ItemKind.Column or ItemKind.Keyword &&
                _items[i].Column!.Stems.Any(s => s is "hour" or "day" or "month" or "week") &&
                _tokens[unit.Start].Lower is "day" or "week" or "month" or "year" && _items[i].End < _tokens.Count && _tokens[_items[i].End].Lower == "of")
            {
                unit.Used = unit.Modifier = true;
            }
        }

        for (var i = 0; i + 1 < _items.Count; i++)
        {
            var a = _items[i];
            var b = _items[i + 1];
            if (b.Start != a.End || a.Used || b.Used)
            {
                continue;
            }

            if (a.Kind == ItemKind.Column && b.Kind == ItemKind.Column && b.Column!.Kind != ColumnKind.Boolean)
            {
                if (a.Column == b.Column)
                {
                    b.Used = b.Modifier = true;
                }
                else if (b.ViaSynonym && !a.ViaSynonym && !a.Partial)
                {
                    b.Used = b.Modifier = true;
                }
                else if (b.Partial && b.End - b.Start == 1 && _tokens[b.Start].Lower is "name" or "names" or "title" or "code" or "codes" or "id" or "ids" && a.Column!.IsText && !a.Partial)
                {
                    // "government form name": the name of the government form.
                    b.Used = b.Modifier = true;
                }
                else if (a.Column!.IsText || a.Column.IsIdentifier)
                {
                    a.Used = a.Modifier = true;
                }
            }
            else if (a.Kind == ItemKind.Value && b.Kind == ItemKind.Column && (b.Column!.IsText || b.Column.IsIdentifier) && !a.Options.Any(o => o.Column == b.Column))
            {
                b.Used = b.Modifier = true;
            }
        }
    }

    // ------------------------------------------------------------------ passes

    private void ValuePass()
    {
        var values = _items.Where(i => i.Kind == ItemKind.Value && !i.Used).ToList();
        var chosen = new List<(Item Item, ColumnInfo Column, string Value, bool Negated)>();
        foreach (var v in values)
        {
            var pos = Pos(v);
            var (column, value) = ChooseValueColumn(v, pos);
            if (chosen.Count > 0 && v.Options.Count > 1 && OnlyListWordsBetween(chosen[^1].Item, v) &&
                v.Options.FirstOrDefault(o => o.Column == chosen[^1].Column) is { Column: not null } same)
            {
                // "to Miami or Orlando": the second city goes where the first went.
                (column, value) = same;
            }
            var negated = IsNegated(pos);
            if (!negated && chosen.Count > 0 && chosen[^1].Negated && chosen[^1].Column == column && OnlyListWordsBetween(chosen[^1].Item, v))
            {
                // "excluding Texas and California", "neither Fair nor Good".
                negated = true;
            }

            chosen.Add((v, column, value, negated));
            v.Used = true;

            // "category Electronics", "whose hometown is not X": the column's own mention next to the value is part of it.
            var next = Next(pos);
            if (next is { Kind: ItemKind.Column, Used: false } && next.Column == column)
            {
                next.Used = true;
            }

            for (var j = pos - 1; j >= 0 && j >= pos - 4; j--)
            {
                var near = _items[j];
                if (near is { Kind: ItemKind.Column } && near.Column == column)
                {
                    near.Used = true;
                    break;
                }

                if (!(Skippable(near) || near.Has(Kw.Not) || near.IsWord("is", "was", "are", "were", "equals", "=", "not", "by", "with", "using", "via", "in") || near.Infos.Any(x => x.Kind == Kw.Compare && x.Op is "=" or "<>")))
                {
                    break;
                }
            }
        }

        // Values of one column next to each other are alternatives (IN: "Chicago or Detroit", "D, E or F");
        // values of different columns are all required, unless "or" joins them.
        var i = 0;
        while (i < chosen.Count)
        {
            var group = new List<(Item Item, ColumnInfo Column, string Value, bool Negated)> { chosen[i] };
            var versus = false;
            var j = i + 1;
            while (j < chosen.Count && chosen[j].Negated == chosen[i].Negated &&
                   (OrBetween(chosen[j - 1].Item, chosen[j].Item, out var vs) || (chosen[j].Column == chosen[j - 1].Column && AndBetween(chosen[j - 1].Item, chosen[j].Item))))
            {
                versus |= vs;
                group.Add(chosen[j]);
                j++;
            }

            var byColumn = group.GroupBy(g => g.Column).ToList();
            var parts = new List<Expr>();
            foreach (var cg in byColumn)
            {
                var vals = cg.Select(g => g.Value).Distinct(StringComparer.Ordinal).ToList();
                var negated = cg.First().Negated;
                Expr col = Exprs.Col(cg.Key.Name);
                parts.Add(vals.Count == 1
                    ? Exprs.Cmp(negated ? "<>" : "=", col, Exprs.Str(vals[0]))
                    : new InListExpr(col, vals.Select(x => (Expr)Exprs.Str(x)).ToArray(), negated));
            }

            if (!versus && byColumn.Count == 1 && group.Count > 1 && _items.FirstOrDefault(x => x.Kind == ItemKind.Word && x.Token!.Lower is "compare" or "comparing" or "comparison") is { } compare)
            {
                // "compare the average price of VS1 and VS2": one row for each, as with "vs".
                compare.Used = true;
                versus = true;
            }

            AddCondition(group[0].Item.Start, parts.Count == 1 ? parts[0] : Exprs.Or(parts));
            if (!versus && byColumn.Count == 1 && group.Count > 1 && !group.Skip(1).Any(g => OrBetween(group[0].Item, g.Item, out _)))
            {
                _andValueColumns.Add((group[0].Item.Start, byColumn[0].Key));
            }

            if (versus && byColumn.Count == 1)
            {
                // "Fridays vs Mondays": one row for each.
                AddGroup(byColumn[0].Key, group[0].Item.Start);
            }

            i = j;
        }
    }

    private bool OnlyListWordsBetween(Item a, Item b)
    {
        for (var t = a.End; t < b.Start; t++)
        {
            if (_tokens[t].Lower is not ("or" or "and" or "," or "&" or "nor"))
            {
                return false;
            }
        }

        return b.Start > a.End;
    }

    private bool OrBetween(Item a, Item b, out bool versus)
    {
        versus = false;
        for (var k = Pos(a) + 1; k < Pos(b); k++)
        {
            if (_items[k].Has(Kw.Versus))
            {
                versus = true;
                return true;
            }

            if (_items[k].Has(Kw.Or))
            {
                return true;
            }

            if (!Skippable(_items[k]) && !_items[k].Has(Kw.Not) && !(_items[k].Kind == ItemKind.Word && _items[k].Token!.Lower is "by" or "from" or "to" or "in"))
            {
                return false;
            }
        }

        return false;
    }

    private bool AndBetween(Item a, Item b)
    {
        for (var k = Pos(a) + 1; k < Pos(b); k++)
        {
            var it = _items[k];
            if (it.Has(Kw.And) || it.Has(Kw.Or) || (it.Kind == ItemKind.Symbol && it.Text == ","))
            {
                continue;
            }

            if (!Skippable(it) && !(it.Kind == ItemKind.Word && it.Token!.Lower is "in" or "from" or "for" or "nor"))
            {
                return false;
            }
        }

        return true;
    }

    private bool IsNegated(int pos)
    {
        for (var k = pos - 1; k >= 0 && k >= pos - 3; k--)
        {
            var it = _items[k];
            if (it.Has(Kw.Not) || (it.Kind == ItemKind.Keyword && it.Infos.Any(x => x.Kind == Kw.Compare && x.Op == "<>")))
            {
                it.Used = true;
                return true;
            }

            if (it.Kind is ItemKind.Value or ItemKind.Column or ItemKind.RowNoun or ItemKind.Number || it.Has(Kw.And) || it.Has(Kw.Or))
            {
                return false;
            }
        }

        return false;
    }

    private (ColumnInfo Column, string Value) ChooseValueColumn(Item v, int pos)
    {
        if (v.Options.Count == 1)
        {
            return v.Options[0];
        }

        // Direction words pick between origin- and destination-like columns.
        var before = WordBefore(v.Start);
        var before2 = WordBefore(v.Start, 2);
        string[] fromWords = ["from", "departing", "leaving", "out", "origin", "originating", "depart", "departed", "departs", "leave", "left"];
        string[] toWords = ["to", "into", "arriving", "arrive", "arrived", "arrives", "destination", "bound", "towards", "reaching", "landing", "land", "landed"];
        var fromStems = new[] { "origin", "source", "from", "departure", "start", "home", "sender", "src" }.Select(WordForms.Stem).ToArray();
        var toStems = new[] { "destination", "dest", "to", "arrival", "end", "away", "receiver", "target", "dst" }.Select(WordForms.Stem).ToArray();
        if (fromWords.Contains(before) || fromWords.Contains(before2))
        {
            var m = v.Options.FirstOrDefault(o => o.Column.Stems.Any(s => fromStems.Contains(s)));
            if (m.Column is not null)
            {
                return m;
            }
        }

        if (toWords.Contains(before) || toWords.Contains(before2))
        {
            var m = v.Options.FirstOrDefault(o => o.Column.Stems.Any(s => toStems.Contains(s)));
            if (m.Column is not null)
            {
                return m;
            }
        }

        // A column named elsewhere in the question.
        var mentioned = _items.Where(i => i.Kind == ItemKind.Column && !i.Used).Select(i => i.Column).ToHashSet();
        var named = v.Options.FirstOrDefault(o => mentioned.Contains(o.Column));
        if (named.Column is not null)
        {
            return named;
        }

        // Otherwise the simplest column name; prefer columns whose other words the question uses.
        var questionStems = _tokens.Select(t => WordForms.Canon(t.Stem)).ToHashSet(StringComparer.Ordinal);
        var best = v.Options.OrderByDescending(o => o.Column.Stems.Count(questionStems.Contains)).ThenBy(o => o.Column.Stems.Count).ThenBy(o => o.Column.Ordinal).First();
        if (v.Options.Select(o => o.Column).Distinct().Count() > 1)
        {
            _r.Confidence -= 0.1;
            _r.Notes.Add($"\"{v.Text}\" is a value of {string.Join(" and ", v.Options.Select(o => o.Column.Name).Distinct())}; read as {best.Column.Name}");
        }

        return best;
    }
}
