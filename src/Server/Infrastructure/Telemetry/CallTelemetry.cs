using System.Diagnostics;
using System.Security.Claims;
using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace AstralytiQ.Server.Infrastructure.Telemetry;

/// <summary>
/// One log line and one metrics sample per gRPC call, including calls refused before a handler ran.
/// The line carries method, status, duration, user, tenant and trace id; never request content.
/// </summary>
public sealed class CallTelemetry(ServerMetrics metrics, ILogger<CallTelemetry> logger) : IGrpcCallObserver
{
    public void OnCallStarted(HttpContext httpContext, string method, MethodType type) => metrics.CallStarted(type);

    public void OnCallCompleted(HttpContext httpContext, string method, MethodType type, Status status, TimeSpan elapsed)
    {
        metrics.CallCompleted(method, type, status.StatusCode, elapsed);
        var level = status.StatusCode switch
        {
            StatusCode.Unknown or StatusCode.Internal or StatusCode.DataLoss => LogLevel.Error,
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        if (!logger.IsEnabled(level))
        {
            return;
        }
        var user = httpContext.User;
        logger.Log(
            level,
            "gRPC {GrpcMethod} {GrpcStatus} in {ElapsedMs:F1} ms user={UserId} tenant={TenantId} trace={TraceId}",
            method,
            status.StatusCode,
            elapsed.TotalMilliseconds,
            user.FindFirstValue("sub") ?? "-",
            user.FindFirstValue("tenant") ?? "-",
            Activity.Current?.TraceId.ToString() ?? httpContext.TraceIdentifier);
    }
}
