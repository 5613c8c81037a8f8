using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Tests.Infrastructure;
using Npgsql;

namespace AstralytiQ.Server.Tests.Datasets;

/// <summary>The loader's own binary COPY encoding against Npgsql's importer, through a real PostgreSQL.</summary>
public sealed class BinaryCopyWriterTests
{
    private const string Columns = "k int4, b bool, i int4, l int8, n numeric, d float8, dt date, ts timestamp, tz timestamptz, t text";

    private static readonly decimal[] Numerics =
    [
        0m, 0.00m, new(0, 0, 0, true, 2), 1m, -1m, 1.5m, -1.5m, 0.0005m, 0.05m, 1179.19m, 380.7203m, 123.4560m, 10_000m, 100_000_000m,
        12345678901234567890.12345678m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m, 1.0000000000000000000000000000m,
        -98765.4321098m,
    ];

    private static readonly DateOnly[] Dates = [new(2000, 1, 1), new(1999, 12, 31), new(2024, 2, 29), new(1, 1, 2), DateOnly.MinValue, DateOnly.MaxValue];

    private static readonly DateTime[] Timestamps =
    [
        new(2000, 1, 1), new DateTime(1999, 12, 31, 23, 59, 59).AddTicks(9_999_999), new DateTime(2024, 2, 29, 13, 45, 0).AddTicks(1_234_567),
        new(1, 1, 1, 0, 0, 1), DateTime.MinValue, DateTime.MaxValue,
    ];

    private static readonly double[] Doubles = [0, -0.0, 1.5, -2.25e-300, double.MaxValue, double.Epsilon, double.NaN, double.PositiveInfinity];

    private static readonly string[] Texts = ["", "hello", "Zürich → 東京 ✓ 🙂", new string('x', 10_000), string.Concat(Enumerable.Repeat("é東", 60_000))];

    [Fact]
    public async Task Every_value_reads_back_as_Npgsqls_importer_wrote_it()
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresAdminConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, $"CREATE TEMP TABLE expected ({Columns}); CREATE TEMP TABLE actual ({Columns})");
        const int Rows = 3000; // several buffers' worth, so rows straddle flushes

        await using (var importer = await connection.BeginBinaryImportAsync("COPY expected FROM STDIN (FORMAT BINARY)"))
        {
            for (var k = 0; k < Rows; k++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(k, NpgsqlTypes.NpgsqlDbType.Integer);
                if (k % 7 == 6)
                {
                    for (var c = 1; c < 10; c++)
                    {
                        await importer.WriteNullAsync();
                    }
                    continue;
                }
                await importer.WriteAsync(k % 2 == 0, NpgsqlTypes.NpgsqlDbType.Boolean);
                await importer.WriteAsync(k % 3 == 0 ? int.MinValue : k % 3 == 1 ? int.MaxValue : -k, NpgsqlTypes.NpgsqlDbType.Integer);
                await importer.WriteAsync(k % 3 == 0 ? long.MinValue : k % 3 == 1 ? long.MaxValue : k * 1_000_000_007L, NpgsqlTypes.NpgsqlDbType.Bigint);
                await importer.WriteAsync(Numerics[k % Numerics.Length], NpgsqlTypes.NpgsqlDbType.Numeric);
                await importer.WriteAsync(Doubles[k % Doubles.Length], NpgsqlTypes.NpgsqlDbType.Double);
                await importer.WriteAsync(Dates[k % Dates.Length], NpgsqlTypes.NpgsqlDbType.Date);
                await importer.WriteAsync(Timestamps[k % Timestamps.Length], NpgsqlTypes.NpgsqlDbType.Timestamp);
                await importer.WriteAsync(DateTime.SpecifyKind(Timestamps[k % Timestamps.Length], DateTimeKind.Utc), NpgsqlTypes.NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(Texts[k % Texts.Length], NpgsqlTypes.NpgsqlDbType.Text);
            }
            await importer.CompleteAsync();
        }

        await using (var writer = await BinaryCopyWriter.BeginAsync(connection, "COPY actual FROM STDIN (FORMAT BINARY)", CancellationToken.None))
        {
            for (var k = 0; k < Rows; k++)
            {
                writer.StartRow(10);
                writer.WriteInt32(k);
                if (k % 7 == 6)
                {
                    for (var c = 1; c < 10; c++)
                    {
                        writer.WriteNull();
                    }
                    continue;
                }
                writer.WriteBoolean(k % 2 == 0);
                writer.WriteInt32(k % 3 == 0 ? int.MinValue : k % 3 == 1 ? int.MaxValue : -k);
                writer.WriteInt64(k % 3 == 0 ? long.MinValue : k % 3 == 1 ? long.MaxValue : k * 1_000_000_007L);
                writer.WriteNumeric(Numerics[k % Numerics.Length]);
                writer.WriteDouble(Doubles[k % Doubles.Length]);
                writer.WriteDate(Dates[k % Dates.Length]);
                writer.WriteTimestamp(Timestamps[k % Timestamps.Length]);
                writer.WriteTimestamp(DateTime.SpecifyKind(Timestamps[k % Timestamps.Length], DateTimeKind.Utc));
                writer.WriteText(Texts[k % Texts.Length]);
            }
            await writer.CompleteAsync(CancellationToken.None);
        }

        // Text renderings compare numerics with their scale (1.50 is not 1.5) and timestamps to the microsecond.
        const string Rendered = "SELECT k, b::text, i::text, l::text, n::text, d::text, dt::text, ts::text, tz::text, md5(t), length(t) FROM {0} ORDER BY k";
        var expected = await RowsAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, Rendered, "expected"));
        var actual = await RowsAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, Rendered, "actual"));
        Assert.Equal(Rows, expected.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Disposing_before_completing_cancels_the_copy_and_leaves_the_connection_usable()
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresAdminConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "CREATE TEMP TABLE abandoned (n numeric, t text)");

        await using (var writer = await BinaryCopyWriter.BeginAsync(connection, "COPY abandoned FROM STDIN (FORMAT BINARY)", CancellationToken.None))
        {
            for (var k = 0; k < 10_000; k++)
            {
                writer.StartRow(2);
                writer.WriteNumeric(k);
                writer.WriteText("row"); // and a row left half written at the end
            }
            writer.StartRow(2);
            writer.WriteNumeric(1);
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM abandoned", connection);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string sql)
    {
        var rows = new List<string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : reader.GetValue(i).ToString())));
        }
        return rows;
    }
}
