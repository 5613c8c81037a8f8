using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;
using OpenAiFinishReason = OpenAI.Chat.ChatFinishReason;

namespace AstralytiQ.Server.Features.Ask.Llm;

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI SDK's <see cref="ChatClient"/>, so anything that speaks the
/// chat completions API (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM, llama.cpp) serves the LLM
/// translator. The registry has no Microsoft.Extensions.AI.OpenAI, so this is the small part of it
/// the server needs: text messages in, text out, usage and finish reason. The SDK retries as
/// configured (none by default: the offline translator is the better retry) and its network timeout
/// is the configured one. The key goes only into the SDK's bearer credential; logs carry the
/// endpoint, the model, timings and status codes, never the key or message contents.
/// </summary>
public sealed class OpenAIChatClientAdapter : IChatClient
{
    private readonly ChatClient _client;
    private readonly ChatClientMetadata _metadata;
    private readonly string _model;
    private readonly ILogger<OpenAIChatClientAdapter> _logger;

    public OpenAIChatClientAdapter(IOptions<LlmOptions> options, ILogger<OpenAIChatClientAdapter> logger)
    {
        var settings = options.Value;
        if (!settings.Enabled || string.IsNullOrWhiteSpace(settings.Model))
        {
            throw new InvalidOperationException("Llm:Endpoint and Llm:Model must be set to use a language model.");
        }
        var endpoint = new Uri(settings.Endpoint!, UriKind.Absolute);
        _model = settings.Model;
        _logger = logger;
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = settings.Timeout,
            RetryPolicy = new ClientRetryPolicy(settings.MaxRetries),
            UserAgentApplicationId = "astralytiq",
        };
        // Local servers (Ollama, llama.cpp) need no key, but the SDK needs a credential: any text will do there.
        var key = string.IsNullOrEmpty(settings.ApiKey) ? "no-key" : settings.ApiKey;
        _client = new ChatClient(_model, new ApiKeyCredential(key), clientOptions);
        _metadata = new ChatClientMetadata("openai-compatible", new Uri(endpoint.GetLeftPart(UriPartial.Path)), _model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var started = Stopwatch.GetTimestamp();
        ChatCompletion completion;
        try
        {
            completion = (await _client.CompleteChatAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken)).Value;
        }
        catch (ClientResultException ex)
        {
            _logger.LogWarning("Language model {Model} at {Endpoint} answered HTTP {Status} after {Elapsed} ms",
                _model, _metadata.ProviderUri, ex.Status, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            _logger.LogWarning("Language model {Model} at {Endpoint} could not be reached: {Reason}", _model, _metadata.ProviderUri, ex.Message);
            throw;
        }

        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        if (text.Length == 0 && !string.IsNullOrEmpty(completion.Refusal))
        {
            text = completion.Refusal;
        }
        var usage = completion.Usage is { } u
            ? new UsageDetails { InputTokenCount = u.InputTokenCount, OutputTokenCount = u.OutputTokenCount, TotalTokenCount = u.TotalTokenCount }
            : null;
        _logger.LogDebug("Language model {Model} answered in {Elapsed} ms ({InputTokens} tokens in, {OutputTokens} out)",
            _model, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds), usage?.InputTokenCount, usage?.OutputTokenCount);
        return new ChatResponse(new AiChatMessage(ChatRole.Assistant, text))
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = usage,
            RawRepresentation = completion,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await foreach (var update in _client.CompleteChatStreamingAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken))
        {
            var text = string.Concat(update.ContentUpdate.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
            yield return new ChatResponseUpdate(ChatRole.Assistant, text)
            {
                ResponseId = update.CompletionId,
                ModelId = update.Model,
                CreatedAt = update.CreatedAt,
                FinishReason = update.FinishReason is { } reason ? ToFinishReason(reason) : null,
                RawRepresentation = update,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(ChatClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The SDK client holds no resources of its own beyond the shared HTTP pipeline.
    }

    private static List<OpenAiChatMessage> ToOpenAI(IEnumerable<AiChatMessage> messages)
    {
        var result = new List<OpenAiChatMessage>();
        foreach (var message in messages)
        {
            var text = message.Text;
            if (message.Role == ChatRole.System)
            {
                result.Add(new SystemChatMessage(text));
            }
            else if (message.Role == ChatRole.Assistant)
            {
                result.Add(new AssistantChatMessage(text));
            }
            else if (message.Role == ChatRole.User)
            {
                result.Add(new UserChatMessage(text));
            }
            else
            {
                throw new NotSupportedException($"Messages with the role {message.Role} are not supported by this adapter.");
            }
        }
        return result;
    }

    private static ChatCompletionOptions? ToOpenAI(ChatOptions? options)
    {
        if (options is null)
        {
            return null;
        }
        var result = new ChatCompletionOptions
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            MaxOutputTokenCount = options.MaxOutputTokens,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
        };
        foreach (var stop in options.StopSequences ?? [])
        {
            result.StopSequences.Add(stop);
        }
        return result;
    }

    private static AiFinishReason ToFinishReason(OpenAiFinishReason reason) => reason switch
    {
        OpenAiFinishReason.Length => AiFinishReason.Length,
        OpenAiFinishReason.ContentFilter => AiFinishReason.ContentFilter,
        OpenAiFinishReason.ToolCalls or OpenAiFinishReason.FunctionCall => AiFinishReason.ToolCalls,
        _ => AiFinishReason.Stop,
    };
}
