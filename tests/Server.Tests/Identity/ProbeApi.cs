using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Tests.Proto;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Identity;

/// <summary>Test-only service: reports the caller, with one method per access rule.</summary>
[RequireRole(Role.Viewer)]
public sealed class ProbeApi : ProbeService.ProbeServiceBase
{
    [RateLimited(RateLimitClass.Query)]
    public override Task<ProbeResponse> Query(ProbeRequest request, ServerCallContext context) => Task.FromResult(Describe(context));

    public override Task<ProbeResponse> General(ProbeRequest request, ServerCallContext context) => Task.FromResult(Describe(context));

    [RequireRole(Role.Admin)]
    public override Task<ProbeResponse> AdminOnly(ProbeRequest request, ServerCallContext context) => Task.FromResult(Describe(context));

    private static ProbeResponse Describe(ServerCallContext context)
    {
        var caller = context.GetCaller();
        return new ProbeResponse { UserId = caller.UserId.ToString(), TenantId = caller.TenantId.ToString(), Role = caller.Role.ToString() };
    }
}

/// <summary>A service with no access attribute at all: must be refused (fail closed).</summary>
public sealed class UnmarkedProbeApi : UnmarkedService.UnmarkedServiceBase
{
    public override Task<ProbeResponse> Call(ProbeRequest request, ServerCallContext context) => Task.FromResult(new ProbeResponse());
}
