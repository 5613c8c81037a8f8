using AstralytiQ.Server.Features.Datasets.Typing;
using AstralytiQ.Server.Infrastructure.Postgres;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets.Profiling;

/// <summary>Profiles a table already in PostgreSQL (a transformation's result) by streaming it back once with binary COPY.</summary>
public static class TableProfiler
{
    public static async Task<ProfileDocument> ProfileAsync(NpgsqlConnection connection, string qualifiedTable, IReadOnlyList<PublishColumn> columns, int exactLimit, CancellationToken cancellationToken)
    {
        var profilers = columns.Select(c => new ColumnProfiler(c.Type, exactLimit)).ToArray();
        var duplicates = new DuplicateCounter(exactLimit);
        var value = new TypedValue();
        long rows = 0;
        var select = string.Join(", ", columns.Select(c => TenantNames.Quote(c.Name)));
        await using (var exporter = await connection.BeginBinaryExportAsync($"COPY (SELECT {select} FROM {qualifiedTable}) TO STDOUT (FORMAT BINARY)", cancellationToken))
        {
            while (await exporter.StartRowAsync(cancellationToken) != -1)
            {
                UInt128 rowHash = 0;
                for (var i = 0; i < columns.Count; i++)
                {
                    value = default;
                    if (exporter.IsNull)
                    {
                        await exporter.SkipAsync(cancellationToken);
                        value.IsNull = true;
                        profilers[i].Add(value);
                        rowHash = DuplicateCounter.Combine(rowHash, 0x5bd1e995UL + (ulong)i);
                        continue;
                    }
                    ulong fieldHash;
                    switch (columns[i].Type)
                    {
                        case SqlType.Boolean:
                            value.Bool = await exporter.ReadAsync<bool>(cancellationToken);
                            fieldHash = value.Bool ? 1UL : 2UL;
                            break;
                        case SqlType.Integer:
                            value.Long = await exporter.ReadAsync<int>(cancellationToken);
                            fieldHash = Hashing.Mix((ulong)value.Long);
                            break;
                        case SqlType.BigInt:
                            value.Long = await exporter.ReadAsync<long>(cancellationToken);
                            fieldHash = Hashing.Mix((ulong)value.Long);
                            break;
                        case SqlType.Numeric:
                            value.Decimal = await exporter.ReadAsync<decimal>(cancellationToken);
                            value.Double = (double)value.Decimal;
                            fieldHash = Hashing.Hash64(value.Decimal.ToString(System.Globalization.CultureInfo.InvariantCulture));
                            break;
                        case SqlType.Double:
                            value.Double = await exporter.ReadAsync<double>(cancellationToken);
                            fieldHash = Hashing.Mix(BitConverter.DoubleToUInt64Bits(value.Double));
                            break;
                        case SqlType.Date:
                            value.DateTime = (await exporter.ReadAsync<DateOnly>(cancellationToken)).ToDateTime(TimeOnly.MinValue);
                            fieldHash = Hashing.Mix((ulong)value.DateTime.Ticks);
                            break;
                        case SqlType.Timestamp or SqlType.TimestampTz:
                            value.DateTime = await exporter.ReadAsync<DateTime>(cancellationToken);
                            fieldHash = Hashing.Mix((ulong)value.DateTime.Ticks);
                            break;
                        default:
                            value.Text = await exporter.ReadAsync<string>(cancellationToken);
                            fieldHash = Hashing.Hash64(value.Text);
                            break;
                    }
                    profilers[i].Add(value);
                    rowHash = DuplicateCounter.Combine(rowHash, fieldHash ^ (ulong)i);
                }
                duplicates.Add(rowHash);
                rows++;
            }
        }
        var profile = new ProfileDocument
        {
            RowCount = rows,
            ColumnCount = columns.Count,
            DuplicateRowCount = duplicates.Duplicates,
            ComputedAt = DateTime.UtcNow,
            Columns = columns.Select((c, i) => profilers[i].Finish(c.Name, c.Label, rows)).ToList(),
            Approximate = duplicates.Approximate || profilers.Any(p => p.Approximate),
        };
        profile.AddStatisticalIssues();
        profile.QualityScore = ProfileDocument.Score(rows, profile.Columns, profile.DuplicateRowCount, 0);
        return profile;
    }
}
