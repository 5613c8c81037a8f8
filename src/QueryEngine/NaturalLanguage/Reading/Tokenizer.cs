using System.Globalization;
using System.Text;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Kinds of question tokens.</summary>
internal enum TokenKind
{
    /// <summary>A word (letters, digits inside words, apostrophes).</summary>
    Word,

    /// <summary>A number, possibly with a currency sign, thousands separators, a percent sign or a k/m suffix.</summary>
    Number,

    /// <summary>Text in quotes.</summary>
    Quoted,

    /// <summary>A calendar date such as 2023-11-24.</summary>
    Date,

    /// <summary>Punctuation or an operator such as &gt;=.</summary>
    Symbol,
}

/// <summary>One token of a question.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Start, int End)
{
    /// <summary>Lower-case text.</summary>
    public string Lower { get; init; } = Text.ToLowerInvariant();

    /// <summary>Light stem of <see cref="Lower"/>.</summary>
    public string Stem { get; init; } = WordForms.Stem(Text);

    /// <summary>The numeric value of a number token or a number word.</summary>
    public decimal? Number { get; init; }

    /// <summary>The number was written with a percent sign or followed by "percent".</summary>
    public bool Percent { get; init; }

    /// <summary>The number was spelled as a word ("two").</summary>
    public bool IsNumberWord { get; init; }

    /// <summary>The date of a date token.</summary>
    public DateOnly? Date { get; init; }

    /// <summary>The word starts with an upper-case letter.</summary>
    public bool Capitalized => Text.Length > 0 && char.IsUpper(Text[0]);

    /// <summary>The word is written all in capitals (two letters or more), as codes are.</summary>
    public bool AllCaps => Text.Length > 1 && Text.All(c => !char.IsLetter(c) || char.IsUpper(c)) && Text.Any(char.IsLetter);

    /// <summary>The token was glued to the previous one by a hyphen or slash ("T-Shirt").</summary>
    public bool Joined { get; init; }

    /// <summary>Position in the token list.</summary>
    public int Index { get; init; }
}

/// <summary>Splits a question into tokens.</summary>
internal static class Tokenizer
{
    private static readonly Dictionary<string, decimal> NumberWords = new(StringComparer.Ordinal)
    {
        ["zero"] = 0, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7,
        ["eight"] = 8, ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["thirteen"] = 13, ["fourteen"] = 14,
        ["fifteen"] = 15, ["sixteen"] = 16, ["seventeen"] = 17, ["eighteen"] = 18, ["nineteen"] = 19, ["twenty"] = 20,
        ["thirty"] = 30, ["forty"] = 40, ["fifty"] = 50, ["sixty"] = 60, ["seventy"] = 70, ["eighty"] = 80, ["ninety"] = 90,
        ["hundred"] = 100, ["thousand"] = 1000, ["dozen"] = 12, ["half"] = 0.5m,
    };

    private static readonly Dictionary<string, string[]> Contractions = new(StringComparer.Ordinal)
    {
        ["don't"] = ["do", "not"], ["doesn't"] = ["does", "not"], ["didn't"] = ["did", "not"], ["isn't"] = ["is", "not"],
        ["aren't"] = ["are", "not"], ["wasn't"] = ["was", "not"], ["weren't"] = ["were", "not"], ["hasn't"] = ["has", "not"],
        ["haven't"] = ["have", "not"], ["hadn't"] = ["had", "not"], ["can't"] = ["can", "not"], ["cannot"] = ["can", "not"],
        ["won't"] = ["will", "not"], ["wouldn't"] = ["would", "not"], ["shouldn't"] = ["should", "not"], ["couldn't"] = ["could", "not"],
        ["what's"] = ["what", "is"], ["who's"] = ["who", "is"], ["where's"] = ["where", "is"], ["which's"] = ["which", "is"],
        ["how's"] = ["how", "is"], ["that's"] = ["that", "is"], ["there's"] = ["there", "is"], ["it's"] = ["it", "is"],
        ["let's"] = ["let", "us"], ["i'm"] = ["i", "am"], ["we're"] = ["we", "are"], ["they're"] = ["they", "are"],
        ["we've"] = ["we", "have"], ["i'd"] = ["i", "would"], ["i've"] = ["i", "have"],
    };

    public static IReadOnlyList<Token> Tokenize(string text)
    {
        var raw = new List<Token>();
        var i = 0;
        var glue = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                glue = false;
                i++;
                continue;
            }

