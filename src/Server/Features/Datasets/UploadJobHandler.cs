using System.Globalization;
using System.Text.Json;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Datasets.Profiling;
using AstralytiQ.Server.Features.Datasets.Reading;
using AstralytiQ.Server.Features.Datasets.Typing;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Jobs;
using AstralytiQ.Server.Infrastructure.Postgres;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>The input of a "dataset.upload" job (app.jobs.payload).</summary>
public sealed record UploadPayload(
    Guid DatasetId, bool NewDataset, string Name, string? SqlName, string Description, string FileName, long SizeBytes,
    string? Format, string? Encoding, string? Delimiter, string? Quote, bool? HasHeader, string? Sheet, bool SkipBadRows,
    IReadOnlyList<string>? NullValues, IReadOnlyDictionary<string, string>? ColumnTypes, Guid? CreatedBy, string CreatedByLabel)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>What a version's source column says about an upload.</summary>
public sealed record UploadSourceDocument(string FileName, string Format, string Encoding, string? Delimiter, bool HasHeader, string? Sheet, long SizeBytes, long BadRowCount, Guid JobId);

/// <summary>
/// Loads a spooled upload: sniff, infer types over the whole file (pass one, collecting bad rows),
/// create a staging table and binary-COPY the good rows into it while profiling them (pass two),
/// publish atomically, then leave ANALYZE to the <see cref="TableAnalyzer"/>. Nothing is visible before the publish transaction commits;
/// a cancelled or failed attempt drops its staging table, and the sweeper removes what a crashed
/// one left.
/// </summary>
public sealed class UploadJobHandler(
    DatasetStore store,
    TenantDatabase database,
    SpoolStore spool,
    QuotaGuard quotas,
    UsageMeter usage,
    AuditLog audit,
    TableAnalyzer analyzer,
    IOptions<DatasetOptions> options,
    ILogger<UploadJobHandler> logger) : IJobHandler
{
    public const string JobKind = "dataset.upload";
    public const int BadRowReportLimit = 1000;

    /// <summary>Rows whose types are taken as the guess for a single-pass load of delimited files.</summary>
    public const int SpeculationSampleRows = 20_000;

    public string Kind => JobKind;

    public async Task RunAsync(JobContext context)
    {
        var payload = JsonSerializer.Deserialize<UploadPayload>(context.Job.Payload, UploadPayload.Json)
            ?? throw new JobFailedException("The job has no upload description.");
        var path = spool.PathOf(context.JobId);
        if (!File.Exists(path))
        {
            throw new JobFailedException("The uploaded file is no longer on the server (its spool file is missing); upload it again.");
        }
        var ct = context.CancellationToken;
        var staging = DatasetStore.StagingTable(context.JobId, context.Attempt);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await context.ReportAsync("sniffing", 0, 0, force: true);
            var nulls = new NullTokens(payload.NullValues is { Count: > 0 } given ? given : ["", .. NullTokens.Defaults]);
            var sniff = Sniff(path, payload, nulls);

            // Delimited files: types from the first rows, then one pass that infers over every value while it
            // loads; if a later value does not fit (or the whole file says otherwise), fall back to two passes.
            (IngestionPlan Plan, ProfileDocument Profile)? loaded = null;
            if (sniff.Format is FileFormat.Csv or FileFormat.Tsv)
            {
                var sample = await InferAsync(context, path, payload, sniff, nulls, SpeculationSampleRows);
                if (sample.GoodRows > 0)
                {
                    loaded = await LoadAsync(context, path, sniff, sample, staging, speculative: true);
                    if (loaded is null)
                    {
                        logger.LogInformation("Job {JobId}: a later value did not fit the types of the first rows; reading the file twice", context.JobId);
                    }
                }
            }
            if (loaded is null)
            {
                var full = await InferAsync(context, path, payload, sniff, nulls, null);
                EnsureLoadable(full, payload);
                loaded = await LoadAsync(context, path, sniff, full, staging, speculative: false);
            }
            var loadSeconds = clock.Elapsed.TotalSeconds;
            var (plan, profile) = loaded!.Value;
            EnsureLoadable(plan, payload);
            var badRows = plan.BadRows.Select(b => new BadRowFact(b.Line, b.Reason)).ToArray();
            try
            {
                await quotas.EnsureAsync(context.TenantId, UsageMetrics.RowsIngested, plan.GoodRows, ct);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                throw new JobFailedException(ex.Status.Detail);
            }

            await context.ReportAsync("publishing", 0.97, plan.GoodRows, force: true);
            var versionId = Guid.NewGuid();
            var source = new UploadSourceDocument(payload.FileName, sniff.Format.ToString().ToLowerInvariant(), sniff.Encoding,
                sniff.Format is FileFormat.Csv or FileFormat.Tsv ? sniff.Delimiter.ToString() : null, sniff.HasHeader, payload.Sheet, payload.SizeBytes, plan.BadRowCount, context.JobId);
            var published = await store.PublishAsync(context, new Publication(
                payload.DatasetId, payload.NewDataset, payload.Name, payload.SqlName, payload.Description, versionId, staging,
                plan.Columns.Select(c => new PublishColumn(c.Name, c.Label, c.Type)).ToArray(), plan.GoodRows, null,
                JsonSerializer.Serialize(source, UploadPayload.Json), null, JsonSerializer.Serialize(profile, ProfileDocument.Json), payload.CreatedBy,
                new { datasetId = payload.DatasetId, versionId, badRowCount = plan.BadRowCount, badRows }));

            analyzer.Enqueue($"{TenantNames.Quote(TenantNames.Schema(context.TenantId))}.{TenantNames.Quote(DatasetStore.PhysicalTable(payload.DatasetId, published.Version))}");
            usage.Add(context.TenantId, UsageMetrics.RowsIngested, plan.GoodRows);
            usage.Add(context.TenantId, UsageMetrics.StorageBytes, published.SizeBytes);
            await audit.RecordAsync(context.TenantId, payload.CreatedBy, payload.CreatedByLabel, null, "dataset.published", "dataset", payload.DatasetId.ToString(),
                new { versionId, version = published.Version, sqlName = published.SqlName, rows = plan.GoodRows, badRows = plan.BadRowCount, jobId = context.JobId });
            logger.LogInformation("Published {Rows} rows as version {Version} of dataset {DatasetId} in {Seconds:0.00} s (read, loaded and profiled in {LoadSeconds:0.00} s)",
                plan.GoodRows, published.Version, payload.DatasetId, clock.Elapsed.TotalSeconds, loadSeconds);
            spool.Delete(context.JobId);
        }
        catch (Exception ex) when (ex is not JobLeaseLostException)
        {
            await DropStagingAsync(staging);
            if (ex is JobFailedException or UnreadableFileException or InvalidDataException)
            {
                // Final for this upload; other endings may be retried (and need the file), or the sweeper removes it.
                spool.Delete(context.JobId);
            }
            if (ex is UnreadableFileException or InvalidDataException)
            {
                throw new JobFailedException(ex.Message);
            }
            throw;
        }
    }

    private static void EnsureLoadable(IngestionPlan plan, UploadPayload payload)
    {
        var badRows = plan.BadRows.Select(b => new BadRowFact(b.Line, b.Reason)).ToArray();
        if (plan.BadRowCount > 0 && !payload.SkipBadRows)
        {
            throw new JobFailedException(
                string.Create(CultureInfo.InvariantCulture, $"{plan.BadRowCount:N0} bad rows (first on line {plan.BadRows[0].Line:N0}: {plan.BadRows[0].Reason}); nothing was loaded. Fix the file, or upload again skipping bad rows."),
                JsonSerializer.Serialize(new { badRowCount = plan.BadRowCount, badRows }, UploadPayload.Json));
        }
        if (plan.GoodRows == 0)
        {
            throw new JobFailedException(plan.BadRowCount > 0
                ? string.Create(CultureInfo.InvariantCulture, $"All {plan.BadRowCount:N0} rows are bad; nothing to load.")
                : plan.Columns.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"The file has a header ({plan.Columns.Count:N0} columns) but no data rows.") : "The file has no rows.",
                plan.BadRowCount > 0 ? JsonSerializer.Serialize(new { badRowCount = plan.BadRowCount, badRows }, UploadPayload.Json) : null);
        }
    }

    private SniffResult Sniff(string path, UploadPayload payload, NullTokens nulls)
    {
        var head = new byte[FileSniffer.SampleBytes];
        int read;
        long length;
        using (var file = File.OpenRead(path))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            length = file.Length;
        }
        FileFormat? declared = payload.Format is { } f ? Enum.Parse<FileFormat>(f, ignoreCase: true) : null;
        var (format, encoding, bom) = FileSniffer.SniffFormat(head.AsSpan(0, read), payload.FileName, declared, payload.Encoding);
        var quote = payload.Quote is { Length: 1 } q ? q[0] : '"';
        if (format is FileFormat.Csv or FileFormat.Tsv)
        {
            var sample = FileSniffer.Decode(head.AsSpan(0, read), encoding, bom);
            var (delimiter, header) = FileSniffer.SniffDelimited(sample, read == length, format, payload.Delimiter is { Length: 1 } d ? d[0] : null, quote, payload.HasHeader, nulls);
            return new SniffResult(format, encoding, bom, delimiter, quote, header);
        }
        return new SniffResult(format, encoding, bom, ',', quote, payload.HasHeader ?? true);
    }

    private RecordSource Open(string path, SniffResult sniff, UploadPayload payload, NullTokens nulls, IReadOnlyList<string>? knownLabels) => sniff.Format switch
    {
        FileFormat.Json or FileFormat.NdJson => new JsonSource(path, sniff, options.Value.MaxColumns, knownLabels),
        FileFormat.Xlsx => new ExcelSource(path, payload.Sheet, payload.HasHeader, nulls, options.Value.MaxColumns),
        _ => new DelimitedSource(path, sniff, nulls, options.Value.MaxColumns),
    };

    /// <summary>Pass one (or, with <paramref name="maxGoodRows"/>, the first rows only): every value, for types and bad rows.</summary>
    private async Task<IngestionPlan> InferAsync(JobContext context, string path, UploadPayload payload, SniffResult sniff, NullTokens nulls, int? maxGoodRows)
    {
        await context.ReportAsync("inferring", 0.01, 0, force: true);
        using var source = Open(path, sniff, payload, nulls, null);
        var state = new InferenceState(source, payload.ColumnTypes);
        var rowsSinceCheck = 0;
        while (source.Read())
        {
            if (++rowsSinceCheck == 8192)
            {
                rowsSinceCheck = 0;
                await context.ReportAsync("inferring", 0.01 + 0.39 * source.Progress, state.GoodRows + state.BadRowCount);
            }
            state.Observe(source);
            if (state.GoodRows >= maxGoodRows)
            {
                break;
            }
        }
        return state.ToPlan();
    }

    /// <summary>
    /// The good rows into a new staging table by binary COPY, profiled on the way. When
    /// <paramref name="speculative"/>, <paramref name="plan"/>'s types are a guess from the first rows and
    /// this pass also infers over every value: null when a value does not fit the guess, or the whole
    /// file resolves to other types (nothing is kept then; the caller reads the file twice).
    /// </summary>
    private async Task<(IngestionPlan Plan, ProfileDocument Profile)?> LoadAsync(JobContext context, string path, SniffResult sniff, IngestionPlan plan, string staging, bool speculative)
    {
        var ct = context.CancellationToken;
        var payload = JsonSerializer.Deserialize<UploadPayload>(context.Job.Payload, UploadPayload.Json)!;
        var nulls = new NullTokens(payload.NullValues is { Count: > 0 } given ? given : ["", .. NullTokens.Defaults]);
        var (from, span) = speculative ? (0.02, 0.88) : (0.4, 0.5);
        await context.ReportAsync("loading", from, 0, force: true);
        var columns = plan.Columns;
        var profilers = columns.Select(c => new ColumnProfiler(c.Type, options.Value.ProfileExactLimit)).ToArray();
        var duplicates = new DuplicateCounter(options.Value.ProfileExactLimit);
        long loaded = 0;
        InferenceState? state = null;

        await using (var connection = await database.DataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            var definition = string.Join(", ", columns.Select(c => $"{TenantNames.Quote(c.Name)} {SqlTypes.Name(c.Type)}"));
            await using (var create = new NpgsqlCommand($"CREATE TABLE {DatasetStore.StagingSchema}.{TenantNames.Quote(staging)} ({definition})", connection, transaction))
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            var copy = $"COPY {DatasetStore.StagingSchema}.{TenantNames.Quote(staging)} ({string.Join(", ", columns.Select(c => TenantNames.Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)";
            using (var source = Open(path, sniff, payload, nulls, columns.Select(c => c.Label).ToArray()))
            await using (var importer = await BinaryCopyWriter.BeginAsync(connection, copy, ct))
            {
                state = speculative ? new InferenceState(source, payload.ColumnTypes, plan) : null;
                // Two threads on the two cores PostgreSQL leaves us: this one reads and converts rows into
                // batches; the writer serialises them into the COPY stream and profiles them.
                var writer = new BatchWriter(importer, columns, profilers, duplicates);
                var writing = Task.Run(() => writer.RunAsync(ct), CancellationToken.None);
                var completed = false;
                try
                {
                    var batch = await writer.RentAsync(ct);
                    var sinceCheck = 0;
                    while (source.Read())
                    {
                        if (++sinceCheck == 8192)
                        {
                            sinceCheck = 0;
                            await context.ReportAsync("loading", from + span * source.Progress, writer.Loaded);
                        }
                        if (state is not null)
                        {
                            if (!state.Observe(source))
                            {
                                continue;
                            }
                            if (!Convert(source, columns, batch.Row(batch.Rows)))
                            {
                                // A value the first rows' types cannot hold: this load is void (COPY is cancelled with the transaction).
                                return null;
                            }
                        }
                        else if (source.Error is not null || !Convert(source, columns, batch.Row(batch.Rows)))
                        {
                            continue;
                        }
                        if (++batch.Rows == BatchWriter.BatchRows)
                        {
                            await writer.SubmitAsync(batch, ct);
                            batch = await writer.RentAsync(ct);
                        }
                    }
                    if (batch.Rows > 0)
                    {
                        await writer.SubmitAsync(batch, ct);
                    }
                    completed = true;
                }
                finally
                {
                    writer.Complete();
                    if (completed)
                    {
                        await writing;
                    }
                    else
                    {
                        // Abandoned (speculation failed, cancelled, or the writer failed): wait for the writer; its own
                        // failure (PostgreSQL refusing a row) is the real cause and replaces ours (a closed channel).
                        await Task.WhenAny(writing);
                        if (writing.Exception?.InnerException is { } cause and not OperationCanceledException)
                        {
                            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
                        }
                    }
                }
                loaded = writer.Loaded;
                if (state is not null)
                {
                    var full = state.ToPlan();
                    if (!full.Columns.Select(c => (c.Type, c.Order)).SequenceEqual(columns.Select(c => (c.Type, c.Order))))
                    {
                        // E.g. a column empty in the first rows that holds numbers later: the whole file decides.
                        return null;
                    }
                    plan = full;
                }
                await importer.CompleteAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }
        if (loaded != plan.GoodRows)
        {
            // Both passes read the same bytes with the same rules; a difference means the file changed under us.
            throw new InvalidOperationException($"The load wrote {loaded} rows where inference counted {plan.GoodRows}.");
        }

        await context.ReportAsync("profiling", 0.92, loaded, force: true);
        var profile = new ProfileDocument
        {
            RowCount = loaded,
            ColumnCount = columns.Count,
            DuplicateRowCount = duplicates.Duplicates,
            ComputedAt = DateTime.UtcNow,
            Columns = FinishAll(columns, profilers, loaded),
        };
        profile.Approximate = duplicates.Approximate || profilers.Any(p => p.Approximate);
        profile.Issues.AddRange(plan.Issues);
        profile.AddStatisticalIssues();
        profile.QualityScore = ProfileDocument.Score(loaded, profile.Columns, profile.DuplicateRowCount, plan.Issues.Count(i => i.Code == "mixed_types"));
        return (plan, profile);
    }

    /// <summary>Finishes the columns' profiles side by side: each sorts its own values for quantiles and histograms.</summary>
    private static List<ColumnProfileDocument> FinishAll(IReadOnlyList<PlannedColumn> columns, ColumnProfiler[] profilers, long rows)
    {
        var finished = new ColumnProfileDocument[columns.Count];
        Parallel.For(0, columns.Count, i => finished[i] = profilers[i].Finish(columns[i].Name, columns[i].Label, rows));
        return [.. finished];
    }

    private static bool Convert(RecordSource source, IReadOnlyList<PlannedColumn> columns, Span<TypedValue> values)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            var kind = source.GetKind(i);
            if (kind == FieldKind.Null)
            {
                values[i] = new TypedValue { IsNull = true };
                continue;
            }
            var column = columns[i];
            if (!ValueConverter.TryConvert(source.GetText(i), kind, column.Type, column.Order, ref values[i]))
            {
                return false;
            }
        }
        return true;
    }

    private async Task DropStagingAsync(string staging)
    {
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"SET lock_timeout = '5s'; DROP TABLE IF EXISTS {DatasetStore.StagingSchema}.{TenantNames.Quote(staging)}", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException)
        {
            logger.LogWarning("Could not drop staging table {Table} now; the sweeper will: {Reason}", staging, ex.Message);
        }
    }

}

