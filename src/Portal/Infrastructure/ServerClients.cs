using AstralytiQ.Api.V1;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Portal.Infrastructure;

public static class ServerClients
{
    /// <summary>One channel to the server for the whole portal, and the generated clients over it.</summary>
    public static IServiceCollection AddServerClients(this IServiceCollection services)
    {
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => GrpcChannel.ForAddress(sp.GetRequiredService<IOptions<PortalOptions>>().Value.ServerAddress));
        services.AddSingleton(sp => new SystemService.SystemServiceClient(sp.GetRequiredService<GrpcChannel>()));
        services.AddSingleton(sp => new Health.HealthClient(sp.GetRequiredService<GrpcChannel>()));
        return services;
    }
}
