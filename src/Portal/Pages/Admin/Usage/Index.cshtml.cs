using System.Globalization;
using AstralytiQ.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Admin.Usage;

/// <summary>The workspace's use in a month against its plan's limits, day by day, with a bar chart of API calls.</summary>
public sealed class IndexModel(AdminService.AdminServiceClient admin, TimeProvider clock) : PageModel
{
    /// <summary>The month shown, "yyyy-MM"; the current month when empty.</summary>
    [BindProperty(SupportsGet = true, Name = "month")]
    public string? Month { get; set; }

    public GetUsageResponse Usage { get; private set; } = new();

    public DateOnly FirstDay { get; private set; }

    public DateOnly LastDay { get; private set; }

    /// <summary>Days of the period (rows) by metric (columns), zero where nothing was counted.</summary>
    public IReadOnlyList<(DateOnly Day, IReadOnlyDictionary<string, long> Amounts)> Days { get; private set; } = [];

    public static IReadOnlyList<string> Metrics { get; } = ["api_calls", "queries", "rows_ingested", "storage_bytes", "models_trained"];

    public async Task OnGetAsync()
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var first = new DateOnly(today.Year, today.Month, 1);
        if (DateOnly.TryParseExact((Month ?? "") + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var asked) && asked <= first)
        {
            first = asked;
        }
        FirstDay = first;
        LastDay = first.AddMonths(1).AddDays(-1);
        Usage = await admin.GetUsageAsync(new GetUsageRequest
        {
            StartTime = Timestamp.FromDateTime(FirstDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            EndTime = Timestamp.FromDateTime(LastDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
        }, cancellationToken: HttpContext.RequestAborted);
        var counted = Usage.Days
            .GroupBy(d => d.Day, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(d => d.Metric, d => d.Amount, StringComparer.Ordinal), StringComparer.Ordinal);
        var lastShown = LastDay < today ? LastDay : today;
        var days = new List<(DateOnly, IReadOnlyDictionary<string, long>)>();
        for (var day = FirstDay; day <= lastShown; day = day.AddDays(1))
        {
            days.Add((day, counted.GetValueOrDefault(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) ?? new Dictionary<string, long>()));
        }
        Days = days;
    }

    public string PreviousMonth => FirstDay.AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public string? NextMonth
    {
        get
        {
            var next = FirstDay.AddMonths(1);
            return next <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) ? next.ToString("yyyy-MM", CultureInfo.InvariantCulture) : null;
        }
    }

    public static string Label(string metric) => metric switch
    {
        "api_calls" => "API calls",
        "queries" => "Queries",
        "rows_ingested" => "Rows ingested",
        "storage_bytes" => "Storage",
        "models_trained" => "Models trained",
        _ => metric,
    };

    public static string Amount(string metric, long amount) => metric == "storage_bytes" ? AdminText.Bytes(amount) : AdminText.Number(amount);

    public static string Limit(UsageMetric total) => total.Limit == 0 ? "No limit" : Amount(total.Metric, total.Limit);

    /// <summary>Share of the limit used, 0-100, or null when unlimited.</summary>
    public static int? Percent(UsageMetric total) => total.Limit == 0 ? null : (int)Math.Min(100, Math.Round(100.0 * total.Amount / total.Limit));

    /// <summary>Bars of one metric per day, scaled to the busiest day (an SVG the page draws; the table below is the same data).</summary>
    public IReadOnlyList<Bar> Bars(string metric, double width, double height)
    {
        if (Days.Count == 0)
        {
            return [];
        }
        var max = Math.Max(1, Days.Max(d => d.Amounts.GetValueOrDefault(metric)));
        var slot = width / Days.Count;
        return Days.Select((d, i) =>
        {
            var amount = d.Amounts.GetValueOrDefault(metric);
            var barHeight = Math.Round(height * amount / max, 1);
            return new Bar(d.Day, amount, Math.Round(i * slot + slot * 0.15, 1), Math.Round(height - barHeight, 1), Math.Round(slot * 0.7, 1), barHeight);
        }).ToList();
    }

    public sealed record Bar(DateOnly Day, long Amount, double X, double Y, double Width, double Height);
}