/// <summary>Type inference over a file's records as they are read, with its bad rows (the first 1000 kept).</summary>
/// <remarks>
/// Given a <c>guess</c> (the first rows' plan), only columns the guess is unsure of are observed:
/// text columns (cheap, and they carry the mixed-type findings), declared types (their misfits are
/// bad rows) and columns without values in the first rows. A typed column needs no observing: every
/// value must convert to the guessed type, or the load falls back to two passes.
/// </remarks>
internal sealed class InferenceState(RecordSource source, IReadOnlyDictionary<string, string>? declaredTypes, IngestionPlan? guess = null)
{
    private readonly List<ColumnInference> _inference = [];
    private readonly List<(long Line, string Reason)> _badRows = [];

    public long GoodRows { get; private set; }

    public long BadRowCount { get; private set; }

    /// <summary>Takes the current record; false when it is a bad row.</summary>
    public bool Observe(RecordSource record)
    {
        var labels = source.Labels;
        while (_inference.Count < labels.Count)
        {
            var label = labels[_inference.Count];
            var name = ColumnNames.Normalise(label, $"column_{_inference.Count + 1}");
            SqlType? type = declaredTypes is not null && (declaredTypes.TryGetValue(label, out var declared) || declaredTypes.TryGetValue(name, out declared)) ? SqlTypes.Parse(declared) : null;
            _inference.Add(new ColumnInference(type));
        }
        var error = record.Error;
        if (error is null)
        {
            for (var i = 0; i < _inference.Count; i++)
            {
                if (!Watched(i))
                {
                    continue;
                }
                var kind = record.GetKind(i);
                if (kind != FieldKind.Null && !_inference[i].Observe(record.GetText(i), kind, record.Line))
                {
                    var text = record.GetText(i);
                    error = $"column '{labels[i]}': '{(text.Length > 60 ? string.Concat(text[..60], "…") : text.ToString())}' is not {ValueConverter.Expected(_inference[i].Declared!.Value)}";
                    break;
                }
            }
        }
        if (error is not null)
        {
            BadRowCount++;
            if (_badRows.Count < UploadJobHandler.BadRowReportLimit)
            {
                _badRows.Add((record.Line, error));
            }
            return false;
        }
        GoodRows++;
        return true;
    }

