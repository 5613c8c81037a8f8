using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Portal.Infrastructure.Session;

/// <summary>
/// Every call made while serving a request carries <c>authorization: Bearer &lt;access token&gt;</c> of the
/// request's signed-in user (already refreshed by <see cref="PortalSession.LoadAsync"/>). Calls that set
/// their own authorization header keep it. Unary calls without a deadline get Portal:CallTimeout.
/// </summary>
public sealed class AccessTokenInterceptor(IHttpContextAccessor accessor, IOptions<PortalOptions> options) : Interceptor
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, Prepare(context, unary: true));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, Prepare(context, unary: true));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, Prepare(context, unary: false));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(Prepare(context, unary: false));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(Prepare(context, unary: false));

    private ClientInterceptorContext<TRequest, TResponse> Prepare<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, bool unary)
        where TRequest : class
        where TResponse : class
    {
        var callOptions = context.Options;
        if (unary && callOptions.Deadline is null)
        {
            callOptions = callOptions.WithDeadline(DateTime.UtcNow + options.Value.CallTimeout);
        }
        var token = accessor.HttpContext?.RequestServices.GetService<PortalSession>()?.AccessToken;
        if (token is not null && callOptions.Headers?.Get("authorization") is null)
        {
            var headers = new Metadata();
            foreach (var entry in callOptions.Headers ?? [])
            {
                headers.Add(entry);
            }
            headers.Add("authorization", "Bearer " + token);
            callOptions = callOptions.WithHeaders(headers);
        }
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, callOptions);
    }
}
