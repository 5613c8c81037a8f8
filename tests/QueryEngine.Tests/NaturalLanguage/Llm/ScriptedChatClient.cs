using Microsoft.Extensions.AI;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage.Llm;

/// <summary>An <see cref="IChatClient"/> that answers from a script and records every request.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<Func<IReadOnlyList<ChatMessage>, CancellationToken, Task<string>>> _script = new();

    public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];

    public List<ChatOptions?> Options { get; } = [];

    public ScriptedChatClient Reply(string text) => Then((_, _) => Task.FromResult(text));

    public ScriptedChatClient Throw(Exception exception) => Then((_, _) => Task.FromException<string>(exception));

    /// <summary>Never answers: waits until the call is cancelled.</summary>
    public ScriptedChatClient Hang() => Then(async (_, token) =>
    {
        await Task.Delay(Timeout.Infinite, token);
        return "";
    });

    public ScriptedChatClient Then(Func<IReadOnlyList<ChatMessage>, CancellationToken, Task<string>> step)
    {
        _script.Enqueue(step);
        return this;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var copy = messages.ToList();
        Requests.Add(copy);
        Options.Add(options);
        Assert.True(_script.Count > 0, "The translator called the model more often than scripted.");
        var text = await _script.Dequeue()(copy, cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
