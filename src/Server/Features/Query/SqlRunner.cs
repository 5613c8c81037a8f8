using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AstralytiQ.QueryEngine;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Auth;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Query;

/// <summary>The tables a tenant can query right now, and the QueryEngine catalog over them.</summary>
public sealed record QueryCatalogSnapshot(IReadOnlyList<DatasetTable> Tables, TableCatalog Catalog)
{
    /// <summary>The dataset behind a table the validator reported as read.</summary>
    public DatasetTable TableFor(TableUsage usage) =>
        Tables.First(t => t.SqlName == usage.Name && t.PhysicalTable == usage.PhysicalTable);
}

/// <summary>A finished run.</summary>
/// <param name="RunId">Its history entry.</param>
/// <param name="Result">Columns and rows.</param>
/// <param name="Cached">True when the rows came from the result cache.</param>
/// <param name="Elapsed">Time this run took to produce the rows (a cache read when cached).</param>
/// <param name="TablesRead">The dataset versions it read.</param>
/// <param name="Retained">True when the rows are kept for paging with GetQueryResults.</param>
public sealed record SqlRun(Guid RunId, QueryResult Result, bool Cached, TimeSpan Elapsed, IReadOnlyList<DatasetTable> TablesRead, bool Retained);

/// <summary>
/// The SQL path without gRPC: the tenant's catalog, parse/validate/render, then the result cache or
/// PostgreSQL, and for every run a history entry, an audit entry ("query.run": a hash of the canonical
/// SQL and the tables read, never row data) and a usage count. RunSql uses it; so will questions in
/// plain English (source "ask"), which produce a <see cref="PreparedQuery"/> from a tree.
/// </summary>
public sealed class SqlRunner(
    DatasetCatalog datasets,
    QueryExecutor executor,
    QueryCache cache,
    QueryHistoryStore history,
    AuditLog audit,
    UsageMeter usage,
    IOptions<QueryOptions> options,
    TimeProvider clock)
{
    public QueryLimits Limits => QueryLimits.From(options.Value);

    /// <summary>The engine's default policy with the configured row cap.</summary>
    public QueryPolicy Policy => QueryPolicy.Default with { MaxResultRows = options.Value.MaxRows };

    public async Task<QueryCatalogSnapshot> GetCatalogAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var tables = await datasets.GetCurrentTablesAsync(tenantId, null, cancellationToken);
        return new QueryCatalogSnapshot(tables, DatasetCatalog.ToQueryCatalog(tables));
    }

    public PreparedQuery Prepare(string sql, QueryCatalogSnapshot catalog) => SafeSql.Prepare(sql, catalog.Catalog, Policy);

    /// <summary>Runs a query that passed validation, from the cache when allowed and possible.</summary>
    /// <exception cref="QueryExecutionException">PostgreSQL refused it, it timed out, was cancelled, or the database is unavailable (recorded first).</exception>
    public async Task<SqlRun> RunAsync(
        Caller caller, string source, string sql, PreparedQuery prepared, QueryCatalogSnapshot catalog, bool useCache,
        ServerCallContext? context, CancellationToken cancellationToken)
    {
        if (!prepared.Succeeded)
        {
            throw new ArgumentException("Only a query that passed validation can run.", nameof(prepared));
        }
        var runId = Guid.NewGuid();
        var tables = prepared.Tables.Select(catalog.TableFor).ToArray();
        var limits = Limits;
        // Results that depend on the moment (random(), now()) are kept for paging this run only.
        var shareable = QueryCache.IsShareable(prepared.Query!);
        var key = shareable ? QueryCache.Key(caller.TenantId, tables.Select(t => t.VersionId), prepared.CanonicalSql!, limits) : QueryCache.RunKey(caller.TenantId, runId);
        var started = Stopwatch.GetTimestamp();

        var result = useCache && shareable ? await cache.GetAsync(key) : null;
        var cached = result is not null;
        var retained = cached;
        if (result is null)
        {
            try
            {
                result = await executor.ExecuteAsync(caller.TenantId, prepared, limits, sql, cancellationToken);
            }
            catch (QueryExecutionException ex)
            {
                var state = ex.Kind switch
                {
                    QueryFailureKind.TimedOut => QueryRunStates.TimedOut,
                    QueryFailureKind.Cancelled => QueryRunStates.Cancelled,
                    _ => QueryRunStates.Failed,
                };
                await RecordAsync(caller, context, NewRecord(runId, caller, source, sql, prepared, tables, state, ex.Message, Stopwatch.GetElapsedTime(started)), ex.SqlState);
                throw;
            }
            retained = await cache.SetAsync(key, result);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        usage.Add(caller.TenantId, UsageMetrics.Queries);
        await RecordAsync(caller, context, NewRecord(runId, caller, source, sql, prepared, tables, QueryRunStates.Succeeded, null, elapsed) with
        {
            RowCount = result.Rows.Count,
            Truncated = result.Truncated,
            Cached = cached,
            ResultKey = retained ? key : null,
        }, null);
        return new SqlRun(runId, result, cached, elapsed, tables, retained);
    }

    /// <summary>Records a query that validation refused (history and audit; it never reached the database).</summary>
    public async Task<Guid> RecordRefusalAsync(Caller caller, string source, string sql, PreparedQuery prepared, ServerCallContext? context)
    {
        var runId = Guid.NewGuid();
        var error = string.Join("; ", prepared.Errors.Select(e => e.Offset < 0 ? e.Message : $"line {e.Line}, column {e.Column}: {e.Message}"));
        var record = NewRecord(runId, caller, source, sql, prepared, [], QueryRunStates.Invalid, error, TimeSpan.Zero);
        await RecordAsync(caller, context, record, null);
        return runId;
    }

    private QueryRunRecord NewRecord(
        Guid runId, Caller caller, string source, string sql, PreparedQuery prepared, IReadOnlyList<DatasetTable> tables, string state, string? error, TimeSpan elapsed) =>
        new()
        {
            Id = runId,
            TenantId = caller.TenantId,
            ActorId = caller.UserId,
            ActorLabel = ActorLabel(caller),
            Source = source,
            Sql = sql,
            CanonicalSql = prepared.CanonicalSql,
            Tables = prepared.Tables.Select(t => t.Name).ToArray(),
            DatasetVersionIds = tables.Select(t => t.VersionId).ToArray(),
            State = state,
            Error = error,
            DurationMs = elapsed.TotalMilliseconds,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };

    private Task RecordAsync(Caller caller, ServerCallContext? context, QueryRunRecord run, string? sqlState)
    {
        var details = new
        {
            source = run.Source,
            state = run.State,
            sqlSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(run.CanonicalSql ?? run.Sql))),
            tables = run.Tables,
            datasetVersionIds = run.DatasetVersionIds,
            rows = run.RowCount,
            cached = run.Cached,
            truncated = run.Truncated,
            durationMs = Math.Round(run.DurationMs, 3),
            sqlState,
        };
        return Task.WhenAll(
            history.InsertAsync(run),
            audit.RecordAsync(caller.TenantId, caller.UserId, run.ActorLabel, context, "query.run", "query", run.Id.ToString(), details,
                success: run.State == QueryRunStates.Succeeded));
    }

    internal static string ActorLabel(Caller caller) => caller.Kind == CallerKind.ApiKey ? $"api-key:{caller.ApiKeyId:N}" : caller.Email;
}
