using System.Security.Cryptography;
using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Infrastructure.RateLimiting;
using AstralytiQ.Server.Infrastructure.Validation;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Features.Identity;

/// <summary>Sign-up, sign-in, sessions and self-service account management.</summary>
[RequireRole(Infrastructure.Auth.Role.Viewer)]
public sealed class IdentityApi(
    IdentityStore store,
    Sessions sessions,
    PasswordPolicy passwords,
    AuditLog audit,
    RateLimiter limiter,
    IOptions<RateLimitOptions> limits,
    IOptions<AuthOptions> authOptions,
    TimeProvider clock,
    ILogger<IdentityApi> logger) : IdentityService.IdentityServiceBase
{
    [PublicMethod]
    public override async Task<SignUpResponse> SignUp(SignUpRequest request, ServerCallContext context)
    {
        var tenantName = Input.Text("tenant_name", request.TenantName, 1, 200);
        var email = Input.Email("email", request.Email);
        CheckPassword("password", request.Password, email);
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? email.Split('@')[0] : Input.Text("display_name", request.DisplayName, 1, 100);
        await ThrottleByAddressAsync(context);

        var slug = await ChooseSlugAsync(request.TenantSlug, tenantName, context.CancellationToken);
        if (await store.EmailExistsAsync(email, context.CancellationToken))
        {
            throw RpcErrors.AlreadyExists("email: an account with this email already exists; sign in instead.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var tenant = new TenantRecord(Guid.NewGuid(), slug, tenantName, "free", now);
        var admin = new UserRecord(Guid.NewGuid(), tenant.Id, email, displayName, passwords.Hash(request.Password),
            RoleNames.ToText(Infrastructure.Auth.Role.Admin), RoleNames.ToText(Infrastructure.Auth.Tier.Free), "active", 1, now, null);
        try
        {
            await store.CreateTenantAsync(tenant, admin, context.CancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Lost a race with another sign-up for the same email or slug.
            throw ex.ConstraintName == "users_email_key"
                ? RpcErrors.AlreadyExists("email: an account with this email already exists; sign in instead.")
                : RpcErrors.AlreadyExists($"tenant_slug: '{slug}' is taken; choose another.");
        }
        await audit.RecordAsync(tenant.Id, admin.Id, email, context, "tenant.signup", "tenant", tenant.Id.ToString(), new { slug, tenantName });
        logger.LogInformation("Tenant {TenantId} signed up with admin {UserId}", tenant.Id, admin.Id);
        return new SignUpResponse
        {
            Tenant = Sessions.ToProto(tenant),
            Tokens = await sessions.IssueAsync(admin, null, context, context.CancellationToken),
        };
    }

    [PublicMethod]
    public override async Task<AuthTokens> Login(LoginRequest request, ServerCallContext context)
    {
        var email = Input.Email("email", request.Email);
        if (string.IsNullOrEmpty(request.Password))
        {
            throw RpcErrors.InvalidArgument("password", "is required");
        }
        await ThrottleByAddressAsync(context);
        var emailKey = "login:email:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Input.EmailKey(email))));
        var failures = await limiter.PeekAsync(emailKey, limits.Value.LoginFailuresPerEmail);
        if (!failures.Allowed)
        {
            throw RpcErrors.RateLimited("Too many failed sign-in attempts for this email. Wait before trying again, or reset your password.", failures.ResetsIn);
        }

        var user = await store.FindUserByEmailAsync(email, context.CancellationToken);
        // Verify against a dummy hash when the user does not exist: same cost, no enumeration by timing.
        var valid = passwords.Verify(user?.PasswordHash ?? passwords.DummyHash, request.Password) && user is not null && user.Status != "erased";
        if (!valid)
        {
            await limiter.HitAsync(emailKey, limits.Value.LoginFailuresPerEmail, limits.Value.LoginWindow);
            await audit.RecordAsync(user?.TenantId, user?.Id, email, context, "user.login", "user", user?.Id.ToString(), new { reason = "bad credentials" }, success: false);
            throw RpcErrors.Unauthenticated("Email or password is incorrect.");
        }
        if (user!.Status != "active")
        {
            await audit.RecordAsync(user.TenantId, user.Id, email, context, "user.login", "user", user.Id.ToString(), new { reason = "deactivated" }, success: false);
            throw RpcErrors.Unauthenticated("This account has been deactivated. Ask an administrator of your workspace.");
        }
        await store.RecordLoginAsync(user.TenantId, user.Id, context.CancellationToken);
        await audit.RecordAsync(user.TenantId, user.Id, user.Email, context, "user.login", "user", user.Id.ToString());
        return await sessions.IssueAsync(user with { LastLoginAt = clock.GetUtcNow().UtcDateTime }, null, context, context.CancellationToken);
    }

    [PublicMethod]
    public override async Task<AuthTokens> RefreshToken(RefreshTokenRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.RefreshToken) || request.RefreshToken.Length > 200)
        {
            throw RpcErrors.InvalidArgument("refresh_token", "is required");
        }
        var (token, claimed) = await store.ClaimRefreshTokenAsync(TokenService.HashSecret(request.RefreshToken), context.CancellationToken);
        if (token is null)
        {
            throw RpcErrors.Unauthenticated("The refresh token is not valid; sign in again.");
        }
        if (!claimed)
        {
            if (token.UsedAt is not null && token.RevokedAt is null)
            {
                // A rotated token came back: someone kept a copy. End the whole session.
                await store.RevokeFamilyAsync(token.TenantId, token.FamilyId, context.CancellationToken);
                await audit.RecordAsync(token.TenantId, token.UserId, "session", context, "session.refresh_reused", "user", token.UserId.ToString(), new { session = token.FamilyId }, success: false);
            }
            throw RpcErrors.Unauthenticated(token.ExpiresAt <= clock.GetUtcNow().UtcDateTime
                ? "The refresh token has expired; sign in again."
                : "The refresh token is no longer valid; sign in again.");
        }
        var user = await store.GetUserAsync(token.TenantId, token.UserId, context.CancellationToken);
        if (user is null || user.Status != "active")
        {
            await store.RevokeFamilyAsync(token.TenantId, token.FamilyId, context.CancellationToken);
            throw RpcErrors.Unauthenticated("This account is no longer active.");
        }
        return await sessions.IssueAsync(user, token.FamilyId, context, context.CancellationToken);
    }

    public override async Task<LogoutResponse> Logout(LogoutRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        if (request.AllSessions)
        {
            await store.RevokeAllSessionsAsync(caller.TenantId, caller.UserId, context.CancellationToken);
        }
        else if (string.IsNullOrEmpty(request.RefreshToken))
        {
            throw RpcErrors.InvalidArgument("refresh_token", "is required unless all_sessions is true");
        }
        else if (!await store.RevokeSessionAsync(caller.TenantId, caller.UserId, TokenService.HashSecret(request.RefreshToken), context.CancellationToken))
        {
            throw RpcErrors.InvalidArgument("refresh_token", "is not a session of yours");
        }
        await audit.RecordAsync(context, "user.logout", "user", caller.UserId.ToString(), new { allSessions = request.AllSessions });
        return new LogoutResponse();
    }

    public override async Task<Api.V1.User> GetProfile(GetProfileRequest request, ServerCallContext context)
    {
        var caller = RequireUser(context);
        var user = await store.GetUserAsync(caller.TenantId, caller.UserId, context.CancellationToken) ?? throw RpcErrors.NotFound("Your account");
        return Sessions.ToProto(user);
    }

    public override async Task<Api.V1.User> UpdateProfile(UpdateProfileRequest request, ServerCallContext context)
    {
        var caller = RequireUser(context);
        var displayName = Input.Text("display_name", request.DisplayName, 1, 100);
        var user = await store.UpdateDisplayNameAsync(caller.TenantId, caller.UserId, displayName, context.CancellationToken) ?? throw RpcErrors.NotFound("Your account");
        await audit.RecordAsync(context, "user.profile_updated", "user", caller.UserId.ToString());
        return Sessions.ToProto(user);
    }

    public override async Task<ChangePasswordResponse> ChangePassword(ChangePasswordRequest request, ServerCallContext context)
    {
        var caller = RequireUser(context);
        var user = await store.GetUserAsync(caller.TenantId, caller.UserId, context.CancellationToken) ?? throw RpcErrors.NotFound("Your account");
        if (!passwords.Verify(user.PasswordHash, request.CurrentPassword))
        {
            await audit.RecordAsync(context, "user.password_changed", "user", user.Id.ToString(), new { reason = "wrong current password" }, success: false);
            throw RpcErrors.InvalidArgument("current_password", "is not your current password");
        }
        CheckPassword("new_password", request.NewPassword, user.Email);
        var updated = await store.SetPasswordAsync(caller.TenantId, caller.UserId, passwords.Hash(request.NewPassword), context.CancellationToken) ?? throw RpcErrors.NotFound("Your account");
        await audit.RecordAsync(context, "user.password_changed", "user", user.Id.ToString());
        return new ChangePasswordResponse { Tokens = await sessions.IssueAsync(updated, null, context, context.CancellationToken) };
    }

    [PublicMethod]
    public override async Task<RequestPasswordResetResponse> RequestPasswordReset(RequestPasswordResetRequest request, ServerCallContext context)
    {
        var email = Input.Email("email", request.Email);
        await ThrottleByAddressAsync(context);
        var user = await store.FindUserByEmailAsync(email, context.CancellationToken);
        if (user is { Status: "active" })
        {
            await QueuePasswordLinkAsync(user, "Reset your AstralytiQ password",
                "Someone (hopefully you) asked to reset the password of your AstralytiQ account.", context.CancellationToken);
            await audit.RecordAsync(user.TenantId, user.Id, user.Email, context, "user.password_reset_requested", "user", user.Id.ToString());
        }
        // The same answer either way, so the method cannot be used to find out who has an account.
        return new RequestPasswordResetResponse();
    }

    [PublicMethod]
    public override async Task<ResetPasswordResponse> ResetPassword(ResetPasswordRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Token) || request.Token.Length > 200)
        {
            throw RpcErrors.InvalidArgument("token", "is required");
        }
        if (PasswordPolicy.Check(request.NewPassword) is { } problem)
        {
            throw RpcErrors.InvalidArgument("new_password", problem);
        }
        await ThrottleByAddressAsync(context);
        var reset = await store.ClaimPasswordResetAsync(TokenService.HashSecret(request.Token), context.CancellationToken)
            ?? throw RpcErrors.InvalidArgument("token", "is invalid, already used or expired; request a new reset link");
        var user = await store.GetUserAsync(reset.TenantId, reset.UserId, context.CancellationToken);
        if (user is null || user.Status != "active")
        {
            throw RpcErrors.InvalidArgument("token", "belongs to an account that is no longer active");
        }
        CheckPassword("new_password", request.NewPassword, user.Email);
        await store.SetPasswordAsync(user.TenantId, user.Id, passwords.Hash(request.NewPassword), context.CancellationToken);
        await audit.RecordAsync(user.TenantId, user.Id, user.Email, context, "user.password_reset", "user", user.Id.ToString());
        return new ResetPasswordResponse();
    }

    /// <summary>Stores a single-use link token and queues the mail carrying it.</summary>
    internal async Task QueuePasswordLinkAsync(UserRecord user, string subject, string intro, CancellationToken cancellationToken)
    {
        var (token, hash) = TokenService.NewSecret("pr_");
        var lifetime = authOptions.Value.PasswordResetLifetime;
        var link = authOptions.Value.PasswordResetUrl + Uri.EscapeDataString(token);
        var body = $"{intro}\n\nSet a new password here (the link works once, for {lifetime.TotalMinutes:F0} minutes):\n{link}\n\nIf you did not ask for this, ignore this message.";
        await store.CreatePasswordResetAsync(user, hash, clock.GetUtcNow().UtcDateTime + lifetime, subject, body, cancellationToken);
    }

    private static Caller RequireUser(ServerCallContext context)
    {
        var caller = context.GetCaller();
        return caller.Kind == CallerKind.User ? caller : throw RpcErrors.PermissionDenied("API keys have no profile; this needs a signed-in user.");
    }

    private static void CheckPassword(string field, string password, string email)
    {
        if (PasswordPolicy.Check(password ?? "", email) is { } problem)
        {
            throw RpcErrors.InvalidArgument(field, problem);
        }
    }

    private async Task ThrottleByAddressAsync(ServerCallContext context)
    {
        var address = context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var decision = await limiter.HitAsync("login:addr:" + address, limits.Value.LoginAttemptsPerAddress, limits.Value.LoginWindow);
        if (!decision.Allowed)
        {
            throw RpcErrors.RateLimited("Too many sign-in attempts from this address. Wait before trying again.", decision.ResetsIn);
        }
    }

    private async Task<string> ChooseSlugAsync(string requested, string tenantName, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(requested))
        {
            var slug = requested.Trim().ToLowerInvariant();
            if (!IsValidSlug(slug))
            {
                throw RpcErrors.InvalidArgument("tenant_slug", "must be 3-40 characters of a-z, 0-9 and '-', starting and ending with a letter or digit");
            }
            if (await store.SlugExistsAsync(slug, cancellationToken))
            {
                throw RpcErrors.AlreadyExists($"tenant_slug: '{slug}' is taken; choose another.");
            }
            return slug;
        }
        var builder = new StringBuilder();
        foreach (var c in tenantName.ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }
        var derived = string.Join('-', builder.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
        derived = derived.Length > 30 ? derived[..30].TrimEnd('-') : derived;
        if (derived.Length < 3)
        {
            derived = "workspace";
        }
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var candidate = attempt == 0 ? derived : derived + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
            if (!await store.SlugExistsAsync(candidate, cancellationToken))
            {
                return candidate;
            }
        }
        return derived + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    }

    internal static bool IsValidSlug(string slug) =>
        slug.Length is >= 3 and <= 40
        && slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && slug[0] != '-' && slug[^1] != '-';
}
