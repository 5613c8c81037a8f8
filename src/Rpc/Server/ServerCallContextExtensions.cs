using Grpc.AspNetCore.Server.Internal;
using Microsoft.AspNetCore.Http;

namespace Grpc.Core;

/// <summary>ASP.NET Core access from a server call.</summary>
public static class ServerCallContextExtensions
{
    /// <summary>The HTTP context of the call, e.g. to read the authenticated user.</summary>
    public static HttpContext GetHttpContext(this ServerCallContext serverCallContext)
    {
        ArgumentNullException.ThrowIfNull(serverCallContext);
        return serverCallContext is HttpContextServerCallContext call
            ? call.HttpContext
            : throw new InvalidOperationException("This ServerCallContext is not hosted on ASP.NET Core.");
    }
}
