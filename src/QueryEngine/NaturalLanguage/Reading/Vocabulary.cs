namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>What a built-in phrase means.</summary>
internal enum Kw
{
    HowMany,
    CountOf,
    HowMuch,
    Sum,
    Avg,
    Max,
    Min,
    Median,
    Superlative,
    Comparative,
    Compare,
    PostCompare,
    Between,
    And,
    Or,
    Not,
    GroupBy,
    OrderBy,
    Asc,
    Desc,
    Top,
    Bottom,
    Distinct,
    Null,
    NotNull,
    Star,
    Percent,
    TimeUnit,
    TimeAdjective,
    Month,
    Quarter,
    Relative,
    Like,
    StartsWith,
    EndsWith,
    Which,
    List,
    Each,
    Than,
    True,
    False,
    Times,
    Range,
    Versus,
    Season,
    Rate,
    Weekend,
}

/// <summary>A built-in phrase's meaning and payload.</summary>
/// <param name="Kind">What it means.</param>
/// <param name="Op">Comparison operator for Compare/PostCompare/Comparative.</param>
/// <param name="Descending">Direction for superlatives and orderings.</param>
/// <param name="Implied">Column words an adjective implies ("oldest" → age), most telling first.</param>
/// <param name="Number">Month number, quarter number or time unit index.</param>
/// <param name="Unit">Time unit for TimeUnit/TimeAdjective/Relative ("year", "month", "quarter", "week", "day").</param>
/// <param name="InvertForDates">For "oldest"/"youngest": the direction flips on date and year columns (oldest = earliest birth date).</param>
/// <param name="Judgement">For "best" (+1) and "worst" (-1): the direction depends on whether more of the column is good.</param>
internal sealed record KwInfo(Kw Kind, string? Op = null, bool Descending = false, string[]? Implied = null, int Number = 0, string? Unit = null, bool InvertForDates = false, int Judgement = 0);

/// <summary>The built-in phrases the offline translator knows, independent of any dataset.</summary>
internal static class Vocabulary
{
    /// <summary>Phrases keyed by their first lower-case word; each entry is (words, meanings). Longest phrases first.</summary>
    public static readonly IReadOnlyDictionary<string, (string[] Words, KwInfo[] Infos)[]> Phrases = Build();

    /// <summary>Words that carry no meaning of their own in a question about data.</summary>
    public static readonly IReadOnlySet<string> Filler = new HashSet<string>(StringComparer.Ordinal)
    {
        "the", "a", "an", "of", "for", "to", "in", "on", "at", "with", "from", "is", "are", "was", "were", "be", "been", "being",
        "do", "does", "did", "has", "have", "had", "having", "me", "us", "we", "our", "ours", "i", "my", "you", "your", "they", "their",
        "them", "it", "its", "this", "that", "these", "those", "there", "here", "please", "can", "could", "would", "should", "will",
        "shall", "might", "must", "want", "wanted", "need", "know", "see", "tell", "show", "give", "list", "find", "get", "display", "return",
        "provide", "report", "compute", "calculate", "what", "which", "who", "whom", "whose", "where", "when", "how", "why", "all",
        "any", "some", "also", "just", "so", "then", "as", "such", "about", "around", "approximately", "roughly", "data", "dataset",
        "table", "database", "info", "information", "record", "records", "row", "rows", "entries", "entry", "value", "values",
        "result", "results", "exist", "exists", "currently", "ever", "together", "respectively", "and", "or", "by", "per", "each",
        "every", "into", "out", "up", "down", "over", "under", "than", "both", "either", "neither", "nor", "own", "same", "other",
        "one", "ones", "kind", "kinds", "type", "types", "sort", "make", "made", "done", "happen", "happened", "occur", "occurred",
        "respective", "corresponding", "associated", "related", "along", "including", "whole", "entire", "available", "existing",
        "listed", "shown", "recorded", "registered", "stored", "known", "given", "present", "current", "currently", "now", "ok",
        "okay", "hey", "hi", "thanks", "thank", "let", "let's", "like", "look", "looking", "interested", "curious", "wondering",
        "want", "wish", "able", "possible", "mind", "quick", "quickly", "also", "again", "instead", "yet", "still", "even",
        "really", "actually", "basically", "exactly", "precisely", "specifically", "particular", "certain", "various",
        "amount", "number", "numbers", "figure", "figures", "stats", "statistics", "stat", "metric", "metrics", "breakdown",
        "summary", "summarize", "overview", "detail", "details", "name", "names", "called", "named", "where", "while", "if",
        "during", "since", "after", "before", "until", "till", "through", "between", "across", "among", "amongst", "within", "without",
        "whether", "many", "much", "more", "less", "most", "least", "well", "too", "very", "am", "use", "used", "using", "via",
        "altogether", "combined", "overall", "lot", "lots", "based", "regarding", "concerning", "whats", "whose", "thing", "things",
        "everything", "anything", "something", "someone", "anyone", "everyone", "anybody", "everybody", "got", "gets", "getting",
        "go", "goes", "went", "gone", "take", "took", "place", "placed", "happen", "happens", "number", "note", "that", "which",
        "whom", "ones", "people", "person", "having", "contain", "belong", "belongs", "belonging", "situated", "located",
    };

