using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Infrastructure.Validation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using GrpcStatus = Grpc.Core.Status;

namespace AstralytiQ.Server.Features.Query;

/// <summary>
/// SQL over the caller's datasets. Every id is looked up within the caller's tenant (others' ids are
/// NOT_FOUND); the tenant comes from the caller, never from the request.
/// </summary>
[RequireRole(Infrastructure.Auth.Role.Viewer)]
public sealed class QueryApi(
    SqlRunner runner,
    QueryCache cache,
    QueryHistoryStore history,
    SavedQueryStore savedQueries,
    QuotaGuard quotas,
    AuditLog audit,
    TimeProvider clock) : QueryService.QueryServiceBase
{
    private const int MaxSqlLength = 100_000;
    private const string DetailsTrailer = "grpc-status-details-bin";

    public override async Task<ListQueryTablesResponse> ListQueryTables(ListQueryTablesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var catalog = await runner.GetCatalogAsync(caller.TenantId, context.CancellationToken);
        var response = new ListQueryTablesResponse();
        foreach (var table in catalog.Tables.OrderBy(t => t.SqlName, StringComparer.Ordinal))
        {
            var proto = new QueryTable
            {
                Name = table.SqlName,
                DatasetName = table.Name,
                DatasetId = table.DatasetId.ToString(),
                DatasetVersionId = table.VersionId.ToString(),
                Version = table.Version,
                RowCount = table.RowCount,
            };
            proto.Columns.AddRange(table.Columns.Select(c => new QueryTableColumn { Name = c.Name, Label = c.Label, DatabaseType = c.DataType }));
            response.Tables.Add(proto);
        }
        return response;
    }

    public override async Task<ValidateSqlResponse> ValidateSql(ValidateSqlRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var sql = RequireSql("sql", request.Sql);
        var catalog = await runner.GetCatalogAsync(caller.TenantId, context.CancellationToken);
        var prepared = runner.Prepare(sql, catalog);
        var response = new ValidateSqlResponse
        {
            Valid = prepared.Succeeded,
            CanonicalSql = prepared.CanonicalSql ?? "",
            EffectiveLimit = prepared.EffectiveLimit,
        };
        response.Errors.AddRange(prepared.Errors.Select(QueryMapping.ToProto));
        if (prepared.Succeeded)
        {
            response.Tables.AddRange(prepared.Tables.Select(t => ToUsage(catalog.TableFor(t))));
            response.Columns.AddRange(prepared.Columns.Select(c => new QueryColumnUsage { Table = c.Table, Column = c.Column }));
            response.ResultColumns.AddRange(prepared.ResultColumns.Select(c => new SqlColumn { Name = c.Name, DatabaseType = c.Type ?? "" }));
            response.Notices.AddRange(prepared.Notices);
        }
        return response;
    }

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    [RateLimited(RateLimitClass.Query)]
    public override async Task<RunSqlResponse> RunSql(RunSqlRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var sql = RequireSql("sql", request.Sql);
        await quotas.EnsureAsync(caller.TenantId, UsageMetrics.Queries, 1, context.CancellationToken);
        var catalog = await runner.GetCatalogAsync(caller.TenantId, context.CancellationToken);
        var prepared = runner.Prepare(sql, catalog);
        if (!prepared.Succeeded)
        {
            await runner.RecordRefusalAsync(caller, "sql", sql, prepared, context);
            throw SqlRefused(prepared.Errors.Select(QueryMapping.ToProto).ToArray());
        }

        SqlRun run;
        try
        {
            run = await runner.RunAsync(caller, "sql", sql, prepared, catalog, useCache: !request.SkipCache, context, context.CancellationToken);
        }
        catch (QueryExecutionException ex)
        {
            throw ExecutionFailed(ex, sql);
        }

        var response = new RunSqlResponse
        {
            QueryRunId = run.RunId.ToString(),
            CanonicalSql = prepared.CanonicalSql,
            RowCount = run.Result.Rows.Count,
            Truncated = run.Result.Truncated,
            ExecutionTime = Duration.FromTimeSpan(run.Elapsed),
            Cached = run.Cached,
            ComputeTime = Timestamp.FromDateTime(run.Result.ComputedAt),
            EffectiveLimit = prepared.EffectiveLimit,
        };
        response.Columns.AddRange(run.Result.Columns.Select(QueryMapping.ToProto));
        response.Rows.AddRange(run.Result.Rows.Select(r => QueryMapping.ToProto(run.Result.Columns, r)));
        response.Notices.AddRange(prepared.Notices);
        if (run.Result.Truncated)
        {
            response.Notices.Add($"The result was cut short at {run.Result.Rows.Count:N0} rows by the row or size cap; aggregate, filter or add a LIMIT.");
        }
        response.Tables.AddRange(run.TablesRead.Select(ToUsage));
        return response;
    }

    public override async Task<GetQueryResultsResponse> GetQueryResults(GetQueryResultsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var runId = Input.Id("query_run_id", request.QueryRunId);
        var pageSize = Input.PageSize("page_size", request.PageSize, 100, 1000);
        var run = await GetVisibleRunAsync(caller, runId, context.CancellationToken);
        if (request.StartIndex < 0)
        {
            throw RpcErrors.InvalidArgument("start_index", "must not be negative");
        }
        var offset = string.IsNullOrEmpty(request.PageToken) ? (int)Math.Min(request.StartIndex, int.MaxValue) : DecodeRowToken(request.PageToken, runId);
        var result = run.ResultKey is null ? null : await cache.GetAsync(run.ResultKey);
        if (result is null)
        {
            throw RpcErrors.FailedPrecondition(run.State == QueryRunStates.Succeeded
                ? "The rows of this run are no longer kept. Run the query again."
                : "This run produced no rows.");
        }
        if (offset > result.Rows.Count)
        {
            throw string.IsNullOrEmpty(request.PageToken)
                ? RpcErrors.InvalidArgument("start_index", $"is past the last row ({result.Rows.Count:N0} rows)")
                : RpcErrors.InvalidArgument("page_token", "is not a token returned by this API");
        }
        var response = new GetQueryResultsResponse
        {
            FirstRowIndex = offset,
            TotalRowCount = result.Rows.Count,
            Truncated = result.Truncated,
            ComputeTime = Timestamp.FromDateTime(result.ComputedAt),
        };
        response.Columns.AddRange(result.Columns.Select(QueryMapping.ToProto));
        response.Rows.AddRange(result.Rows.Skip(offset).Take(pageSize).Select(r => QueryMapping.ToProto(result.Columns, r)));
        if (offset + pageSize < result.Rows.Count)
        {
            response.NextPageToken = EncodeRowToken(runId, offset + pageSize);
        }
        return response;
    }

    public override async Task<ListQueryHistoryResponse> ListQueryHistory(ListQueryHistoryRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize);
        var after = PageToken.Decode("page_token", request.PageToken);
        Guid? actor = caller.UserId;
        if (!string.IsNullOrEmpty(request.UserId))
        {
            actor = Input.Id("user_id", request.UserId);
            if (actor != caller.UserId && !caller.IsAtLeast(Infrastructure.Auth.Role.Admin))
            {
                throw RpcErrors.PermissionDenied("Only admins can see other users' runs.");
            }
        }
        else if (caller.IsAtLeast(Infrastructure.Auth.Role.Admin))
        {
            actor = null;
        }
        var page = await history.ListAsync(caller.TenantId, actor, size + 1, after, context.CancellationToken);
        var response = new ListQueryHistoryResponse();
        var now = clock.GetUtcNow().UtcDateTime;
        response.Runs.AddRange(page.Take(size).Select(r => ToProto(r, r.ResultKey is not null && r.CreatedAt + cache.Ttl > now)));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = new PageToken(last.CreatedAt, last.Id).Encode();
        }
        return response;
    }

    public override async Task<QueryRun> GetQueryRun(GetQueryRunRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var run = await GetVisibleRunAsync(caller, Input.Id("query_run_id", request.QueryRunId), context.CancellationToken);
        return ToProto(run, run.ResultKey is not null && run.CreatedAt + cache.Ttl > clock.GetUtcNow().UtcDateTime);
    }

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    public override async Task<SavedQuery> SaveQuery(SaveQueryRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var name = Input.Text("name", request.Name, 1, 200);
        var description = Description(request.Description);
        var sql = await RequireValidSqlAsync("sql", request.Sql, caller.TenantId, context.CancellationToken);
        var now = Microseconds(clock.GetUtcNow().UtcDateTime);
        var record = new SavedQueryRecord(Guid.NewGuid(), caller.TenantId, caller.UserId, SqlRunner.ActorLabel(caller), name, description, sql, now, now);
        try
        {
            await savedQueries.InsertAsync(record, context.CancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw RpcErrors.AlreadyExists("name: a saved query with this name already exists.");
        }
        await audit.RecordAsync(context, "query.saved", "saved_query", record.Id.ToString(), new { name });
        return ToProto(record);
    }

    public override async Task<SavedQuery> GetSavedQuery(GetSavedQueryRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = Input.Id("saved_query_id", request.SavedQueryId);
        return ToProto(await savedQueries.GetAsync(caller.TenantId, id, context.CancellationToken) ?? throw RpcErrors.NotFound("Saved query"));
    }

    public override async Task<ListSavedQueriesResponse> ListSavedQueries(ListSavedQueriesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize);
        var after = PageToken.Decode("page_token", request.PageToken);
        var filter = string.IsNullOrWhiteSpace(request.NameContains) ? null : Input.Text("name_contains", request.NameContains, 1, 200);
        var page = await savedQueries.ListAsync(caller.TenantId, filter, size + 1, after, context.CancellationToken);
        var response = new ListSavedQueriesResponse();
        response.SavedQueries.AddRange(page.Take(size).Select(ToProto));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = new PageToken(last.CreatedAt, last.Id).Encode();
        }
        return response;
    }

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    public override async Task<SavedQuery> UpdateSavedQuery(UpdateSavedQueryRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var changes = request.SavedQuery ?? throw RpcErrors.InvalidArgument("saved_query", "is required");
        var id = Input.Id("saved_query.id", changes.Id);
        var paths = request.UpdateMask?.Paths.Count > 0 ? request.UpdateMask.Paths.ToArray() : ["name", "description", "sql"];
        if (paths.FirstOrDefault(p => p is not ("name" or "description" or "sql")) is { } unknown)
        {
            throw RpcErrors.InvalidArgument("update_mask", $"\"{unknown}\" cannot be updated; use name, description or sql");
        }
        var current = await savedQueries.GetAsync(caller.TenantId, id, context.CancellationToken) ?? throw RpcErrors.NotFound("Saved query");
        EnsureOwnerOrAdmin(caller, current);
        var name = paths.Contains("name") ? Input.Text("saved_query.name", changes.Name, 1, 200) : current.Name;
        var description = paths.Contains("description") ? Description(changes.Description, "saved_query.description") : current.Description;
        var sql = paths.Contains("sql") ? await RequireValidSqlAsync("saved_query.sql", changes.Sql, caller.TenantId, context.CancellationToken) : current.Sql;
        SavedQueryRecord updated;
        try
        {
            updated = await savedQueries.UpdateAsync(caller.TenantId, id, name, description, sql, context.CancellationToken) ?? throw RpcErrors.NotFound("Saved query");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw RpcErrors.AlreadyExists("saved_query.name: a saved query with this name already exists.");
        }
        await audit.RecordAsync(context, "query.saved_updated", "saved_query", id.ToString(), new { fields = paths });
        return ToProto(updated);
    }

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    public override async Task<Empty> DeleteSavedQuery(DeleteSavedQueryRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var id = Input.Id("saved_query_id", request.SavedQueryId);
        var current = await savedQueries.GetAsync(caller.TenantId, id, context.CancellationToken) ?? throw RpcErrors.NotFound("Saved query");
        EnsureOwnerOrAdmin(caller, current);
        if (!await savedQueries.DeleteAsync(caller.TenantId, id, context.CancellationToken))
        {
            throw RpcErrors.NotFound("Saved query");
        }
        await audit.RecordAsync(context, "query.saved_deleted", "saved_query", id.ToString(), new { name = current.Name });
        return new Empty();
    }

    // ------------------------------------------------------------ validation and errors

    private static string RequireSql(string field, string? sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw RpcErrors.InvalidArgument(field, "is required");
        }
        if (sql.Length > MaxSqlLength)
        {
            throw RpcErrors.InvalidArgument(field, $"must be at most {MaxSqlLength:N0} characters");
        }
        // Positions refer to the text as sent, so it is not trimmed.
        return sql;
    }

    private async Task<string> RequireValidSqlAsync(string field, string? sql, Guid tenantId, CancellationToken cancellationToken)
    {
        var text = RequireSql(field, sql);
        var prepared = runner.Prepare(text, await runner.GetCatalogAsync(tenantId, cancellationToken));
        if (!prepared.Succeeded)
        {
            throw SqlRefused(prepared.Errors.Select(QueryMapping.ToProto).ToArray(), field);
        }
        return text;
    }

    /// <summary>A run of the caller's tenant that the caller may see: their own, or any for admins; NOT_FOUND otherwise.</summary>
    private async Task<QueryRunRecord> GetVisibleRunAsync(Caller caller, Guid runId, CancellationToken cancellationToken)
    {
        var run = await history.GetAsync(caller.TenantId, runId, cancellationToken);
        return run is null || (run.ActorId != caller.UserId && !caller.IsAtLeast(Infrastructure.Auth.Role.Admin))
            ? throw RpcErrors.NotFound("Query run")
            : run;
    }

    private static string Description(string? value, string field = "description") =>
        string.IsNullOrWhiteSpace(value) ? "" : Input.Text(field, value, 0, 2000);

    private static void EnsureOwnerOrAdmin(Caller caller, SavedQueryRecord query)
    {
        if (query.OwnerId != caller.UserId && !caller.IsAtLeast(Infrastructure.Auth.Role.Admin))
        {
            throw RpcErrors.PermissionDenied("Only the query's owner or an admin can change it.");
        }
    }

    /// <summary>INVALID_ARGUMENT naming the field, with every error's position in SqlErrorDetails.</summary>
    private static RpcException SqlRefused(IReadOnlyList<Api.V1.SqlError> errors, string field = "sql")
    {
        var badRequest = new BadRequest();
        foreach (var error in errors)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = QueryMapping.Describe(error) });
        }
        var details = new SqlErrorDetails();
        details.Errors.AddRange(errors);
        var message = $"{field}: {QueryMapping.Describe(errors[0])}" + (errors.Count > 1 ? $" (and {errors.Count - 1} more)" : "");
        return WithDetails(StatusCode.InvalidArgument, message, badRequest, details);
    }

    private static RpcException ExecutionFailed(QueryExecutionException ex, string sql)
    {
        switch (ex.Kind)
        {
            case QueryFailureKind.Rejected:
                var error = new Api.V1.SqlError
                {
                    Code = Api.V1.SqlErrorCode.Database,
                    Message = ex.Message,
                    Line = 0,
                    Column = 0,
                    Offset = -1,
                    Hint = ex.Hint ?? "",
                    SqlState = ex.SqlState ?? "",
                };
                if (ex.Span.IsKnown)
                {
                    var (line, column) = ex.Span.LineAndColumn(sql);
                    error.Line = line;
                    error.Column = column;
                    error.Offset = ex.Span.Offset;
                    error.Length = ex.Span.Length;
                    error.Snippet = SourceSnippet.Format(sql, ex.Span);
                }
                return SqlRefused([error]);
            case QueryFailureKind.TimedOut:
                return new RpcException(new GrpcStatus(StatusCode.DeadlineExceeded, ex.Message));
            case QueryFailureKind.Cancelled:
                return new RpcException(new GrpcStatus(StatusCode.Cancelled, ex.Message));
            case QueryFailureKind.ResourceExhausted:
                return new RpcException(new GrpcStatus(StatusCode.ResourceExhausted, ex.Message));
            default:
                return new RpcException(new GrpcStatus(StatusCode.Unavailable, ex.Message));
        }
    }

    private static RpcException WithDetails(StatusCode code, string message, params IMessage[] details)
    {
        var rich = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            rich.Details.Add(Any.Pack(detail));
        }
        return new RpcException(new GrpcStatus(code, message), new Metadata { { DetailsTrailer, rich.ToByteArray() } });
    }

    // ------------------------------------------------------------ mapping

    private static QueryTableUsage ToUsage(Datasets.DatasetTable table) => new()
    {
        Name = table.SqlName,
        DatasetId = table.DatasetId.ToString(),
        DatasetVersionId = table.VersionId.ToString(),
        Version = table.Version,
    };

    private static QueryRun ToProto(QueryRunRecord run, bool resultsAvailable) => new()
    {
        Id = run.Id.ToString(),
        UserId = run.ActorId.ToString(),
        UserLabel = run.ActorLabel,
        Source = run.Source,
        Sql = run.Sql,
        CanonicalSql = run.CanonicalSql ?? "",
        Tables = { run.Tables },
        State = run.State switch
        {
            QueryRunStates.Succeeded => QueryRunState.Succeeded,
            QueryRunStates.Invalid => QueryRunState.Invalid,
            QueryRunStates.TimedOut => QueryRunState.TimedOut,
            QueryRunStates.Cancelled => QueryRunState.Cancelled,
            _ => QueryRunState.Failed,
        },
        Error = run.Error ?? "",
        RowCount = run.RowCount,
        Truncated = run.Truncated,
        Cached = run.Cached,
        Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(run.DurationMs)),
        CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc)),
        ResultsAvailable = resultsAvailable,
    };

    private static SavedQuery ToProto(SavedQueryRecord query) => new()
    {
        Id = query.Id.ToString(),
        Name = query.Name,
        Description = query.Description,
        Sql = query.Sql,
        OwnerId = query.OwnerId.ToString(),
        OwnerLabel = query.OwnerLabel,
        CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(query.CreatedAt, DateTimeKind.Utc)),
        UpdateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(query.UpdatedAt, DateTimeKind.Utc)),
    };

    /// <summary>PostgreSQL keeps microseconds: answer with the time as it is stored.</summary>
    private static DateTime Microseconds(DateTime time) => time.AddTicks(-(time.Ticks % 10));

    private static string EncodeRowToken(Guid runId, int offset) =>
        Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes($"{runId:N}:{offset.ToString(CultureInfo.InvariantCulture)}"));

    private static int DecodeRowToken(string? token, Guid runId)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }
        try
        {
            var parts = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token)).Split(':');
            if (parts.Length == 2 && parts[0] == runId.ToString("N")
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }
        catch (ArgumentException)
        {
        }
        ThrowBadToken();
        return 0;
    }

    [DoesNotReturn]
    private static void ThrowBadToken() => throw RpcErrors.InvalidArgument("page_token", "is not a token returned by this API");
}
