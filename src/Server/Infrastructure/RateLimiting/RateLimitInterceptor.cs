using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Infrastructure.RateLimiting;

/// <summary>
/// Spends one unit of the caller's hourly budget for the method's class (query or general) and counts
/// the call in the tenant's usage. A refusal is RESOURCE_EXHAUSTED with a <c>retry-after</c> trailer.
/// Runs after <see cref="AuthInterceptor"/>; public methods throttle themselves (login).
/// </summary>
public sealed class RateLimitInterceptor(RateLimiter limiter, UsageMeter usage, IOptions<RateLimitOptions> options) : Interceptor
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await SpendAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await SpendAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await SpendAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await SpendAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task SpendAsync(ServerCallContext context)
    {
        if (context.FindCaller() is not { } caller || context.UserState[typeof(AccessRule)] is not AccessRule rule)
        {
            return;
        }
        usage.Add(caller.TenantId, UsageMetrics.ApiCalls);
        var limit = options.Value.PerHour(rule.RateLimitClass, caller.Tier);
        var subject = caller.Kind == CallerKind.ApiKey ? "key:" + caller.ApiKeyId : "user:" + caller.UserId;
        var decision = await limiter.HitAsync($"{rule.RateLimitClass.ToString().ToLowerInvariant()}:{subject}", limit, Window);
        if (!decision.Allowed)
        {
            var what = rule.RateLimitClass == RateLimitClass.Query ? "query" : "request";
            throw RpcErrors.RateLimited(
                $"You have used your {limit} {what}s for this hour ({caller.Tier.ToString().ToLowerInvariant()} tier). Try again in {Math.Ceiling(decision.ResetsIn.TotalMinutes)} minute(s).",
                decision.ResetsIn);
        }
    }
}
