using System.Text.Json;
using AstralytiQ.Api.V1;
using Grpc.Core;
using Microsoft.AspNetCore.DataProtection;

namespace AstralytiQ.Portal.Infrastructure.Session;

/// <summary>
/// The signed-in person of the current request and their tokens, kept in cookies.
/// <para>How a page uses it:</para>
/// <list type="bullet">
/// <item>Every page requires sign-in unless its PageModel carries <c>[AllowAnonymous]</c>; pages under
/// <c>/Admin</c> require the admin role. Put <c>[Authorize(Policy = PortalPolicies.Analyst)]</c> on a page
/// that needs analyst or admin (see <see cref="PortalPolicies"/>). Anonymous visitors are redirected to
/// <c>/Account/Login?returnUrl=...</c>; a signed-in user without the role gets the 403 page.</item>
/// <item>Inject the generated gRPC client (register it with <c>services.AddServerClient&lt;T&gt;()</c> in
/// ServerClients) and just call it: <see cref="AccessTokenInterceptor"/> adds <c>authorization: Bearer</c>
/// with this request's access token. The token is refreshed (and both cookies rotated) before the page
/// runs, so pages never handle tokens.</item>
/// <item>Let an UNAUTHENTICATED <c>RpcException</c> escape: <see cref="SessionEndedMiddleware"/> clears the
/// cookies and redirects to the login page with the current URL as returnUrl.</item>
/// <item>Who is signed in: inject <see cref="PortalSession"/> and read <see cref="User"/> (name, email, role,
/// tenant), or use <c>HttpContext.User</c> (claims in <see cref="PortalClaims"/>, <c>User.IsInRole("admin")</c>).</item>
/// </list>
/// Cookies: <c>astq_at</c> (access JWT) and <c>astq_rt</c> (refresh token), both HttpOnly, Secure on HTTPS,
/// SameSite=Lax: Lax rather than Strict so that a link to a portal page opened from mail or chat arrives
/// signed in; every state change is a POST, which Lax never sends cross-site and which also needs an
/// anti-forgery token. <c>astq_who</c> (data-protected) carries only what the token lacks for display.
/// </summary>
public sealed class PortalSession(
    IHttpContextAccessor accessor,
    RefreshCoordinator refresher,
    IDataProtectionProvider protection,
    TimeProvider clock,
    ILogger<PortalSession> logger)
{
    public const string AccessCookie = "astq_at";
    public const string RefreshCookie = "astq_rt";
    public const string ProfileCookie = "astq_who";
    public const string LoginPath = "/Account/Login";

    private readonly IDataProtector _profileProtector = protection.CreateProtector("AstralytiQ.Portal.Session.Profile.v1");
    private bool _loaded;
    private SignedInUser? _user;
    private Profile? _profile;

    /// <summary>The signed-in user of this request, or null. Loaded by authentication before any page runs.</summary>
    public SignedInUser? User => _user;

    /// <summary>The access token calls carry for this request (already refreshed when it was close to expiry).</summary>
    public string? AccessToken { get; private set; }

    /// <summary>This session's refresh token; Logout revokes it on the server.</summary>
    public string? RefreshToken { get; private set; }

    /// <summary>Reads the cookies once per request, refreshing the tokens first when the access token is expired or about to expire.</summary>
    public async Task<SignedInUser?> LoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return _user;
        }
        _loaded = true;
        var request = accessor.HttpContext?.Request;
        if (request is null)
        {
            return null;
        }
        var access = request.Cookies[AccessCookie];
        var refresh = request.Cookies[RefreshCookie];
        if (string.IsNullOrEmpty(access) && string.IsNullOrEmpty(refresh))
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var info = AccessTokenInfo.Read(access);
        if (info is not null && !info.NeedsRefresh(now))
        {
            Use(info, access!, refresh, ReadProfile(info.UserId));
            return _user;
        }
        if (string.IsNullOrEmpty(refresh))
        {
            if (info is not null && info.ExpiresAt > now)
            {
                Use(info, access!, null, ReadProfile(info.UserId));
                return _user;
            }
            SignOut();
            return null;
        }
        try
        {
            var tokens = await refresher.RefreshAsync(refresh, cancellationToken);
            var known = ReadProfile(tokens.User.Id);
            SignIn(tokens, known?.TenantName);
            return _user;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.InvalidArgument or StatusCode.NotFound)
        {
            logger.LogInformation("Session ended: the refresh token was refused ({Detail})", ex.Status.Detail);
            SignOut();
            return null;
        }
        catch (RpcException ex)
        {
            // The server is unreachable or slow: keep the cookies for a later attempt, and the still-valid token if there is one.
            logger.LogWarning("Could not refresh the session: {Status} {Detail}", ex.StatusCode, ex.Status.Detail);
            if (info is not null && info.ExpiresAt > now)
            {
                Use(info, access!, refresh, ReadProfile(info.UserId));
            }
            return _user;
        }
    }

    /// <summary>Starts (or continues, after a refresh or password change) the session with new tokens and writes the cookies.</summary>
    /// <param name="tenantName">The workspace's name when known (sign-up returns it); kept across refreshes.</param>
    public void SignIn(AuthTokens tokens, string? tenantName = null)
    {
        var info = AccessTokenInfo.Read(tokens.AccessToken)
            ?? throw new InvalidOperationException("The server returned an access token the portal cannot read.");
        var http = accessor.HttpContext ?? throw new InvalidOperationException("Sign-in needs an HTTP request.");
        var expires = tokens.RefreshTokenExpireTime?.ToDateTimeOffset() ?? info.ExpiresAt;
        var profile = new Profile(tokens.User.Id, tokens.User.DisplayName, tokens.Tenant?.Name is { Length: > 0 } workspace ? workspace : tenantName, expires);
        http.Response.Cookies.Append(AccessCookie, tokens.AccessToken, CookieOptions(http, expires));
        http.Response.Cookies.Append(RefreshCookie, tokens.RefreshToken, CookieOptions(http, expires));
        WriteProfile(http, profile);
        _loaded = true;
        Use(info, tokens.AccessToken, tokens.RefreshToken, profile);
        http.User = _user!.ToPrincipal(PortalSessionDefaults.Scheme);
    }

    /// <summary>After the profile changed: the new display name shows at once and in later requests.</summary>
    public void UpdateDisplayName(string displayName)
    {
        var http = accessor.HttpContext;
        if (_user is null || _profile is null || http is null)
        {
            return;
        }
        _profile = _profile with { DisplayName = displayName };
        WriteProfile(http, _profile);
        _user = _user with { DisplayName = displayName };
        http.User = _user.ToPrincipal(PortalSessionDefaults.Scheme);
    }

    /// <summary>Forgets the session in this browser: clears all three cookies. (Revoking it on the server is Logout's job.)</summary>
    public void SignOut()
    {
        _loaded = true;
        _user = null;
        AccessToken = null;
        RefreshToken = null;
        var http = accessor.HttpContext;
        if (http is null || http.Response.HasStarted)
        {
            return;
        }
        foreach (var name in new[] { AccessCookie, RefreshCookie, ProfileCookie })
        {
            http.Response.Cookies.Delete(name, CookieOptions(http, null));
        }
        http.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
    }

    /// <summary>The login page's address, coming back to <paramref name="returnUrl"/> (a local path) afterwards.</summary>
    public static string LoginUrl(string? returnUrl) =>
        string.IsNullOrEmpty(returnUrl) || returnUrl == "/" ? LoginPath : LoginPath + "?returnUrl=" + Uri.EscapeDataString(returnUrl);

    private void Use(AccessTokenInfo info, string accessToken, string? refreshToken, Profile? profile)
    {
        profile ??= new Profile(info.UserId, "", null, info.ExpiresAt);
        _profile = profile;
        AccessToken = accessToken;
        RefreshToken = refreshToken;
        var displayName = profile.DisplayName.Length > 0 ? profile.DisplayName : info.Email.Split('@')[0];
        _user = new SignedInUser(info.UserId, info.TenantId, info.Email, displayName, info.Role, info.Tier, profile.TenantName);
    }

    private Profile? ReadProfile(string userId)
    {
        var cookie = accessor.HttpContext?.Request.Cookies[ProfileCookie];
        if (string.IsNullOrEmpty(cookie))
        {
            return null;
        }
        try
        {
            var profile = JsonSerializer.Deserialize<Profile>(_profileProtector.Unprotect(cookie));
            return profile?.UserId == userId ? profile : null;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            // Keys rotated or the cookie was tampered with: it only carries display text, so do without.
            return null;
        }
    }

    private void WriteProfile(HttpContext http, Profile profile) =>
        http.Response.Cookies.Append(ProfileCookie, _profileProtector.Protect(JsonSerializer.Serialize(profile)), CookieOptions(http, profile.Expires));

    private static CookieOptions CookieOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>Display facts the access token lacks; expires with the session's cookies.</summary>
    private sealed record Profile(string UserId, string DisplayName, string? TenantName, DateTimeOffset Expires);
}
