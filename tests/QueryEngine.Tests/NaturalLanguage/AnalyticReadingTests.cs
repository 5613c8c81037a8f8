using AstralytiQ.QueryEngine.NaturalLanguage;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>
/// Common analytic asks that hold-out batch 9 showed missing: a share of a total per group, a day-of-week series
/// from a date column, a ratio of two measures, a count of groups past a threshold, a follow-up that only changes a
/// comparison, and domain words. Expected SQL is compared in canonical form, as in <see cref="OfflineTranslatorTests"/>.
/// </summary>
public sealed class AnalyticReadingTests
{
    private static void Expect(DatasetSchema dataset, string question, string expectedSql)
    {
        var t = OfflineTranslatorTests.Ask(question, dataset);
        Assert.True(t.Succeeded, $"\"{question}\" was refused: {t.Refusal?.Message}");
        Assert.Equal(SampleDatasets.Canonical(expectedSql, dataset), SampleDatasets.Canonical(t.Query!, dataset));
        Assert.False(string.IsNullOrWhiteSpace(t.Interpretation));
    }

    private const string RevenueShare = "100.0 * sum(revenue) / sum(sum(revenue)) OVER ()";
    private const string RowShare = "100.0 * count(*) / sum(count(*)) OVER ()";

    [Theory]
    [InlineData("share of revenue by channel", $"SELECT channel, {RevenueShare} FROM retail_sales GROUP BY channel ORDER BY channel ASC")]
    [InlineData("what percentage of orders come from each region", $"SELECT region, {RowShare} FROM retail_sales GROUP BY region ORDER BY region ASC")]
    [InlineData("share of revenue by category in 2023", $"SELECT category, {RevenueShare} FROM retail_sales WHERE order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01' GROUP BY category ORDER BY category ASC")]
    public void A_percentage_with_groups_and_no_condition_is_each_groups_share_of_the_total(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Fact]
    public void A_share_of_rows_per_group_reads_on_flights() =>
        Expect(SampleDatasets.Flights, "percent of flights per carrier", $"SELECT carrier, {RowShare} FROM flights GROUP BY carrier ORDER BY carrier ASC");

    [Fact]
    public void A_percentage_of_a_flag_per_group_is_still_the_flags_rate_in_each_group() =>
        Expect(SampleDatasets.Flights, "what percentage of flights were cancelled per airline",
            "SELECT carrier, 100.0 * count(*) FILTER (WHERE cancelled) / count(*) FROM flights GROUP BY carrier ORDER BY carrier ASC");

    [Fact]
    public void A_percentage_of_nothing_without_groups_is_still_refused()
    {
        var t = OfflineTranslatorTests.Ask("share of revenue", SampleDatasets.Retail);
        Assert.False(t.Succeeded);
    }

    [Theory]
    [InlineData("price per carat by clarity", "SELECT clarity, avg(price / nullif(carat, 0)) FROM diamonds GROUP BY clarity ORDER BY clarity ASC")]
    [InlineData("average price per carat for each cut", "SELECT cut, avg(price / nullif(carat, 0)) FROM diamonds GROUP BY cut ORDER BY cut ASC")]
    [InlineData("total price per carat by color", "SELECT color, sum(price) / nullif(sum(carat), 0) FROM diamonds GROUP BY color ORDER BY color ASC")]
    public void X_per_Y_of_two_numeric_columns_is_one_ratio(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Theory]
    [InlineData("top 5 products by profit margin", "SELECT product, sum(profit) / nullif(sum(revenue), 0) FROM retail_sales GROUP BY product ORDER BY sum(profit) / nullif(sum(revenue), 0) DESC NULLS LAST LIMIT 5")]
    [InlineData("what is the profit margin", "SELECT sum(profit) / nullif(sum(revenue), 0) FROM retail_sales")]
    [InlineData("profit margin % by region", "SELECT region, 100.0 * (sum(profit) / nullif(sum(revenue), 0)) FROM retail_sales GROUP BY region ORDER BY region ASC")]
    [InlineData("revenue per order by channel", "SELECT channel, avg(revenue) FROM retail_sales GROUP BY channel ORDER BY channel ASC")]
    public void Profit_margin_is_profit_over_revenue_and_an_amount_per_row_noun_is_its_average(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Fact]
    public void Per_a_text_column_is_still_a_grouping() =>
        Expect(SampleDatasets.Retail, "revenue per region", "SELECT region, sum(revenue) FROM retail_sales GROUP BY region ORDER BY region ASC");

    private const string DayName = "to_char(order_date, 'FMDay')";

