using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Llm;

/// <summary>
/// Polishes the deterministic explanation (<see cref="NlExplainer.Summarize"/>) with a language model:
/// the model sees the question, the reading, the explanation and the first rows of the result, so
/// call it only where the tenant allows result rows to be sent to the model. The polished text is
/// used only when it is short plain prose whose numbers all come from the explanation or the rows;
/// otherwise (and on any failure or timeout) the caller keeps the deterministic text.
/// </summary>
public static class LlmExplainer
{
    private static readonly Regex Number = new(@"-?\d[\d,]*(?:\.\d+)?", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The polished explanation, or null when the model failed, was too slow, or wrote something unusable.</summary>
    /// <param name="chat">The model client.</param>
    /// <param name="model">The model name sent with the request.</param>
    /// <param name="question">The user's question.</param>
    /// <param name="interpretation">How it was read.</param>
    /// <param name="summary">The deterministic explanation.</param>
    /// <param name="result">The result; at most <paramref name="maxRows"/> rows are sent.</param>
    /// <param name="timeout">How long the model may take.</param>
    /// <param name="maxRows">Most rows sent.</param>
    /// <param name="cancellationToken">Cancels the call (the caller going away).</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string?> PolishAsync(
        IChatClient chat, string model, string question, string interpretation, string summary, NlResult result, TimeSpan timeout,
        int maxRows = 20, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(result);
        var rows = Table(result, maxRows);
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, """
                You explain query results to business users. Rewrite the explanation below in one to three plain sentences.
                Use only facts and numbers from the explanation and the rows; never add causes, forecasts or advice.
                Answer with the sentences only: no headings, lists, code or SQL.
                """),
            new(ChatRole.User, $"Question: {question}\nReading: {interpretation}\nExplanation: {summary}\nRows ({Math.Min(result.Rows.Count, maxRows)} of {result.Rows.Count}):\n{rows}"),
        };
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        string text;
        try
        {
            var response = await chat.GetResponseAsync(messages, new ChatOptions { ModelId = model, Temperature = 0, MaxOutputTokens = 300 }, timer.Token).ConfigureAwait(false);
            text = (response.Text ?? string.Empty).Trim();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }

        return Acceptable(text, summary + "\n" + rows) ? string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) : null;
    }

    /// <summary>Short prose, no code, and every number found in the sources (or a rounding of one, or a small count).</summary>
    internal static bool Acceptable(string text, string sources)
    {
        if (text.Length is < 10 or > 800 || text.Contains("```", StringComparison.Ordinal)
            || text.Contains("SELECT ", StringComparison.OrdinalIgnoreCase) || text.Contains(SqlReply.DeclineMarker, StringComparison.Ordinal))
        {
            return false;
        }

        var known = Number.Matches(sources).Select(m => Parse(m.Value)).OfType<double>().ToList();
        foreach (Match m in Number.Matches(text))
        {
            if (Parse(m.Value) is not { } value)
            {
                continue;
            }

            var ok = (Math.Abs(value) <= 12 && value == Math.Floor(value))
                || known.Any(k => Math.Abs(k - value) <= Math.Max(0.011, 0.01 * Math.Abs(k)));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static double? Parse(string text) =>
        double.TryParse(text.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static string Table(NlResult result, int maxRows)
    {
        var text = new StringBuilder();
        var columns = result.Columns.Take(8).ToList();
        text.AppendJoin(" | ", columns.Select(c => c.Name)).Append('\n');
        foreach (var row in result.Rows.Take(maxRows))
        {
            text.AppendJoin(" | ", row.Take(columns.Count).Select(Format)).Append('\n');
        }

        return text.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "(null)",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Truncate(value.ToString() ?? string.Empty),
    };

    private static string Truncate(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
