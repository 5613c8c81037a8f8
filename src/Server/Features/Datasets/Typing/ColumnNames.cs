using System.Text;

namespace AstralytiQ.Server.Features.Datasets.Typing;

/// <summary>
/// Turns untrusted labels (CSV headers, JSON keys, file and dataset names) into safe SQL
/// identifiers: lower case ASCII letters, digits and underscores, at most 63 characters, never a
/// reserved word or a system column, unique within a table. The original stays as the label.
/// </summary>
public static class ColumnNames
{
    public const int MaxLength = 63;

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check", "collate", "column",
        "constraint", "create", "current_catalog", "current_date", "current_role", "current_time", "current_timestamp", "current_user",
        "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant",
        "group", "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
        "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select", "session_user", "some",
        "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where", "window",
        "with", "authorization", "between", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full", "ilike",
        "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps", "right", "similar", "tablesample",
        "verbose", "ctid", "xmin", "xmax", "cmin", "cmax", "tableoid", "oid",
    };

    /// <summary>A safe identifier for one label; <paramref name="fallback"/> when nothing usable is left.</summary>
    public static string Normalise(string label, string fallback)
    {
        var builder = new StringBuilder(Math.Min(label.Length, MaxLength));
        var lastUnderscore = true;
        foreach (var raw in label)
        {
            var c = Fold(raw);
            if (c is null)
            {
                continue;
            }
            foreach (var ch in c)
            {
                if (char.IsAsciiLetterOrDigit(ch))
                {
                    builder.Append(char.ToLowerInvariant(ch));
                    lastUnderscore = false;
                }
                else if (!lastUnderscore)
                {
                    builder.Append('_');
                    lastUnderscore = true;
                }
            }
            if (builder.Length >= MaxLength)
            {
                break;
            }
        }
        var name = builder.ToString().Trim('_');
        if (name.Length == 0)
        {
            name = fallback;
        }
        if (char.IsAsciiDigit(name[0]))
        {
            name = "c_" + name;
        }
        if (name.Length > MaxLength)
        {
            name = name[..MaxLength].TrimEnd('_');
        }
        if (Reserved.Contains(name))
        {
            name += "_";
        }
        return name;
    }

    /// <summary>Identifiers for all labels of a table, made unique with _2, _3... suffixes.</summary>
    public static IReadOnlyList<string> Unique(IReadOnlyList<string> labels)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var names = new string[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            var name = Normalise(labels[i], $"column_{i + 1}");
            if (!used.Add(name))
            {
                for (var n = 2; ; n++)
                {
                    var suffix = "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var candidate = (name.Length + suffix.Length > MaxLength ? name[..(MaxLength - suffix.Length)] : name) + suffix;
                    if (used.Add(candidate))
                    {
                        name = candidate;
                        break;
                    }
                }
            }
            names[i] = name;
        }
        return names;
    }

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static string? Fold(char c) => c switch
    {
        >= 'à' and <= 'å' or >= 'À' and <= 'Å' => "a",
        'æ' or 'Æ' => "ae",
        'ç' or 'Ç' => "c",
        >= 'è' and <= 'ë' or >= 'È' and <= 'Ë' => "e",
        >= 'ì' and <= 'ï' or >= 'Ì' and <= 'Ï' => "i",
        'ñ' or 'Ñ' => "n",
        >= 'ò' and <= 'ö' or >= 'Ò' and <= 'Ö' or 'ø' or 'Ø' => "o",
        >= 'ù' and <= 'ü' or >= 'Ù' and <= 'Ü' => "u",
        'ý' or 'ÿ' or 'Ý' => "y",
        'ß' => "ss",
        '%' => "_pct_",
        '#' => "_num_",
        '\uFDD0' => null,
        _ => c.ToString(),
    };
}
