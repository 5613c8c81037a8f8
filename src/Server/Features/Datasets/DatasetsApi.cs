using System.Text.Json;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Datasets.Profiling;
using AstralytiQ.Server.Features.Datasets.Reading;
using AstralytiQ.Server.Features.Datasets.Transforms;
using AstralytiQ.Server.Features.Datasets.Typing;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Infrastructure.Jobs;
using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>Datasets of the caller's tenant. Viewers read; analysts and admins upload, transform and delete.</summary>
[RequireRole(Infrastructure.Auth.Role.Viewer)]
public sealed class DatasetsApi(
    DatasetStore store,
    JobQueue jobs,
    JobEvents events,
    SpoolStore spool,
    QuotaGuard quotas,
    UsageMeter usage,
    AuditLog audit,
    IOptions<DatasetOptions> options,
    ILogger<DatasetsApi> logger) : DatasetService.DatasetServiceBase
{
    private const int PreviewDefault = 100;
    private const int PreviewMax = 1000;

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    public override async Task<Api.V1.Job> UploadDataset(IAsyncStreamReader<UploadDatasetRequest> requestStream, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.PayloadCase != UploadDatasetRequest.PayloadOneofCase.Metadata)
        {
            throw RpcErrors.InvalidArgument("metadata", "the first message must carry the upload's metadata (name, file name, options)");
        }
        var metadata = requestStream.Current.Metadata;
        var payload = await ValidateAsync(caller, metadata, ct);

        var limit = options.Value.MaxUploadBytes;
        var remaining = await quotas.RemainingAsync(caller.TenantId, UsageMetrics.StorageBytes, ct);
        if (metadata.SizeBytes > 0)
        {
            EnsureFits(metadata.SizeBytes, limit, remaining, caller.TenantId);
        }

        var jobId = Guid.NewGuid();
        long total = 0;
        var head = new MemoryStream();
        var sniffed = false;
        var completed = false;
        try
        {
            await using (var file = spool.Create(jobId))
            {
                while (await requestStream.MoveNext(ct))
                {
                    var message = requestStream.Current;
                    if (message.PayloadCase != UploadDatasetRequest.PayloadOneofCase.Chunk)
                    {
                        throw RpcErrors.InvalidArgument("chunk", "only the first message may carry metadata; the rest carry chunks of the file");
                    }
                    var chunk = message.Chunk.Memory;
                    total += chunk.Length;
                    // Enforced as bytes arrive: a too-large upload stops here, not after it was all received.
                    EnsureFits(total, limit, remaining, caller.TenantId);
                    if (!sniffed)
                    {
                        head.Write(chunk.Span[..Math.Min(chunk.Length, FileSniffer.SampleBytes - (int)head.Length)]);
                        if (head.Length >= FileSniffer.SampleBytes)
                        {
                            Sniff(head, payload);
                            sniffed = true;
                        }
                    }
                    await file.WriteAsync(chunk, ct);
                }
                if (total == 0)
                {
                    throw RpcErrors.InvalidArgument("chunk", "the file is empty: send its bytes after the metadata");
                }
                if (!sniffed)
                {
                    Sniff(head, payload);
                }
                await file.FlushAsync(ct);
            }

            payload = payload with { SizeBytes = total };
            var title = string.IsNullOrEmpty(payload.FileName) ? payload.Name : payload.FileName;
            await store.InTenantAsync(caller.TenantId, async (c, t) =>
            {
                await jobs.EnqueueAsync(c, t, new NewJob(jobId, caller.TenantId, UploadJobHandler.JobKind, title,
                    JsonSerializer.Serialize(payload, UploadPayload.Json), payload.DatasetId, caller.UserId), ct);
                return true;
            }, ct);
            completed = true;
        }
        finally
        {
            if (!completed)
            {
                spool.Delete(jobId);
            }
        }
        events.SignalWork();
        await audit.RecordAsync(context, "dataset.upload_started", "dataset", payload.DatasetId.ToString(),
            new { jobId, fileName = payload.FileName, bytes = total, newDataset = payload.NewDataset });
        logger.LogInformation("Spooled {Bytes} bytes for upload job {JobId}", total, jobId);
        var job = await jobs.GetAsync(caller.TenantId, jobId, CancellationToken.None) ?? throw RpcErrors.NotFound("Job");
        return JobsApi.ToProto(job, includeBadRows: false);
    }

    private static void EnsureFits(long bytes, long limit, long? remaining, Guid tenantId)
    {
        if (bytes > limit)
        {
            throw RpcErrors.QuotaExceeded("server:max_upload_bytes", $"The file is larger than this server's upload limit of {FormatBytes(limit)}.");
        }
        if (remaining is { } left && bytes > left)
        {
            throw RpcErrors.QuotaExceeded($"tenant:{tenantId}:{UsageMetrics.StorageBytes}",
                $"The upload exceeds the storage left on your plan ({FormatBytes(left)} left); delete datasets or upgrade.");
        }
    }

    private static void Sniff(MemoryStream head, UploadPayload payload)
    {
        try
        {
            FileFormat? declared = payload.Format is { } f ? System.Enum.Parse<FileFormat>(f, ignoreCase: true) : null;
            FileSniffer.SniffFormat(head.GetBuffer().AsSpan(0, (int)head.Length), payload.FileName, declared, payload.Encoding);
        }
        catch (UnreadableFileException ex)
        {
            throw RpcErrors.InvalidArgument("chunk", ex.Message);
        }
    }

    private async Task<UploadPayload> ValidateAsync(Caller caller, UploadMetadata m, CancellationToken ct)
    {
        var fileName = Path.GetFileName((m.FileName ?? "").Replace('\\', '/'));
        if (fileName.Length > 255 || fileName.Any(char.IsControl))
        {
            throw RpcErrors.InvalidArgument("metadata.file_name", "must be at most 255 characters without control characters");
        }
        var newDataset = string.IsNullOrEmpty(m.DatasetId);
        Guid datasetId;
        string name;
        string? sqlName = null;
        if (newDataset)
        {
            datasetId = Guid.NewGuid();
            name = string.IsNullOrWhiteSpace(m.Name) && fileName.Length > 0 ? Path.GetFileNameWithoutExtension(fileName) : Input.Text("metadata.name", m.Name, 1, 200);
            if (!string.IsNullOrEmpty(m.SqlName))
            {
                sqlName = m.SqlName.Trim();
                if (!ColumnNames.IsValid(sqlName))
                {
                    throw RpcErrors.InvalidArgument("metadata.sql_name", "must be 1-63 of a-z, 0-9 and _, starting with a letter or _");
                }
                if (await store.SqlNameTakenAsync(caller.TenantId, sqlName, ct))
                {
                    throw RpcErrors.AlreadyExists($"metadata.sql_name: a dataset named '{sqlName}' already exists.");
                }
            }
        }
        else
        {
            datasetId = Input.Id("metadata.dataset_id", m.DatasetId);
            var existing = await store.GetDatasetAsync(caller.TenantId, datasetId, ct) ?? throw RpcErrors.NotFound("Dataset");
            name = existing.Name;
        }
        var description = string.IsNullOrEmpty(m.Description) ? "" : Input.Text("metadata.description", m.Description, 0, 2000);
        string? encoding = null;
        if (!string.IsNullOrWhiteSpace(m.Encoding))
        {
            try
            {
                encoding = FileSniffer.NormaliseEncoding(m.Encoding);
            }
            catch (UnreadableFileException ex)
            {
                throw RpcErrors.InvalidArgument("metadata.encoding", ex.Message);
            }
        }
        var delimiter = string.IsNullOrEmpty(m.Delimiter) ? null : m.Delimiter == "\\t" ? "\t" : m.Delimiter;
        if (delimiter is not null && (delimiter.Length != 1 || delimiter[0] is '\r' or '\n' or '"'))
        {
            throw RpcErrors.InvalidArgument("metadata.delimiter", "must be one character other than a quote or line break, e.g. ',' ';' '\\t' '|'");
        }
        var quote = string.IsNullOrEmpty(m.Quote) ? null : m.Quote;
        if (quote is not null && (quote.Length != 1 || quote[0] is '\r' or '\n' || quote == delimiter))
        {
            throw RpcErrors.InvalidArgument("metadata.quote", "must be one character, different from the delimiter");
        }
        if (m.NullValues.Count > 20 || m.NullValues.Any(v => v.Length > 20))
        {
            throw RpcErrors.InvalidArgument("metadata.null_values", "at most 20 values of at most 20 characters");
        }
        if (m.ColumnTypes.Count > 1600 || m.ColumnTypes.Any(kv => kv.Key.Length > 200))
        {
            throw RpcErrors.InvalidArgument("metadata.column_types", "at most 1600 entries with names of at most 200 characters");
        }
        var columnTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, type) in m.ColumnTypes)
        {
            columnTypes[column] = SqlTypes.Name(SqlTypes.FromProto(type) ?? throw RpcErrors.InvalidArgument($"metadata.column_types[{column}]", "choose a type"));
        }
        var format = m.Format switch
        {
            DataFormat.Csv => "csv",
            DataFormat.Tsv => "tsv",
            DataFormat.Json => "json",
            DataFormat.Ndjson => "ndjson",
            DataFormat.Xlsx => "xlsx",
            DataFormat.Unspecified => null,
            _ => throw RpcErrors.InvalidArgument("metadata.format", "is not a known format"),
        };
        if (!string.IsNullOrEmpty(m.Sheet) && m.Sheet.Length > 100)
        {
            throw RpcErrors.InvalidArgument("metadata.sheet", "must be at most 100 characters");
        }
        bool? header = m.Header switch
        {
            HeaderMode.Present => true,
            HeaderMode.Absent => false,
            _ => null,
        };
        var label = caller.Kind == CallerKind.ApiKey ? $"api-key:{caller.ApiKeyId:N}" : caller.Email;
        return new UploadPayload(datasetId, newDataset, name, sqlName, description, fileName, 0, format, encoding, delimiter, quote, header,
            string.IsNullOrEmpty(m.Sheet) ? null : m.Sheet, m.BadRows == BadRowPolicy.SkipRow, m.NullValues.Count > 0 ? m.NullValues.ToArray() : null,
            columnTypes.Count > 0 ? columnTypes : null, caller.UserId, label);
    }

    public override async Task<Dataset> GetDataset(GetDatasetRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var dataset = await store.GetDatasetAsync(caller.TenantId, Input.Id("dataset_id", request.DatasetId), context.CancellationToken) ?? throw RpcErrors.NotFound("Dataset");
        return (await ToProtoAsync(caller.TenantId, [dataset], context.CancellationToken))[0];
    }

    public override async Task<ListDatasetsResponse> ListDatasets(ListDatasetsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize);
        var after = PageToken.Decode("page_token", request.PageToken);
        if (request.Filter.Length > 200)
        {
            throw RpcErrors.InvalidArgument("filter", "must be at most 200 characters");
        }
        var page = await store.ListDatasetsAsync(caller.TenantId, request.Filter, size + 1, after, context.CancellationToken);
        var response = new ListDatasetsResponse();
        response.Datasets.AddRange(await ToProtoAsync(caller.TenantId, page.Take(size).ToArray(), context.CancellationToken));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = new PageToken(last.CreatedAt, last.Id).Encode();
        }
        return response;
    }

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    public override async Task<DeleteDatasetResponse> DeleteDataset(DeleteDatasetRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var datasetId = Input.Id("dataset_id", request.DatasetId);
        var freed = await store.DeleteAsync(caller.TenantId, datasetId, context.CancellationToken) ?? throw RpcErrors.NotFound("Dataset");
        usage.Add(caller.TenantId, UsageMetrics.StorageBytes, -freed);
        await audit.RecordAsync(context, "dataset.deleted", "dataset", datasetId.ToString(), new { freedBytes = freed });
        return new DeleteDatasetResponse();
    }

    public override async Task<DatasetVersion> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var version = await store.GetVersionAsync(caller.TenantId, Input.Id("version_id", request.VersionId), context.CancellationToken) ?? throw RpcErrors.NotFound("Dataset version");
        var columns = await store.GetColumnsAsync(caller.TenantId, [version.Id], context.CancellationToken);
        return ToProto(version, columns);
    }

    public override async Task<ListDatasetVersionsResponse> ListDatasetVersions(ListDatasetVersionsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var datasetId = Input.Id("dataset_id", request.DatasetId);
        var size = Input.PageSize("page_size", request.PageSize);
        int? before = null;
        if (!string.IsNullOrEmpty(request.PageToken))
        {
            before = int.TryParse(request.PageToken, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0
                ? v : throw RpcErrors.InvalidArgument("page_token", "is not a token returned by this API");
        }
        _ = await store.GetDatasetAsync(caller.TenantId, datasetId, context.CancellationToken) ?? throw RpcErrors.NotFound("Dataset");
        var page = await store.ListVersionsAsync(caller.TenantId, datasetId, size + 1, before, context.CancellationToken);
        var columns = await store.GetColumnsAsync(caller.TenantId, page.Take(size).Select(v => v.Id).ToArray(), context.CancellationToken);
        var response = new ListDatasetVersionsResponse();
        response.Versions.AddRange(page.Take(size).Select(v => ToProto(v, columns.Where(c => c.VersionId == v.Id).ToArray())));
        if (page.Count > size)
        {
            response.NextPageToken = page[size - 1].Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return response;
    }

    public override async Task<PreviewDatasetResponse> PreviewDataset(PreviewDatasetRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var ct = context.CancellationToken;
        var limit = request.Limit switch
        {
            0 => PreviewDefault,
            < 0 => throw RpcErrors.InvalidArgument("limit", "must not be negative"),
            > PreviewMax => throw RpcErrors.InvalidArgument("limit", $"must be at most {PreviewMax}"),
            var n => n,
        };
        var version = await ResolveVersionAsync(caller.TenantId, request.DatasetId, request.VersionId, ct);
        var columns = await store.GetColumnsAsync(caller.TenantId, [version.Id], ct);
        var response = new PreviewDatasetResponse { VersionId = version.Id.ToString(), TotalRows = version.RowCount };
        response.Columns.AddRange(columns.Select(ToProto));
        // numeric as PostgreSQL's own text: exact, whatever its size.
        var select = string.Join(", ", columns.Select(c => c.DataType == "numeric" ? TenantNames.Quote(c.Name) + "::text" : TenantNames.Quote(c.Name)));
        var table = $"{TenantNames.Quote(TenantNames.Schema(caller.TenantId))}.{TenantNames.Quote(version.PhysicalTable)}";
        await store.InTenantAsync(caller.TenantId, async (c, t) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {select} FROM {table} LIMIT @limit", c, t);
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var row = new PreviewRow();
                for (var i = 0; i < columns.Count; i++)
                {
                    row.Cells.Add(ReadCell(reader, i, SqlTypes.Parse(columns[i].DataType)));
                }
                response.Rows.Add(row);
            }
            return true;
        }, ct);
        await audit.RecordAsync(context, "dataset.previewed", "dataset", version.DatasetId.ToString(), new { versionId = version.Id, rows = response.Rows.Count });
        return response;
    }

    public override async Task<DatasetProfile> GetProfile(GetDatasetProfileRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var version = await ResolveVersionAsync(caller.TenantId, request.DatasetId, request.VersionId, context.CancellationToken);
        var json = await store.GetProfileJsonAsync(caller.TenantId, version.Id, context.CancellationToken) ?? throw RpcErrors.NotFound("Profile");
        var document = JsonSerializer.Deserialize<ProfileDocument>(json, ProfileDocument.Json)!;
        return ToProto(version, document);
    }

    [RequireRole(Infrastructure.Auth.Role.Analyst)]
    public override async Task<Api.V1.Job> TransformDataset(TransformDatasetRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var ct = context.CancellationToken;
        var version = await ResolveVersionAsync(caller.TenantId, request.DatasetId, request.VersionId, ct);
        var dataset = await store.GetDatasetAsync(caller.TenantId, version.DatasetId, ct) ?? throw RpcErrors.NotFound("Dataset");
        var newDataset = !string.IsNullOrWhiteSpace(request.NewDatasetName);
        var name = newDataset ? Input.Text("new_dataset_name", request.NewDatasetName, 1, 200) : dataset.Name;
        var columns = (await store.GetColumnsAsync(caller.TenantId, [version.Id], ct)).Select(c => new PublishColumn(c.Name, c.Label, SqlTypes.Parse(c.DataType))).ToArray();
        var steps = request.Steps.ToArray();
        // Plan now so a bad step is INVALID_ARGUMENT naming it, not a failed job later.
        var table = $"{TenantNames.Quote(TenantNames.Schema(caller.TenantId))}.{TenantNames.Quote(version.PhysicalTable)}";
        try
        {
            await store.InTenantAsync(caller.TenantId, async (c, t) => await TransformPlanner.PlanAsync(c, t, table, columns, steps, ct), ct);
        }
        catch (TransformException ex)
        {
            throw RpcErrors.InvalidArgument(ex.Field, ex.Message);
        }
        var jobId = Guid.NewGuid();
        var targetId = newDataset ? Guid.NewGuid() : dataset.Id;
        var label = caller.Kind == CallerKind.ApiKey ? $"api-key:{caller.ApiKeyId:N}" : caller.Email;
        var payload = new TransformPayload(version.Id, targetId, newDataset, name, steps.Select(TransformPayload.StepJson).ToArray(), caller.UserId, label);
        await store.InTenantAsync(caller.TenantId, async (c, t) =>
        {
            await jobs.EnqueueAsync(c, t, new NewJob(jobId, caller.TenantId, TransformJobHandler.JobKind, $"Transform {dataset.Name} v{version.Version}",
                JsonSerializer.Serialize(payload, UploadPayload.Json), targetId, caller.UserId), ct);
            return true;
        }, ct);
        events.SignalWork();
        await audit.RecordAsync(context, "dataset.transform_started", "dataset", dataset.Id.ToString(),
            new { jobId, sourceVersionId = version.Id, steps = steps.Length, newDatasetId = newDataset ? targetId : (Guid?)null });
        var job = await jobs.GetAsync(caller.TenantId, jobId, CancellationToken.None) ?? throw RpcErrors.NotFound("Job");
        return JobsApi.ToProto(job, includeBadRows: false);
    }

    public override async Task<Lineage> GetLineage(GetLineageRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var datasetId = Input.Id("dataset_id", request.DatasetId);
        _ = await store.GetDatasetAsync(caller.TenantId, datasetId, context.CancellationToken) ?? throw RpcErrors.NotFound("Dataset");
        var records = await store.LineageAsync(caller.TenantId, datasetId, context.CancellationToken);
        var lineage = new Lineage { DatasetId = datasetId.ToString() };
        var ids = records.Select(r => r.Id).ToHashSet();
        foreach (var r in records)
        {
            var steps = TransformationSteps(r.Transformation);
            lineage.Nodes.Add(new LineageNode
            {
                VersionId = r.Id.ToString(),
                DatasetId = r.DatasetId.ToString(),
                DatasetName = r.DatasetName,
                Version = r.Version,
                Origin = r.Transformation is null ? "upload" : "transform",
                Summary = r.Transformation is null ? UploadSummary(r.Source) : string.Join(", ", steps.Select(StepName)),
                RowCount = r.RowCount,
                CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)),
                Current = r.Current,
                Live = r.Live,
            });
            if (r.ParentVersionId is { } parent && ids.Contains(parent))
            {
                var edge = new LineageEdge { FromVersionId = parent.ToString(), ToVersionId = r.Id.ToString() };
                edge.Steps.AddRange(steps);
                lineage.Edges.Add(edge);
            }
        }
        return lineage;
    }

    private async Task<VersionRecord> ResolveVersionAsync(Guid tenantId, string datasetIdText, string versionIdText, CancellationToken ct)
    {
        var datasetId = Input.Id("dataset_id", datasetIdText);
        var dataset = await store.GetDatasetAsync(tenantId, datasetId, ct) ?? throw RpcErrors.NotFound("Dataset");
        var versionId = string.IsNullOrEmpty(versionIdText) ? dataset.CurrentVersionId ?? throw RpcErrors.NotFound("Dataset version") : Input.Id("version_id", versionIdText);
        var version = await store.GetVersionAsync(tenantId, versionId, ct);
        return version is not null && version.DatasetId == datasetId ? version : throw RpcErrors.NotFound("Dataset version");
    }

    private async Task<IReadOnlyList<Dataset>> ToProtoAsync(Guid tenantId, IReadOnlyList<DatasetRecord> datasets, CancellationToken ct)
    {
        var versionIds = datasets.Where(d => d.CurrentVersionId is not null).Select(d => d.CurrentVersionId!.Value).ToArray();
        var versions = new Dictionary<Guid, VersionRecord>();
        foreach (var id in versionIds)
        {
            if (await store.GetVersionAsync(tenantId, id, ct) is { } v)
            {
                versions[id] = v;
            }
        }
        var columns = versionIds.Length == 0 ? [] : await store.GetColumnsAsync(tenantId, versionIds, ct);
        return datasets.Select(d =>
        {
            var message = new Dataset
            {
                Id = d.Id.ToString(),
                Name = d.Name,
                SqlName = d.SqlName,
                Description = d.Description,
                CreatedByUserId = d.CreatedBy?.ToString() ?? "",
                CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(d.CreatedAt, DateTimeKind.Utc)),
                UpdateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(d.UpdatedAt, DateTimeKind.Utc)),
            };
            if (d.CurrentVersionId is { } current && versions.TryGetValue(current, out var version))
            {
                message.CurrentVersion = ToProto(version, columns.Where(c => c.VersionId == current).ToArray());
            }
            return message;
        }).ToArray();
    }

    private static DatasetVersion ToProto(VersionRecord v, IReadOnlyList<ColumnRecord> columns)
    {
        var message = new DatasetVersion
        {
            Id = v.Id.ToString(),
            DatasetId = v.DatasetId.ToString(),
            Version = v.Version,
            RowCount = v.RowCount,
            SizeBytes = v.SizeBytes,
            ParentVersionId = v.ParentVersionId?.ToString() ?? "",
            CreatedByUserId = v.CreatedBy?.ToString() ?? "",
            CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(v.CreatedAt, DateTimeKind.Utc)),
            TableName = v.PhysicalTable,
        };
        message.Columns.AddRange(columns.Select(ToProto));
        if (v.Transformation is null && JsonSerializer.Deserialize<UploadSourceDocument>(v.Source, UploadPayload.Json) is { } source && source.FileName is not null)
        {
            message.Source = new UploadSource
            {
                FileName = source.FileName,
                Format = source.Format switch
                {
                    "csv" => DataFormat.Csv,
                    "tsv" => DataFormat.Tsv,
                    "json" => DataFormat.Json,
                    "ndjson" => DataFormat.Ndjson,
                    "xlsx" => DataFormat.Xlsx,
                    _ => DataFormat.Unspecified,
                },
                Encoding = source.Encoding ?? "",
                Delimiter = source.Delimiter ?? "",
                HasHeader = source.HasHeader,
                Sheet = source.Sheet ?? "",
                SizeBytes = source.SizeBytes,
                BadRowCount = source.BadRowCount,
                JobId = source.JobId.ToString(),
            };
        }
        message.Steps.AddRange(TransformationSteps(v.Transformation));
        return message;
    }

    private static Column ToProto(ColumnRecord c) => new()
    {
        Name = c.Name,
        Label = c.Label,
        DataType = c.DataType,
        Type = SqlTypes.ToProto(SqlTypes.Parse(c.DataType)),
        Ordinal = c.Ordinal,
    };

    private static DatasetProfile ToProto(VersionRecord version, ProfileDocument d)
    {
        var profile = new DatasetProfile
        {
            DatasetId = version.DatasetId.ToString(),
            VersionId = version.Id.ToString(),
            RowCount = d.RowCount,
            ColumnCount = d.ColumnCount,
            DuplicateRowCount = d.DuplicateRowCount,
            QualityScore = d.QualityScore,
            Approximate = d.Approximate,
            ComputeTime = Timestamp.FromDateTime(DateTime.SpecifyKind(d.ComputedAt, DateTimeKind.Utc)),
        };
        profile.Issues.AddRange(d.Issues.Select(i => new QualityIssue { Code = i.Code, Column = i.Column, Severity = i.Severity, Message = i.Message }));
        foreach (var c in d.Columns)
        {
            var column = new ColumnProfile
            {
                Name = c.Name,
                Label = c.Label,
                Type = SqlTypes.ToProto(SqlTypes.Parse(c.Type)),
                NullCount = c.NullCount,
                NullPercent = c.NullPercent,
                DistinctCount = c.DistinctCount,
                Min = c.Min ?? "",
                Max = c.Max ?? "",
                Q1 = c.Q1 ?? "",
                Median = c.Median ?? "",
                Q3 = c.Q3 ?? "",
                OutlierCount = c.OutlierCount,
                MinLength = c.MinLength ?? 0,
                MaxLength = c.MaxLength ?? 0,
            };
            if (c.Mean is { } mean)
            {
                column.Mean = mean;
            }
            if (c.Stddev is { } stddev)
            {
                column.Stddev = stddev;
            }
            column.TopValues.AddRange(c.TopValues.Select(v => new ValueCount { Value = v.Value, Count = v.Count }));
            column.Histogram.AddRange(c.Histogram.Select(b => new HistogramBin { Lower = b.Lower, Upper = b.Upper, Count = b.Count }));
            profile.Columns.Add(column);
        }
        return profile;
    }

    private static Cell ReadCell(NpgsqlDataReader reader, int i, SqlType type)
    {
        if (reader.IsDBNull(i))
        {
            return new Cell { Null = true };
        }
        return type switch
        {
            SqlType.Boolean => new Cell { BoolValue = reader.GetBoolean(i) },
            SqlType.Integer => new Cell { IntValue = reader.GetInt32(i) },
            SqlType.BigInt => new Cell { IntValue = reader.GetInt64(i) },
            SqlType.Double => new Cell { DoubleValue = reader.GetDouble(i) },
            SqlType.Numeric => new Cell { DecimalValue = reader.GetString(i) },
            SqlType.Date => new Cell { DateValue = reader.GetFieldValue<DateOnly>(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
            SqlType.Timestamp => new Cell { TimestampValue = reader.GetDateTime(i).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('.') },
            SqlType.TimestampTz => new Cell { TimestamptzValue = Timestamp.FromDateTime(DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Utc)) },
            _ => new Cell { TextValue = reader.GetString(i) },
        };
    }

    private static IReadOnlyList<TransformStep> TransformationSteps(string? transformation)
    {
        if (string.IsNullOrEmpty(transformation))
        {
            return [];
        }
        using var document = JsonDocument.Parse(transformation);
        return document.RootElement.TryGetProperty("steps", out var steps)
            ? steps.EnumerateArray().Select(s => TransformPayload.ParseStep(s.GetRawText())).ToArray()
            : [];
    }

    private static string StepName(TransformStep step) => step.StepCase switch
    {
        TransformStep.StepOneofCase.Select => "select",
        TransformStep.StepOneofCase.Rename => "rename",
        TransformStep.StepOneofCase.Filter => "filter",
        TransformStep.StepOneofCase.Cast => "cast",
        TransformStep.StepOneofCase.FillNulls => "fill nulls",
        TransformStep.StepOneofCase.DropNulls => "drop nulls",
        TransformStep.StepOneofCase.Deduplicate => "deduplicate",
        TransformStep.StepOneofCase.Derive => "derive",
        _ => "step",
    };

    private static string UploadSummary(string source)
    {
        var document = JsonSerializer.Deserialize<UploadSourceDocument>(source, UploadPayload.Json);
        return document?.FileName is { Length: > 0 } file ? $"{file} ({document.Format.ToUpperInvariant()})" : "upload";
    }

    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.#} KiB",
        _ => $"{bytes} bytes",
    };
}