    /// <summary>
    /// Adjectives and adverbs that usually narrow a question ("arrived early", "expensive orders"). When one cannot
    /// be placed the translator refuses rather than answer a broader question than the one asked.
    /// </summary>
    public static readonly IReadOnlySet<string> Qualifiers = new HashSet<string>(StringComparer.Ordinal)
    {
        "early", "late", "delayed", "expensive", "cheap", "big", "small", "large", "huge", "tiny", "new", "old", "recent", "recently", "long",
        "short", "high", "low", "good", "bad", "popular", "unpopular", "young", "rich", "poor", "fast", "slow", "heavy", "light", "active",
        "inactive", "open", "closed", "completed", "complete", "incomplete", "pending", "failed", "successful", "valid", "invalid", "positive",
        "negative", "profitable", "unprofitable", "loyal", "frequent", "rare", "senior", "junior", "domestic", "international", "local", "foreign",
        "weekend", "weekends", "weekday", "weekdays", "morning", "evening", "night", "overnight", "summer", "winter", "spring", "autumn",
        "holiday", "holidays", "returning", "repeat", "premium", "discounted", "overdue", "refunded", "cancelled", "canceled", "approved",
        "rejected", "male", "female", "adult", "child", "children", "major", "minor", "top", "bottom", "upper", "lower", "northern", "southern",
        "eastern", "western", "urban", "rural", "profit", "loss", "empty", "full", "busy", "quiet", "hot", "cold", "wet", "dry", "big",
    };

