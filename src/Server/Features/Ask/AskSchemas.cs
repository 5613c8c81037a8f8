using System.Globalization;
using System.Text;
using System.Text.Json;
using AstralytiQ.QueryEngine;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Features.Datasets.Profiling;
using AstralytiQ.Server.Features.Query;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Ask;

/// <summary>
/// The <see cref="DatasetSchema"/> of each dataset a question may read: the catalog's columns and
/// types, the profile's facts (distinct values of low-cardinality text columns, ranges, null
/// counts), the analysts' synonyms, and the samples manifest's row nouns and synonyms when the
/// dataset is one of the shipped samples.
/// <para>
/// The profile keeps the values of text columns with at most 20 distinct values; value linking
/// ("Austin" is a city) wants more, so for text columns with up to <see cref="AskOptions.ValueListLimit"/>
/// distinct values the values are read once per dataset version, in one read-only query as the
/// tenant's reader role (like any query). Versions never change, so the facts are kept in memory per
/// version; a schema is kept per version and synonym revision, and the same instance is handed out,
/// so the translator's linking index (cached per schema instance) is built once.
/// </para>
/// </summary>
public sealed class AskSchemas(
    AskStore store, QueryExecutor executor, SqlRunner runner, SampleVocabulary samples,
    IOptions<AskOptions> options, ILogger<AskSchemas> logger) : IDisposable
{
    private static readonly TimeSpan FactsLifetime = TimeSpan.FromHours(6);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(5);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 2_000 });

    /// <summary>Schemas for the tables, in the same order.</summary>
    public async Task<IReadOnlyList<DatasetSchema>> GetAsync(Guid tenantId, IReadOnlyList<DatasetTable> tables, CancellationToken cancellationToken)
    {
        var missing = tables.Where(t => !_cache.TryGetValue(FactsKey(tenantId, t.VersionId), out _)).Select(t => t.VersionId).ToArray();
        var vocabulary = (await store.GetVocabularyAsync(tenantId, tables.Select(t => (t.DatasetId, t.VersionId)).ToArray(), missing, cancellationToken))
            .ToDictionary(v => v.VersionId);
        var schemas = new List<DatasetSchema>(tables.Count);
        foreach (var table in tables)
        {
            vocabulary.TryGetValue(table.VersionId, out var words);
            var facts = await GetFactsAsync(tenantId, table, words?.ProfileJson, cancellationToken);
            var revision = words?.Revision ?? 0;
            var key = (tenantId, table.VersionId, revision, "schema");
            if (!_cache.TryGetValue(key, out DatasetSchema? schema) || schema is null)
            {
                schema = Build(table, facts, AskStore.ParseSynonyms(words?.SynonymsJson));
                _cache.Set(key, schema, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = FactsLifetime });
            }
            schemas.Add(schema);
        }
        return schemas;
    }

    private DatasetSchema Build(DatasetTable table, IReadOnlyList<ColumnProfile> columns, IReadOnlyList<NlSynonym> synonyms)
    {
        var catalogTable = DatasetCatalog.ToQueryCatalog([table]).Tables[0];
        var names = table.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var sample = samples.For(table);
        // The analysts' words first; the manifest's fill in. Synonyms for columns this version lacks are dropped.
        var words = synonyms.Concat(sample?.Synonyms ?? [])
            .Where(s => names.Contains(s.Column))
            .DistinctBy(s => (s.Phrase.ToLowerInvariant(), s.Column, s.Value))
            .ToArray();
        return new DatasetSchema(catalogTable, columns)
        {
            Title = table.Name,
            RowCount = table.RowCount,
            RowNouns = sample?.RowNouns ?? [],
            Synonyms = words,
        };
    }

    private async Task<IReadOnlyList<ColumnProfile>> GetFactsAsync(Guid tenantId, DatasetTable table, string? profileJson, CancellationToken cancellationToken)
    {
        var key = FactsKey(tenantId, table.VersionId);
        if (_cache.TryGetValue(key, out IReadOnlyList<ColumnProfile>? cached) && cached is not null)
        {
            return cached;
        }
        var profile = Parse(profileJson);
        var columns = table.Columns.Select(c => ToProfile(c, profile?.Columns.FirstOrDefault(p => p.Name == c.Name))).ToList();
        var complete = await AddValuesAsync(tenantId, table, columns, cancellationToken);
        _cache.Set(key, (IReadOnlyList<ColumnProfile>)columns, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = complete ? FactsLifetime : RetryAfterFailure,
        });
        return columns;
    }

    private static ProfileDocument? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<ProfileDocument>(json, ProfileDocument.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ColumnProfile ToProfile(DatasetColumn column, ColumnProfileDocument? profile)
    {
        var isText = column.DataType == "text";
        var isTime = column.DataType is "date" or "timestamp" or "timestamptz";
        return new ColumnProfile(column.Name, column.DataType)
        {
            // The profiler keeps every value of a text column only when it has few (TopValues then lists them all).
            Values = isText && profile is { TopValues.Count: > 0 } && profile.TopValues.Count >= profile.DistinctCount
                ? profile.TopValues.Select(v => v.Value).Where(v => v.Length > 0).ToArray()
                : [],
            DistinctCount = profile?.DistinctCount,
            NullCount = profile?.NullCount,
            Min = profile?.Min is { } min && isTime && min.Length >= 10 ? min[..10] : profile?.Min,
            Max = profile?.Max is { } max && isTime && max.Length >= 10 ? max[..10] : profile?.Max,
            Description = column.Label != column.Name && !string.Equals(column.Label.Replace(' ', '_'), column.Name, StringComparison.OrdinalIgnoreCase)
                ? "labelled \"" + column.Label + "\""
                : null,
        };
    }

    /// <summary>Reads the values of text columns with a few hundred distinct values at most; false when that failed (retried later).</summary>
    private async Task<bool> AddValuesAsync(Guid tenantId, DatasetTable table, List<ColumnProfile> columns, CancellationToken cancellationToken)
    {
        var limit = options.Value.ValueListLimit;
        var wanted = columns.Select((c, i) => (Column: c, Index: i))
            .Where(x => x.Column.Type == "text" && x.Column.Values.Count == 0 && x.Column.DistinctCount is > 0 && x.Column.DistinctCount <= limit)
            .ToList();
        if (wanted.Count == 0)
        {
            return true;
        }
        var sql = new StringBuilder();
        for (var i = 0; i < wanted.Count; i++)
        {
            var name = SqlRenderer.QuoteIdentifier(wanted[i].Column.Name);
            sql.Append(i == 0 ? "" : " UNION ALL ")
                .Append(CultureInfo.InvariantCulture, $"SELECT {SqlRenderer.QuoteString(wanted[i].Column.Name)} AS c, v FROM (SELECT DISTINCT {name} AS v FROM {SqlRenderer.QuoteIdentifier(table.SqlName)} WHERE {name} IS NOT NULL AND {name} <> '' LIMIT {limit + 1}) AS d{i}");
        }
        var catalog = DatasetCatalog.ToQueryCatalog([table]);
        var limits = runner.Limits;
        var rowCap = wanted.Count * (limit + 1) + 1;
        var prepared = SafeSql.Prepare(sql.ToString(), catalog, runner.Policy with { MaxResultRows = rowCap });
        if (!prepared.Succeeded)
        {
            logger.LogWarning("Could not build the value list query for {Dataset}: {Error}", table.SqlName, prepared.Errors[0].Message);
            return false;
        }
        try
        {
            var result = await executor.ExecuteAsync(tenantId, prepared, limits with { MaxRows = rowCap, MaxBytes = Math.Max(limits.MaxBytes, 3 * 1024 * 1024) }, null, cancellationToken);
            var values = result.Rows.GroupBy(r => (string)r[0]!).ToDictionary(g => g.Key, g => g.Select(r => r[1] as string).OfType<string>().Order(StringComparer.Ordinal).ToArray());
            foreach (var (column, index) in wanted)
            {
                if (values.TryGetValue(column.Name, out var list) && list.Length <= limit)
                {
                    columns[index] = column with { Values = list };
                }
            }
            return !result.Truncated;
        }
        catch (QueryExecutionException ex) when (ex.Kind != QueryFailureKind.Cancelled)
        {
            logger.LogWarning("Could not read the values of {Dataset} for question linking ({Reason}); answering without them", table.SqlName, ex.Message);
            return false;
        }
    }

    private static (Guid, Guid, string) FactsKey(Guid tenantId, Guid versionId) => (tenantId, versionId, "facts");

    public void Dispose() => _cache.Dispose();
}
