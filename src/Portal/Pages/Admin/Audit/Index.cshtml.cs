using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Admin.Audit;

/// <summary>The workspace's audit log, newest first, filtered by person, action (or prefix such as "user.") and time range (UTC).</summary>
public sealed class IndexModel(AdminService.AdminServiceClient admin) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "actor")]
    [Display(Name = "Person")]
    [ServerField("actor_user_id")]
    public string? Actor { get; set; }

    [BindProperty(SupportsGet = true, Name = "action")]
    [Display(Name = "Action")]
    [ServerField("action")]
    public string? ActionFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "from")]
    [Display(Name = "From")]
    [ServerField("start_time")]
    public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "to")]
    [Display(Name = "To")]
    [ServerField("end_time")]
    public DateTime? To { get; set; }

    [BindProperty(SupportsGet = true, Name = "next")]
    [ServerField("page_token")]
    public string? PageToken { get; set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public string NextPageToken { get; private set; } = "";

    /// <summary>Everyone in the workspace (deactivated included), for the person filter.</summary>
    public IReadOnlyList<User> People { get; private set; } = [];

    public static IReadOnlyList<string> CommonActions { get; } =
        ["user.", "user.login", "user.created", "user.role_changed", "user.deactivated", "user.password_changed", "api_key.", "tenant.", "session.", "usage.viewed"];

    public async Task OnGetAsync()
    {
        var people = await admin.ListUsersAsync(new ListUsersRequest { PageSize = 200, IncludeDeactivated = true }, cancellationToken: HttpContext.RequestAborted);
        People = people.Users;
        if (!ModelState.IsValid)
        {
            return;
        }
        try
        {
            var response = await admin.ListAuditEventsAsync(new ListAuditEventsRequest
            {
                PageSize = PageSize,
                PageToken = PageToken ?? "",
                ActorUserId = Actor ?? "",
                Action = ActionFilter?.Trim() ?? "",
                StartTime = From is { } from ? Timestamp.FromDateTime(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
                EndTime = To is { } to ? Timestamp.FromDateTime(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : null,
            }, cancellationToken: HttpContext.RequestAborted);
            Events = response.Events;
            NextPageToken = response.NextPageToken;
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<IndexModel>(ex, prefix: "");
        }
    }

    public static string? Invalid(Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary modelState, string key) =>
        modelState.GetFieldValidationState(key) == Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid ? "true" : null;

    public static string? ErrorId(Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary modelState, string key) =>
        Invalid(modelState, key) is null ? null : key + "-error";

    /// <summary>datetime-local inputs take "yyyy-MM-ddTHH:mm".</summary>
    public static string? InputValue(DateTime? time) => time?.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public Dictionary<string, string> Route(string? next = null)
    {
        var route = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                route[key] = value;
            }
        }
        Add("actor", Actor);
        Add("action", ActionFilter);
        Add("from", InputValue(From));
        Add("to", InputValue(To));
        Add("next", next);
        return route;
    }
}
