using AstralytiQ.Server.Infrastructure.Configuration;

namespace AstralytiQ.Server.Infrastructure.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>The job queue, its LISTEN connection, the workers and the JobService API. Features add <see cref="IJobHandler"/>s.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(JobQueue)))
        {
            return services;
        }
        services.AddValidatedOptions<JobOptions>(JobOptions.SectionName);
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<JobEvents>());
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        services.AddSingleton<JobsApi>();
        return services;
    }
}