            // Quoted text: a quote at a word start with a closing quote of the same family later.
            if (IsOpenQuote(c) && (i == 0 || !char.IsLetterOrDigit(text[i - 1])))
            {
                var close = FindClose(text, i);
                if (close > i + 1)
                {
                    raw.Add(new Token(TokenKind.Quoted, text[(i + 1)..close], i, close + 1) { Stem = text[(i + 1)..close].ToLowerInvariant() });
                    i = close + 1;
                    glue = false;
                    continue;
                }
            }

            if (char.IsDigit(c) || ((c == '$' || c == '€' || c == '£') && i + 1 < text.Length && char.IsDigit(text[i + 1])) ||
                (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1]) && (i == 0 || char.IsWhiteSpace(text[i - 1]))))
            {
                var token = ReadNumberOrDate(text, ref i);
                if (token is not null)
                {
                    raw.Add(token with { Joined = glue });
                    glue = false;
                    continue;
                }
            }

            if (char.IsLetterOrDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) ||
                       ((text[i] == '\'' || text[i] == '’') && i + 1 < text.Length && char.IsLetter(text[i + 1])) ||
                       ((text[i] == '\'' || text[i] == '’') && i > start && (text[i - 1] == 's') && (i + 1 == text.Length || !char.IsLetter(text[i + 1])))))
                {
                    i++;
                }

                var word = text[start..i].Replace('’', '\'');
                var lower = word.ToLowerInvariant();
                if (Contractions.TryGetValue(lower, out var parts))
                {
                    foreach (var p in parts)
                    {
                        raw.Add(new Token(TokenKind.Word, p, start, i));
                    }
                }
                else if (lower.EndsWith("n't", StringComparison.Ordinal) && lower.Length > 3)
                {
                    raw.Add(new Token(TokenKind.Word, word[..^3], start, i - 3));
                    raw.Add(new Token(TokenKind.Word, "not", i - 3, i));
                }
                else
                {
                    if (lower.EndsWith("'s", StringComparison.Ordinal))
                    {
                        word = word[..^2];
                    }
                    else if (lower.EndsWith('\''))
                    {
                        word = word[..^1];
                    }

                    raw.Add(NumberWords.TryGetValue(word.ToLowerInvariant(), out var n)
                        ? new Token(TokenKind.Word, word, start, i) { Number = n, IsNumberWord = true, Joined = glue }
                        : new Token(TokenKind.Word, word, start, i) { Joined = glue });
                }

                glue = false;
                continue;
            }

            // Operators and punctuation.
            var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
            if (two is ">=" or "<=" or "<>" or "!=" or "=>" or "=<")
            {
                raw.Add(new Token(TokenKind.Symbol, two switch { "=>" => ">=", "=<" => "<=", "!=" => "<>", _ => two }, i, i + 2));
                i += 2;
                glue = false;
                continue;
            }

            if ((c == '-' || c == '/') && raw.Count > 0 && raw[^1].End == i && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))
            {
                glue = true;
                i++;
                continue;
            }

            if (c == '&')
            {
                raw.Add(new Token(TokenKind.Word, "&", i, i + 1) { Lower = "and", Stem = "and" });
            }
            else if (c == '%')
            {
                // A percent sign on its own ("what % of orders") reads as the word.
                raw.Add(new Token(TokenKind.Word, "%", i, i + 1) { Lower = "percent", Stem = "percent" });
            }
            else if (c is '>' or '<' or '=' or ',' or '?' or '.' or ';' or ':' or '(' or ')' or '+' or '!')
            {
                raw.Add(new Token(TokenKind.Symbol, c.ToString(), i, i + 1));
            }

            glue = false;
            i++;
        }

        // "20 percent", "20 per cent" → a percent number.
        var merged = new List<Token>(raw.Count);
        for (var k = 0; k < raw.Count; k++)
        {
            var t = raw[k];
            if (t.Number is not null && k + 1 < raw.Count && raw[k + 1].Lower is "percent" or "%" or "pct")
            {
                merged.Add(t with { Percent = true, End = raw[k + 1].End });
                k++;
                continue;
            }

            if (t.Number is not null && k + 2 < raw.Count && raw[k + 1].Lower == "per" && raw[k + 2].Lower == "cent")
            {
                merged.Add(t with { Percent = true, End = raw[k + 2].End });
                k += 2;
                continue;
            }

            // "5 thousand", "2 million", "1.5 billion".
            if (t.Kind == TokenKind.Number && k + 1 < raw.Count && raw[k + 1].Lower is "thousand" or "million" or "billion")
            {
                var factor = raw[k + 1].Lower switch { "thousand" => 1_000m, "million" => 1_000_000m, _ => 1_000_000_000m };
                merged.Add(t with { Number = t.Number * factor, End = raw[k + 1].End });
                k++;
                continue;
            }

            merged.Add(t);
        }

        return merged.Select((t, idx) => t with { Index = idx }).ToArray();
    }

    private static bool IsOpenQuote(char c) => c is '"' or '\'' or '“' or '‘' or '«';

    private static int FindClose(string text, int open)
    {
        var c = text[open];
        var closers = c switch
        {
            '“' => "”\"",
            '‘' => "’'",
            '«' => "»",
            '"' => "\"”",
            _ => "'’",
        };

        for (var j = open + 1; j < text.Length; j++)
        {
            if (closers.Contains(text[j], StringComparison.Ordinal) && (j + 1 == text.Length || !char.IsLetterOrDigit(text[j + 1])))
            {
                return j;
            }
        }

        return -1;
    }

    private static Token? ReadNumberOrDate(string text, ref int i)
    {
        var start = i;

        // ISO dates (2023-11-24) and US dates (11/24/2023).
        var rest = text.AsSpan(i);
        if (rest.Length >= 10 && TryIsoDate(rest[..10], out var iso) && (rest.Length == 10 || !char.IsLetterOrDigit(rest[10])))
        {
            i += 10;
            return new Token(TokenKind.Date, text[start..i], start, i) { Date = iso };
        }

        var j = i;
        while (j < text.Length && (char.IsDigit(text[j]) || text[j] == '/'))
        {
            j++;
        }

        if (j - i >= 8 && DateOnly.TryParseExact(text[i..j], ["M/d/yyyy", "MM/dd/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var us))
        {
            i = j;
            return new Token(TokenKind.Date, text[start..i], start, i) { Date = us };
        }

        var negative = false;
        if (text[i] == '-')
        {
            negative = true;
            i++;
        }

        if (text[i] is '$' or '€' or '£')
        {
            i++;
        }

        var sb = new StringBuilder();
        var digitsStart = i;
        var hasDot = false;
        while (i < text.Length)
        {
            var ch = text[i];
            if (char.IsDigit(ch))
            {
                sb.Append(ch);
                i++;
            }
            else if (ch == ',' && sb.Length > 0 && !hasDot && IsThousandsGroup(text, i + 1))
            {
                i++;
            }
            else if (ch == '.' && !hasDot && sb.Length > 0 && i + 1 < text.Length && char.IsDigit(text[i + 1]))
            {
                hasDot = true;
                sb.Append(ch);
                i++;
            }
            else
            {
                break;
            }
        }

        if (sb.Length == 0)
        {
            i = start;
            return null;
        }

        var value = decimal.Parse(sb.ToString(), NumberStyles.Number, CultureInfo.InvariantCulture);
        var percent = false;
        if (i < text.Length && text[i] == '%')
        {
            percent = true;
            i++;
        }
        else if (i < text.Length && (text[i] is 'k' or 'K') && (i + 1 == text.Length || !char.IsLetter(text[i + 1])))
        {
            value *= 1000;
            i++;
        }
        else if (i < text.Length && (text[i] is 'm' or 'M') && (i + 1 == text.Length || !char.IsLetter(text[i + 1])) && i > digitsStart)
        {
            value *= 1_000_000;
            i++;
        }
        else if (i < text.Length && char.IsLetter(text[i]))
        {
            // Ordinals and units glued to the number ("10th", "8am", "5pm", "3h"): keep the number, let the word follow.
            var w = i;
            while (w < text.Length && char.IsLetter(text[w]))
            {
                w++;
            }

            var suffix = text[i..w].ToLowerInvariant();
            if (suffix is "st" or "nd" or "rd" or "th")
            {
                i = w;
            }
            else if (suffix is "am" or "pm")
            {
                if (suffix == "pm" && value < 12)
                {
                    value += 12;
                }
                else if (suffix == "am" && value == 12)
                {
                    value = 0;
                }

                i = w;
                return new Token(TokenKind.Number, text[start..i], start, i) { Number = value, Stem = "hour-of-day" };
            }
        }

        return new Token(TokenKind.Number, text[start..i], start, i) { Number = negative ? -value : value, Percent = percent };
    }

    private static bool IsThousandsGroup(string text, int at) =>
        at + 3 <= text.Length && char.IsDigit(text[at]) && char.IsDigit(text[at + 1]) && char.IsDigit(text[at + 2]) &&
        (at + 3 == text.Length || !char.IsDigit(text[at + 3]));

    private static bool TryIsoDate(ReadOnlySpan<char> s, out DateOnly date) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
