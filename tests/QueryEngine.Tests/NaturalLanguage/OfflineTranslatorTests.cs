using AstralytiQ.QueryEngine.NaturalLanguage;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>
/// One test per reading the offline translator promises (issue 7), each checked against the exact
/// query it must produce over the shipped sample datasets. Expected SQL is compared in canonical
/// form (through SafeSql.Prepare) with output aliases removed.
/// </summary>
public sealed class OfflineTranslatorTests
{
    private static readonly OfflineTranslator Translator = new();

    internal static NlTranslation Ask(string question, DatasetSchema dataset, NlTurn? previous = null) =>
        Translator.Translate(new NlRequest(question, dataset) { PreviousTurn = previous });

    private static void Expect(DatasetSchema dataset, string question, string expectedSql)
    {
        var t = Ask(question, dataset);
        Assert.True(t.Succeeded, $"\"{question}\" was refused: {t.Refusal?.Message}");
        Assert.Equal(SampleDatasets.Canonical(expectedSql, dataset), SampleDatasets.Canonical(t.Query!, dataset));
        Assert.Equal(OfflineTranslator.TranslatorName, t.Translator);
        Assert.Equal(dataset.Table.Name, t.Dataset);
        Assert.InRange(t.Confidence, 0.0, 1.0);
        Assert.False(string.IsNullOrWhiteSpace(t.Interpretation));
    }

