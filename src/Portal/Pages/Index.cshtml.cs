using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages;

/// <summary>The home page: whether the server is up, read through the gRPC API like any other client. Public.</summary>
[AllowAnonymous]
public sealed class IndexModel(SystemService.SystemServiceClient system, Health.HealthClient health) : PageModel
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(3);

    public SystemStatus? Status { get; private set; }

    public string HealthCheck { get; private set; } = "";

    public bool Serving { get; private set; }

    public string? Unreachable { get; private set; }

    public async Task OnGetAsync()
    {
        var deadline = DateTime.UtcNow + StatusTimeout;
        try
        {
            var check = await health.CheckAsync(new HealthCheckRequest(), deadline: deadline, cancellationToken: HttpContext.RequestAborted);
            HealthCheck = check.Status switch
            {
                HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
                HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
                var other => other.ToString().ToUpperInvariant(),
            };
            Status = await system.GetSystemStatusAsync(new GetSystemStatusRequest(), deadline: deadline, cancellationToken: HttpContext.RequestAborted);
            Serving = check.Status == HealthCheckResponse.Types.ServingStatus.Serving && Status.Serving;
        }
        catch (RpcException ex) when (ex.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded or Grpc.Core.StatusCode.Internal or Grpc.Core.StatusCode.Unknown)
        {
            // The home page must render even when the server is down: that is what it reports.
            Unreachable = GrpcErrors.ToFriendly(ex).Message;
        }
    }

    public static string FormatUptime(TimeSpan uptime) => uptime.TotalDays >= 1
        ? $"{(int)uptime.TotalDays} d {uptime.Hours} h"
        : uptime.TotalHours >= 1 ? $"{(int)uptime.TotalHours} h {uptime.Minutes} min" : $"{uptime.Minutes} min {uptime.Seconds} s";
}
