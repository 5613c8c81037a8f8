using AstralytiQ.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Postgres;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>Registers the shared <see cref="NpgsqlDataSource"/>, migrations and the "postgres" readiness check.</summary>
    public static IServiceCollection AddPostgres(this IServiceCollection services)
    {
        DapperSetup.Configure();
        services.AddValidatedOptions<PostgresOptions>(PostgresOptions.SectionName);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgresOptions>>().Value;
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "astralytiq-server";
            builder.ConnectionStringBuilder.CommandTimeout = options.CommandTimeoutSeconds;
            builder.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return builder.Build();
        });
        services.AddSingleton<IMigrationSource>(new EmbeddedMigrationSource(typeof(PostgresServiceCollectionExtensions).Assembly));
        services.AddSingleton<MigrationRunner>();
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        return services;
    }
}