    private bool Watched(int i) =>
        guess is null || i >= guess.Columns.Count || _inference[i].Declared is not null
        || guess.Columns[i].Type == SqlType.Text || i >= guess.ValueCounts.Count || guess.ValueCounts[i] == 0;

    public IngestionPlan ToPlan()
    {
        var labels = source.Labels;
        while (_inference.Count < labels.Count)
        {
            _inference.Add(new ColumnInference());
        }
        var unique = ColumnNames.Unique(labels);
        var columns = new List<PlannedColumn>(labels.Count);
        var issues = new List<QualityIssueDocument>();
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i].Length == 0 ? $"Column {i + 1}" : labels[i];
            if (!Watched(i))
            {
                columns.Add(guess!.Columns[i]);
                issues.AddRange(guess.Issues.Where(issue => issue.Column == unique[i]));
                continue;
            }
            var (type, order, ambiguous) = _inference[i].Resolve();
            columns.Add(new PlannedColumn(unique[i], label, type, order));
            if (ambiguous)
            {
                issues.Add(new("ambiguous_dates", unique[i], "info", $"'{label}' has dates like 01/02/2024 that read either way; they were read as month/day/year."));
            }
            if (type == SqlType.Text && _inference[i].Breaker is not null)
            {
                issues.Add(new("mixed_types", unique[i], "warning", $"'{label}' has mixed types: {_inference[i].DescribeBreak(_inference[i].NonNullCount)}."));
            }
        }
        return new IngestionPlan(columns, GoodRows, BadRowCount, [.. _badRows], issues) { ValueCounts = _inference.Select(c => c.NonNullCount).ToArray() };
    }
}

