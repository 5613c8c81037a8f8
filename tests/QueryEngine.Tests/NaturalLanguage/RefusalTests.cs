using AstralytiQ.QueryEngine.NaturalLanguage;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>An unreadable question gets a refusal that names the words it could not place, never a guess.</summary>
public sealed class RefusalTests
{
    private static NlRefusal Refused(string question, DatasetSchema dataset)
    {
        var t = OfflineTranslatorTests.Ask(question, dataset);
        Assert.False(t.Succeeded, $"\"{question}\" should be refused but became a query: {t.Interpretation}");
        Assert.Null(t.Query);
        Assert.NotNull(t.Refusal);
        Assert.Equal(OfflineTranslator.TranslatorName, t.Translator);
        Assert.False(string.IsNullOrWhiteSpace(t.Refusal!.Message));
        return t.Refusal;
    }

    [Theory]
    [InlineData("What is the weather in Paris?", "Paris")]
    [InlineData("Show revenue for Narnia", "Narnia")]
    [InlineData("asdf qwer zxcv", "qwer")]
    [InlineData("How many orders arrived early?", "early")]
    [InlineData("orders over 1000 and under 2000", "1000")]
    public void Unplaced_words_are_named_in_the_refusal(string question, string word)
    {
        var refusal = Refused(question, SampleDatasets.Retail);
        Assert.Contains(word, refusal.UnplacedWords);
        Assert.Contains(word, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_two_edits_from_a_value_refuses_instead_of_dropping_the_filter()
    {
        // "califrnoa" is two edits from California: too far to read as it, too close to leave out silently.
        var refusal = Refused("how many online orders did we get from califrnoa", SampleDatasets.Retail);
        Assert.Contains("califrnoa", refusal.UnplacedWords);
    }

    [Theory]
    [InlineData("how many diamonds are not sparkly", "sparkly")]
    [InlineData("how many orders were not gift wrapped", "wrapped")]
    public void A_negated_word_that_cannot_be_placed_is_not_dropped_with_its_negation(string question, string word)
    {
        // Dropping the word drops the "not" with it: the answer would count every row.
        var refusal = Refused(question, question.Contains("diamonds", StringComparison.Ordinal) ? SampleDatasets.Diamonds : SampleDatasets.Retail);
        Assert.Contains(word, refusal.UnplacedWords);
    }

    [Fact]
    public void What_a_top_n_ranks_must_be_placed()
    {
        // Without "aircraft" the answer would be one count of all flights.
        var refusal = Refused("top 3 aircraft by number of flights", SampleDatasets.Flights);
        Assert.Contains("aircraft", refusal.UnplacedWords);
    }

    [Fact]
    public void A_name_that_is_no_value_of_any_column_is_not_dropped_silently()
    {
        // Dropping "Springfield" would answer for every city: a silent wrong number.
        var refusal = Refused("total revenue in Springfield", SampleDatasets.Retail);
        Assert.Contains("Springfield", refusal.UnplacedWords);
    }

    [Theory]
    [InlineData("Which player has the most victories?", "the most")]
    [InlineData("What is the maximum trophy haul?", "maximum")]
    public void An_extreme_asked_of_nothing_placed_is_refused(string question, string word)
    {
        // Without "the most" the answer would be every player's row.
        var refusal = Refused(question, QuestionStyleTests.Players);
        Assert.Contains(word, refusal.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("What are the first name, last name and nickname of every player?", "nickname")]
    [InlineData("List all player sponsors and coaches", "sponsors")]
    public void A_thing_to_show_that_cannot_be_placed_is_not_left_out_silently(string question, string word)
    {
        var refusal = Refused(question, QuestionStyleTests.Players);
        Assert.Contains(word, refusal.UnplacedWords);
    }

    [Fact]
    public void A_comparison_with_an_unread_than_is_refused()
    {
        // "than any city in Rhode Island" needs a subquery; dropping it would list the Rhode Island cities.
        Refused("What are the cities with a larger population than any city in Rhode Island?", QuestionStyleTests.Cities);
    }

    [Fact]
    public void Conditions_no_single_row_can_meet_are_refused()
    {
        Refused("diamonds with a price above 5000 and a price below 1000", SampleDatasets.Diamonds);
    }

    [Fact]
    public void A_misspelt_column_gets_suggestions()
    {
        var refusal = Refused("average rvnue per region", SampleDatasets.Retail);
        Assert.Contains("revenue", refusal.Suggestions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("?!")]
    public void Empty_questions_are_refused(string question)
    {
        var t = OfflineTranslatorTests.Ask(question, SampleDatasets.Retail);
        Assert.False(t.Succeeded);
        Assert.NotNull(t.Refusal);
    }

    [Fact]
    public void No_datasets_is_a_refusal_not_an_exception()
    {
        var t = new OfflineTranslator().Translate(new NlRequest("total revenue", Array.Empty<DatasetSchema>()));
        Assert.False(t.Succeeded);
    }
}
