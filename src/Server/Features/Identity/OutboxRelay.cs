using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Identity;

/// <summary>Section "Mail".</summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    /// <summary>
    /// There is no mail server here: queued mail is "delivered" by writing it to the server log
    /// (category AstralytiQ.Mail) so an operator can pass links on. Turn off when an external relay
    /// reads app.outbox instead.
    /// </summary>
    public bool DeliverToLog { get; set; } = true;
}

/// <summary>Delivers queued mail from app.outbox, marking each message sent once.</summary>
public sealed class OutboxRelay(TenantDatabase database, IOptions<MailOptions> options, ILoggerFactory loggers, ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly ILogger _mail = loggers.CreateLogger("AstralytiQ.Mail");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DeliverToLog)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            do
            {
                try
                {
                    await DeliverPendingAsync(stoppingToken);
                }
                catch (Npgsql.NpgsqlException ex)
                {
                    logger.LogWarning("Outbox delivery failed; will retry: {Reason}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public Task<int> DeliverPendingAsync(CancellationToken cancellationToken) =>
        database.InSystemAsync(async (c, t) =>
        {
            // SKIP LOCKED: several server instances never deliver the same message twice.
            var messages = (await c.QueryAsync<(long Id, string Recipient, string Subject, string Body)>(new CommandDefinition(
                "SELECT id, recipient, subject, body FROM app.outbox WHERE sent_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED",
                transaction: t, cancellationToken: cancellationToken))).AsList();
            foreach (var message in messages)
            {
                _mail.LogInformation("Mail to {Recipient}: {Subject}\n{Body}", message.Recipient, message.Subject, message.Body);
            }
            if (messages.Count > 0)
            {
                await c.ExecuteAsync(new CommandDefinition("UPDATE app.outbox SET sent_at = now() WHERE id = ANY(@ids)",
                    new { ids = messages.Select(m => m.Id).ToArray() }, t, cancellationToken: cancellationToken));
            }
            return messages.Count;
        }, cancellationToken);
}
