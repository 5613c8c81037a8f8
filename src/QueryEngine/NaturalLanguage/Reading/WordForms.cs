using System.Text;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Splitting names into words, and the light stemming both column names and questions go through.</summary>
internal static class WordForms
{
    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["people"] = "person", ["children"] = "child", ["men"] = "man", ["women"] = "woman", ["feet"] = "foot",
        ["teeth"] = "tooth", ["mice"] = "mouse", ["data"] = "data", ["sold"] = "sell", ["bought"] = "buy",
        ["spent"] = "spend", ["paid"] = "pay", ["flew"] = "fly", ["flown"] = "fly", ["flies"] = "fly", ["born"] = "birth",
        ["won"] = "win", ["lost"] = "lose", ["made"] = "make", ["wrote"] = "write", ["written"] = "write",
        ["left"] = "leave", ["took"] = "take", ["taken"] = "take", ["gave"] = "give", ["given"] = "give",
        ["held"] = "hold", ["ran"] = "run", ["led"] = "lead", ["began"] = "begin", ["begun"] = "begin",
        ["series"] = "series", ["species"] = "species", ["status"] = "status", ["bus"] = "bus", ["address"] = "address",
        ["business"] = "business", ["class"] = "class", ["analysis"] = "analysis", ["gas"] = "gas", ["us"] = "us",
        ["is"] = "is", ["was"] = "was", ["has"] = "has", ["does"] = "does", ["this"] = "this", ["its"] = "its",
        ["news"] = "news", ["always"] = "always", ["yes"] = "yes", ["plus"] = "plus", ["campus"] = "campus",
        ["during"] = "during", ["nothing"] = "nothing", ["something"] = "something", ["everything"] = "everything",
        ["thing"] = "thing", ["things"] = "thing", ["king"] = "king", ["ring"] = "ring", ["string"] = "string",
        ["ceiling"] = "ceiling", ["evening"] = "evening", ["morning"] = "morning", ["building"] = "building",
        ["bed"] = "bed", ["red"] = "red", ["need"] = "need", ["speed"] = "speed", ["feed"] = "feed", ["seed"] = "seed",
        ["ids"] = "id", ["nos"] = "no", ["weigh"] = "weight", ["weighs"] = "weight", ["weighed"] = "weight", ["weighing"] = "weight",
        ["used"] = "use", ["based"] = "base", ["named"] = "name", ["rated"] = "rating", ["rating"] = "rating", ["ratings"] = "rating",
    };

    /// <summary>Splits a column or table name into lower-case words: snake_case, kebab-case, camelCase and letter/digit boundaries.</summary>
    public static IReadOnlyList<string> SplitName(string name)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        void Flush()
        {
            if (sb.Length > 0)
            {
                words.Add(sb.ToString().ToLowerInvariant());
                sb.Clear();
            }
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            if (sb.Length > 0)
            {
                var prev = name[i - 1];
                var boundary =
                    (char.IsUpper(c) && char.IsLower(prev)) ||
                    (char.IsUpper(c) && char.IsUpper(prev) && i + 1 < name.Length && char.IsLower(name[i + 1])) ||
                    (char.IsDigit(c) != char.IsDigit(prev));
                if (boundary)
                {
                    Flush();
                }
            }

            sb.Append(c);
        }

        Flush();
        return words;
    }

    /// <summary>
    /// A light stem: plural and possessive endings, -ing and -ed, and a final silent e, so that
    /// "price", "prices" and "priced" meet, as do "open", "opened" and "opening".
    /// </summary>
    public static string Stem(string word)
    {
        var w = word.ToLowerInvariant();
        if (w.EndsWith("'s", StringComparison.Ordinal) || w.EndsWith("’s", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.EndsWith('\'') || w.EndsWith('’'))
        {
            w = w[..^1];
        }

        if (Irregular.TryGetValue(w, out var irregular))
        {
            return irregular.Length > 3 && irregular.EndsWith('e') && !irregular.EndsWith("ee", StringComparison.Ordinal) ? irregular[..^1] : irregular;
        }

        if (w.Length <= 3 || !w.All(char.IsLetter))
        {
            return w;
        }

        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4)
        {
            w = w[..^3] + "y";
        }
        else if (w.EndsWith("sses", StringComparison.Ordinal) || w.EndsWith("xes", StringComparison.Ordinal) ||
                 w.EndsWith("ches", StringComparison.Ordinal) || w.EndsWith("shes", StringComparison.Ordinal) ||
                 w.EndsWith("zes", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        if (w.EndsWith("ation", StringComparison.Ordinal) && w.Length >= 9)
        {
            w = Undouble(w[..^5]);
        }
        else if (w.EndsWith("al", StringComparison.Ordinal) && w.Length >= 7 && !w.EndsWith("ial", StringComparison.Ordinal))
        {
            // "arrival" meets "arrived", "original" meets "origin".
            w = w[..^2];
        }
        else if (w.EndsWith("ure", StringComparison.Ordinal) && w.Length >= 8)
        {
            // "departure" meets "departed".
            w = w[..^3];
        }
        else if (w.EndsWith("ing", StringComparison.Ordinal) && w.Length > 5)
        {
            w = Undouble(w[..^3]);
        }
        else if (w.EndsWith("ied", StringComparison.Ordinal) && w.Length > 4)
        {
            w = w[..^3] + "y";
        }
        else if (w.EndsWith("ed", StringComparison.Ordinal) && w.Length > 4 && !w.EndsWith("eed", StringComparison.Ordinal))
        {
            w = Undouble(w[..^2]);
        }

        if (w.EndsWith('e') && w.Length > 3 && !w.EndsWith("ee", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        return w;
    }

    private static string Undouble(string w) =>
        w.Length > 3 && w[^1] == w[^2] && (w[^1] is not ('l' or 's' or 'z') || (w[^1] == 'l' && w.Length >= 6)) && !"aeiou".Contains(w[^1], StringComparison.Ordinal) ? w[..^1] : w;

    /// <summary>
    /// Edit distance (insert, delete, substitute or swap two neighbours) between two words, or <paramref name="max"/> + 1
    /// as soon as it is known to exceed <paramref name="max"/>.
    /// </summary>
    public static int EditDistance(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return max + 1;
        }

        var prev2 = new int[b.Length + 1];
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var d = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d = Math.Min(d, prev2[j - 2] + 1);
                }

                cur[j] = d;
                rowMin = Math.Min(rowMin, d);
            }

            if (rowMin > max)
            {
                return max + 1;
            }

            (prev2, prev, cur) = (prev, cur, prev2);
        }

        return Math.Min(prev[b.Length], max + 1);
    }

    /// <summary>Edit distance of at most one (insert, delete, substitute or swap two neighbours), for typo-tolerant name matching.</summary>
    public static bool WithinOneEdit(string a, string b)
    {
        if (a.Length < b.Length)
        {
            (a, b) = (b, a);
        }

        if (a.Length - b.Length > 1)
        {
            return false;
        }

        var i = 0;
        while (i < b.Length && a[i] == b[i])
        {
            i++;
        }

        if (i == b.Length)
        {
            return true;
        }

        if (a.Length == b.Length)
        {
            if (a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1)))
            {
                return true;
            }

            return i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] && a.AsSpan(i + 2).SequenceEqual(b.AsSpan(i + 2));
        }

        return a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i));
    }

    /// <summary>Common words of column and table names, for splitting names written without separators ("pettype", "airportcode").</summary>
    public static readonly IReadOnlySet<string> SchemaWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "no", "nr", "num", "number", "code", "name", "type", "kind", "year", "date", "time", "day", "month", "week", "hour", "count", "age",
        "form", "area", "rate", "level", "status", "size", "amount", "price", "cost", "total", "sum", "avg", "max", "min", "city", "country", "state",
        "region", "zone", "district", "street", "address", "zip", "postal", "phone", "email", "fax", "web", "url", "language", "percent", "percentage",
        "source", "dest", "origin", "destination", "from", "to", "first", "last", "middle", "full", "short", "long", "nick", "home", "work", "birth",
        "death", "start", "end", "open", "close", "begin", "created", "updated", "modified", "effective", "expiry", "release", "hire", "join",
        "order", "item", "product", "unit", "units", "quantity", "stock", "customer", "client", "user", "account", "member", "employee", "staff",
        "manager", "owner", "person", "student", "teacher", "course", "class", "grade", "score", "rank", "points", "title", "description", "desc",
        "details", "detail", "text", "note", "notes", "comment", "flag", "yn", "model", "make", "maker", "brand", "color", "colour", "weight", "height",
        "width", "length", "depth", "volume", "capacity", "speed", "distance", "duration", "airport", "airline", "flight", "train", "station",
        "route", "ship", "car", "vehicle", "engine", "horsepower", "life", "expectancy", "surface", "government", "head", "capital", "population",
        "official", "local", "continent", "abbrev", "category", "group", "team", "league", "season", "game", "match", "player", "winner", "loser",
        "series", "episode", "channel", "show", "song", "album", "artist", "singer", "band", "book", "author", "publisher", "store", "shop",
        "market", "sale", "sales", "revenue", "profit", "budget", "salary", "bonus", "tax", "fee", "charge", "payment", "invoice", "bill", "balance",
        "credit", "debit", "loan", "rating", "review", "votes", "vote", "gender", "sex", "nationality", "citizenship", "document", "paragraph",
        "template", "version", "file", "image", "photo", "video", "room", "building", "floor", "property", "feature", "event", "venue", "theme",
        "visitor", "visit", "ticket", "seat", "dog", "cat", "pet", "breed", "animal", "treatment", "doctor", "patient", "school", "friend", "program",
        "degree", "department", "faculty", "semester", "transcript", "enrollment", "section", "cell", "mobile", "permanent", "current", "other",
        "line", "county", "province", "lat", "lon", "latitude", "longitude", "share", "ratio", "aspect", "definition", "package", "option",
        "production", "air", "weekly", "daily", "record", "company", "founded", "attendance", "result", "indep", "old", "new", "high", "low",
        "average", "highest", "lowest", "position", "role", "job", "office", "site", "org", "unit", "hand", "height", "ioc", "tourney", "round",
    };

    /// <summary>Splits a lower-case run such as "pettype" into known words ("pet", "type"); null when it cannot.</summary>
    public static IReadOnlyList<string>? Segment(string word, IReadOnlySet<string> extra)
    {
        if (word.Length < 5 || !word.All(char.IsAsciiLetterLower))
        {
            return null;
        }

        bool Known(string w) => w.Length >= 2 && (SchemaWords.Contains(w) || extra.Contains(w) || (w.EndsWith('s') && SchemaWords.Contains(w[..^1])));
        if (Known(word))
        {
            return null;
        }

        // Fewest parts wins; ties prefer a longer first part.
        var best = new List<string>?[word.Length + 1];
        best[0] = [];
        for (var i = 1; i <= word.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (best[j] is null || !Known(word[j..i]))
                {
                    continue;
                }

                var candidate = new List<string>(best[j]!) { word[j..i] };
                if (best[i] is null || candidate.Count < best[i]!.Count)
                {
                    best[i] = candidate;
                }
            }
        }

        return best[word.Length] is { Count: > 1 } parts ? parts : null;
    }

    /// <summary>Abbreviations common in column names, expanded so "dep_delay" meets "departure delay".</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Abbreviations = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["dep"] = ["departure"], ["arr"] = ["arrival"], ["dest"] = ["destination"], ["qty"] = ["quantity"],
        ["amt"] = ["amount"], ["num"] = ["number"], ["no"] = ["number"], ["nbr"] = ["number"], ["pct"] = ["percentage"],
        ["perc"] = ["percentage"], ["avg"] = ["average"], ["yr"] = ["year"], ["dob"] = ["date", "of", "birth"],
        ["desc"] = ["description"], ["descr"] = ["description"], ["addr"] = ["address"], ["cnt"] = ["count"],
        ["dept"] = ["department"], ["emp"] = ["employee"], ["mgr"] = ["manager"], ["org"] = ["organization"],
        ["loc"] = ["location"], ["lang"] = ["language"], ["cust"] = ["customer"], ["prod"] = ["product"],
        ["tot"] = ["total"], ["fname"] = ["first", "name"], ["lname"] = ["last", "name"], ["min"] = ["minimum"],
        ["max"] = ["maximum"], ["temp"] = ["temperature"], ["dt"] = ["date"], ["ts"] = ["timestamp"],
        ["mpg"] = ["miles", "per", "gallon"], ["hp"] = ["horsepower"], ["gnp"] = ["gross", "national", "product"],
        ["gdp"] = ["gross", "domestic", "product"], ["pop"] = ["population"], ["info"] = ["information"],
        ["cat"] = ["category"], ["sq"] = ["square"], ["ft"] = ["feet"], ["km"] = ["kilometers"], ["mm"] = ["millimeters"],
        ["yn"] = ["yes", "no"], ["id"] = ["id"], ["ids"] = ["id"], ["acc"] = ["account"], ["bal"] = ["balance"],
        ["std"] = ["student"], ["stu"] = ["student"], ["indep"] = ["independence"], ["govt"] = ["government"],
    };

    /// <summary>Words that mean the same thing in questions about data, grouped; each maps to the group's first word's stem.</summary>
    private static readonly string[][] SynonymGroups =
    [
        ["name", "named", "called"],
        ["city", "town"],
        ["country", "nation"],
        ["cost", "price"],
        ["age", "old"],
        ["id", "identifier"],
        ["salary", "wage", "income"],
        ["phone", "telephone"],
        ["email", "mail"],
        ["sex", "gender"],
        ["birthday", "birthdate"],
        ["percentage", "percent"],
        ["description", "details", "detail"],
        ["rank", "ranking"],
        ["average", "mean"],
        ["company", "firm"],
        ["airline", "carrier"],
        ["population", "people", "inhabitants", "residents"],
    ];

    private static readonly Dictionary<string, string> SynonymCanon = BuildCanon();

    private static Dictionary<string, string> BuildCanon()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in SynonymGroups)
        {
            var canon = Stem(g[0]);
            foreach (var w in g)
            {
                d.TryAdd(Stem(w), canon);
            }
        }

        return d;
    }

    /// <summary>The comparable form of a plain word: its stem's synonym-group representative ("names" → "nam", "town" → "city").</summary>
    public static string Key(string word) => Canon(Stem(word));

    /// <summary>The synonym-group representative of a stem (itself when in no group).</summary>
    public static string Canon(string stem) => SynonymCanon.TryGetValue(stem, out var c) ? c : stem;
}