    [Theory]
    [InlineData("how many orders were placed in Austin", "SELECT count(*) FROM retail_sales WHERE city = 'Austin'")]
    [InlineData("number of orders per payment method", "SELECT payment_method, count(*) FROM retail_sales GROUP BY payment_method ORDER BY payment_method ASC")]
    [InlineData("count of orders by region", "SELECT region, count(*) FROM retail_sales GROUP BY region ORDER BY region ASC")]
    [InlineData("what is the mean revenue", "SELECT avg(revenue) FROM retail_sales")]
    [InlineData("sum of profit by category", "SELECT category, sum(profit) FROM retail_sales GROUP BY category ORDER BY category ASC")]
    [InlineData("average quantity for each region", "SELECT region, avg(quantity) FROM retail_sales GROUP BY region ORDER BY region ASC")]
    [InlineData("smallest discount", "SELECT min(discount) FROM retail_sales")]
    [InlineData("largest quantity", "SELECT max(quantity) FROM retail_sales")]
    public void Built_in_synonyms_read_counts_averages_totals_and_extremes(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("average unit price of laptops", "SELECT avg(unit_price) FROM retail_sales WHERE product = 'Laptop'")]
    [InlineData("total sales in California", "SELECT sum(revenue) FROM retail_sales WHERE state = 'California'")]
    [InlineData("what's the average order value", "SELECT avg(revenue) FROM retail_sales")]
    [InlineData("units sold of Sneakers", "SELECT sum(quantity) FROM retail_sales WHERE product = 'Sneakers'")]
    public void Column_names_plurals_and_dataset_synonyms_link_to_columns(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("how many Ideal cut diamonds are there", "SELECT count(*) FROM diamonds WHERE cut = 'Ideal'")]
    [InlineData("average price of ideal diamonds", "SELECT avg(price) FROM diamonds WHERE cut = 'Ideal'")]
    [InlineData("how many very good diamonds", "SELECT count(*) FROM diamonds WHERE cut = 'Very Good'")]
    [InlineData("average price of IF clarity diamonds", "SELECT avg(price) FROM diamonds WHERE clarity = 'IF'")]
    [InlineData("how many diamonds have a color of E or F", "SELECT count(*) FROM diamonds WHERE color IN ('E', 'F')")]
    [InlineData("how many diamonds are not round", "SELECT count(*) FROM diamonds WHERE shape <> 'Round'")]
    public void Values_link_case_insensitively_including_multi_word_and_one_letter_values(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Theory]
    [InlineData("total sales of Home & Kitchen in New York City", "SELECT sum(revenue) FROM retail_sales WHERE category = 'Home & Kitchen' AND city = 'New York City'")]
    [InlineData("revenue where city is austin or dallas", "SELECT sum(revenue) FROM retail_sales WHERE city IN ('Austin', 'Dallas')")]
    [InlineData("revenue from corporate customers in the west or east region", "SELECT sum(revenue) FROM retail_sales WHERE customer_segment = 'Corporate' AND region IN ('West', 'East')")]
    [InlineData("number of orders in NYC", "SELECT count(*) FROM retail_sales WHERE city = 'New York City'")]
    public void Several_filters_combine_with_and_and_or(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("how many diamonds cost more than $10,000", "SELECT count(*) FROM diamonds WHERE price > 10000")]
    [InlineData("how many diamonds weigh at least 1 carat", "SELECT count(*) FROM diamonds WHERE carat >= 1")]
    [InlineData("how many princess cut diamonds cost under 2000", "SELECT count(*) FROM diamonds WHERE shape = 'Princess' AND price < 2000")]
    [InlineData("count of diamonds priced between 5000 and 7500", "SELECT count(*) FROM diamonds WHERE price BETWEEN 5000 AND 7500")]
    [InlineData("minimum price of a 2 carat diamond", "SELECT min(price) FROM diamonds WHERE carat = 2")]
    [InlineData("how many diamonds have a depth that is not higher than 60", "SELECT count(*) FROM diamonds WHERE depth <= 60")]
    public void Numbers_with_comparisons_become_conditions_on_the_right_column(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Theory]
    [InlineData("orders with a discount between 10% and 20%", "SELECT * FROM retail_sales WHERE discount BETWEEN 0.1 AND 0.2")]
    [InlineData("orders with at least 5 units", "SELECT * FROM retail_sales WHERE quantity >= 5")]
    public void Percentages_scale_to_fraction_columns_and_units_name_the_column(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("revenue in 2023", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01'")]
    [InlineData("revenue in March 2024", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2024-03-01' AND order_date < DATE '2024-04-01'")]
    [InlineData("orders in Q1 2024", "SELECT * FROM retail_sales WHERE order_date >= DATE '2024-01-01' AND order_date < DATE '2024-04-01'")]
    [InlineData("orders between 2021 and 2022", "SELECT * FROM retail_sales WHERE order_date >= DATE '2021-01-01' AND order_date < DATE '2023-01-01'")]
    [InlineData("orders since June 2024", "SELECT * FROM retail_sales WHERE order_date >= DATE '2024-06-01'")]
    [InlineData("how many orders were placed on 2023-11-24", "SELECT count(*) FROM retail_sales WHERE order_date = DATE '2023-11-24'")]
    public void Years_months_quarters_and_ranges_apply_to_a_date_column(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("revenue last year", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01'")]
    [InlineData("daily revenue last month", "SELECT order_date, sum(revenue) FROM retail_sales WHERE order_date >= DATE '2024-05-01' AND order_date < DATE '2024-06-01' GROUP BY order_date ORDER BY retail_sales.order_date ASC")]
    [InlineData("revenue year to date", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2024-01-01' AND order_date < DATE '2024-07-01'")]
    [InlineData("orders in the last 30 days", "SELECT * FROM retail_sales WHERE order_date >= DATE '2024-06-01' AND order_date < DATE '2024-07-01'")]
    public void Relative_periods_count_back_from_the_latest_date_in_the_data(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("how many flights in 2021", "SELECT count(*) FROM flights WHERE year = 2021")]
    [InlineData("average arrival delay in July 2023", "SELECT avg(arr_delay) FROM flights WHERE year = 2023 AND month = 7")]
    [InlineData("how many flights in December", "SELECT count(*) FROM flights WHERE month = 12")]
    [InlineData("average distance of flights between 2020 and 2021", "SELECT avg(distance) FROM flights WHERE year BETWEEN 2020 AND 2021")]
    [InlineData("number of flights last year", "SELECT count(*) FROM flights WHERE year = 2022")]
    [InlineData("flights in the first quarter of 2023", "SELECT * FROM flights WHERE year = 2023 AND month BETWEEN 1 AND 3")]
    public void Years_and_months_apply_to_integer_year_and_month_columns(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Theory]
    [InlineData("monthly revenue in 2023", "SELECT CAST(date_trunc('month', order_date) AS date), sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01' GROUP BY CAST(date_trunc('month', order_date) AS date) ORDER BY CAST(date_trunc('month', order_date) AS date) ASC")]
    [InlineData("revenue by quarter in 2022", "SELECT CAST(date_trunc('quarter', order_date) AS date), sum(revenue) FROM retail_sales WHERE order_date >= DATE '2022-01-01' AND order_date < DATE '2023-01-01' GROUP BY CAST(date_trunc('quarter', order_date) AS date) ORDER BY CAST(date_trunc('quarter', order_date) AS date) ASC")]
    [InlineData("revenue by year", "SELECT extract(year FROM order_date), sum(revenue) FROM retail_sales GROUP BY extract(year FROM order_date) ORDER BY extract(year FROM order_date) ASC")]
    [InlineData("revenue by quarter", "SELECT CAST(date_trunc('quarter', order_date) AS date), sum(revenue) FROM retail_sales GROUP BY CAST(date_trunc('quarter', order_date) AS date) ORDER BY CAST(date_trunc('quarter', order_date) AS date) ASC")]
    public void Time_buckets_group_a_date_column_in_time_order(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("revenue by month of the year", "SELECT extract(month FROM order_date), sum(revenue) FROM retail_sales GROUP BY extract(month FROM order_date) ORDER BY extract(month FROM order_date) ASC")]
    [InlineData("seasonality of orders", "SELECT extract(month FROM order_date), count(*) FROM retail_sales GROUP BY extract(month FROM order_date) ORDER BY extract(month FROM order_date) ASC")]
    [InlineData("which month of the year has the highest revenue", "SELECT extract(month FROM order_date), sum(revenue) FROM retail_sales GROUP BY extract(month FROM order_date) ORDER BY sum(revenue) DESC NULLS LAST LIMIT 1")]
    [InlineData("revenue by quarter of the year", "SELECT extract(quarter FROM order_date), sum(revenue) FROM retail_sales GROUP BY extract(quarter FROM order_date) ORDER BY extract(quarter FROM order_date) ASC")]
    public void Month_of_the_year_pools_the_years_into_month_numbers(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("flights per year", "SELECT year, count(*) FROM flights GROUP BY year ORDER BY year ASC")]
    [InlineData("number of flights by month in 2023", "SELECT month, count(*) FROM flights WHERE year = 2023 GROUP BY month ORDER BY month ASC")]
    [InlineData("top 3 years by number of flights", "SELECT year, count(*) FROM flights GROUP BY year ORDER BY count(*) DESC NULLS LAST LIMIT 3")]
    public void Integer_year_and_month_groups_read_in_time_order_unless_ranked(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Theory]
    [InlineData("how many flights were there from June to August 2021", "SELECT count(*) FROM flights WHERE year = 2021 AND month BETWEEN 6 AND 8")]
    [InlineData("how many flights between March 2021 and May 2022", "SELECT count(*) FROM flights WHERE (year = 2021 AND month >= 3) OR (year = 2022 AND month <= 5)")]
    [InlineData("how many flights from October 2020 to February 2022", "SELECT count(*) FROM flights WHERE (year = 2020 AND month >= 10) OR year = 2021 OR (year = 2022 AND month <= 2)")]
    [InlineData("how many flights since June 2022", "SELECT count(*) FROM flights WHERE (year = 2022 AND month >= 6) OR year >= 2023")]
    public void Month_ranges_span_integer_year_and_month_columns(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Theory]
    [InlineData("revenue from January to March 2024", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2024-01-01' AND order_date < DATE '2024-04-01'")]
    [InlineData("how many orders were there from June to August 2021", "SELECT count(*) FROM retail_sales WHERE order_date >= DATE '2021-06-01' AND order_date < DATE '2021-09-01'")]
    public void From_one_month_to_another_is_a_date_range(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("number of flights that departed late", "SELECT count(*) FROM flights WHERE dep_delay > 0")]
    [InlineData("How many flights arrived early?", "SELECT count(*) FROM flights WHERE arr_delay < 0")]
    [InlineData("how many Delta flights were not delayed", "SELECT count(*) FROM flights WHERE carrier = 'Delta Air Lines' AND arr_delay <= 0")]
    [InlineData("which carrier is late most often", "SELECT carrier, count(*) FROM flights WHERE arr_delay > 0 GROUP BY carrier ORDER BY count(*) DESC NULLS LAST LIMIT 1")]
    [InlineData("how many flights were more than 30 minutes late", "SELECT count(*) FROM flights WHERE arr_delay > 30")]
    public void Late_early_and_delayed_without_a_number_are_the_sign_of_a_delay_column(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Theory]
    [InlineData("average carat for each shape sorted from largest", "SELECT shape, avg(carat) FROM diamonds GROUP BY shape ORDER BY avg(carat) DESC NULLS LAST")]
    [InlineData("number of diamonds per color sorted from smallest", "SELECT color, count(*) FROM diamonds GROUP BY color ORDER BY count(*) ASC")]
    [InlineData("compare the average price of VS1 and VS2 clarity", "SELECT clarity, avg(price) FROM diamonds WHERE clarity IN ('VS1', 'VS2') GROUP BY clarity ORDER BY clarity ASC")]
    [InlineData("how much is the cheapest princess diamond", "SELECT price FROM diamonds WHERE shape = 'Princess' ORDER BY price ASC LIMIT 1")]
    [InlineData("how much is the heaviest diamond", "SELECT price FROM diamonds ORDER BY carat DESC NULLS LAST LIMIT 1")]
    public void Orderings_comparisons_and_amounts_of_a_superlative(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Theory]
    [InlineData("orders with no recorded rating", "SELECT * FROM retail_sales WHERE customer_rating IS NULL")]
    [InlineData("orders without a ship mode", "SELECT * FROM retail_sales WHERE ship_mode IS NULL")]
    [InlineData("how many orders have no customer rating", "SELECT count(*) FROM retail_sales WHERE customer_rating IS NULL")]
    public void Missing_values_read_as_is_null(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("which city has the most orders", "SELECT city, count(*) FROM retail_sales GROUP BY city ORDER BY count(*) DESC NULLS LAST LIMIT 1")]
    [InlineData("which category has the least revenue", "SELECT category, sum(revenue) FROM retail_sales GROUP BY category ORDER BY sum(revenue) ASC LIMIT 1")]
    [InlineData("which store had the highest revenue in 2023", "SELECT store, sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01' AND store IS NOT NULL GROUP BY store ORDER BY sum(revenue) DESC NULLS LAST LIMIT 1")]
    [InlineData("which product has the lowest average rating", "SELECT product, avg(customer_rating) FROM retail_sales GROUP BY product ORDER BY avg(customer_rating) ASC LIMIT 1")]
    public void Superlatives_group_order_and_keep_the_first(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("what's the most expensive diamond", "SELECT * FROM diamonds ORDER BY price DESC NULLS LAST LIMIT 1")]
    [InlineData("what is the price of the heaviest diamond", "SELECT price FROM diamonds ORDER BY carat DESC NULLS LAST LIMIT 1")]
    [InlineData("top 10 most expensive diamonds", "SELECT * FROM diamonds ORDER BY price DESC NULLS LAST LIMIT 10")]
    [InlineData("show the 5 largest diamonds", "SELECT * FROM diamonds ORDER BY carat DESC NULLS LAST LIMIT 5")]
    public void Superlatives_about_rows_order_the_rows(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Theory]
    [InlineData("top 5 products by revenue", "SELECT product, sum(revenue) FROM retail_sales GROUP BY product ORDER BY sum(revenue) DESC NULLS LAST LIMIT 5")]
    [InlineData("bottom 3 products by profit", "SELECT product, sum(profit) FROM retail_sales GROUP BY product ORDER BY sum(profit) ASC LIMIT 3")]
    [InlineData("top 3 cities by number of orders in Texas", "SELECT city, count(*) FROM retail_sales WHERE state = 'Texas' GROUP BY city ORDER BY count(*) DESC NULLS LAST LIMIT 3")]
    public void Top_and_bottom_n_rank_groups_by_a_measure(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("list the distinct payment methods", "SELECT DISTINCT payment_method FROM retail_sales")]
    [InlineData("list the products in the Home & Kitchen category", "SELECT DISTINCT product FROM retail_sales WHERE category = 'Home & Kitchen'")]
    [InlineData("how many unique products", "SELECT count(DISTINCT product) FROM retail_sales")]
    [InlineData("how many distinct customers bought Electronics", "SELECT count(DISTINCT customer_id) FROM retail_sales WHERE category = 'Electronics'")]
    public void Distinct_lists_and_counts_of_distinct_values(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("total revenue by region sorted from highest to lowest", "SELECT region, sum(revenue) FROM retail_sales GROUP BY region ORDER BY sum(revenue) DESC NULLS LAST")]
    [InlineData("orders sorted by revenue descending", "SELECT * FROM retail_sales ORDER BY revenue DESC NULLS LAST")]
    [InlineData("products sorted by average rating", "SELECT product, avg(customer_rating) FROM retail_sales GROUP BY product ORDER BY avg(customer_rating) ASC")]
    public void Ordering_follows_the_words_for_direction(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("what percentage of orders were returned", "SELECT 100.0 * count(*) FILTER (WHERE returned) / count(*) FROM retail_sales")]
    [InlineData("what share of revenue comes from online orders", "SELECT 100.0 * sum(revenue) FILTER (WHERE channel = 'Online') / sum(revenue) FROM retail_sales")]
    [InlineData("how many orders were not returned", "SELECT count(*) FROM retail_sales WHERE NOT returned")]
    public void Flags_and_shares_read_boolean_columns(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("revenue in summer 2023", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2023-06-01' AND order_date < DATE '2023-09-01'")]
    [InlineData("orders in the second half of 2022", "SELECT * FROM retail_sales WHERE order_date >= DATE '2022-07-01' AND order_date < DATE '2023-01-01'")]
    [InlineData("average revenue on weekends", "SELECT avg(revenue) FROM retail_sales WHERE extract(isodow FROM order_date) IN (6, 7)")]
    [InlineData("revenue in the last 6 months", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2024-01-01' AND order_date < DATE '2024-07-01'")]
    public void Seasons_halves_weekends_and_calendar_months(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("total revenue in 2023 vs 2022", "SELECT extract(year FROM order_date), sum(revenue) FROM retail_sales WHERE (order_date >= DATE '2023-01-01' AND order_date < DATE '2024-01-01') OR (order_date >= DATE '2022-01-01' AND order_date < DATE '2023-01-01') GROUP BY extract(year FROM order_date) ORDER BY extract(year FROM order_date) ASC")]
    [InlineData("count of orders by state excluding Texas and California", "SELECT state, count(*) FROM retail_sales WHERE state NOT IN ('Texas', 'California') GROUP BY state ORDER BY state ASC")]
    [InlineData("which products have never been returned", "SELECT product FROM retail_sales GROUP BY product HAVING count(*) FILTER (WHERE returned) = 0 ORDER BY product ASC")]
    [InlineData("return rate by category", "SELECT category, avg(CASE WHEN returned THEN 1.0 ELSE 0 END) FROM retail_sales GROUP BY category ORDER BY category ASC")]
    [InlineData("how much did we sell in 2021", "SELECT sum(revenue) FROM retail_sales WHERE order_date >= DATE '2021-01-01' AND order_date < DATE '2022-01-01'")]
    [InlineData("which products sold fewer than 500 units in total", "SELECT product, sum(quantity) FROM retail_sales GROUP BY product HAVING sum(quantity) < 500 ORDER BY product ASC")]
    public void Comparisons_exclusions_groups_with_no_flagged_row_and_rates(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("average departure delay on Fridays vs Mondays", "SELECT day_of_week, avg(dep_delay) FROM flights WHERE day_of_week IN ('Friday', 'Monday') GROUP BY day_of_week ORDER BY day_of_week ASC")]
    [InlineData("how many flights in summer 2022", "SELECT count(*) FROM flights WHERE year = 2022 AND month BETWEEN 6 AND 8")]
    [InlineData("average departure delay per airline in 2022, worst first", "SELECT carrier, avg(dep_delay) FROM flights WHERE year = 2022 GROUP BY carrier ORDER BY avg(dep_delay) DESC NULLS LAST")]
    [InlineData("how many flights had 8 cylinders or left before 2021", "SELECT count(*) FROM flights WHERE year <= 2020")]
    public void Comparing_values_and_judging_directions_on_flights(string question, string sql)
    {
        if (question.Contains("cylinders", StringComparison.Ordinal))
        {
            // A number whose unit is no column of the dataset is not dropped.
            Assert.False(OfflineTranslatorTests.Ask(question, SampleDatasets.Flights).Succeeded);
            return;
        }

        Expect(SampleDatasets.Flights, question, sql);
    }

    [Fact]
    public void Direction_words_pick_origin_and_destination_columns_for_a_shared_value()
    {
        Expect(SampleDatasets.Flights, "average air time from New York to Los Angeles",
            "SELECT avg(air_time) FROM flights WHERE origin_city = 'New York' AND dest_city = 'Los Angeles'");
    }

    [Fact]
    public void A_distinctive_word_of_a_longer_value_links_to_it()
    {
        Expect(SampleDatasets.Flights, "average distance of Delta flights", "SELECT avg(distance) FROM flights WHERE carrier = 'Delta Air Lines'");
    }

    [Fact]
    public void The_best_fitting_dataset_is_chosen_when_several_are_offered()
    {
        var t = Translator.Translate(new NlRequest("average price by cut", SampleDatasets.Every.ToArray()));
        Assert.True(t.Succeeded);
        Assert.Equal("diamonds", t.Dataset);
    }

    [Fact]
    public void The_interpretation_says_what_is_computed_in_plain_english()
    {
        var t = Ask("average price by cut", SampleDatasets.Diamonds);
        Assert.Equal("average price of diamonds for each cut", t.Interpretation);
    }

    [Theory]
    [InlineData("what % of orders got returned", "SELECT 100.0 * count(*) FILTER (WHERE returned) / count(*) FROM retail_sales")]
    [InlineData("what % of online orders were returned", "SELECT 100.0 * count(*) FILTER (WHERE returned) / count(*) FROM retail_sales WHERE channel = 'Online'")]
    public void A_percent_sign_on_its_own_reads_as_percent(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("what percent of corporate orders use express shipping", "SELECT 100.0 * count(*) FILTER (WHERE ship_mode = 'Express') / count(*) FROM retail_sales WHERE customer_segment = 'Corporate'")]
    [InlineData("percentage of texas orders paid by cash", "SELECT 100.0 * count(*) FILTER (WHERE payment_method = 'Cash') / count(*) FROM retail_sales WHERE state = 'Texas'")]
    public void Without_an_auxiliary_the_base_of_a_percentage_ends_at_its_row_noun(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("average raiting by category", "SELECT category, avg(customer_rating) FROM retail_sales GROUP BY category ORDER BY category ASC")]
    [InlineData("avg discount by custmer segment", "SELECT customer_segment, avg(discount) FROM retail_sales GROUP BY customer_segment ORDER BY customer_segment ASC")]
    public void A_typo_of_a_name_word_links_where_the_stems_are_too_short_to_compare(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("how many online orders did we get from califronia", "SELECT count(*) FROM retail_sales WHERE channel = 'Online' AND state = 'California'")]
    [InlineData("revenue in pennsylvnia", "SELECT sum(revenue) FROM retail_sales WHERE state = 'Pennsylvania'")]
    public void One_typo_in_a_longer_value_still_links_it(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("cheapest 5 VVS1 diamonds above 1 carat", "SELECT * FROM diamonds WHERE clarity = 'VVS1' AND carat > 1 ORDER BY price ASC LIMIT 5")]
    [InlineData("5 cheapest VVS1 diamonds", "SELECT * FROM diamonds WHERE clarity = 'VVS1' ORDER BY price ASC LIMIT 5")]
    public void A_count_right_after_a_superlative_is_how_many_to_show(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Fact]
    public void A_share_of_total_revenue_is_a_share_of_revenue() =>
        Expect(SampleDatasets.Retail, "share of total revenue by region", "SELECT region, 100.0 * sum(revenue) / sum(sum(revenue)) OVER () FROM retail_sales GROUP BY region ORDER BY region ASC");

    [Theory]
    [InlineData("how many distinct routes does JetBlue fly", "SELECT count(*) FROM (SELECT origin, dest FROM flights WHERE carrier = 'JetBlue Airways' GROUP BY origin, dest) t")]
    [InlineData("number of different routes", "SELECT count(*) FROM (SELECT origin, dest FROM flights GROUP BY origin, dest) t")]
    public void A_count_of_distinct_routes_counts_origin_and_destination_pairs(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Fact]
    public void Not_counting_excludes_instead_of_counting() =>
        Expect(SampleDatasets.Flights, "total miles flown by united each year, not counting cancelled flights",
            "SELECT year, sum(distance) FROM flights WHERE carrier = 'United Airlines' AND NOT cancelled GROUP BY year ORDER BY year ASC");

    [Theory]
    [InlineData("how many diamonds don't have a lab", "SELECT count(*) FROM diamonds WHERE lab IS NULL")]
    [InlineData("how many diamonds have a lab", "SELECT count(*) FROM diamonds WHERE lab IS NOT NULL")]
    public void A_denied_presence_is_a_missing_value(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Theory]
    [InlineData("how many diamonds are not certified", "SELECT count(*) FROM diamonds WHERE lab IS NULL")]
    [InlineData("how many uncertified diamonds are there", "SELECT count(*) FROM diamonds WHERE lab IS NULL")]
    [InlineData("how many certified diamonds are there", "SELECT count(*) FROM diamonds WHERE lab IS NOT NULL")]
    [InlineData("average price of diamonds that are not certified by GIA", "SELECT avg(price) FROM diamonds WHERE lab <> 'GIA'")]
    public void A_participle_of_a_nullable_columns_noun_is_whether_it_is_filled_in(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Fact]
    public void A_participle_of_a_synonym_names_its_column() =>
        Expect(SampleDatasets.Retail, "how many unrated orders are there", "SELECT count(*) FROM retail_sales WHERE customer_rating IS NULL");

    [Fact]
    public void A_denied_presence_of_a_zero_when_absent_column_is_zero() =>
        Expect(SampleDatasets.Retail, "how many orders did not have a discount", "SELECT count(*) FROM retail_sales WHERE discount = 0");

    [Theory]
    [InlineData("average departure delay by hour of the day", "SELECT dep_hour, avg(dep_delay) FROM flights GROUP BY dep_hour ORDER BY dep_hour ASC")]
    [InlineData("number of flights by day of the month", "SELECT day, count(*) FROM flights GROUP BY day ORDER BY day ASC")]
    public void Hour_and_day_number_groups_read_in_clock_order(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Theory]
    [InlineData("daily revenue for the first week of march 2024", "SELECT order_date, sum(revenue) FROM retail_sales WHERE order_date >= DATE '2024-03-01' AND order_date < DATE '2024-03-08' GROUP BY order_date ORDER BY retail_sales.order_date ASC")]
    [InlineData("how many orders in the last week of 2023", "SELECT count(*) FROM retail_sales WHERE order_date >= DATE '2023-12-25' AND order_date < DATE '2024-01-01'")]
    public void The_first_or_last_week_of_a_period_is_seven_days_of_it(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("how many laptops did we sell in 2024", "SELECT sum(quantity) FROM retail_sales WHERE product = 'Laptop' AND order_date >= DATE '2024-01-01' AND order_date < DATE '2025-01-01'")]
    [InlineData("how many sofas were sold in texas", "SELECT sum(quantity) FROM retail_sales WHERE product = 'Sofa' AND state = 'Texas'")]
    [InlineData("how many laptop orders were there", "SELECT count(*) FROM retail_sales WHERE product = 'Laptop'")]
    public void How_many_of_a_value_were_sold_adds_up_the_quantity(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("maximun price of oval diamonds", "SELECT max(price) FROM diamonds WHERE shape = 'Oval'")]
    [InlineData("avrage carat by cut", "SELECT cut, avg(carat) FROM diamonds GROUP BY cut ORDER BY cut ASC")]
    public void One_typo_in_a_long_word_of_computation_still_reads_it(string question, string sql) => Expect(SampleDatasets.Diamonds, question, sql);

    [Theory]
    [InlineData("number of flights each year except 2021", "SELECT year, count(*) FROM flights WHERE NOT (year = 2021) GROUP BY year ORDER BY year ASC")]
    [InlineData("average arrival delay in 2022 compared to 2019", "SELECT year, avg(arr_delay) FROM flights WHERE year = 2022 OR year = 2019 GROUP BY year ORDER BY year ASC")]
    public void Excluding_a_period_negates_it_and_compared_to_sets_periods_side_by_side(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Theory]
    [InlineData("number of orders between June 10 and August 20 2023", "SELECT count(*) FROM retail_sales WHERE order_date >= DATE '2023-06-10' AND order_date < DATE '2023-08-21'")]
    [InlineData("revenue excluding 2021", "SELECT sum(revenue) FROM retail_sales WHERE NOT (order_date >= DATE '2021-01-01' AND order_date < DATE '2022-01-01')")]
    public void A_day_range_takes_its_year_from_the_far_end_and_an_excluded_year_is_left_out(string question, string sql) => Expect(SampleDatasets.Retail, question, sql);

    [Theory]
    [InlineData("average arrival delay by route", "SELECT origin, dest, avg(arr_delay) FROM flights GROUP BY origin, dest ORDER BY origin ASC, dest ASC")]
    [InlineData("which route has the longest average delay", "SELECT origin, dest, avg(arr_delay) FROM flights GROUP BY origin, dest ORDER BY avg(arr_delay) DESC NULLS LAST LIMIT 1")]
    [InlineData("busiest route in 2021", "SELECT origin, dest, count(*) FROM flights WHERE year = 2021 GROUP BY origin, dest ORDER BY count(*) DESC NULLS LAST LIMIT 1")]
    [InlineData("average air time on the JFK to LAX route", "SELECT avg(air_time) FROM flights WHERE origin = 'JFK' AND dest = 'LAX'")]
    [InlineData("busiest route out of Dallas", "SELECT dest, count(*) FROM flights WHERE origin_city = 'Dallas' GROUP BY dest ORDER BY count(*) DESC NULLS LAST LIMIT 1")]
    public void A_route_is_the_origin_and_destination_together(string question, string sql) => Expect(SampleDatasets.Flights, question, sql);

    [Fact]
    public void Phrases_report_how_each_part_of_the_question_was_read()
    {
        var t = Ask("average price of Ideal cut diamonds", SampleDatasets.Diamonds);
        Assert.Contains(t.Phrases, p => p.Text == "Ideal cut" && p.Meaning == "cut = Ideal");
        Assert.Contains(t.Phrases, p => p.Text == "price" && p.Meaning == "column price");
        Assert.All(t.Phrases, p => Assert.Equal(p.Text, "average price of Ideal cut diamonds".Substring(p.Start, p.Length)));
    }

    [Fact]
    public async Task The_async_seam_honours_cancellation()
    {
        INlTranslator translator = Translator;
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => translator.TranslateAsync(new NlRequest("revenue", SampleDatasets.Retail), cts.Token));
        var t = await translator.TranslateAsync(new NlRequest("total revenue", SampleDatasets.Retail), CancellationToken.None);
        Assert.True(t.Succeeded);
        Assert.Equal("offline", translator.Name);
    }
}
