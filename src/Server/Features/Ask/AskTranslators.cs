using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.NaturalLanguage.Llm;
using AstralytiQ.Server.Features.Ask.Llm;
using AstralytiQ.Server.Features.Query;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Ask;

/// <summary>
/// The translators this server answers with: always the offline one; the LLM translator (over the
/// registered <see cref="IChatClient"/>, with the offline one as its fallback) when "Llm" names an
/// endpoint. Both check their trees against the query feature's policy (its row cap).
/// </summary>
public sealed class AskTranslators
{
    public AskTranslators(SqlRunner runner, IOptions<LlmOptions> llm, IServiceProvider services)
    {
        Offline = new OfflineTranslator(runner.Policy);
        var settings = llm.Value;
        if (settings.Enabled)
        {
            Chat = services.GetRequiredService<IChatClient>();
            Model = settings.Model!;
            Timeout = settings.Timeout;
            MaxExamples = settings.MaxExamples;
            Llm = new LlmTranslator(Chat, new LlmTranslatorOptions { Model = Model, Timeout = settings.Timeout, Policy = runner.Policy, MaxExamples = settings.MaxExamples }, Offline);
        }
    }

    public OfflineTranslator Offline { get; }

    /// <summary>Null when no model is configured.</summary>
    public LlmTranslator? Llm { get; }

    public IChatClient? Chat { get; }

    public string? Model { get; }

    public TimeSpan Timeout { get; }

    public int MaxExamples { get; }
}
