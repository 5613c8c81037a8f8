using AstralytiQ.Server.Features.Admin;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Configuration;
using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.RateLimiting;

namespace AstralytiQ.Server.Features.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Identity, tenancy, API security, audit, usage and quotas (issue 4).</summary>
    public static IServiceCollection AddIdentityFeature(this IServiceCollection services)
    {
        services.AddValidatedOptions<AuthOptions>(AuthOptions.SectionName);
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName);
        services.AddValidatedOptions<PlanOptions>(PlanOptions.SectionName);
        services.AddValidatedOptions<MailOptions>(MailOptions.SectionName);
        services.AddValidatedOptions<DemoOptions>(DemoOptions.SectionName);

        services.AddSingleton<TenantDatabase>();
        services.AddSingleton<TenantProvisioner>();
        services.AddSingleton<IdentityStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<PersonalDataStore>();
        services.AddSingleton<PasswordPolicy>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<Sessions>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UsageMeter>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageMeter>());
        services.AddSingleton<QuotaGuard>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<AccessRules>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<AuthInterceptor>();
        services.AddSingleton<RateLimitInterceptor>();
        services.AddSingleton<IdentityApi>();
        services.AddSingleton<AdminApi>();
        services.AddHostedService<OutboxRelay>();
        services.AddHostedService<DemoSeeder>();
        return services;
    }
}