    /// <summary>Single words that are also common English: a value spelled like one is linked only when capitalised or next to its column's name.</summary>
    public static readonly IReadOnlySet<string> AmbiguousValueWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "good", "fair", "fine", "great", "average", "high", "low", "new", "old", "best", "poor", "excellent", "standard",
        "regular", "normal", "other", "unknown", "none", "small", "medium", "large", "big", "top", "bottom", "free", "open",
        "closed", "active", "total", "yes", "no", "true", "false", "all", "any", "one", "first", "last", "next", "may", "march",
        "will", "can", "us", "it", "as", "if", "or", "and", "in", "on", "at", "to", "of", "is", "by", "up", "me", "be", "do",
        "go", "so", "an", "a", "i", "the", "for", "per", "each", "most", "more", "less", "least", "same", "very", "day", "days",
        "year", "month", "week", "time", "times", "order", "orders", "name", "type", "show", "list",
        "count", "number", "over", "under", "above", "below", "between", "from", "with", "without", "not", "what", "which", "who",
        "when", "where", "how", "many", "much", "some", "only", "just", "also", "there", "here", "this", "that", "these", "those",
    };

    /// <summary>Nationality and regional adjectives, and the place names a profiled value may use for them.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Demonyms = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["american"] = ["United States", "USA", "US", "United States of America", "America"], ["british"] = ["United Kingdom", "UK", "Great Britain", "England"],
        ["english"] = ["England", "United Kingdom", "UK", "English"], ["french"] = ["France", "French"], ["german"] = ["Germany", "German"],
        ["italian"] = ["Italy", "Italian"], ["spanish"] = ["Spain", "Spanish"], ["dutch"] = ["Netherlands", "The Netherlands", "Holland", "Dutch"],
        ["canadian"] = ["Canada"], ["mexican"] = ["Mexico"], ["brazilian"] = ["Brazil"], ["argentine"] = ["Argentina"], ["argentinian"] = ["Argentina"],
        ["chinese"] = ["China", "Chinese"], ["japanese"] = ["Japan", "Japanese"], ["korean"] = ["Korea", "South Korea", "Republic of Korea", "Korean"],
        ["indian"] = ["India"], ["australian"] = ["Australia"], ["russian"] = ["Russia", "Russian Federation", "Russian"], ["swedish"] = ["Sweden", "Swedish"],
        ["norwegian"] = ["Norway"], ["danish"] = ["Denmark"], ["finnish"] = ["Finland"], ["polish"] = ["Poland"], ["irish"] = ["Ireland"],
        ["scottish"] = ["Scotland"], ["welsh"] = ["Wales"], ["swiss"] = ["Switzerland"], ["austrian"] = ["Austria"], ["belgian"] = ["Belgium"],
        ["portuguese"] = ["Portugal"], ["greek"] = ["Greece"], ["turkish"] = ["Turkey"], ["egyptian"] = ["Egypt"], ["african"] = ["Africa"],
        ["asian"] = ["Asia"], ["european"] = ["Europe"], ["south american"] = ["South America"], ["north american"] = ["North America"],
        ["caribbean"] = ["Caribbean"], ["french-speaking"] = ["French"], ["hungarian"] = ["Hungary"], ["czech"] = ["Czech Republic", "Czechia"],
        ["ukrainian"] = ["Ukraine"], ["israeli"] = ["Israel"], ["iranian"] = ["Iran"], ["iraqi"] = ["Iraq"], ["saudi"] = ["Saudi Arabia"],
        ["nigerian"] = ["Nigeria"], ["kenyan"] = ["Kenya"], ["chilean"] = ["Chile"], ["colombian"] = ["Colombia"], ["peruvian"] = ["Peru"],
        ["cuban"] = ["Cuba"], ["thai"] = ["Thailand"], ["vietnamese"] = ["Vietnam", "Viet Nam"], ["indonesian"] = ["Indonesia"],
        ["filipino"] = ["Philippines"], ["pakistani"] = ["Pakistan"], ["new zealander"] = ["New Zealand"], ["texan"] = ["Texas"],
        ["californian"] = ["California"], ["floridian"] = ["Florida"],
    };

    private static Dictionary<string, (string[] Words, KwInfo[] Infos)[]> Build()
    {
        var list = new List<(string Phrase, KwInfo Info)>();
        void Add(KwInfo info, params string[] phrases)
        {
            foreach (var p in phrases)
            {
                list.Add((p, info));
            }
        }

        Add(new(Kw.HowMany), "how many", "how many times", "how often", "what number of", "what is the number of", "count the number of", "count how many");
        Add(new(Kw.CountOf), "number of", "count of", "count", "counts", "tally of", "tally", "total number of", "the number of", "no of", "no. of",
            "frequency of", "frequency", "counted", "counting", "totals of");
        Add(new(Kw.HowMuch), "how much");
        Add(new(Kw.Sum), "total", "sum", "sum of", "combined", "in total", "altogether", "aggregate", "overall", "cumulative", "totals", "total of", "summed", "sum up", "add up");
        Add(new(Kw.Avg), "average", "avg", "mean", "averages", "on average", "typical", "average of", "averaged", "mean of");
        Add(new(Kw.Max, Descending: true), "maximum", "max", "highest", "largest", "biggest", "greatest", "most", "peak", "max.", "the most", "highest possible",
            "top most", "maximal", "record", "latest value", "longest");
        Add(new(Kw.Min, Descending: false), "minimum", "min", "lowest", "smallest", "least", "fewest", "min.", "the least", "the fewest", "minimal", "shortest");
        Add(new(Kw.Max, Descending: true, Judgement: 1), "best", "the best");
        Add(new(Kw.Max, Descending: true, Judgement: -1), "worst", "the worst");
        Add(new(Kw.Range), "range", "range of", "spread", "min and max", "minimum and maximum", "lowest and highest", "smallest and largest");
        Add(new(Kw.Median), "median", "middle value");

        // Superlative adjectives that imply a column.
        Add(new(Kw.Superlative, Descending: true, Implied: ["age", "birth", "date", "year", "founded", "established", "built"], InvertForDates: true), "oldest", "eldest");
        Add(new(Kw.Superlative, Descending: false, Implied: ["age", "birth", "date", "year", "founded", "established", "built"], InvertForDates: true), "youngest");
        Add(new(Kw.Superlative, Descending: true, Implied: ["date", "year", "time", "created", "founded", "opened", "established", "built"]), "newest", "latest", "most recent", "most recently", "last", "recent", "latest-dated", "the last", "the latest", "the most recent", "the newest");
        Add(new(Kw.Superlative, Descending: false, Implied: ["date", "year", "time", "created", "founded", "opened", "established", "built"]), "earliest", "first", "the earliest", "the first");
        Add(new(Kw.Superlative, Descending: true, Implied: ["price", "cost", "charge", "amount", "fee", "value"]), "most expensive", "priciest", "costliest", "most costly");
        Add(new(Kw.Superlative, Descending: false, Implied: ["price", "cost", "charge", "amount", "fee", "value"]), "cheapest", "least expensive", "lowest priced", "lowest-priced", "least costly");
        Add(new(Kw.Superlative, Descending: true, Implied: ["weight", "carat", "mass"]), "heaviest");
        Add(new(Kw.Superlative, Descending: false, Implied: ["weight", "carat", "mass"]), "lightest");
        Add(new(Kw.Superlative, Descending: true, Implied: ["height", "tall"]), "tallest");
        Add(new(Kw.Superlative, Descending: true, Implied: ["length", "duration", "distance", "minutes", "time", "long"]), "longest");
        Add(new(Kw.Superlative, Descending: false, Implied: ["height", "length", "duration", "distance", "minutes", "time"]), "shortest");
        Add(new(Kw.Superlative, Descending: true, Implied: ["speed", "velocity"]), "fastest", "quickest");
        Add(new(Kw.Superlative, Descending: false, Implied: ["speed", "velocity"]), "slowest");
        Add(new(Kw.Superlative, Descending: true, Implied: ["money", "earnings", "wealth", "worth", "income", "revenue", "salary"]), "richest", "wealthiest", "highest paid", "highest-paid", "best paid");
        Add(new(Kw.Superlative, Descending: false, Implied: ["money", "earnings", "wealth", "worth", "income", "revenue", "salary"]), "poorest", "lowest paid", "lowest-paid");
        Add(new(Kw.Superlative, Descending: true, Implied: ["quantity", "units", "sales", "revenue", "sold"]), "best selling", "best-selling", "top selling", "top-selling", "bestselling", "most sold");
        Add(new(Kw.Superlative, Descending: false, Implied: ["quantity", "units", "sales", "revenue", "sold"]), "worst selling", "worst-selling", "least sold");
        Add(new(Kw.Superlative, Descending: true, Implied: ["rating", "rated", "score", "stars"]), "highest rated", "highest-rated", "best rated", "best-rated", "top rated", "top-rated");
        Add(new(Kw.Superlative, Descending: false, Implied: ["rating", "rated", "score", "stars"]), "lowest rated", "lowest-rated", "worst rated", "worst-rated");
        Add(new(Kw.Superlative, Descending: true, Implied: ["profit", "margin"]), "most profitable");
        Add(new(Kw.Superlative, Descending: false, Implied: ["profit", "margin"]), "least profitable");
        Add(new(Kw.Superlative, Descending: true, Implied: ["delay", "delayed", "late"]), "most delayed", "latest arriving");
        Add(new(Kw.Superlative, Descending: true, Implied: ["population", "populous"]), "most populous", "most populated");
        Add(new(Kw.Superlative, Descending: true, Implied: ["area", "size", "surface"]), "largest area", "biggest area");
        Add(new(Kw.Superlative, Descending: true, Implied: ["size", "area", "capacity", "carat", "weight", "volume", "population", "surface", "length"]), "largest", "biggest");
        Add(new(Kw.Superlative, Descending: false, Implied: ["size", "area", "capacity", "carat", "weight", "volume", "population", "surface", "length"]), "smallest");
        Add(new(Kw.Superlative, Descending: true, Implied: ["#count"]), "most common", "most frequent", "most popular", "busiest", "most used", "most often", "most frequently", "most commonly", "the most common", "most visited");
        Add(new(Kw.Superlative, Descending: false, Implied: ["#count"]), "least common", "least frequent", "least popular", "least used", "rarest", "least often", "least frequently", "least commonly", "quietest");

        // Comparative adjectives that imply a column.
        Add(new(Kw.Comparative, Op: ">", Implied: ["age", "birth", "date", "year"], InvertForDates: true), "older than", "elder than");
        Add(new(Kw.Comparative, Op: "<", Implied: ["age", "birth", "date", "year"], InvertForDates: true), "younger than");
        Add(new(Kw.Comparative, Op: ">", Implied: ["price", "cost", "charge", "amount", "fee", "value"]), "more expensive than", "pricier than", "costlier than", "costing more than", "priced above", "priced over", "priced at more than", "priced higher than");
        Add(new(Kw.Comparative, Op: "<", Implied: ["price", "cost", "charge", "amount", "fee", "value"]), "cheaper than", "less expensive than", "costing less than", "priced below", "priced under", "priced at less than", "priced lower than");
        Add(new(Kw.Comparative, Op: ">", Implied: ["weight", "carat", "mass"]), "heavier than", "weighing more than", "weigh more than", "weighs more than");
        Add(new(Kw.Comparative, Op: "<", Implied: ["weight", "carat", "mass"]), "lighter than", "weighing less than", "weigh less than", "weighs less than");
        Add(new(Kw.Comparative, Op: ">", Implied: ["height"]), "taller than");
        Add(new(Kw.Comparative, Op: ">", Implied: ["length", "duration", "distance", "minutes", "time"]), "longer than", "lasting more than", "lasted more than");
        Add(new(Kw.Comparative, Op: "<", Implied: ["height", "length", "duration", "distance", "minutes", "time"]), "shorter than");
        Add(new(Kw.Comparative, Op: ">", Implied: ["date", "year", "time"]), "later than", "newer than");
        Add(new(Kw.Comparative, Op: "<", Implied: ["date", "year", "time"]), "earlier than");
        Add(new(Kw.Comparative, Op: ">", Implied: ["speed"]), "faster than");
        Add(new(Kw.Comparative, Op: "<", Implied: ["speed"]), "slower than");

        // Comparisons.
        Add(new(Kw.Compare, Op: ">"), "more than", "greater than", "larger than", "bigger than", "higher than", "over", "above", "exceeding", "exceeds",
            "exceed", "exceeded", "in excess of", "greater", "after", ">", "upwards of", "north of", "beyond", "past");
        Add(new(Kw.Compare, Op: ">="), "at least", "no less than", "not less than", "no fewer than", "not fewer than", "minimum of", "a minimum of", ">=",
            "greater than or equal to", "more than or equal to", "at minimum", "equal or greater than", "equal to or greater than",
            "greater or equal to", "greater than or equal", "or more than", "starting from", "starting at");
        Add(new(Kw.Compare, Op: "<"), "less than", "fewer than", "lower than", "smaller than", "under", "below", "beneath", "before", "<", "within", "south of");
        Add(new(Kw.Compare, Op: "<="), "at most", "no more than", "not more than", "no greater than", "not greater than", "up to", "maximum of", "a maximum of",
            "<=", "less than or equal to", "fewer than or equal to", "equal or less than", "equal to or less than", "less or equal to", "at maximum", "or less than");
        Add(new(Kw.Compare, Op: "="), "equal to", "equals", "equal", "exactly", "=", "is equal to", "of exactly", "precisely");
        Add(new(Kw.Compare, Op: "<>"), "not equal to", "<>", "different from", "other than", "unequal to", "does not equal", "not");
        Add(new(Kw.PostCompare, Op: ">="), "or more", "or greater", "or higher", "or above", "and above", "and up", "and over", "or over", "or later", "or older", "and more", "+", "plus", "or bigger", "or larger", "at least", "minimum", "or after", "and after", "onwards", "onward", "and later", "or newer");
        Add(new(Kw.PostCompare, Op: "<="), "or less", "or fewer", "or lower", "or below", "and below", "and under", "or under", "or earlier", "or younger", "or smaller", "at most", "maximum", "or before", "and before", "and earlier");
        Add(new(Kw.Between), "between", "in the range", "in the range of", "ranging from", "range from", "from");
        Add(new(Kw.And), "and", "as well as", "along with", "together with", "&");
        Add(new(Kw.Or), "or", "either", "and/or", "nor");
        Add(new(Kw.Not), "not", "excluding", "exclude", "excluded", "except", "except for", "besides", "apart from", "but not", "aside from", "other than", "never", "non",
            "outside", "outside of", "without including", "not counting", "not including", "without counting", "leaving out", "ignoring", "ignore", "omitting", "isn't", "no longer", "neither");
        Add(new(Kw.GroupBy), "by", "per", "for each", "for every", "in each", "across", "broken down by", "break down by", "breakdown by", "grouped by", "group by",
            "split by", "by each", "within each", "of each", "of every", "in every", "break it down by", "broken out by",
            "segmented by", "categorized by", "over each", "according to", "grouped", "for the different", "for different", "in different", "wise");
        Add(new(Kw.OrderBy), "sorted by", "sort by", "ordered by", "order by", "in order of", "ranked by", "rank by", "arranged by", "sorted", "ordered", "sort",
            "rank", "ranked", "order", "in the order of", "arrange", "arranged", "sort them by", "order them by", "sorted on", "ordered on", "in terms of", "sort it by", "rank them by");
        foreach (var (phrase, desc) in new[]
        {
            ("in ascending order of", false), ("in descending order of", true), ("ascending order of", false), ("descending order of", true),
            ("in increasing order of", false), ("in decreasing order of", true), ("in alphabetical order of", false), ("in reverse alphabetical order of", true),
            ("in the ascending order of", false), ("in the descending order of", true), ("ordered descending by", true), ("ordered ascending by", false),
            ("sorted descending by", true), ("sorted ascending by", false), ("in descending order by", true), ("in ascending order by", false),
        })
        {
            Add(new(Kw.OrderBy, Descending: desc), phrase);
            Add(new(desc ? Kw.Desc : Kw.Asc, Descending: desc), phrase);
        }

        Add(new(Kw.Desc, Descending: true, InvertForDates: true), "from the oldest to the youngest", "oldest to youngest", "from oldest to youngest", "from old to young", "old to young", "from the eldest to the youngest");
        Add(new(Kw.Asc, InvertForDates: true), "from the youngest to the oldest", "youngest to oldest", "from youngest to oldest", "from young to old", "young to old");
        // "sorted from largest": where an ordering starts, not a range.
        Add(new(Kw.Desc, Descending: true), "from largest", "from the largest", "from highest", "from the highest", "from biggest", "from the biggest", "from most", "from the most",
            "starting with the largest", "starting with the highest", "starting from the largest", "starting from the highest");
        Add(new(Kw.Asc), "from smallest", "from the smallest", "from lowest", "from the lowest", "from least", "from the least", "from fewest", "from the fewest",
            "starting with the smallest", "starting with the lowest", "starting from the smallest", "starting from the lowest");
        Add(new(Kw.Desc, Descending: true, Judgement: -1), "worst first", "worst to best");
        Add(new(Kw.Desc, Descending: true, Judgement: 1), "best first", "best to worst");
        Add(new(Kw.Weekend, Number: 1), "weekend", "weekends", "the weekend", "on weekends", "at the weekend", "on the weekend", "saturdays and sundays");
        Add(new(Kw.Weekend, Number: 0), "weekday", "weekdays", "on weekdays", "working days", "business days");
        Add(new(Kw.Asc), "ascending", "increasing", "asc", "alphabetical", "alphabetically", "a to z", "a-z", "lowest to highest", "smallest to largest", "low to high",
            "least to most", "lowest first", "smallest first", "cheapest first", "fewest first", "earliest first", "increasing order", "ascending order",
            "alphabetic", "lexicographic", "lexicographical", "least first", "oldest to newest", "earliest to latest", "shortest to longest", "min to max");
        Add(new(Kw.Desc), "descending", "decreasing", "desc", "reverse alphabetical", "z to a", "z-a", "highest to lowest", "largest to smallest", "high to low",
            "most to least", "highest first", "largest first", "most first", "latest first", "newest first", "biggest first", "reverse order", "descending order",
            "decreasing order", "reverse", "reversed", "reversed alphabetical", "reverse lexicographical", "reversed lexicographical", "reverse lexicographic", "longest to shortest", "newest to oldest", "latest to earliest", "max to min", "most recent first");
        Add(new(Kw.Top, Descending: true), "top", "first", "leading", "best");
        Add(new(Kw.Bottom), "bottom", "last", "worst");
        Add(new(Kw.Distinct), "distinct", "different", "unique", "various", "all different", "all distinct", "all unique", "individual", "separate", "possible", "all possible", "combinations", "combination", "pairs of");
        Add(new(Kw.Null), "no", "without", "missing", "null", "empty", "blank", "unknown", "not recorded", "no recorded", "unrecorded", "unspecified",
            "not specified", "n/a", "lacking", "lack", "lacks", "with no", "has no", "have no", "had no", "is missing", "are missing", "is null", "are null",
            "not set", "not available", "not known", "unset", "is empty", "are empty", "none", "no value", "no known", "not given", "not provided", "unassigned", "not assigned");
        Add(new(Kw.NotNull), "not null", "non-null", "not missing", "not empty", "is not null", "are not null", "with a recorded", "with a known", "with known",
            "with recorded", "that have a", "that has a", "with an", "is known", "are known", "is recorded", "are recorded", "non null", "nonnull", "not blank",
            "is present", "specified", "has a", "have a", "with a");
        Add(new(Kw.Star), "all information", "all the information", "all info", "all details", "all the details", "all columns", "all the columns", "everything",
            "all data", "all the data", "full details", "all fields", "every column", "all attributes", "all the info", "all records", "complete details", "full information");
        Add(new(Kw.Percent), "percentage of", "percent of", "what percentage", "what percent", "share of", "proportion of", "fraction of", "percentage", "proportion",
            "what share", "what fraction", "rate of", "ratio of");
        Add(new(Kw.TimeUnit, Unit: "year"), "year", "years", "calendar year");
        Add(new(Kw.TimeUnit, Unit: "month"), "month", "months", "calendar month");
        Add(new(Kw.TimeUnit, Unit: "quarter"), "quarter", "quarters");
        Add(new(Kw.TimeUnit, Unit: TimeUnits.MonthOfYear), "month of the year", "months of the year", "month of year", "time of year", "time of the year");
        Add(new(Kw.TimeUnit, Unit: TimeUnits.QuarterOfYear), "quarter of the year", "quarters of the year", "quarter of year");
        Add(new(Kw.TimeUnit, Unit: "week"), "week", "weeks");
        Add(new(Kw.TimeUnit, Unit: "day"), "day", "days", "date", "dates");
        Add(new(Kw.TimeAdjective, Unit: "year"), "yearly", "annual", "annually", "year over year", "year-over-year", "each year", "every year", "per year", "by year", "year by year");
        Add(new(Kw.TimeAdjective, Unit: "month"), "monthly", "month by month", "each month", "every month", "per month", "by month", "month over month", "over time", "trend", "over the months");
        Add(new(Kw.TimeAdjective, Unit: TimeUnits.MonthOfYear), "by month of the year", "by month of year", "per month of the year", "for each month of the year",
            "each month of the year", "seasonality", "seasonal", "seasonally", "seasonal pattern", "seasonal trend");
        Add(new(Kw.TimeAdjective, Unit: TimeUnits.QuarterOfYear), "by quarter of the year", "by quarter of year", "per quarter of the year", "each quarter of the year");
        Add(new(Kw.TimeAdjective, Unit: "quarter"), "quarterly", "each quarter", "every quarter", "per quarter", "by quarter");
        Add(new(Kw.TimeAdjective, Unit: "week"), "weekly", "each week", "every week", "per week", "by week");
        Add(new(Kw.TimeUnit, Unit: TimeUnits.DayOfWeek), "day of the week", "day of week", "days of the week", "days of week");
        Add(new(Kw.TimeAdjective, Unit: TimeUnits.DayOfWeek), "by day of the week", "by day of week", "per day of the week", "per day of week", "for each day of the week",
            "each day of the week", "by weekday", "per weekday", "for each weekday", "each weekday", "which weekday", "what weekday", "which day of the week",
            "what day of the week", "which day of week", "what day of week", "by days of the week");
        Add(new(Kw.TimeAdjective, Unit: "day"), "daily", "each day", "every day", "per day", "by day", "day by day");
        string[][] months =
        [
            ["january", "jan"], ["february", "feb"], ["march", "mar"], ["april", "apr"], ["may"], ["june", "jun"], ["july", "jul"],
            ["august", "aug"], ["september", "sep", "sept"], ["october", "oct"], ["november", "nov"], ["december", "dec"],
        ];
        for (var m = 0; m < months.Length; m++)
        {
            Add(new(Kw.Month, Number: m + 1), months[m]);
        }

        Add(new(Kw.Rate), "rate", "rates");
        Add(new(Kw.Versus), "vs", "vs.", "versus", "compared to", "compared with", "against", "v.", "in comparison to", "relative to");
        Add(new(Kw.Season, Number: 1, Unit: "half"), "first half", "the first half", "h1", "1st half");
        Add(new(Kw.Season, Number: 7, Unit: "half"), "second half", "the second half", "h2", "2nd half");
        Add(new(Kw.Season, Number: 6), "summer", "summertime", "the summer");
        Add(new(Kw.Season, Number: 9), "autumn", "fall", "the fall", "the autumn");
        Add(new(Kw.Season, Number: 12), "winter", "wintertime", "the winter");
        Add(new(Kw.Season, Number: 3), "spring", "springtime", "the spring");
        Add(new(Kw.Quarter, Number: 1), "q1", "first quarter", "1st quarter", "quarter 1", "quarter one", "the first quarter", "the 1st quarter");
        Add(new(Kw.Quarter, Number: 2), "q2", "second quarter", "2nd quarter", "quarter 2", "quarter two", "the second quarter", "the 2nd quarter");
        Add(new(Kw.Quarter, Number: 3), "q3", "third quarter", "3rd quarter", "quarter 3", "quarter three", "the third quarter", "the 3rd quarter");
        Add(new(Kw.Quarter, Number: 4), "q4", "fourth quarter", "4th quarter", "quarter 4", "quarter four", "last quarter of", "the fourth quarter", "the 4th quarter", "the last quarter of");
        Add(new(Kw.Relative, Unit: "last"), "last", "previous", "past", "prior", "preceding", "the last", "the past", "the previous", "over the last", "over the past", "in the last", "in the past", "during the last", "during the past");
        Add(new(Kw.Relative, Unit: "this"), "this", "current", "the current", "so far this", "to date");
        Add(new(Kw.Relative, Unit: "ytd"), "ytd", "year to date", "year-to-date");
        Add(new(Kw.Like), "contain", "contains", "containing", "including", "includes", "include", "like", "with the word", "with the substring", "has the word",
            "have the word", "containing the word", "containing the substring", "contains the word", "contains the substring", "mention", "mentions", "mentioning", "with the phrase", "matching",
            "has substring", "with substring", "have substring", "has the substring", "with the substring", "contains substring", "containing substring",
            "with the letter", "has the letter", "have the letter", "containing the letter", "contains the letter", "contain the letter", "with a letter", "that contain", "which contain", "with the string", "containing the string");
        Add(new(Kw.StartsWith), "starting with", "starts with", "start with", "begins with", "beginning with", "begin with", "that start with", "starting with the letter", "starts with the letter", "beginning with the letter", "begins with the letter", "prefix");
        Add(new(Kw.EndsWith), "ending with", "ends with", "end with", "ending in", "ends in", "end in", "suffix");
        Add(new(Kw.Which), "which", "what", "who", "whom", "whose", "where", "when", "what are", "what is", "what were", "what was", "which are", "which is", "who are", "who is");
        Add(new(Kw.List), "list", "show", "give", "display", "find", "get", "return", "tell", "name", "identify", "report", "enumerate", "fetch", "retrieve", "pull", "provide", "select");
        Add(new(Kw.Each), "each", "every", "all", "any", "each of the", "all of the", "all the", "every one of");
        Add(new(Kw.Than), "than");
        Add(new(Kw.True), "true", "yes");
        Add(new(Kw.False), "false");
        Add(new(Kw.Times), "times");

        return list
            .Select(p => (Words: Tokenizer.Tokenize(p.Phrase).Select(t => t.Lower).ToArray(), p.Info))
            .Where(p => p.Words.Length > 0)
            .GroupBy(p => string.Join(' ', p.Words), StringComparer.Ordinal)
            .Select(g => (Words: g.First().Words, Infos: g.Select(x => x.Info).ToArray()))
            .GroupBy(p => p.Words[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Words.Length).ToArray(), StringComparer.Ordinal);
    }
}

/// <summary>Time bucket units beyond the plain periods ("year", "quarter", "month", "week", "day").</summary>
internal static class TimeUnits
{
    /// <summary>Month numbers pooled over the years ("by month of the year", "seasonality").</summary>
    public const string MonthOfYear = "month of year";

    /// <summary>Quarter numbers pooled over the years ("by quarter of the year").</summary>
    public const string QuarterOfYear = "quarter of year";

    /// <summary>Days of the week pooled over the weeks ("orders per day of week"): the day's name, Monday first.</summary>
    public const string DayOfWeek = "day of week";
}
