using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AstralytiQ.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AstralytiQ.Server.Tests.Ask.Llm;

/// <summary>One chat completions request as the fake server received it.</summary>
public sealed record FakeChatRequest(string Path, string? Authorization, string Model, IReadOnlyList<(string Role, string Content)> Messages)
{
    public string System => Messages.FirstOrDefault(m => m.Role == "system").Content ?? "";

    public string LastUser => Messages.LastOrDefault(m => m.Role == "user").Content ?? "";

    public string All => string.Join("\n", Messages.Select(m => m.Role + ": " + m.Content));
}

/// <summary>What the fake server answers: a completion with this content, or an HTTP status with a raw body, after a delay.</summary>
public sealed record FakeChatReply(string? Content, int Status = 200, string? RawBody = null, TimeSpan Delay = default)
{
    public static FakeChatReply Sql(string sql) => new("```sql\n" + sql + "\n```");

    public static FakeChatReply Text(string text) => new(text);

    public static FakeChatReply Error(int status) => new(null, status, "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}");

    public static FakeChatReply Garbage() => new(null, 200, "<html>502 Bad Gateway</html>");

    public static FakeChatReply Slow(TimeSpan delay, string content) => new(content, Delay: delay);
}

/// <summary>
/// A tiny OpenAI-compatible chat completions server on loopback (POST /v1/chat/completions) that
/// answers from a script: the real OpenAI SDK and the server's adapter talk to it over HTTP.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeChatReply> _script = new();

    private FakeOpenAIServer(WebApplication app, int port)
    {
        _app = app;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/v1");
    }

    /// <summary>The endpoint to configure: the part before /chat/completions.</summary>
    public Uri BaseAddress { get; }

    public ConcurrentQueue<FakeChatRequest> Requests { get; } = new();

    /// <summary>Answers when the script is empty; by default a 500 saying so.</summary>
    public Func<FakeChatRequest, FakeChatReply> Fallback { get; set; } = _ => new FakeChatReply(null, 500, "{\"error\":{\"message\":\"no scripted reply\"}}");

    public FakeOpenAIServer Then(FakeChatReply reply)
    {
        _script.Enqueue(reply);
        return this;
    }

    /// <summary>Forgets the script and the requests (tests of one class share a server and run one after another).</summary>
    public void Reset(Func<FakeChatRequest, FakeChatReply>? fallback = null)
    {
        _script.Clear();
        Requests.Clear();
        Fallback = fallback ?? (_ => new FakeChatReply(null, 500, "{\"error\":{\"message\":\"no scripted reply\"}}"));
    }

    public static async Task<FakeOpenAIServer> StartAsync()
    {
        var port = TestEnvironment.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOpenAIServer? server = null;
        app.MapPost("/v1/chat/completions", (HttpContext http) => server!.HandleAsync(http));
        await app.StartAsync();
        server = new FakeOpenAIServer(app, port);
        return server;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        var messages = body.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString() ?? "", Content(m.GetProperty("content"))))
            .ToArray();
        var request = new FakeChatRequest(http.Request.Path, http.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
            body.RootElement.TryGetProperty("model", out var model) ? model.GetString() ?? "" : "", messages);
        Requests.Enqueue(request);
        var reply = _script.TryDequeue(out var scripted) ? scripted : Fallback(request);
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = "application/json";
        if (reply.RawBody is not null)
        {
            await http.Response.WriteAsync(reply.RawBody, http.RequestAborted);
            return;
        }
        var completion = new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N")[..12],
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = request.Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 20, ["total_tokens"] = 120 },
        };
        await http.Response.WriteAsync(completion.ToJsonString(), http.RequestAborted);
    }

    // Content is a string, or (newer clients) an array of parts.
    private static string Content(JsonElement content) => content.ValueKind == JsonValueKind.Array
        ? string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : ""))
        : content.GetString() ?? "";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
