using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Portal.Infrastructure;

public static class ServerClients
{
    /// <summary>
    /// One channel to the server for the whole portal, and the generated clients over it. Clients go through
    /// <see cref="AccessTokenInterceptor"/>, so each call carries the signed-in user's access token.
    /// </summary>
    public static IServiceCollection AddServerClients(this IServiceCollection services)
    {
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => GrpcChannel.ForAddress(sp.GetRequiredService<IOptions<PortalOptions>>().Value.ServerAddress));
        services.AddSingleton<AccessTokenInterceptor>();
        services.AddSingleton(sp => sp.GetRequiredService<GrpcChannel>().Intercept(sp.GetRequiredService<AccessTokenInterceptor>()));
        services.AddServerClient<SystemService.SystemServiceClient>();
        services.AddServerClient<Health.HealthClient>();
        services.AddServerClient<IdentityService.IdentityServiceClient>();
        services.AddServerClient<AdminService.AdminServiceClient>();
        services.AddServerClient<QueryService.QueryServiceClient>();
        services.AddServerClient<DatasetService.DatasetServiceClient>();
        services.AddServerClient<JobService.JobServiceClient>();
        services.AddServerClient<AskService.AskServiceClient>();
        return services;
    }

    /// <summary>Registers a generated client over the portal's intercepting call invoker (singleton: clients are stateless).</summary>
    public static IServiceCollection AddServerClient<TClient>(this IServiceCollection services)
        where TClient : ClientBase<TClient> =>
        services.AddSingleton(sp => (TClient)Activator.CreateInstance(typeof(TClient), sp.GetRequiredService<CallInvoker>())!);
}
