using System.Text.Json;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Errors;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AstralytiQ.Server.Tests.Identity;

public sealed class AdministrationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Users_list_in_pages_with_a_filter()
    {
        var admin = await fixture.SignUpAsync();
        for (var i = 0; i < 5; i++)
        {
            await fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = $"page{i}-{Guid.NewGuid():N}@example.com", Role = Role.Viewer, Password = TestSession.Password, DisplayName = $"Pager {i}" }, admin.Headers);
        }

        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await fixture.Admin.ListUsersAsync(new ListUsersRequest { PageSize = 2, PageToken = token }, admin.Headers);
            Assert.True(page.Users.Count <= 2);
            seen.AddRange(page.Users.Select(u => u.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(6, seen.Distinct().Count());
        var filtered = await fixture.Admin.ListUsersAsync(new ListUsersRequest { Filter = "pager 3" }, admin.Headers);
        Assert.Equal("Pager 3", Assert.Single(filtered.Users).DisplayName);
        var badToken = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.ListUsersAsync(new ListUsersRequest { PageToken = "garbage!" }, admin.Headers).ResponseAsync);
        Assert.StartsWith("page_token:", badToken.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sql_metacharacters_in_text_fields_are_stored_as_plain_text()
    {
        const string hostile = "Robert'); DROP TABLE app.users; -- \" \\ % _";
        var admin = await fixture.SignUpAsync("O'Brien \"Analytics\"; DELETE FROM app.tenants; --");

        var profile = await fixture.Identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = hostile }, admin.Headers);
        var created = await fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = $"o'brien-{Guid.NewGuid():N}@example.com", DisplayName = hostile, Role = Role.Viewer, Password = TestSession.Password }, admin.Headers);
        var key = await fixture.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = hostile, Role = Role.Viewer }, admin.Headers);
        var filtered = await fixture.Admin.ListUsersAsync(new ListUsersRequest { Filter = "% _" }, admin.Headers);
        var wildcard = await fixture.Admin.ListUsersAsync(new ListUsersRequest { Filter = "%" }, admin.Headers);

        Assert.Equal(hostile, profile.DisplayName);
        Assert.Equal(hostile, created.User.DisplayName);
        Assert.Equal(hostile, key.ApiKey.Name);
        Assert.Equal(2, filtered.Users.Count);
        Assert.Equal(2, wildcard.Users.Count);
        var injectedLogin = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = "' OR '1'='1@example.com", Password = "' OR '1'='1" }).ResponseAsync);
        Assert.Contains(injectedLogin.StatusCode, new[] { StatusCode.InvalidArgument, StatusCode.Unauthenticated });
    }

    [Fact]
    public async Task Audit_log_records_admin_actions_and_filters_by_action_user_and_time()
    {
        var admin = await fixture.SignUpAsync();
        var analyst = await admin.AddUserAsync(Role.Analyst);
        await fixture.Admin.UpdateUserRoleAsync(new UpdateUserRoleRequest { UserId = analyst.UserId.ToString(), Role = Role.Viewer }, admin.Headers);
        await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = analyst.Email, Password = "definitely wrong" }).ResponseAsync);

        var all = await fixture.Admin.ListAuditEventsAsync(new ListAuditEventsRequest(), admin.Headers);
        var roleChanges = await fixture.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { Action = "user.role_changed" }, admin.Headers);
        var userActions = await fixture.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { Action = "user." }, admin.Headers);
        var byAnalyst = await fixture.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { ActorUserId = analyst.UserId.ToString() }, admin.Headers);
        var future = await fixture.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { StartTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddHours(1)) }, admin.Headers);

        Assert.Contains(all.Events, e => e.Action == "tenant.signup");
        Assert.Contains(all.Events, e => e.Action == "user.created");
        var change = Assert.Single(roleChanges.Events);
        Assert.Equal(admin.Email, change.Actor);
        Assert.Equal(analyst.UserId.ToString(), change.TargetId);
        using (var details = JsonDocument.Parse(change.DetailsJson))
        {
            Assert.Equal("viewer", details.RootElement.GetProperty("to").GetString());
            Assert.Equal("analyst", details.RootElement.GetProperty("from").GetString());
        }
        Assert.False(string.IsNullOrEmpty(change.ClientAddress));
        Assert.All(userActions.Events, e => Assert.StartsWith("user.", e.Action, StringComparison.Ordinal));
        Assert.Contains(byAnalyst.Events, e => e.Action == "user.login" && e.Outcome == "failure");
        Assert.Contains(byAnalyst.Events, e => e.Action == "user.login" && e.Outcome == "success");
        Assert.Empty(future.Events);
    }

    [Fact]
    public async Task Usage_counts_api_calls_and_quotas_refuse_with_quota_failure()
    {
        var admin = await fixture.SignUpAsync();
        for (var i = 0; i < 3; i++)
        {
            await fixture.Identity.GetProfileAsync(new GetProfileRequest(), admin.Headers);
        }

        var usage = await fixture.Admin.GetUsageAsync(new GetUsageRequest(), admin.Headers);

        Assert.Equal("free", usage.Plan);
        Assert.True(usage.Totals.Single(t => t.Metric == UsageMetrics.ApiCalls).Amount >= 3);
        Assert.Equal(2_000, usage.Totals.Single(t => t.Metric == UsageMetrics.Queries).Limit);

        var guard = fixture.Server.Services.GetRequiredService<QuotaGuard>();
        var meter = fixture.Server.Services.GetRequiredService<UsageMeter>();
        meter.Add(admin.TenantId, UsageMetrics.Queries, 1_999);
        await guard.EnsureAsync(admin.TenantId, UsageMetrics.Queries, 1, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<RpcException>(() => guard.EnsureAsync(admin.TenantId, UsageMetrics.Queries, 2, CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var violation = refused.GetRichStatus()!.Details.Single().Unpack<QuotaFailure>().Violations.Single();
        Assert.EndsWith(":queries", violation.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Personal_data_export_and_erasure_keep_the_audit_trail_under_a_pseudonym()
    {
        var admin = await fixture.SignUpAsync();
        var leaver = await admin.AddUserAsync(Role.Analyst);
        await fixture.Identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = "Leaving Soon" }, leaver.Headers);

        var export = await fixture.Admin.ExportUserDataAsync(new ExportUserDataRequest { UserId = leaver.UserId.ToString() }, admin.Headers);
        using (var document = JsonDocument.Parse(export.Json))
        {
            Assert.Equal(leaver.Email, document.RootElement.GetProperty("account").GetProperty("email").GetString());
            Assert.True(document.RootElement.GetProperty("sessions").GetArrayLength() >= 1);
            Assert.Contains(document.RootElement.GetProperty("auditEntries").EnumerateArray(), e => e.GetProperty("action").GetString() == "user.profile_updated");
        }

        var erased = await fixture.Admin.EraseUserAsync(new EraseUserRequest { UserId = leaver.UserId.ToString() }, admin.Headers);

        Assert.StartsWith("user-", erased.Pseudonym, StringComparison.Ordinal);
        var gone = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.GetUserAsync(new GetUserRequest { UserId = leaver.UserId.ToString() }, admin.Headers).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = leaver.Email, Password = TestSession.Password }).ResponseAsync);
        var trail = await fixture.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { ActorUserId = leaver.UserId.ToString() }, admin.Headers);
        Assert.NotEmpty(trail.Events);
        Assert.All(trail.Events, e => Assert.Equal(erased.Pseudonym, e.Actor));
        var everything = await fixture.Admin.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 500 }, admin.Headers);
        Assert.DoesNotContain(everything.Events, e => e.Actor == leaver.Email || e.DetailsJson.Contains(leaver.Email, StringComparison.Ordinal));
        // The address is free again.
        await fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = leaver.Email, Role = Role.Viewer, Password = TestSession.Password }, admin.Headers);
    }

    [Fact]
    public async Task Invited_users_get_a_password_setup_link_in_the_outbox()
    {
        var admin = await fixture.SignUpAsync();
        var email = $"invitee-{Guid.NewGuid():N}@example.com";

        var created = await fixture.Admin.CreateUserAsync(new CreateUserRequest { Email = email, Role = Role.Viewer }, admin.Headers);

        Assert.True(created.InvitationSent);
        await using var connection = new Npgsql.NpgsqlConnection(fixture.Database.AdminConnectionString);
        var subject = await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, "SELECT subject FROM app.outbox WHERE recipient = @email", new { email });
        Assert.Equal("You have been invited to AstralytiQ", subject);
    }
}
