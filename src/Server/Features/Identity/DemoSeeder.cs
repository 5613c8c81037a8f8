using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Identity;

/// <summary>Section "Demo": the demo tenant `./astq up` asks for.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    public bool Seed { get; set; }

    public string AdminEmail { get; set; } = "demo-admin@astralytiq.local";

    public string AnalystEmail { get; set; } = "demo-analyst@astralytiq.local";

    [MinLength(PasswordPolicy.MinimumLength, ErrorMessage = "Demo:AdminPassword must be at least 10 characters.")]
    public string? AdminPassword { get; set; }

    [MinLength(PasswordPolicy.MinimumLength, ErrorMessage = "Demo:AnalystPassword must be at least 10 characters.")]
    public string? AnalystPassword { get; set; }
}

/// <summary>
/// Creates the demo tenant ("demo") with an admin and an analyst, idempotently; on every start the
/// demo passwords are set to the configured ones so the credentials `./astq up` prints always work.
/// </summary>
public sealed class DemoSeeder(IOptions<DemoOptions> options, IdentityStore store, PasswordPolicy passwords, TimeProvider clock, ILogger<DemoSeeder> logger) : IHostedService
{
    public const string TenantSlug = "demo";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value;
        if (!demo.Seed)
        {
            return;
        }
        if (string.IsNullOrEmpty(demo.AdminPassword) || string.IsNullOrEmpty(demo.AnalystPassword))
        {
            throw new OptionsValidationException(DemoOptions.SectionName, typeof(DemoOptions), ["Demo:AdminPassword and Demo:AnalystPassword are required when Demo:Seed is true."]);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var tenant = await store.FindTenantBySlugAsync(TenantSlug, cancellationToken);
        if (tenant is null)
        {
            tenant = new TenantRecord(Guid.NewGuid(), TenantSlug, "Demo workspace", "premium", now);
            var admin = new UserRecord(Guid.NewGuid(), tenant.Id, demo.AdminEmail, "Demo Admin", passwords.Hash(demo.AdminPassword), "admin", "premium", "active", 1, now, null);
            await store.CreateTenantAsync(tenant, admin, cancellationToken);
            logger.LogInformation("Created the demo tenant {TenantId}", tenant.Id);
        }
        await EnsureUserAsync(tenant, demo.AdminEmail, "Demo Admin", "admin", demo.AdminPassword, now, cancellationToken);
        await EnsureUserAsync(tenant, demo.AnalystEmail, "Demo Analyst", "analyst", demo.AnalystPassword, now, cancellationToken);
        logger.LogInformation("Demo tenant ready: sign in as {AdminEmail} or {AnalystEmail}", demo.AdminEmail, demo.AnalystEmail);
    }

    private async Task EnsureUserAsync(TenantRecord tenant, string email, string name, string role, string password, DateTime now, CancellationToken cancellationToken)
    {
        var user = await store.FindUserByEmailAsync(email, cancellationToken);
        if (user is null)
        {
            await store.InsertUserAsync(new UserRecord(Guid.NewGuid(), tenant.Id, email, name, passwords.Hash(password), role, "premium", "active", 1, now, null), cancellationToken);
        }
        else if (user.TenantId == tenant.Id && !passwords.Verify(user.PasswordHash, password))
        {
            await store.SetPasswordAsync(tenant.Id, user.Id, passwords.Hash(password), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
