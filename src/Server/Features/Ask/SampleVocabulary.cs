using System.Text.Json;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.Server.Features.Datasets;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Ask;

/// <summary>What the samples manifest (samples/datasets.json) says about a sample dataset: what a row is called, and its synonyms.</summary>
public sealed record SampleWords(IReadOnlyList<string> RowNouns, IReadOnlyList<NlSynonym> Synonyms);

/// <summary>
/// The row nouns and synonyms of the shipped sample datasets, from the manifest in
/// <see cref="DatasetOptions.SamplesDirectory"/>. A dataset gets them when its SQL name is a
/// sample's name and it has every column the manifest lists, so a tenant's own "diamonds" with
/// other columns is left alone.
/// </summary>
public sealed class SampleVocabulary
{
    private readonly Dictionary<string, (HashSet<string> Columns, SampleWords Words)> _samples = new(StringComparer.Ordinal);

    public SampleVocabulary(IOptions<DatasetOptions> options, ILogger<SampleVocabulary> logger)
    {
        var directory = options.Value.SamplesDirectory;
        var path = string.IsNullOrEmpty(directory) ? null : Path.Combine(directory, "datasets.json");
        if (path is null || !File.Exists(path))
        {
            return;
        }
        try
        {
            var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web));
            foreach (var entry in manifest?.Datasets ?? [])
            {
                var words = new SampleWords(entry.RowNouns ?? [], (entry.Synonyms ?? []).Select(s => new NlSynonym(s.Phrase, s.Column, s.Value)).ToArray());
                _samples[entry.Name] = ((entry.Columns ?? []).Select(c => c.Name).ToHashSet(StringComparer.Ordinal), words);
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            logger.LogWarning("Could not read the samples manifest {Path}: {Reason}", path, ex.Message);
        }
    }

    public SampleWords? For(DatasetTable table) =>
        _samples.TryGetValue(table.SqlName, out var sample) && sample.Columns.All(c => table.Columns.Any(t => t.Name == c)) ? sample.Words : null;

    private sealed record Manifest(IReadOnlyList<Entry>? Datasets);

    private sealed record Entry(string Name, IReadOnlyList<string>? RowNouns, IReadOnlyList<ColumnEntry>? Columns, IReadOnlyList<SynonymEntry>? Synonyms);

    private sealed record ColumnEntry(string Name);

    private sealed record SynonymEntry(string Phrase, string Column, string? Value);
}