    [Theory]
    [InlineData("orders per day of week", $"SELECT {DayName}, count(*) FROM retail_sales GROUP BY {DayName} ORDER BY min(extract(isodow FROM order_date)) ASC")]
    [InlineData("average revenue by day of the week", $"SELECT {DayName}, avg(revenue) FROM retail_sales GROUP BY {DayName} ORDER BY min(extract(isodow FROM order_date)) ASC")]
    [InlineData("which weekday has the most revenue", $"SELECT {DayName}, sum(revenue) FROM retail_sales GROUP BY {DayName} ORDER BY sum(revenue) DESC NULLS LAST LIMIT 1")]
    [InlineData("revenue on weekdays", "SELECT sum(revenue) FROM retail_sales WHERE extract(isodow FROM order_date) BETWEEN 1 AND 5")]
    public void Day_of_week_from_a_date_column_is_the_days_name_in_weekday_order(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("flights per day of week", "SELECT day_of_week, count(*) FROM flights GROUP BY day_of_week ORDER BY day_of_week ASC")]
    [InlineData("which day of the week has the highest average departure delay", "SELECT day_of_week, avg(dep_delay) FROM flights GROUP BY day_of_week ORDER BY avg(dep_delay) DESC NULLS LAST LIMIT 1")]
    public void Day_of_week_uses_the_datas_own_day_of_week_number_where_it_has_one(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Fact]
    public void Basket_size_is_the_quantity_of_an_order_an_analysts_synonym_in_the_sample_manifest() =>
        Expect(SampleDatasets.Retail, "what is the average basket size", "SELECT avg(quantity) FROM retail_sales");

    [Theory]
    [InlineData("how many customers placed more than 15 orders", "SELECT count(*) FROM (SELECT customer_id FROM retail_sales GROUP BY customer_id HAVING count(*) > 15) t")]
    [InlineData("how many stores have revenue above 1 million", "SELECT count(*) FROM (SELECT store FROM retail_sales GROUP BY store HAVING sum(revenue) > 1000000) t")]
    public void A_count_of_groups_past_a_threshold_counts_the_groups_not_the_rows(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Fact]
    public void A_count_of_carriers_past_a_number_of_flights_is_a_count_of_groups() =>
        Expect(SampleDatasets.Flights, "number of carriers with more than 5000 flights",
            "SELECT count(*) FROM (SELECT carrier FROM flights GROUP BY carrier HAVING count(*) > 5000) t");

    [Fact]
    public void A_count_of_groups_passes_the_projects_own_parser_and_validator()
    {
        var t = OfflineTranslatorTests.Ask("how many customers placed more than 15 orders", SampleDatasets.Retail);
        Assert.True(t.Succeeded, t.Refusal?.Message);
        // Rendered, parsed back and prepared again (SafeSql.Prepare runs the policy validator): the same canonical query.
        var sql = AstralytiQ.QueryEngine.Sql.SqlRenderer.Render(t.Query!);
        Assert.Equal(SampleDatasets.Canonical(sql, SampleDatasets.Retail), SampleDatasets.Canonical(t.Query!, SampleDatasets.Retail));
    }

    [Fact]
    public void A_row_level_comparison_under_how_many_orders_is_still_a_where()
    {
        Expect(SampleDatasets.Retail, "how many orders have revenue above 1000", "SELECT count(*) FROM retail_sales WHERE revenue > 1000");
    }

    [Theory]
    [InlineData("count of stones by clarity", "SELECT clarity, count(*) FROM diamonds GROUP BY clarity ORDER BY clarity ASC")]
    [InlineData("average depth and table by cut", "SELECT cut, avg(depth), avg(table_pct) FROM diamonds GROUP BY cut ORDER BY cut ASC")]
    [InlineData("average price by cut, highest first", "SELECT cut, avg(price) FROM diamonds GROUP BY cut ORDER BY avg(price) DESC NULLS LAST")]
    [InlineData("top 3 colors by average price", "SELECT color, avg(price) FROM diamonds GROUP BY color ORDER BY avg(price) DESC NULLS LAST LIMIT 3")]
    public void A_grouped_answer_with_no_order_asked_lists_its_groups_in_order(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Fact]
    public void A_sort_follow_up_replaces_the_default_order_by_group()
    {
        var first = OfflineTranslatorTests.Ask("average arrival delay by airline", SampleDatasets.Flights);
        Assert.Equal(SampleDatasets.Canonical("SELECT carrier, avg(arr_delay) FROM flights GROUP BY carrier ORDER BY carrier ASC", SampleDatasets.Flights), SampleDatasets.Canonical(first.Query!, SampleDatasets.Flights));
        var second = OfflineTranslatorTests.Ask("sort it from highest to lowest", SampleDatasets.Flights, new NlTurn("average arrival delay by airline", first.Query!));
        Assert.True(second.Succeeded, second.Refusal?.Message);
        Assert.Equal(SampleDatasets.Canonical("SELECT carrier, avg(arr_delay) FROM flights GROUP BY carrier ORDER BY avg(arr_delay) DESC NULLS LAST", SampleDatasets.Flights), SampleDatasets.Canonical(second.Query!, SampleDatasets.Flights));
    }
}
