using System.Diagnostics;
using System.Globalization;
using System.Text;
using AstralytiQ.QueryEngine;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.Server.Infrastructure.Postgres;
using Npgsql;

namespace AstralytiQ.Server.Features.Query;

/// <summary>Why an execution failed, which decides the status a caller sees.</summary>
public enum QueryFailureKind
{
    /// <summary>PostgreSQL refused the query (type errors, division by zero, ...): the query must change.</summary>
    Rejected,

    /// <summary>statement_timeout stopped it.</summary>
    TimedOut,

    /// <summary>The caller went away or cancelled.</summary>
    Cancelled,

    /// <summary>Out of memory, disk or connections for the tenant.</summary>
    ResourceExhausted,

    /// <summary>The database could not be reached or went away.</summary>
    Unavailable,
}

/// <summary>An execution that did not produce rows.</summary>
public sealed class QueryExecutionException : Exception
{
    /// <param name="kind">Why.</param>
    /// <param name="message">What a user should read (PostgreSQL's own message for refusals, with logical table names).</param>
    /// <param name="span">Where in the user's text PostgreSQL pointed; <see cref="SourceSpan.None"/> when it did not, or for built trees.</param>
    /// <param name="hint">PostgreSQL's hint, if any.</param>
    /// <param name="sqlState">PostgreSQL's SQLSTATE, if it answered.</param>
    /// <param name="inner">The exception behind it.</param>
    public QueryExecutionException(QueryFailureKind kind, string message, SourceSpan? span = null, string? hint = null, string? sqlState = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Span = span ?? SourceSpan.None;
        Hint = hint;
        SqlState = sqlState;
    }

    public QueryFailureKind Kind { get; }

    public SourceSpan Span { get; }

    public string? Hint { get; }

    public string? SqlState { get; }
}

/// <summary>
/// Runs a validated query for a tenant (DESIGN section 4): a READ ONLY transaction on the tenant's
/// query login, SET LOCAL ROLE to the tenant's reader role, search_path set to the tenant's schema,
/// statement_timeout and work_mem from <see cref="QueryLimits"/>, rows streamed into typed values
/// under a row cap and a byte cap, PostgreSQL cancelled when the caller cancels. Usable without gRPC
/// (the natural-language feature calls it too).
/// </summary>
public sealed class QueryExecutor(QueryConnections connections, TimeProvider clock, ILogger<QueryExecutor> logger)
{
    // Per-value and per-row overheads counted against the byte cap, so the cap also bounds the protobuf
    // message (a value's tag, length and oneof case take at most a few bytes).
    private const int ValueOverhead = 4;
    private const int RowOverhead = 4;

