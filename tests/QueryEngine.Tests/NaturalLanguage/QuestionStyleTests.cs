using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Policy;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>
/// Readings of the question styles common in benchmark sets ("Show the names of ...", "List ... in
/// descending order of ...", "Which X has ..."), over small hand-built tables shaped like everyday
/// ones (people with first and last names, a table whose rows are named by a column).
/// </summary>
public sealed class QuestionStyleTests
{
    private static DatasetSchema Table(string name, long rows, params ColumnProfile[] columns) =>
        new(new CatalogTable(name, "t_tenant", "ds_" + name, columns.Select(c => new CatalogColumn(c.Name, c.Type)).ToArray()), columns) { RowCount = rows };

    private static ColumnProfile Col(string name, string type, long distinct, params string[] values) =>
        new(name, type) { DistinctCount = distinct, NullCount = 0, Values = values };

    internal static readonly DatasetSchema Players = Table("players", 500,
        Col("player_id", "integer", 500),
        Col("first_name", "text", 450),
        Col("middle_name", "text", 300),
        Col("last_name", "text", 480),
        Col("hand", "text", 3, "L", "R", "U"),
        Col("birth_date", "date", 490) with { Min = "1950-01-01", Max = "2000-12-31" },
        Col("earnings", "numeric(12,2)", 480) with { Min = "0", Max = "900000" });

    internal static readonly DatasetSchema Airlines = Table("airlines", 12,
        Col("uid", "integer", 12),
        Col("airline", "text", 12, "United Airlines", "Delta Airlines", "JetBlue Airways"),
        Col("abbreviation", "text", 12, "UAL", "Delta", "JetBlue"),
        Col("country", "text", 1, "USA"));

    internal static readonly DatasetSchema Cities = Table("city", 4000,
        Col("id", "integer", 4000),
        Col("name", "text", 3990),
        Col("district", "text", 1300),
        Col("population", "integer", 3900) with { Min = "42", Max = "10500000" });

    private static void Expect(DatasetSchema dataset, string question, string expectedSql)
    {
        var t = OfflineTranslatorTests.Ask(question, dataset);
        Assert.True(t.Succeeded, $"\"{question}\" was refused: {t.Refusal?.Message}");
        Assert.Equal(SampleDatasets.Canonical(expectedSql, dataset), SampleDatasets.Canonical(t.Query!, dataset));
    }

    [Theory]
    [InlineData("List the first and last name of all players in the order of birth date.", "SELECT first_name, last_name FROM players ORDER BY birth_date ASC")]
    [InlineData("What is the first, middle, and last name of every player?", "SELECT first_name, middle_name, last_name FROM players")]
    public void A_head_word_written_once_carries_back_over_the_list(string question, string sql) => Expect(Players, question, sql);

    [Theory]
    [InlineData("List the earnings of players in descending order.", "SELECT earnings FROM players ORDER BY earnings DESC NULLS LAST")]
    [InlineData("What are the earnings of players, ordered descending by value?", "SELECT earnings FROM players ORDER BY earnings DESC NULLS LAST")]
    public void An_ordered_list_of_an_additive_column_lists_rows_instead_of_totalling(string question, string sql) => Expect(Players, question, sql);

    [Theory]
    [InlineData("List all airline names and their abbreviations in \"USA\".", "SELECT airline, abbreviation FROM airlines WHERE country = 'USA'")]
    [InlineData("What are the airline names and abbreviations for airlines in the USA?", "SELECT airline, abbreviation FROM airlines WHERE country = 'USA'")]
    public void The_names_of_rows_without_a_name_column_are_the_column_named_like_the_rows(string question, string sql) => Expect(Airlines, question, sql);

    [Fact]
    public void Rows_asked_for_by_their_noun_show_the_column_that_names_them()
    {
        Expect(Airlines, "Which airline has abbreviation 'UAL'?", "SELECT airline FROM airlines WHERE abbreviation = 'UAL'");
        Expect(Cities, "What are the cities whose population is between 160000 and 900000?", "SELECT name FROM city WHERE population BETWEEN 160000 AND 900000");
    }
}
