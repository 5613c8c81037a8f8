using AstralytiQ.Server.Infrastructure.Configuration;
using AstralytiQ.Server.Infrastructure.Jobs;

namespace AstralytiQ.Server.Features.Datasets;

public static class DatasetsServiceCollectionExtensions
{
    /// <summary>Datasets: the catalog, uploads and transformations as jobs, profiling, the sweeper and demo samples (issue 5).</summary>
    public static IServiceCollection AddDatasetsFeature(this IServiceCollection services)
    {
        services.AddSingleton<DatasetCatalog>();
        services.AddValidatedOptions<DatasetOptions>(DatasetOptions.SectionName);
        services.AddJobs();
        services.AddSingleton<DatasetStore>();
        services.AddSingleton<SpoolStore>();
        services.AddSingleton<IJobHandler, UploadJobHandler>();
        services.AddSingleton<IJobHandler, TransformJobHandler>();
        services.AddSingleton<StagingSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<StagingSweeper>());
        services.AddSingleton<TableAnalyzer>();
        services.AddHostedService(sp => sp.GetRequiredService<TableAnalyzer>());
        services.AddSingleton<SampleDatasetSeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<SampleDatasetSeeder>());
        services.AddSingleton<DatasetsApi>();
        return services;
    }
}