public sealed record PlannedColumn(string Name, string Label, SqlType Type, DateOrder Order);

public sealed record IngestionPlan(IReadOnlyList<PlannedColumn> Columns, long GoodRows, long BadRowCount, IReadOnlyList<(long Line, string Reason)> BadRows, IReadOnlyList<QualityIssueDocument> Issues)
{
    /// <summary>Non-null values seen per column (how sure a guess from the first rows is).</summary>
    public IReadOnlyList<long> ValueCounts { get; init; } = [];
}

/// <summary>
/// The writing half of a load: takes batches of converted rows, writes them into the binary COPY,
/// and feeds the profilers and the duplicate counter. Batches are recycled, so memory stays flat.
/// </summary>
internal sealed class BatchWriter(BinaryCopyWriter importer, IReadOnlyList<PlannedColumn> columns, ColumnProfiler[] profilers, DuplicateCounter duplicates)
{
    public const int BatchRows = 2048;
    private const int Batches = 4;

    private readonly System.Threading.Channels.Channel<Batch> _full = System.Threading.Channels.Channel.CreateBounded<Batch>(Batches);
    private readonly System.Threading.Channels.Channel<Batch> _free = CreateFree(columns.Count);
    private long _loaded;

    public long Loaded => Interlocked.Read(ref _loaded);

