using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>Explanations, result summaries and chart suggestions are deterministic functions of the tree and the rows.</summary>
public sealed class ExplanationTests
{
    private static NlResult Result(string[] columns, params object?[][] rows) =>
        new(columns.Select(c => new NlResultColumn(c)).ToArray(), rows.Select(r => (IReadOnlyList<object?>)r).ToArray());

    [Theory]
    [InlineData("SELECT cut, avg(price) FROM diamonds GROUP BY cut", "average price of diamonds for each cut")]
    [InlineData("SELECT count(*) FROM flights WHERE cancelled AND year = 2022", "number of rows of flights, where cancelled is true and year is 2022")]
    [InlineData("SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-03-01' AND order_date < DATE '2023-04-01'", "total revenue of retail_sales, where order_date is in March 2023")]
    [InlineData("SELECT region, sum(revenue) FROM retail_sales GROUP BY region ORDER BY sum(revenue) DESC LIMIT 1", "total revenue of retail_sales for each region, the one with the highest total revenue")]
    [InlineData("SELECT product, sum(revenue) FROM retail_sales GROUP BY product ORDER BY 2 DESC LIMIT 5", "total revenue of retail_sales for each product, the top 5 by 2")]
    [InlineData("SELECT count(*) FROM retail_sales WHERE customer_rating IS NULL AND city IN ('Austin', 'Dallas')", "number of rows of retail_sales, where customer_rating is missing and city is Austin or Dallas")]
    [InlineData("SELECT count(DISTINCT customer_id) FROM retail_sales WHERE discount BETWEEN 0.1 AND 0.2", "number of distinct customer_id of retail_sales, where discount is between 0.1 and 0.2")]
    public void Describe_reads_a_tree_back_as_english(string sql, string expected) =>
        Assert.Equal(expected, NlExplainer.Describe(SqlParser.Parse(sql)));

