using AstralytiQ.Portal.Pages.Query;

namespace AstralytiQ.Portal.Tests.Query;

public sealed class QueryDisplayTests
{
    [Theory]
    [InlineData("62.5000000000000000", "62.5")]
    [InlineData("3.3333333333333333", "3.333333")]
    [InlineData("-0.0000004999999999", "0")]
    [InlineData("10.50", "10.50")]
    [InlineData("1234567.123456", "1234567.123456")]
    [InlineData("42", "42")]
    [InlineData("NaN", "NaN")]
    public void Decimals_keep_their_scale_unless_it_is_a_computed_tail(string stored, string shown) =>
        Assert.Equal(shown, IndexModel.DisplayDecimal(stored));
}
