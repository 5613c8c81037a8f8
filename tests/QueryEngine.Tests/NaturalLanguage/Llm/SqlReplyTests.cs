using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.NaturalLanguage.Llm;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage.Llm;

/// <summary>Taking the SQL out of what models actually answer.</summary>
public sealed class SqlReplyTests
{
    [Theory]
    [InlineData("SELECT 1", "SELECT 1")]
    [InlineData("SELECT 1;", "SELECT 1")]
    [InlineData("```sql\nSELECT a FROM t\n```", "SELECT a FROM t")]
    [InlineData("```SQL\nSELECT a FROM t;\n```\nThis returns a.", "SELECT a FROM t")]
    [InlineData("```postgresql\nSELECT a\nFROM t\nWHERE b = 1\n```", "SELECT a\nFROM t\nWHERE b = 1")]
    [InlineData("```\nSELECT a FROM t\n```", "SELECT a FROM t")]
    [InlineData("Here it is:\n```python\nprint(1)\n```\n```sql\nSELECT a FROM t\n```", "SELECT a FROM t")]
    [InlineData("```sql\nSELECT a FROM t", "SELECT a FROM t")]
    [InlineData("Sure. The query is:\n\nSELECT a, b\nFROM t\nORDER BY a;\n\nIt sorts by a.", "SELECT a, b\nFROM t\nORDER BY a")]
    [InlineData("SELECT a\nFROM t\n\nThis lists every a.", "SELECT a\nFROM t")]
    [InlineData("SELECT a\n\nFROM t\n\nWHERE b = 'x;y'", "SELECT a\nFROM t\nWHERE b = 'x;y'")]
    [InlineData("The answer: SELECT count(*) FROM t", "SELECT count(*) FROM t")]
    [InlineData("<think>The user wants a count. SELECT is needed.</think>\n```sql\nSELECT count(*) FROM t\n```", "SELECT count(*) FROM t")]
    [InlineData("WITH x AS (SELECT a FROM t) SELECT * FROM x;", "WITH x AS (SELECT a FROM t) SELECT * FROM x")]
    [InlineData("SELECT 'it''s; fine' -- a comment; really\nFROM t;", "SELECT 'it''s; fine' -- a comment; really\nFROM t")]
    [InlineData("SELECT a FROM t;\n\nUpdate: I assumed a is numeric.", "SELECT a FROM t")]
    [InlineData("SELECT a FROM t\n\nUpdate: I assumed a is numeric.", "SELECT a FROM t")]
    public void The_query_is_found_and_prose_dropped(string reply, string sql)
    {
        var parsed = SqlReply.Parse(reply);

        Assert.Equal(SqlReplyKind.Sql, parsed.Kind);
        Assert.Equal(sql, parsed.Sql);
    }

    [Theory]
    [InlineData("SELECT 1; DROP TABLE t;")]
    [InlineData("SELECT 1;\n-- and then\nDELETE FROM t")]
    [InlineData("```sql\nSELECT 1;\nselect 2;\n```")]
    [InlineData("SELECT a FROM t\nDROP TABLE t")]
    [InlineData("SELECT a FROM t\n\ntruncate table t")]
    public void A_second_statement_is_never_trimmed_away(string reply)
    {
        Assert.Equal(SqlReplyKind.Stacked, SqlReply.Parse(reply).Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("I cannot help with that.")]
    [InlineData("<think>SELECT a FROM t would work</think>")]
    [InlineData("```json\n{\"a\": 1}\n```")]
    public void Replies_without_a_query_hold_no_sql(string? reply)
    {
        Assert.Equal(SqlReplyKind.NoSql, SqlReply.Parse(reply).Kind);
    }

    [Theory]
    [InlineData("CANNOT_ANSWER: no weather data", "no weather data")]
    [InlineData("I looked at the schema.\n**CANNOT_ANSWER**: there is no customer name column", "there is no customer name column")]
    public void A_decline_keeps_its_reason(string reply, string reason)
    {
        var parsed = SqlReply.Parse(reply);

        Assert.Equal(SqlReplyKind.Declined, parsed.Kind);
        Assert.Equal(reason, parsed.Sql);
    }

    [Fact]
    public void A_polished_explanation_must_use_the_numbers_it_was_given()
    {
        const string sources = "The average price is 3,932.80 over 20,000 diamonds; Ideal is highest at 4,102.5.\ncut | avg\nIdeal | 4102.5\n";

        Assert.True(LlmExplainer.Acceptable("Across 20,000 diamonds the average price is about 3,933 dollars, with Ideal cuts highest at 4,102.50.", sources));
        Assert.True(LlmExplainer.Acceptable("The 3 cheapest cuts average well below Ideal.", sources));
        Assert.False(LlmExplainer.Acceptable("The average price is 5,120 dollars.", sources));
        Assert.False(LlmExplainer.Acceptable("```sql\nSELECT 1\n```", sources));
        Assert.False(LlmExplainer.Acceptable("ok", sources));
    }

    [Fact]
    public async Task Polishing_returns_the_models_sentence_or_null_on_failure()
    {
        var result = new NlResult([new NlResultColumn("cut"), new NlResultColumn("avg", "numeric")], [["Ideal", 4102.5m], ["Good", 3800m]]);
        var good = new ScriptedChatClient().Reply("  Ideal diamonds average 4,102.50 dollars,\nahead of Good at 3,800.  ");
        var invented = new ScriptedChatClient().Reply("Ideal diamonds average 9,999 dollars.");
        var slow = new ScriptedChatClient().Hang();

        Assert.Equal("Ideal diamonds average 4,102.50 dollars, ahead of Good at 3,800.",
            await LlmExplainer.PolishAsync(good, "m", "avg price by cut", "average price for each cut", "Ideal is highest.", result, TimeSpan.FromSeconds(5)));
        Assert.Null(await LlmExplainer.PolishAsync(invented, "m", "q", "r", "s", result, TimeSpan.FromSeconds(5)));
        Assert.Null(await LlmExplainer.PolishAsync(slow, "m", "q", "r", "s", result, TimeSpan.FromMilliseconds(100)));
        Assert.Contains("Ideal | 4102.5", good.Requests[0][1].Text, StringComparison.Ordinal);
    }
}