    [Fact]
    public void Describe_falls_back_to_sql_for_shapes_it_does_not_know()
    {
        var text = NlExplainer.Describe(SqlParser.Parse("SELECT a FROM t UNION SELECT b FROM u"));
        Assert.StartsWith("the result of: ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_of_a_single_value_names_it_and_the_rows_it_covers()
    {
        var q = SqlParser.Parse("SELECT sum(revenue) FROM retail_sales WHERE state = 'Texas'");
        var text = NlExplainer.Summarize(q, Result(["total_revenue"], [1234567.891m]), rowsConsidered: 4642);
        Assert.Equal("The total revenue of retail_sales, where state is Texas is 1,234,567.89 over 4,642 rows.", text);
    }

    [Fact]
    public void Summary_of_groups_names_the_highest_and_lowest()
    {
        var q = SqlParser.Parse("SELECT cut, avg(price) FROM diamonds GROUP BY cut");
        var text = NlExplainer.Summarize(q, Result(["cut", "average_price"], ["Fair", 3582.6m], ["Ideal", 4441.29m], ["Good", 3929.8m]));
        Assert.Equal("3 rows: average price of diamonds for each cut. Highest average_price: Ideal (4,441.29); lowest: Fair (3,582.6).", text);
    }

    [Fact]
    public void Summary_mentions_a_row_limit_only_when_the_result_reached_it()
    {
        var q = SqlParser.Parse("SELECT region, avg(amount) FROM orders GROUP BY region LIMIT 3");
        Assert.Equal("2 rows: average amount of orders for each region. Highest average_amount: West (10.5); lowest: East (7).",
            NlExplainer.Summarize(q, Result(["region", "average_amount"], ["West", 10.5m], ["East", 7m])));
        Assert.StartsWith("3 rows: average amount of orders for each region, first 3 rows.",
            NlExplainer.Summarize(q, Result(["region", "average_amount"], ["West", 10.5m], ["East", 7m], ["North", 8m])), StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_of_no_rows_says_nothing_matched()
    {
        var q = SqlParser.Parse("SELECT * FROM diamonds WHERE carat > 10");
        Assert.Equal("No rows match: all columns of diamonds, where carat is more than 10.", NlExplainer.Summarize(q, Result(["carat"])));
    }

    [Fact]
    public void A_single_number_is_a_kpi()
    {
        var spec = ChartAdvisor.Suggest(Result(["count"], [42L]));
        Assert.Equal(ChartKind.Kpi, spec.Kind);
        Assert.Equal(["count"], spec.Y);
    }

    [Fact]
    public void A_category_and_a_number_are_bars()
    {
        var q = SqlParser.Parse("SELECT cut, avg(price) FROM diamonds GROUP BY cut");
        var spec = ChartAdvisor.Suggest(Result(["cut", "average_price"], ["Fair", 3582.6m], ["Ideal", 4441.29m], ["Good", 3929.8m]), q);
        Assert.Equal(ChartKind.Bar, spec.Kind);
        Assert.Equal("cut", spec.X);
        Assert.Equal(["average_price"], spec.Y);
    }

    [Fact]
    public void A_few_categories_sharing_a_total_are_a_pie()
    {
        var q = SqlParser.Parse("SELECT channel, sum(revenue) FROM retail_sales GROUP BY channel");
        var spec = ChartAdvisor.Suggest(Result(["channel", "total_revenue"], ["Online", 1386272.88m], ["In-Store", 3025798.20m]), q);
        Assert.Equal(ChartKind.Pie, spec.Kind);
    }

    [Fact]
    public void A_translated_total_by_category_listed_in_group_order_under_the_row_cap_is_still_a_pie()
    {
        // The translator orders unranked groups by their key and the validator adds the row cap: neither cuts the whole.
        var t = OfflineTranslatorTests.Ask("total revenue by channel", SampleDatasets.Retail);
        Assert.True(t.Succeeded, t.Refusal?.Message);
        var prepared = SafeSql.Prepare(t.Query!, new TableCatalog([SampleDatasets.Retail.Table]), SampleDatasets.Policy);
        Assert.True(prepared.Succeeded);
        Assert.NotEmpty(prepared.Query!.OrderBy);
        var spec = ChartAdvisor.Suggest(Result(["channel", "total_revenue"], ["In-Store", 3025798.20m], ["Online", 1386272.88m]), prepared.Query);
        Assert.True(spec.Kind == ChartKind.Pie, prepared.CanonicalSql);
        Assert.Equal("total revenue of retail_sales for each channel", NlExplainer.Describe(t.Query!));
    }

    [Fact]
    public void Averages_are_never_a_pie()
    {
        var q = SqlParser.Parse("SELECT channel, avg(revenue) FROM retail_sales GROUP BY channel");
        var spec = ChartAdvisor.Suggest(Result(["channel", "average_revenue"], ["Online", 146.1m], ["In-Store", 147.5m]), q);
        Assert.Equal(ChartKind.Bar, spec.Kind);
    }

    [Fact]
    public void Time_and_a_number_are_a_line()
    {
        var spec = ChartAdvisor.Suggest(Result(["month", "total_revenue"], [new DateOnly(2023, 1, 1), 10m], [new DateOnly(2023, 2, 1), 12m], [new DateOnly(2023, 3, 1), 9m]));
        Assert.Equal(ChartKind.Line, spec.Kind);
        Assert.Equal("month", spec.X);
        var years = ChartAdvisor.Suggest(Result(["year", "count"], [2019L, 9130L], [2020L, 5340L], [2021L, 7270L]));
        Assert.Equal(ChartKind.Line, years.Kind);
    }

    [Fact]
    public void Two_numbers_are_a_scatter_plot()
    {
        var spec = ChartAdvisor.Suggest(Result(["carat", "price"], [0.3m, 500], [1.0m, 5000], [2.0m, 15000]));
        Assert.Equal(ChartKind.Scatter, spec.Kind);
        Assert.Equal(["carat", "price"], spec.Y);
    }

    [Fact]
    public void Two_categories_and_a_number_are_grouped_bars()
    {
        var spec = ChartAdvisor.Suggest(Result(["cut", "color", "count"], ["Fair", "D", 10L], ["Fair", "E", 12L], ["Ideal", "D", 30L]));
        Assert.Equal(ChartKind.Bar, spec.Kind);
        Assert.Equal("color", spec.Series);
    }

    [Fact]
    public void Rows_without_a_chartable_shape_stay_a_table()
    {
        Assert.Equal(ChartKind.Table, ChartAdvisor.Suggest(Result(["name", "city", "state"], ["a", "b", "c"], ["d", "e", "f"])).Kind);
        Assert.Equal(ChartKind.Table, ChartAdvisor.Suggest(Result(["count"])).Kind);
    }
}
