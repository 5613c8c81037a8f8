namespace AstralytiQ.QueryEngine;

/// <summary>Why a piece of SQL was refused. Stable names: clients may switch on them.</summary>
public enum SqlErrorCode
{
    /// <summary>The text is not valid in the supported SELECT grammar.</summary>
    Syntax,

    /// <summary>Valid PostgreSQL that the engine deliberately does not accept (dollar quoting, Unicode escapes, parameters, ...).</summary>
    Unsupported,

    /// <summary>Anything but a single read-only SELECT: other statements, stacked statements, SELECT INTO, locking clauses, data-modifying WITH queries.</summary>
    StatementNotAllowed,

    /// <summary>WITH RECURSIVE, refused because it can run unbounded.</summary>
    RecursiveQuery,

    /// <summary>A size limit was exceeded: nesting depth, joins, IN-list items, text length.</summary>
    TooComplex,

    /// <summary>A table that is not in the caller's catalog (or not in scope).</summary>
    UnknownTable,

    /// <summary>A column that does not exist in the tables in scope.</summary>
    UnknownColumn,

    /// <summary>A name that matches more than one candidate.</summary>
    AmbiguousName,

    /// <summary>A schema-qualified name, a system catalog or another schema.</summary>
    SchemaNotAllowed,

    /// <summary>A function outside the allow-list.</summary>
    FunctionNotAllowed,

    /// <summary>A cast to a type outside the allow-list.</summary>
    TypeNotAllowed,

    /// <summary>A LIMIT or OFFSET that is not a non-negative integer constant.</summary>
    InvalidLimit,

    /// <summary>A query that is well formed but meaningless (mismatched set-operation columns, misplaced star, duplicate names, ...).</summary>
    Invalid,
}