    /// <summary>Runs <paramref name="query"/> (which must have succeeded) and returns its rows.</summary>
    /// <param name="sourceSql">The text the query was parsed from (null for trees built in code): error positions then point at its exact token.</param>
    /// <exception cref="QueryExecutionException">PostgreSQL refused it, it timed out, was cancelled, or the database is unavailable.</exception>
    public async Task<QueryResult> ExecuteAsync(Guid tenantId, PreparedQuery query, QueryLimits limits, string? sourceSql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(limits);
        if (!query.Succeeded || query.Query is null)
        {
            throw new ArgumentException("Only a query that passed validation can run.", nameof(query));
        }

        // When the row cap decides the LIMIT, ask for one row more: its arrival says the cap cut the result.
        var probe = query.EffectiveLimit >= limits.MaxRows;
        var sql = probe
            ? SqlRenderer.Render(query.Query with { Limit = new NumericLiteral(limits.MaxRows + 1L) }, NameMode.Physical)
            : query.ExecutableSql!;
        try
        {
            return await InQueryTransactionAsync(tenantId, limits, (connection, transaction) => ReadAsync(connection, transaction, sql, limits, cancellationToken), cancellationToken);
        }
        catch (Exception ex) when (ex is not QueryExecutionException and not ArgumentException)
        {
            throw Translate(ex, query, sql, sourceSql, limits, cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the exact transaction a query runs in (tests use this to show
    /// what PostgreSQL itself refuses there).
    /// </summary>
    internal async Task<T> InQueryTransactionAsync<T>(Guid tenantId, QueryLimits limits, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(tenantId, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var setup = new NpgsqlCommand(SetupSql(tenantId, limits), connection, transaction))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }
        var result = await work(connection, transaction);
        // Nothing to keep: a read-only transaction ends the same either way.
        await transaction.RollbackAsync(CancellationToken.None);
        return result;
    }

    private async Task<NpgsqlConnection> OpenAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        try
        {
            return await connections.OpenAsync(tenantId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new QueryExecutionException(QueryFailureKind.Cancelled, "The query was cancelled.");
        }
        catch (NpgsqlException ex) when (ex.Message.Contains("pool has been exhausted", StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryExecutionException(QueryFailureKind.ResourceExhausted,
                "Too many of your workspace's queries are running at once. Try again when one has finished.", inner: ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            logger.LogError(ex, "Could not open a query connection for tenant {TenantId}", tenantId);
            throw new QueryExecutionException(QueryFailureKind.Unavailable, "The database is not reachable right now. Try again in a moment.", inner: ex);
        }
    }

    // The closing SELECT takes the transaction's first snapshot: from then on PostgreSQL refuses
    // SET TRANSACTION READ WRITE, so nothing run later in the transaction can undo READ ONLY.
    // client_connection_check_interval: a cancel request that reaches PostgreSQL between protocol
    // messages is lost; Npgsql then drops the connection, and this makes the backend notice within a
    // second and stop, instead of running on until it next writes to the socket.
    private static string SetupSql(Guid tenantId, QueryLimits limits) => string.Create(CultureInfo.InvariantCulture, $"""
        SET TRANSACTION READ ONLY;
        SET LOCAL ROLE {TenantNames.Quote(TenantNames.ReaderRole(tenantId))};
        SET LOCAL search_path TO {TenantNames.Quote(TenantNames.Schema(tenantId))};
        SET LOCAL statement_timeout = {(long)limits.StatementTimeout.TotalMilliseconds};
        SET LOCAL work_mem = {limits.WorkMemKilobytes};
        SET LOCAL TimeZone = 'UTC';
        SET LOCAL DateStyle = 'ISO, YMD';
        SET LOCAL IntervalStyle = 'postgres';
        SET LOCAL extra_float_digits = 1;
        SET LOCAL client_connection_check_interval = 1000;
        SELECT 1;
        """);

    private async Task<QueryResult> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, QueryLimits limits, CancellationToken cancellationToken)
    {
        // Every column comes back as text, exactly as PostgreSQL prints it, and is typed here: no
        // value PostgreSQL can produce (NaN numerics, BC dates, infinities, intervals) fails to read.
        await using var command = new NpgsqlCommand(sql, connection, transaction) { AllResultTypesAreUnknown = true };
        var started = Stopwatch.GetTimestamp();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new QueryColumn[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = new QueryColumn(reader.GetName(i), KindOf(reader.GetDataTypeOID(i)), reader.GetDataTypeName(i));
        }

        var rows = new List<object?[]>();
        long bytes = 0;
        var truncated = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (rows.Count >= limits.MaxRows)
            {
                truncated = true;
                break;
            }
            var row = new object?[columns.Length];
            long rowBytes = RowOverhead;
            for (var i = 0; i < columns.Length; i++)
            {
                if (reader.IsDBNull(i))
                {
                    rowBytes += ValueOverhead;
                    continue;
                }
                var text = reader.GetString(i);
                rowBytes += Encoding.UTF8.GetByteCount(text) + ValueOverhead;
                row[i] = Convert(columns[i].Kind, text);
            }
            if (bytes + rowBytes > limits.MaxBytes)
            {
                truncated = true;
                break;
            }
            bytes += rowBytes;
            rows.Add(row);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new QueryResult(columns, rows, truncated, elapsed, clock.GetUtcNow().UtcDateTime, bytes);
    }

    /// <summary>The kind of a PostgreSQL type by its OID (built-in OIDs are fixed).</summary>
    internal static ValueKind KindOf(uint oid) => oid switch
    {
        16 => ValueKind.Bool,
        20 or 21 or 23 or 26 => ValueKind.Int64, // bigint, smallint, integer, oid
        700 or 701 => ValueKind.Double, // real, double precision
        1700 => ValueKind.Decimal, // numeric
        1082 => ValueKind.Date,
        1114 or 1184 => ValueKind.Timestamp, // timestamp, timestamptz
        _ => ValueKind.String,
    };

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF",
        "yyyy-MM-dd HH:mm:sszz", "yyyy-MM-dd HH:mm:ss.FFFFFFzz",
        "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFzzz",
    ];

    /// <summary>Types PostgreSQL's text output (DateStyle ISO, TimeZone UTC).</summary>
    internal static object Convert(ValueKind kind, string text) => kind switch
    {
        ValueKind.Bool => text == "t",
        ValueKind.Int64 => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        ValueKind.Double => text switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        },
        ValueKind.Date => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : text,
        ValueKind.Timestamp => DateTime.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : text,
        _ => text,
    };

    private QueryExecutionException Translate(Exception ex, PreparedQuery query, string sql, string? sourceSql, QueryLimits limits, CancellationToken cancellationToken)
    {
        var postgres = ex as PostgresException ?? ex.InnerException as PostgresException;
        if (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or NpgsqlException)
        {
            return new QueryExecutionException(QueryFailureKind.Cancelled, "The query was cancelled.", inner: ex);
        }
        // statement_timeout (57014), or Npgsql's own command timeout as a backstop when PostgreSQL did not answer.
        if (postgres?.SqlState == PostgresErrorCodes.QueryCanceled || ex is TimeoutException || ex.InnerException is TimeoutException)
        {
            return new QueryExecutionException(QueryFailureKind.TimedOut,
                $"The query ran longer than the {Describe(limits.StatementTimeout)} limit and was stopped. Filter or aggregate more, or ask for fewer rows.",
                sqlState: postgres?.SqlState, inner: ex);
        }
        if (postgres is null)
        {
            logger.LogWarning(ex, "Query execution lost PostgreSQL");
            return new QueryExecutionException(QueryFailureKind.Unavailable, "The database is not reachable right now. Try again in a moment.", inner: ex);
        }

        var state = postgres.SqlState;
        if (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("28", StringComparison.Ordinal)
            || state == PostgresErrorCodes.TooManyConnections)
        {
            logger.LogError(ex, "Query execution failed to connect or lost its connection ({SqlState})", state);
            return new QueryExecutionException(QueryFailureKind.Unavailable, "The database is not reachable right now. Try again in a moment.", sqlState: state, inner: ex);
        }
        if (state.StartsWith("53", StringComparison.Ordinal))
        {
            return new QueryExecutionException(QueryFailureKind.ResourceExhausted,
                $"The database ran out of resources for this query ({postgres.MessageText}). Filter or aggregate more.", sqlState: state, inner: ex);
        }
        if (state is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            // The validator should never let such a query through: the database's own guard caught it.
            logger.LogWarning("PostgreSQL refused a validated query with {SqlState}: {Message}", state, postgres.MessageText);
        }

        var span = SourceSpan.None;
        if (postgres.Position > 0 && query.Query is not null)
        {
            span = SqlPositionMapper.Map(query.Query, sql, SqlPositionMapper.ToUtf16Offset(sql, postgres.Position), sourceSql);
        }
        return new QueryExecutionException(QueryFailureKind.Rejected, Logical(postgres.MessageText, query), span,
            postgres.Hint is { Length: > 0 } hint ? Logical(hint, query) : null, state, ex);
    }

    /// <summary>Messages name what ran (physical tables); users know the logical names.</summary>
    private static string Logical(string message, PreparedQuery query)
    {
        foreach (var table in query.Tables)
        {
            message = message
                .Replace($"\"{table.PhysicalSchema}\".\"{table.PhysicalTable}\"", table.Name, StringComparison.Ordinal)
                .Replace($"{table.PhysicalSchema}.{table.PhysicalTable}", table.Name, StringComparison.Ordinal)
                .Replace(table.PhysicalTable, table.Name, StringComparison.Ordinal);
        }
        return message;
    }

    private static string Describe(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 && timeout.TotalSeconds == Math.Floor(timeout.TotalSeconds)
            ? timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + "-second"
            : timeout.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + "-millisecond";
}
