namespace AstralytiQ.QueryEngine.Policy;

/// <summary>
/// The functions analysts may call. Everything else is refused: system and administration
/// functions (pg_*), file, large-object and network access, sleeping, sequences, configuration,
/// and set-returning functions, which can multiply rows without bound.
/// </summary>
public static class FunctionAllowList
{
    /// <summary>Aggregate functions.</summary>
    public static readonly IReadOnlySet<string> Aggregates = new HashSet<string>(StringComparer.Ordinal)
    {
        "count", "sum", "avg", "min", "max", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop",
        "var_samp", "bool_and", "bool_or", "every", "string_agg", "array_agg", "percentile_cont",
        "percentile_disc", "mode", "corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept",
        "regr_r2", "regr_count", "regr_avgx", "regr_avgy", "bit_and", "bit_or",
    };

    /// <summary>Window functions.</summary>
    public static readonly IReadOnlySet<string> Window = new HashSet<string>(StringComparer.Ordinal)
    {
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
        "first_value", "last_value", "nth_value",
    };

    /// <summary>Scalar functions: math, string, date/time and conditional.</summary>
    public static readonly IReadOnlySet<string> Scalar = new HashSet<string>(StringComparer.Ordinal)
    {
        // math
        "abs", "ceil", "ceiling", "floor", "round", "trunc", "sqrt", "cbrt", "power", "pow", "exp", "ln", "log",
        "log10", "mod", "sign", "pi", "degrees", "radians", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
        "div", "width_bucket", "random", "gcd", "lcm", "scale",
        // string
        "length", "char_length", "character_length", "octet_length", "bit_length", "lower", "upper", "initcap",
        "btrim", "ltrim", "rtrim", "substr", "substring", "left", "right", "replace", "concat", "concat_ws",
        "strpos", "split_part", "lpad", "rpad", "repeat", "reverse", "starts_with", "md5", "regexp_replace",
        "regexp_match", "translate", "ascii", "chr", "to_char", "to_number", "to_date", "to_timestamp", "format",
        "quote_literal", "quote_ident", "quote_nullable",
        // date/time
        "now", "date_trunc", "date_part", "date_bin", "age", "make_date", "make_time", "make_timestamp",
        "make_timestamptz", "make_interval", "justify_days", "justify_hours", "justify_interval", "isfinite",
        "clock_timestamp", "statement_timestamp", "transaction_timestamp",
        // conditional
        "coalesce", "nullif", "greatest", "least",
    };

    /// <summary>Set-returning and other functions named in refusals so the message says why.</summary>
    internal static readonly IReadOnlySet<string> KnownSetReturning = new HashSet<string>(StringComparer.Ordinal)
    {
        "generate_series", "unnest", "regexp_matches", "regexp_split_to_table", "json_each", "jsonb_each",
        "json_each_text", "jsonb_each_text", "json_array_elements", "jsonb_array_elements",
        "json_array_elements_text", "jsonb_array_elements_text", "json_object_keys", "jsonb_object_keys",
        "generate_subscripts", "string_to_table", "json_populate_recordset", "jsonb_populate_recordset",
        "json_to_recordset", "jsonb_to_recordset",
    };

    /// <summary>The default allow-list: aggregates, window functions and scalar functions.</summary>
    public static readonly IReadOnlySet<string> Default = new HashSet<string>(Aggregates.Concat(Window).Concat(Scalar), StringComparer.Ordinal);

    /// <summary>Explains why a function outside the allow-list is refused.</summary>
    /// <param name="name">The function name in lower case.</param>
    internal static string Why(string name)
    {
        if (name.StartsWith("pg_", StringComparison.Ordinal))
        {
            return "system function";
        }

        if (name.StartsWith("lo_", StringComparison.Ordinal) || name is "lowrite" or "loread")
        {
            return "large-object function";
        }

        if (name.StartsWith("dblink", StringComparison.Ordinal))
        {
            return "network function";
        }

        if (KnownSetReturning.Contains(name))
        {
            return "set-returning function";
        }

        return name switch
        {
            "nextval" or "currval" or "setval" or "lastval" => "sequence function",
            "set_config" or "current_setting" => "configuration function",
            "query_to_xml" or "table_to_xml" or "cursor_to_xml" or "query_to_xml_and_xmlschema" or "database_to_xml" => "function that runs SQL",
            "txid_current" or "current_database" or "version" or "inet_server_addr" or "inet_client_addr" => "system information function",
            _ => "not in the allow-list",
        };
    }
}