    public sealed class Batch(int columns)
    {
        private readonly TypedValue[] _values = new TypedValue[BatchRows * columns];

        public int Rows { get; set; }

        public Span<TypedValue> Row(int row) => _values.AsSpan(row * columns, columns);
    }

    private static System.Threading.Channels.Channel<Batch> CreateFree(int columns)
    {
        var free = System.Threading.Channels.Channel.CreateBounded<Batch>(Batches + 1);
        for (var i = 0; i < Batches + 1; i++)
        {
            free.Writer.TryWrite(new Batch(columns));
        }
        return free;
    }

    public async ValueTask<Batch> RentAsync(CancellationToken cancellationToken)
    {
        var batch = await _free.Reader.ReadAsync(cancellationToken);
        batch.Rows = 0;
        return batch;
    }

    public ValueTask SubmitAsync(Batch batch, CancellationToken cancellationToken) => _full.Writer.WriteAsync(batch, cancellationToken);

    public void Complete() => _full.Writer.TryComplete();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in _full.Reader.ReadAllAsync(cancellationToken))
            {
                Write(batch);
                _free.Writer.TryWrite(batch);
            }
        }
        catch
        {
            // The reader must not wait forever for a batch back.
            _free.Writer.TryComplete();
            throw;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Write(Batch batch)
    {
        Span<int> bits = stackalloc int[4];
        for (var r = 0; r < batch.Rows; r++)
        {
            var row = batch.Row(r);
            importer.StartRow(row.Length);
            UInt128 rowHash = 0;
            for (var i = 0; i < row.Length; i++)
            {
                ref var value = ref row[i];
                profilers[i].Add(value);
                if (value.IsNull)
                {
                    importer.WriteNull();
                    rowHash = DuplicateCounter.Combine(rowHash, 0x5bd1e995UL + (ulong)i);
                    continue;
                }
                ulong hash;
                switch (columns[i].Type)
                {
                    case SqlType.Boolean:
                        importer.WriteBoolean(value.Bool);
                        hash = value.Bool ? 1UL : 2UL;
                        break;
                    case SqlType.Integer:
                        importer.WriteInt32((int)value.Long);
                        hash = Hashing.Mix((ulong)value.Long);
                        break;
                    case SqlType.BigInt:
                        importer.WriteInt64(value.Long);
                        hash = Hashing.Mix((ulong)value.Long);
                        break;
                    case SqlType.Numeric:
                        importer.WriteNumeric(value.Decimal);
                        decimal.GetBits(value.Decimal, bits);
                        hash = Hashing.Mix(((ulong)(uint)bits[0] | ((ulong)(uint)bits[1] << 32)) ^ ((ulong)(uint)bits[2] * 31) ^ ((ulong)(uint)bits[3] << 7));
                        break;
                    case SqlType.Double:
                        importer.WriteDouble(value.Double);
                        hash = Hashing.Mix(BitConverter.DoubleToUInt64Bits(value.Double));
                        break;
                    case SqlType.Date:
                        importer.WriteDate(DateOnly.FromDateTime(value.DateTime));
                        hash = Hashing.Mix((ulong)value.DateTime.Ticks);
                        break;
                    case SqlType.Timestamp or SqlType.TimestampTz:
                        importer.WriteTimestamp(value.DateTime);
                        hash = Hashing.Mix((ulong)value.DateTime.Ticks);
                        break;
                    default:
                        importer.WriteText(value.Text!);
                        hash = Hashing.Hash64(value.Text);
                        break;
                }
                rowHash = DuplicateCounter.Combine(rowHash, hash ^ (ulong)i);
            }
            duplicates.Add(rowHash);
        }
        Interlocked.Add(ref _loaded, batch.Rows);
    }
}

/// <summary>Counts rows identical to an earlier row by a 128-bit hash of their fields; exact up to a limit of distinct rows.</summary>
public sealed class DuplicateCounter(int limit)
{
    private readonly HashSet<UInt128> _seen = [];

    public long Duplicates { get; private set; }

    public bool Approximate { get; private set; }

    public void Add(UInt128 hash)
    {
        if (_seen.Count < limit)
        {
            if (!_seen.Add(hash))
            {
                Duplicates++;
            }
        }
        else if (_seen.Contains(hash))
        {
            Duplicates++;
        }
        else
        {
            Approximate = true;
        }
    }

    public static UInt128 Combine(UInt128 row, ulong field)
    {
        var high = (ulong)(row >> 64);
        var low = (ulong)row;
        low = Hashing.Mix(low ^ field) + 0x9E3779B97F4A7C15UL;
        high = System.Numerics.BitOperations.RotateLeft(high, 27) ^ (field * 0xC2B2AE3D27D4EB4FUL);
        return new UInt128(high, low);
    }
}
