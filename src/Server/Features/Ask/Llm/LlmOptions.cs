using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Server.Features.Ask.Llm;

/// <summary>
/// Section "Llm" (environment: ASTQ__Llm__Endpoint, ...): the language model questions are translated
/// with first, through any OpenAI-compatible chat completions API. Without an endpoint the server
/// answers with the offline translator only.
/// <list type="bullet">
/// <item>OpenAI: Endpoint <c>https://api.openai.com/v1</c>, Model e.g. <c>gpt-4o-mini</c>, ApiKey.</item>
/// <item>Azure OpenAI (v1 API): Endpoint <c>https://&lt;resource&gt;.openai.azure.com/openai/v1</c>, Model = the deployment name, ApiKey = the resource key.</item>
/// <item>Ollama <c>http://localhost:11434/v1</c>, vLLM <c>http://localhost:8000/v1</c>, llama.cpp server <c>http://localhost:8080/v1</c>: Model as the server names it; ApiKey may stay empty.</item>
/// </list>
/// </summary>
public sealed class LlmOptions : IValidatableObject
{
    public const string SectionName = "Llm";

    /// <summary>Base URL of the API (the part before <c>/chat/completions</c>). Empty: no model, offline only.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model (or Azure deployment) name.</summary>
    public string? Model { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c>. Never logged. Local servers usually need none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one model call may take before the offline translator answers instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Llm:Timeout must be between 100 milliseconds and 5 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Retries of a failed call (HTTP 429 or 5xx) by the SDK; 0 falls back at once.</summary>
    [Range(0, 3, ErrorMessage = "Llm:MaxRetries must be between 0 and 3.")]
    public int MaxRetries { get; set; }

    /// <summary>Most of the tenant's question/SQL pairs shown to the model as examples.</summary>
    [Range(0, 20, ErrorMessage = "Llm:MaxExamples must be between 0 and 20.")]
    public int MaxExamples { get; set; } = 8;

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult(
                "Llm:Endpoint must be an absolute http(s) URL such as https://api.openai.com/v1 or http://localhost:11434/v1 (or empty for offline only).",
                [nameof(Endpoint)]);
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            yield return new ValidationResult("Llm:Endpoint must not carry credentials; put the key in Llm:ApiKey.", [nameof(Endpoint)]);
        }
        if (string.IsNullOrWhiteSpace(Model))
        {
            yield return new ValidationResult("Llm:Model is required when Llm:Endpoint is set (e.g. gpt-4o-mini, or the Azure deployment name).", [nameof(Model)]);
        }
    }

    /// <summary>The endpoint without any query string, for logs.</summary>
    public string EndpointForLogs => Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "";

    /// <summary>Never shows the key.</summary>
    public override string ToString() => $"Llm {{ Endpoint = {EndpointForLogs}, Model = {Model}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(set)")}, Timeout = {Timeout} }}";
}
