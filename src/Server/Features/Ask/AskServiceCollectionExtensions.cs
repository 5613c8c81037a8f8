using AstralytiQ.Server.Features.Ask.Llm;
using AstralytiQ.Server.Infrastructure.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Ask;

public static class AskServiceCollectionExtensions
{
    /// <summary>
    /// Questions in plain English (issue 7): the translators (offline; the language model first when
    /// "Llm" names an endpoint), schemas with profile values and synonyms, conversations, and the gRPC API.
    /// </summary>
    public static IServiceCollection AddAskFeature(this IServiceCollection services)
    {
        services.AddValidatedOptions<AskOptions>(AskOptions.SectionName);
        services.AddValidatedOptions<LlmOptions>(LlmOptions.SectionName);
        // Only built when a model is configured (AskTranslators asks for it then).
        services.AddSingleton<IChatClient>(sp => new OpenAIChatClientAdapter(sp.GetRequiredService<IOptions<LlmOptions>>(), sp.GetRequiredService<ILogger<OpenAIChatClientAdapter>>()));
        services.AddSingleton<AskTranslators>();
        services.AddSingleton<SampleVocabulary>();
        services.AddSingleton<AskStore>();
        services.AddSingleton<AskSchemas>();
        services.AddSingleton<QuestionAnswerer>();
        services.AddSingleton<AskApi>();
        return services;
    }
}
