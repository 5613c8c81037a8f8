using System.Globalization;
using AstralytiQ.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace AstralytiQ.Portal.Pages.Admin;

/// <summary>How the admin pages write roles, tiers, times and amounts.</summary>
public static class AdminText
{
    public static string Role(Role role) => role switch
    {
        Api.V1.Role.Admin => "Admin",
        Api.V1.Role.Analyst => "Analyst",
        Api.V1.Role.Viewer => "Viewer",
        _ => "Unknown",
    };

    public static string Tier(Tier tier) => tier == Api.V1.Tier.Premium ? "Premium" : "Free";

    /// <summary>The roles an admin may give, as options (what each may do in the label).</summary>
    public static IReadOnlyList<SelectListItem> RoleOptions(Role? selected = null) =>
    [
        new("Viewer: reads datasets, dashboards and results", nameof(Api.V1.Role.Viewer), selected == Api.V1.Role.Viewer),
        new("Analyst: also uploads, asks questions, trains models, builds dashboards", nameof(Api.V1.Role.Analyst), selected == Api.V1.Role.Analyst),
        new("Admin: also manages users, API keys, audit log and usage", nameof(Api.V1.Role.Admin), selected == Api.V1.Role.Admin),
    ];

    public static string Time(Timestamp? time) =>
        time is null ? "never" : time.ToDateTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string IsoTime(Timestamp time) => time.ToDateTime().ToString("O", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes)
    {
        string[] units = ["bytes", "KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes" : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
