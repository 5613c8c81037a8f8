using AstralytiQ.Server.Infrastructure.Configuration;

namespace AstralytiQ.Server.Features.Query;

public static class QueryServiceCollectionExtensions
{
    /// <summary>SQL over datasets (issue 6): execution, result cache, history, saved queries and the gRPC API.</summary>
    public static IServiceCollection AddQueryFeature(this IServiceCollection services)
    {
        services.AddValidatedOptions<QueryOptions>(QueryOptions.SectionName);
        services.AddSingleton<QueryConnections>();
        services.AddSingleton<QueryExecutor>();
        services.AddSingleton<QueryCache>();
        services.AddSingleton<QueryHistoryStore>();
        services.AddSingleton<SavedQueryStore>();
        services.AddSingleton<SqlRunner>();
        services.AddSingleton<QueryApi>();
        return services;
    }
}
