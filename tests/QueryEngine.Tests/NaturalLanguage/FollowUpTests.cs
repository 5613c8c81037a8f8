using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>Follow-ups refine the previous answer instead of starting over.</summary>
public sealed class FollowUpTests
{
    private static NlTranslation Chain(DatasetSchema dataset, params string[] questions)
    {
        NlTurn? previous = null;
        NlTranslation? last = null;
        foreach (var q in questions)
        {
            last = OfflineTranslatorTests.Ask(q, dataset, previous);
            Assert.True(last.Succeeded, $"\"{q}\" was refused: {last.Refusal?.Message}");
            previous = new NlTurn(q, last.Query!);
        }

        return last!;
    }

    private static void Expect(DatasetSchema dataset, string expectedSql, params string[] questions)
    {
        var t = Chain(dataset, questions);
        Assert.True(t.IsFollowUp);
        Assert.Equal(SampleDatasets.Canonical(expectedSql, dataset), SampleDatasets.Canonical(t.Query!, dataset));
    }

    [Fact]
    public void Only_for_a_year_adds_a_period() =>
        Expect(SampleDatasets.Retail, "SELECT region, sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01' GROUP BY region ORDER BY region ASC",
            "total revenue by region", "only for 2023");

    [Fact]
    public void And_by_month_adds_a_time_bucket() =>
        Expect(SampleDatasets.Retail, "SELECT CAST(date_trunc('month', order_date) AS date), sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01' GROUP BY CAST(date_trunc('month', order_date) AS date) ORDER BY CAST(date_trunc('month', order_date) AS date) ASC",
            "what was our revenue in 2023?", "and by month?");

    [Fact]
    public void What_about_a_value_spelled_like_a_word_swaps_the_filter_on_its_column() =>
        Expect(SampleDatasets.Diamonds, "SELECT avg(price) FROM diamonds WHERE cut = 'Fair'",
            "average price of ideal cut diamonds", "what about fair?");

    [Fact]
    public void What_about_a_year_swaps_the_year() =>
        Expect(SampleDatasets.Flights, "SELECT count(*) FROM flights WHERE cancelled AND year = 2021",
            "how many flights were cancelled in 2020", "what about 2021?");

    [Fact]
    public void A_ranking_follow_up_replaces_the_time_order_of_a_series() =>
        Expect(SampleDatasets.Flights, "SELECT year, count(*) FROM flights GROUP BY year ORDER BY count(*) DESC NULLS LAST",
            "flights per year", "sort it highest first");

    [Fact]
    public void The_top_10_instead_replaces_the_limit() =>
        Expect(SampleDatasets.Retail, "SELECT product, sum(revenue) FROM retail_sales GROUP BY product ORDER BY sum(revenue) DESC NULLS LAST LIMIT 10",
            "top 5 products by revenue", "show the top 10 instead");

    [Fact]
    public void What_about_a_value_replaces_the_filter_on_that_column() =>
        Expect(SampleDatasets.Retail, "SELECT count(*) FROM retail_sales WHERE city = 'Dallas'",
            "how many orders were placed in Austin?", "what about Dallas?");

    [Fact]
    public void What_about_a_month_keeps_the_year() =>
        Expect(SampleDatasets.Flights, "SELECT avg(dep_delay) FROM flights WHERE year = 2023 AND month = 8",
            "average departure delay in July 2023", "what about August?");

    [Fact]
    public void Break_it_down_by_adds_a_grouping_to_a_single_number() =>
        Expect(SampleDatasets.Diamonds, "SELECT color, avg(price) FROM diamonds WHERE carat > 2 GROUP BY color ORDER BY color ASC",
            "average price of diamonds over 2 carats", "break it down by color");

    [Fact]
    public void And_the_fewest_flips_the_ordering() =>
        Expect(SampleDatasets.Flights, "SELECT carrier, count(*) FROM flights GROUP BY carrier ORDER BY count(*) ASC LIMIT 1",
            "which airline has the most flights?", "and the fewest?");

    [Fact]
    public void Sort_it_orders_by_the_measure() =>
        Expect(SampleDatasets.Flights, "SELECT carrier, avg(arr_delay) FROM flights GROUP BY carrier ORDER BY avg(arr_delay) DESC NULLS LAST",
            "average arrival delay by carrier", "sort it from highest to lowest");

    [Fact]
    public void A_complete_new_question_is_not_read_as_a_follow_up()
    {
        var first = OfflineTranslatorTests.Ask("total revenue by region", SampleDatasets.Retail);
        var second = OfflineTranslatorTests.Ask("how many orders were returned?", SampleDatasets.Retail, new NlTurn("total revenue by region", first.Query!));
        Assert.False(second.IsFollowUp);
        Assert.Equal(SampleDatasets.Canonical("SELECT count(*) FROM retail_sales WHERE returned", SampleDatasets.Retail), SampleDatasets.Canonical(second.Query!, SampleDatasets.Retail));
    }

    [Fact]
    public void The_previous_turn_may_come_back_as_parsed_sql()
    {
        // The server keeps a conversation's canonical SQL and parses it back for the next turn.
        var first = OfflineTranslatorTests.Ask("total revenue by region", SampleDatasets.Retail);
        var stored = SafeSql.Prepare(first.Query!, new AstralytiQ.QueryEngine.Policy.TableCatalog([SampleDatasets.Retail.Table]), SampleDatasets.Policy).CanonicalSql!;
        var second = OfflineTranslatorTests.Ask("only for 2022", SampleDatasets.Retail, new NlTurn("total revenue by region", SqlParser.Parse(stored)));
        Assert.True(second.IsFollowUp);
        Assert.Equal(
            SampleDatasets.Canonical("SELECT region, sum(revenue) FROM retail_sales WHERE order_date >= DATE '2022-01-01' AND order_date < DATE '2023-01-01' GROUP BY region ORDER BY region ASC", SampleDatasets.Retail),
            SampleDatasets.Canonical(second.Query!, SampleDatasets.Retail));
    }

    [Theory]
    [InlineData("what about under 1000?", "SELECT count(*) FROM diamonds WHERE price < 1000")]
    [InlineData("and over 10000?", "SELECT count(*) FROM diamonds WHERE price > 10000")]
    [InlineData("what about at least 8000?", "SELECT count(*) FROM diamonds WHERE price >= 8000")]
    public void A_follow_up_that_only_changes_the_comparison_replaces_its_value_and_direction(string followUp, string sql) =>
        Expect(SampleDatasets.Diamonds, sql, "how many diamonds cost more than 5000", followUp);

    [Fact]
    public void A_changed_comparison_keeps_the_groups_and_other_filters_of_the_previous_answer() =>
        Expect(SampleDatasets.Diamonds, "SELECT cut, count(*) FROM diamonds WHERE shape = 'Round' AND depth < 60 GROUP BY cut ORDER BY cut ASC",
            "count of round diamonds with depth above 63 by cut", "what about under 60?");

    [Fact]
    public void A_changed_comparison_reads_the_unit_of_the_compared_column() =>
        Expect(SampleDatasets.Flights, "SELECT count(*) FROM flights WHERE arr_delay > 120",
            "how many flights arrived more than 60 minutes late", "what about more than 2 hours?");

    [Fact]
    public void Those_in_a_follow_up_keeps_the_previous_filters() =>
        Expect(SampleDatasets.Diamonds, "SELECT count(*) FROM diamonds WHERE color = 'D' AND clarity = 'IF'",
            "price range for D color IF clarity stones", "how many of those are there");
}
