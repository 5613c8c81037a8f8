namespace AstralytiQ.Server.Features.Datasets;

public static class DatasetsServiceCollectionExtensions
{
    /// <summary>Datasets: the catalog now; ingestion, jobs, profiling and transformations (issue 5) register here too.</summary>
    public static IServiceCollection AddDatasetsFeature(this IServiceCollection services)
    {
        services.AddSingleton<DatasetCatalog>();
        return services;
    }
}
