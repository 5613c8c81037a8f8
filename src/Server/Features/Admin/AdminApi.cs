using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Identity;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Infrastructure.Validation;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Features.Admin;

/// <summary>Tenant administration. Every id is looked up within the caller's tenant: others' ids are NOT_FOUND.</summary>
[RequireRole(Infrastructure.Auth.Role.Admin)]
public sealed class AdminApi(
    IdentityStore users,
    ApiKeyStore apiKeys,
    PersonalDataStore personalData,
    IdentityApi identity,
    PasswordPolicy passwords,
    AuditLog audit,
    UsageMeter usage,
    QuotaGuard quotas,
    IOptions<PlanOptions> plans,
    TimeProvider clock) : AdminService.AdminServiceBase
{
    public override async Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var email = Input.Email("email", request.Email);
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? email.Split('@')[0] : Input.Text("display_name", request.DisplayName, 1, 100);
        var role = Sessions.FromProto(request.Role, "role");
        var tier = request.Tier == Api.V1.Tier.Premium ? Infrastructure.Auth.Tier.Premium : Infrastructure.Auth.Tier.Free;
        var invite = string.IsNullOrEmpty(request.Password);
        if (!invite && PasswordPolicy.Check(request.Password, email) is { } problem)
        {
            throw RpcErrors.InvalidArgument("password", problem);
        }
        var plan = await quotas.GetPlanAsync(caller.TenantId, context.CancellationToken);
        var maxUsers = plans.Value.For(plan).Users;
        if (maxUsers > 0 && await users.CountActiveUsersAsync(caller.TenantId, context.CancellationToken) >= maxUsers)
        {
            throw RpcErrors.QuotaExceeded($"tenant:{caller.TenantId}:users", $"The {plan} plan allows {maxUsers} active users; deactivate one or upgrade.");
        }
        if (await users.EmailExistsAsync(email, context.CancellationToken))
        {
            throw RpcErrors.AlreadyExists("email: an account with this email already exists.");
        }
        var user = new UserRecord(Guid.NewGuid(), caller.TenantId, email, displayName, invite ? null : passwords.Hash(request.Password),
            RoleNames.ToText(role), RoleNames.ToText(tier), "active", 1, clock.GetUtcNow().UtcDateTime, null);
        try
        {
            await users.InsertUserAsync(user, context.CancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw RpcErrors.AlreadyExists("email: an account with this email already exists.");
        }
        if (invite)
        {
            await identity.QueuePasswordLinkAsync(user, "You have been invited to AstralytiQ",
                $"{caller.Email} invited you to their AstralytiQ workspace.", context.CancellationToken);
        }
        await audit.RecordAsync(context, "user.created", "user", user.Id.ToString(), new { email, role = user.Role, tier = user.Tier, invited = invite });
        return new CreateUserResponse { User = Sessions.ToProto(user), InvitationSent = invite };
    }

    public override async Task<Api.V1.User> GetUser(GetUserRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var user = await users.GetUserAsync(caller.TenantId, Input.Id("user_id", request.UserId), context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        return Sessions.ToProto(user);
    }

    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize);
        var after = PageToken.Decode("page_token", request.PageToken);
        if (request.Filter.Length > 200)
        {
            throw RpcErrors.InvalidArgument("filter", "must be at most 200 characters");
        }
        var page = await users.ListUsersAsync(caller.TenantId, size + 1, after, request.Filter, request.IncludeDeactivated, context.CancellationToken);
        var response = new ListUsersResponse();
        response.Users.AddRange(page.Take(size).Select(Sessions.ToProto));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = new PageToken(last.CreatedAt, last.Id).Encode();
        }
        return response;
    }

    public override async Task<Api.V1.User> UpdateUserRole(UpdateUserRoleRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var userId = Input.Id("user_id", request.UserId);
        var role = Sessions.FromProto(request.Role, "role");
        var current = await users.GetUserAsync(caller.TenantId, userId, context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        if (current.Role == "admin" && role != Infrastructure.Auth.Role.Admin)
        {
            await EnsureAnotherAdminAsync(caller.TenantId, userId, context.CancellationToken);
        }
        var updated = await users.UpdateRoleAsync(caller.TenantId, userId, RoleNames.ToText(role), context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        await audit.RecordAsync(context, "user.role_changed", "user", userId.ToString(), new { from = current.Role, to = updated.Role });
        return Sessions.ToProto(updated);
    }

    public override async Task<Api.V1.User> DeactivateUser(DeactivateUserRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var userId = Input.Id("user_id", request.UserId);
        if (userId == caller.UserId)
        {
            throw RpcErrors.FailedPrecondition("You cannot deactivate yourself; ask another admin.");
        }
        var current = await users.GetUserAsync(caller.TenantId, userId, context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        if (current.Role == "admin")
        {
            await EnsureAnotherAdminAsync(caller.TenantId, userId, context.CancellationToken);
        }
        var updated = await users.SetStatusAsync(caller.TenantId, userId, "deactivated", context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        await users.RevokeAllSessionsAsync(caller.TenantId, userId, context.CancellationToken);
        await audit.RecordAsync(context, "user.deactivated", "user", userId.ToString());
        return Sessions.ToProto(updated);
    }

    public override async Task<Api.V1.User> ReactivateUser(ReactivateUserRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var userId = Input.Id("user_id", request.UserId);
        _ = await users.GetUserAsync(caller.TenantId, userId, context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        var updated = await users.SetStatusAsync(caller.TenantId, userId, "active", context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        await audit.RecordAsync(context, "user.reactivated", "user", userId.ToString());
        return Sessions.ToProto(updated);
    }

    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var name = Input.Text("name", request.Name, 1, 100);
        var role = Sessions.FromProto(request.Role, "role");
        var prefix = Authenticator.ApiKeyPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var (secret, _) = TokenService.NewSecret();
        // The secret part is base64url, which may contain '_'; the key's two separators must stay unambiguous.
        var key = prefix + "_" + secret.Replace('_', 'Z');
        var record = new ApiKeyRecord(Guid.NewGuid(), caller.TenantId, name, prefix, TokenService.HashSecret(key), RoleNames.ToText(role),
            caller.Kind == CallerKind.User ? caller.UserId : null, clock.GetUtcNow().UtcDateTime, null, null);
        await apiKeys.InsertAsync(record, context.CancellationToken);
        await audit.RecordAsync(context, "api_key.created", "api_key", record.Id.ToString(), new { name, prefix, role = record.Role });
        return new CreateApiKeyResponse { ApiKey = ToProto(record), Key = key };
    }

    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize);
        var page = await apiKeys.ListAsync(caller.TenantId, size + 1, PageToken.Decode("page_token", request.PageToken), request.IncludeRevoked, context.CancellationToken);
        var response = new ListApiKeysResponse();
        response.ApiKeys.AddRange(page.Take(size).Select(ToProto));
        if (page.Count > size)
        {
            response.NextPageToken = new PageToken(page[size - 1].CreatedAt, page[size - 1].Id).Encode();
        }
        return response;
    }

    public override async Task<ApiKey> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var keyId = Input.Id("api_key_id", request.ApiKeyId);
        var revoked = await apiKeys.RevokeAsync(caller.TenantId, keyId, context.CancellationToken) ?? throw RpcErrors.NotFound("API key");
        await audit.RecordAsync(context, "api_key.revoked", "api_key", keyId.ToString(), new { revoked.Prefix });
        return ToProto(revoked);
    }

    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize, defaultSize: 100, maxSize: 500);
        var query = new AuditQuery(
            string.IsNullOrEmpty(request.ActorUserId) ? null : Input.Id("actor_user_id", request.ActorUserId),
            string.IsNullOrEmpty(request.Action) ? null : Input.Text("action", request.Action, 1, 100),
            request.StartTime?.ToDateTime(),
            request.EndTime?.ToDateTime());
        if (query.From is { } from && query.To is { } to && to <= from)
        {
            throw RpcErrors.InvalidArgument("end_time", "must be after start_time");
        }
        var page = await audit.ListAsync(caller.TenantId, query, size + 1, PageToken.Decode("page_token", request.PageToken), context.CancellationToken);
        var response = new ListAuditEventsResponse();
        response.Events.AddRange(page.Take(size).Select(e => new AuditEvent
        {
            Id = e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            OccurTime = Timestamp.FromDateTime(DateTime.SpecifyKind(e.OccurredAt, DateTimeKind.Utc)),
            ActorUserId = e.ActorId?.ToString() ?? "",
            Actor = e.ActorLabel,
            Action = e.Action,
            TargetType = e.TargetType ?? "",
            TargetId = e.TargetId ?? "",
            Outcome = e.Outcome,
            ClientAddress = e.ClientAddress ?? "",
            UserAgent = e.UserAgent ?? "",
            DetailsJson = e.Details,
        }));
        if (page.Count > size)
        {
            response.NextPageToken = new PageToken(page[size - 1].OccurredAt, page[size - 1].Id).Encode();
        }
        return response;
    }

    public override async Task<GetUsageResponse> GetUsage(GetUsageRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var (monthStart, monthEnd) = quotas.CurrentPeriod();
        var from = request.StartTime is null ? monthStart : DateOnly.FromDateTime(request.StartTime.ToDateTime());
        var to = request.EndTime is null ? monthEnd : DateOnly.FromDateTime(request.EndTime.ToDateTime());
        if (to < from)
        {
            throw RpcErrors.InvalidArgument("end_time", "must not be before start_time");
        }
        if (to.DayNumber - from.DayNumber > 366)
        {
            throw RpcErrors.InvalidArgument("end_time", "the period may span at most 366 days");
        }
        await usage.FlushAsync(context.CancellationToken);
        var plan = await quotas.GetPlanAsync(caller.TenantId, context.CancellationToken);
        var limits = plans.Value.For(plan);
        var days = await usage.GetDailyAsync(caller.TenantId, from, to, context.CancellationToken);
        var response = new GetUsageResponse
        {
            Plan = plan,
            StartTime = Timestamp.FromDateTime(from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            EndTime = Timestamp.FromDateTime(to.ToDateTime(TimeOnly.MaxValue, DateTimeKind.Utc)),
        };
        foreach (var metric in UsageMetrics.All)
        {
            var amount = metric == UsageMetrics.StorageBytes
                ? await usage.GetTotalAsync(caller.TenantId, metric, DateOnly.MinValue, to, context.CancellationToken)
                : days.Where(d => d.Metric == metric).Sum(d => d.Amount);
            response.Totals.Add(new UsageMetric { Metric = metric, Amount = amount, Limit = limits.For(metric) });
        }
        response.Days.AddRange(days.Select(d => new DailyUsage { Day = d.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Metric = d.Metric, Amount = d.Amount }));
        await audit.RecordAsync(context, "usage.viewed", "tenant", caller.TenantId.ToString());
        return response;
    }

    public override async Task<ExportUserDataResponse> ExportUserData(ExportUserDataRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var userId = Input.Id("user_id", request.UserId);
        var json = await personalData.ExportAsync(caller.TenantId, userId, context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        await audit.RecordAsync(context, "user.data_exported", "user", userId.ToString());
        return new ExportUserDataResponse { Json = json };
    }

    public override async Task<EraseUserResponse> EraseUser(EraseUserRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var userId = Input.Id("user_id", request.UserId);
        if (userId == caller.UserId)
        {
            throw RpcErrors.FailedPrecondition("You cannot erase yourself; ask another admin.");
        }
        var current = await users.GetUserAsync(caller.TenantId, userId, context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        if (current.Role == "admin" && current.Status == "active")
        {
            await EnsureAnotherAdminAsync(caller.TenantId, userId, context.CancellationToken);
        }
        var pseudonym = await personalData.EraseAsync(caller.TenantId, userId, context.CancellationToken) ?? throw RpcErrors.NotFound("User");
        await audit.RecordAsync(context, "user.erased", "user", userId.ToString(), new { pseudonym });
        return new EraseUserResponse { Pseudonym = pseudonym };
    }

    private async Task EnsureAnotherAdminAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        if (await users.CountOtherActiveAdminsAsync(tenantId, userId, cancellationToken) == 0)
        {
            throw RpcErrors.FailedPrecondition("A workspace needs at least one active admin; make someone else admin first.");
        }
    }

    private static ApiKey ToProto(ApiKeyRecord key) => new()
    {
        Id = key.Id.ToString(),
        Name = key.Name,
        Prefix = key.Prefix,
        Role = Sessions.ToProto(RoleNames.ParseRole(key.Role)),
        CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(key.CreatedAt, DateTimeKind.Utc)),
        LastUseTime = key.LastUsedAt is { } used ? Timestamp.FromDateTime(DateTime.SpecifyKind(used, DateTimeKind.Utc)) : null,
        RevokeTime = key.RevokedAt is { } revoked ? Timestamp.FromDateTime(DateTime.SpecifyKind(revoked, DateTimeKind.Utc)) : null,
        CreatedByUserId = key.CreatedBy?.ToString() ?? "",
    };
}
