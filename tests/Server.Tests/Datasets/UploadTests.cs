using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Identity;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Datasets;

public sealed class UploadTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private async Task<DatasetsClient> AnalystAsync()
    {
        var admin = await fixture.SignUpAsync();
        return new DatasetsClient(fixture.Server.Channel, admin);
    }

    [Fact]
    public async Task Csv_upload_is_published_with_inferred_types_labels_profile_and_typed_preview()
    {
        var client = await AnalystAsync();
        const string csv = """
            Order ID,Amount ($),Big,Ratio,Paid,Day,At,At UTC,City,City,Zip
            1,10.50,3000000000,1e3,true,2024-01-31,2024-01-31 10:00:00,2024-01-31T10:00:00Z,Paris,x,02134
            2,7.25,1,2.5e-1,false,2024-02-29,2024-02-29 23:59:59,2024-02-29T23:59:59+01:00,Lyon,y,10001
            3,,2,0.5,yes,2024-03-01,2024-03-01 00:00:00,2024-03-01T00:00:00Z,Paris,z,00501

            """;

        var dataset = await client.PublishAsync(csv, "Orders 2024");

        Assert.Equal("orders_2024", dataset.SqlName);
        var columns = dataset.CurrentVersion.Columns;
        Assert.Equal(["order_id", "amount", "big", "ratio", "paid", "day", "at", "at_utc", "city", "city_2", "zip"], columns.Select(c => c.Name));
        Assert.Equal(["integer", "numeric", "bigint", "double precision", "boolean", "date", "timestamp", "timestamptz", "text", "text", "text"], columns.Select(c => c.DataType));
        Assert.Equal("Amount ($)", columns[1].Label);
        Assert.Equal(3, dataset.CurrentVersion.RowCount);
        Assert.Equal(DataFormat.Csv, dataset.CurrentVersion.Source.Format);
        Assert.Equal(",", dataset.CurrentVersion.Source.Delimiter);

        var preview = await client.PreviewAsync(dataset.Id);
        Assert.Equal(3, preview.Rows.Count);
        var first = preview.Rows[0].Cells;
        Assert.Equal(1, first[0].IntValue);
        Assert.Equal("10.50", first[1].DecimalValue);
        Assert.Equal(3000000000L, first[2].IntValue);
        Assert.Equal(1000.0, first[3].DoubleValue);
        Assert.True(first[4].BoolValue);
        Assert.Equal("2024-01-31", first[5].DateValue);
        Assert.Equal("2024-01-31T10:00:00", first[6].TimestampValue);
        Assert.Equal(new DateTime(2024, 2, 29, 22, 59, 59, DateTimeKind.Utc), preview.Rows[1].Cells[7].TimestamptzValue.ToDateTime());
        Assert.Equal("02134", first[10].TextValue);
        Assert.Equal(Cell.ValueOneofCase.Null, preview.Rows[2].Cells[1].ValueCase);

        var profile = await client.ProfileAsync(dataset.Id);
        Assert.Equal(3, profile.RowCount);
        var amount = profile.Columns.Single(c => c.Name == "amount");
        Assert.Equal(1, amount.NullCount);
        Assert.Equal(33.33, amount.NullPercent, 2);
        Assert.Equal(2, amount.DistinctCount);
        Assert.Equal("7.25", amount.Min);
        Assert.Equal("10.5", amount.Max);
        Assert.Equal(8.875, amount.Mean, 6);
        var city = profile.Columns.Single(c => c.Name == "city");
        Assert.Equal(("Paris", 2L), (city.TopValues[0].Value, city.TopValues[0].Count));
        Assert.NotEmpty(profile.Columns.Single(c => c.Name == "order_id").Histogram);
        Assert.InRange(profile.QualityScore, 0.9, 1.0);
    }

    [Fact]
    public async Task Published_table_gets_planner_statistics_in_the_background()
    {
        var client = await AnalystAsync();
        var dataset = await client.PublishAsync("id,city\n1,Paris\n2,Lyon\n3,Paris\n", "Analysed");
        var table = $"d_{Guid.Parse(dataset.Id):N}_v1";

        await using var connection = new Npgsql.NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT reltuples FROM pg_class WHERE relname = @table", connection);
        command.Parameters.AddWithValue("table", table);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        float reltuples;
        // A table COPY filled but never analysed has reltuples = -1; ANALYZE counts its rows.
        while ((reltuples = (float)(await command.ExecuteScalarAsync())!) < 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(3f, reltuples);
    }

    [Theory]
    [InlineData(";", "semi.csv")]
    [InlineData("\t", "tabs.tsv")]
    [InlineData("|", "pipes.txt")]
    public async Task Delimiter_is_sniffed(string delimiter, string fileName)
    {
        var client = await AnalystAsync();
        var text = $"name{delimiter}value{delimiter}when\nn1{delimiter}1,5{delimiter}2024-01-01\nn2{delimiter}2,5{delimiter}2024-01-02\n";

        var dataset = await client.PublishAsync(text, "delims " + Guid.NewGuid().ToString("N")[..6], m => m.FileName = fileName);

        Assert.Equal(delimiter, dataset.CurrentVersion.Source.Delimiter);
        // "when" is an SQL keyword: the identifier gets a trailing underscore so it needs no quoting.
        Assert.Equal(["name", "value", "when_"], dataset.CurrentVersion.Columns.Select(c => c.Name));
        Assert.Equal("date", dataset.CurrentVersion.Columns[2].DataType);
    }

    [Theory]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("latin-1")]
    [InlineData("windows-1252")]
    public async Task Encoding_is_sniffed_and_text_decoded(string encodingName)
    {
        var client = await AnalystAsync();
        var text = "Café,Prix\nCrème brûlée,4\nSmörgåsbord,12\n";
        byte[] bytes = encodingName switch
        {
            "utf-8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
            "utf-16le" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "utf-16be" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            _ => Encoding.Latin1.GetBytes(text),
        };
        if (encodingName == "windows-1252")
        {
            // 0x80 is the euro sign in Windows-1252 (and a control character in Latin-1).
            bytes = [.. Encoding.Latin1.GetBytes(text), .. Encoding.Latin1.GetBytes("Euro "), 0x80, .. Encoding.Latin1.GetBytes(",3\n")];
        }

        var job = await client.UploadAndWaitAsync(bytes, new UploadMetadata { Name = "enc " + encodingName, FileName = "menu.csv" });

        Assert.True(job.State == JobState.Succeeded, job.Error);
        var dataset = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = job.DatasetId }, client.Options);
        Assert.Equal(["cafe", "prix"], dataset.CurrentVersion.Columns.Select(c => c.Name));
        Assert.Equal("Café", dataset.CurrentVersion.Columns[0].Label);
        var expected = encodingName switch { "utf-8-bom" => "utf-8", "windows-1252" => "windows-1252", "latin-1" => "latin-1", _ => encodingName };
        Assert.Equal(expected, dataset.CurrentVersion.Source.Encoding);
        var preview = await client.PreviewAsync(dataset.Id);
        Assert.Equal("Crème brûlée", preview.Rows[0].Cells[0].TextValue);
        if (encodingName == "windows-1252")
        {
            Assert.Equal("Euro €", preview.Rows[2].Cells[0].TextValue);
        }
    }

    [Fact]
    public async Task Quoted_fields_keep_delimiters_quotes_and_newlines_and_later_line_numbers_stay_right()
    {
        var client = await AnalystAsync();
        var csv = "id,note\r\n1,\"a, b\"\r\n2,\"she said \"\"hi\"\"\"\r\n3,\"two\nlines\"\r\n4,x,extra\r\n";

        var job = await client.UploadAndWaitAsync(csv, new UploadMetadata { Name = "quotes", BadRows = BadRowPolicy.SkipRow });

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(1, job.BadRowCount);
        Assert.Equal(6, job.BadRows[0].Line);
        Assert.Equal("expected 2 fields, found 3", job.BadRows[0].Reason);
        var preview = await client.PreviewAsync(job.DatasetId);
        Assert.Equal(["a, b", "she said \"hi\"", "two\nlines"], preview.Rows.Select(r => r.Cells[1].TextValue));
    }

    [Fact]
    public async Task Ragged_rows_fail_the_upload_by_default_listing_each_bad_line()
    {
        var client = await AnalystAsync();
        var csv = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n";

        var job = await client.UploadAndWaitAsync(csv, new UploadMetadata { Name = "ragged" });

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("2 bad rows", job.Error, StringComparison.Ordinal);
        Assert.Equal([(3L, "expected 3 fields, found 2"), (4L, "expected 3 fields, found 4")], job.BadRows.Select(b => (b.Line, b.Reason)));
        var list = await client.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), client.Options);
        Assert.Empty(list.Datasets);
    }

    [Fact]
    public async Task Skip_policy_loads_good_rows_and_reports_bad_ones()
    {
        var client = await AnalystAsync();
        var csv = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n";

        var job = await client.UploadAndWaitAsync(csv, new UploadMetadata { Name = "skip", BadRows = BadRowPolicy.SkipRow });

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(2, job.BadRowCount);
        var dataset = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = job.DatasetId }, client.Options);
        Assert.Equal(2, dataset.CurrentVersion.RowCount);
        Assert.Equal(2, dataset.CurrentVersion.Source.BadRowCount);
    }

    [Fact]
    public async Task Unterminated_quote_makes_only_its_line_bad()
    {
        var client = await AnalystAsync();
        var csv = "id,name\n1,ok\n2,\"broken\n3,fine\n4,also fine\n";

        var job = await client.UploadAndWaitAsync(csv, new UploadMetadata { Name = "unterminated", BadRows = BadRowPolicy.SkipRow });

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(3, job.BadRows.Single().Line);
        Assert.Contains("unterminated quote", job.BadRows.Single().Reason, StringComparison.Ordinal);
        var preview = await client.PreviewAsync(job.DatasetId);
        Assert.Equal(["1", "3", "4"], preview.Rows.Select(r => CellText.Of(r.Cells[0])));
    }

    [Fact]
    public async Task Invalid_utf8_after_a_valid_start_is_a_bad_row_with_its_line()
    {
        var client = await AnalystAsync();
        var good = new StringBuilder("id,name\n");
        for (var i = 1; i <= 5000; i++)
        {
            good.Append(i).Append(",name ").Append(i).Append('\n');
        }
        byte[] bytes = [.. Encoding.UTF8.GetBytes(good.ToString()), .. Encoding.ASCII.GetBytes("5001,bad "), 0xC3, 0x28, (byte)'\n', .. Encoding.UTF8.GetBytes("5002,ok\n")];

        var job = await client.UploadAndWaitAsync(bytes, new UploadMetadata { Name = "utf8", BadRows = BadRowPolicy.SkipRow });

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(5002, job.BadRows.Single().Line);
        Assert.Equal("field 2 has bytes that are not valid UTF-8", job.BadRows.Single().Reason);
    }

    [Fact]
    public async Task Empty_file_is_refused_at_upload()
    {
        var client = await AnalystAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync([], new UploadMetadata { Name = "empty" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("empty", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_format_is_refused_at_upload_saying_what_it_is()
    {
        var client = await AnalystAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(Encoding.ASCII.GetBytes("%PDF-1.7\n%binary"), new UploadMetadata { Name = "pdf", FileName = "report.pdf" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("a PDF document", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_only_file_fails_saying_there_are_no_rows()
    {
        var client = await AnalystAsync();

        var job = await client.UploadAndWaitAsync("a,b,c\n", new UploadMetadata { Name = "header only" });

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("The file has a header (3 columns) but no data rows.", job.Error);
    }

    [Fact]
    public async Task Ten_thousand_columns_fail_with_the_limit_named()
    {
        var client = await AnalystAsync();
        var header = string.Join(",", Enumerable.Range(1, 10_000).Select(i => "c" + i));
        var row = string.Join(",", Enumerable.Range(1, 10_000));

        var job = await client.UploadAndWaitAsync(header + "\n" + row + "\n", new UploadMetadata { Name = "wide" });

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("The file has 10,000 columns; at most 1,600 are supported (PostgreSQL's limit is 1,600).", job.Error);
    }

    [Fact]
    public async Task Duplicate_and_unsafe_headers_become_unique_safe_identifiers()
    {
        var client = await AnalystAsync();
        var csv = "Name,name,NAME,\"select\",\"x\"\"; DROP TABLE t; --\",,2020\n1,2,3,4,5,6,7\n";

        var dataset = await client.PublishAsync(csv, "headers");

        Assert.Equal(["name", "name_2", "name_3", "select_", "x_drop_table_t", "column_6", "c_2020"], dataset.CurrentVersion.Columns.Select(c => c.Name));
        Assert.Equal("x\"; DROP TABLE t; --", dataset.CurrentVersion.Columns[4].Label);
    }

    [Fact]
    public async Task Json_array_and_ndjson_flatten_nested_objects_to_dotted_columns()
    {
        var client = await AnalystAsync();
        var json = """[{"id": 1, "who": {"name": "Ada", "city": "London"}, "tags": ["a","b"], "ok": true, "when": "2024-05-01"}, {"id": 2, "who": {"name": "Alan"}, "extra": 3.5}]""";
        var ndjson = "{\"id\": 1, \"who\": {\"name\": \"Ada\"}}\n\n{\"id\": 2, \"who\": {\"name\": \"Alan\"}}\n[1,2]\n";

        var fromJson = await client.PublishAsync(json, "json", m => m.FileName = "people.json");
        var job = await client.UploadAndWaitAsync(ndjson, new UploadMetadata { Name = "ndjson", FileName = "people.ndjson", BadRows = BadRowPolicy.SkipRow });

        Assert.Equal(["id", "who_name", "who_city", "tags", "ok", "when_", "extra"], fromJson.CurrentVersion.Columns.Select(c => c.Name));
        Assert.Equal(["integer", "text", "text", "text", "boolean", "date", "numeric"], fromJson.CurrentVersion.Columns.Select(c => c.DataType));
        Assert.Equal("who.name", fromJson.CurrentVersion.Columns[1].Label);
        Assert.Equal(DataFormat.Json, fromJson.CurrentVersion.Source.Format);
        var preview = await client.PreviewAsync(fromJson.Id);
        Assert.Equal("[\"a\",\"b\"]", preview.Rows[0].Cells[3].TextValue);
        Assert.Equal(Cell.ValueOneofCase.Null, preview.Rows[1].Cells[2].ValueCase);
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal((4L, "the value is array, not an object"), (job.BadRows.Single().Line, job.BadRows.Single().Reason));
    }

    [Fact]
    public async Task Excel_workbook_reads_the_first_sheet_or_a_named_one()
    {
        var client = await AnalystAsync();
        var workbook = XlsxWriter.Create(
            ("Summary", [["Region", "Total"], ["North", 10.5], ["South", 7]]),
            ("Detail", [["Day", "Units", "Shipped"], [new DateTime(2024, 1, 2), 3, true], [new DateTime(2024, 1, 3), 4, false]]));

        var first = await client.UploadAndWaitAsync(workbook, new UploadMetadata { Name = "xlsx first", FileName = "book.xlsx" });
        var named = await client.UploadAndWaitAsync(workbook, new UploadMetadata { Name = "xlsx detail", FileName = "book.xlsx", Sheet = "Detail" });
        var missing = await client.UploadAndWaitAsync(workbook, new UploadMetadata { Name = "xlsx missing", FileName = "book.xlsx", Sheet = "Nope" });

        Assert.Equal(JobState.Succeeded, first.State);
        var summary = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = first.DatasetId }, client.Options);
        Assert.Equal(["text", "numeric"], summary.CurrentVersion.Columns.Select(c => c.DataType));
        Assert.Equal(JobState.Succeeded, named.State);
        var detail = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = named.DatasetId }, client.Options);
        Assert.Equal(["date", "integer", "boolean"], detail.CurrentVersion.Columns.Select(c => c.DataType));
        Assert.Equal(JobState.Failed, missing.State);
        Assert.Contains("no sheet named 'Nope'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declared_column_type_makes_values_that_do_not_fit_bad_rows()
    {
        var client = await AnalystAsync();
        var metadata = new UploadMetadata { Name = "declared", BadRows = BadRowPolicy.SkipRow };
        metadata.ColumnTypes["price"] = ColumnType.Numeric;

        var job = await client.UploadAndWaitAsync("item,price\na,1.5\nb,n/a-ish\nc,2\n", metadata);

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal("column 'price': 'n/a-ish' is not a decimal number", job.BadRows.Single().Reason);
        var dataset = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = job.DatasetId }, client.Options);
        Assert.Equal("numeric", dataset.CurrentVersion.Columns[1].DataType);
    }

    [Fact]
    public async Task Viewer_reads_but_cannot_upload()
    {
        var client = await AnalystAsync();
        var dataset = await client.PublishAsync("a\n1\n", "shared");
        var viewer = new DatasetsClient(fixture.Server.Channel, await client.Session.AddUserAsync(Role.Viewer));

        var upload = await Assert.ThrowsAsync<RpcException>(() => viewer.UploadAsync("a\n1\n", new UploadMetadata { Name = "nope" }));

        Assert.Equal(StatusCode.PermissionDenied, upload.StatusCode);
        Assert.Single((await viewer.PreviewAsync(dataset.Id)).Rows);
    }
}
