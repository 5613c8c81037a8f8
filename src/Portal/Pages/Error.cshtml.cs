using System.Diagnostics;
using AstralytiQ.Portal.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages;

/// <summary>One error page for unhandled exceptions (gRPC failures mapped to plain words) and HTTP status codes.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
[AllowAnonymous]
public sealed class ErrorModel : PageModel
{
    public FriendlyError Error { get; private set; } = new(500, "Something went wrong", "");

    public string RequestId { get; private set; } = "";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        RequestId = Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;
        var exception = HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Error;
        if (exception is RpcException rpc)
        {
            Error = GrpcErrors.ToFriendly(rpc);
        }
        else if (exception is not null)
        {
            Error = new FriendlyError(500, "Something went wrong", "An unexpected error occurred. It has been logged; try again later.");
        }
        else
        {
            Error = (code ?? Response.StatusCode) switch
            {
                404 => new FriendlyError(404, "Page not found", "There is no page at this address."),
                403 => new FriendlyError(403, "Not allowed", "You do not have access to this page."),
                400 => new FriendlyError(400, "Bad request", "The request could not be understood."),
                var other => new FriendlyError(other is >= 400 and < 600 ? other : 500, "Something went wrong", "The request could not be completed."),
            };
        }
        Response.StatusCode = Error.HttpStatus is 499 ? 400 : Error.HttpStatus;
        if (Error.RetryAfter is { } retry)
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
