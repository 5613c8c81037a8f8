using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Proto;
using Grpc.Core;
using Npgsql;

namespace AstralytiQ.Server.Tests.Identity;

public sealed class AuthorizationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Analyst_calling_an_admin_method_is_permission_denied()
    {
        var admin = await fixture.SignUpAsync();
        var analyst = await admin.AddUserAsync(Role.Analyst);

        var adminMethod = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.ListUsersAsync(new ListUsersRequest(), analyst.Options).ResponseAsync);
        var probe = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.AdminOnlyAsync(new ProbeRequest(), analyst.Options).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, adminMethod.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, probe.StatusCode);
        Assert.Equal("Analyst", (await fixture.Probe.GeneralAsync(new ProbeRequest(), analyst.Options)).Role);
    }

    [Fact]
    public async Task A_method_without_an_access_rule_is_refused_even_to_admins()
    {
        var admin = await fixture.SignUpAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => new UnmarkedService.UnmarkedServiceClient(fixture.Server.Channel).CallAsync(new ProbeRequest(), admin.Options).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Role_change_takes_effect_at_once()
    {
        var admin = await fixture.SignUpAsync();
        var viewer = await admin.AddUserAsync(Role.Viewer);

        await fixture.Admin.UpdateUserRoleAsync(new UpdateUserRoleRequest { UserId = viewer.UserId.ToString(), Role = Role.Admin }, admin.Headers);

        // The old token carried the old role: it stops working; a new login carries the new one.
        var old = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), viewer.Options).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, old.StatusCode);
        var promoted = await fixture.LoginAsync(viewer.Email);
        Assert.Equal("Admin", (await fixture.Probe.AdminOnlyAsync(new ProbeRequest(), promoted.Options)).Role);
    }

    [Fact]
    public async Task The_last_admin_cannot_be_demoted_or_deactivated()
    {
        var admin = await fixture.SignUpAsync();
        var other = await admin.AddUserAsync(Role.Analyst);

        var demote = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.UpdateUserRoleAsync(new UpdateUserRoleRequest { UserId = admin.UserId.ToString(), Role = Role.Viewer }, admin.Headers).ResponseAsync);
        var self = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.DeactivateUserAsync(new DeactivateUserRequest { UserId = admin.UserId.ToString() }, admin.Headers).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, demote.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, self.StatusCode);
        Assert.Equal(Role.Analyst, (await fixture.Admin.GetUserAsync(new GetUserRequest { UserId = other.UserId.ToString() }, admin.Headers)).Role);
    }

    [Fact]
    public async Task Admin_of_tenant_A_cannot_see_or_touch_users_or_keys_of_tenant_B()
    {
        var adminA = await fixture.SignUpAsync();
        var adminB = await fixture.SignUpAsync();
        var userB = await adminB.AddUserAsync(Role.Analyst);
        var keyB = await fixture.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "b-robot", Role = Role.Viewer }, adminB.Headers);
        var userId = userB.UserId.ToString();

        var attempts = new Func<Task>[]
        {
            () => fixture.Admin.GetUserAsync(new GetUserRequest { UserId = userId }, adminA.Headers).ResponseAsync,
            () => fixture.Admin.UpdateUserRoleAsync(new UpdateUserRoleRequest { UserId = userId, Role = Role.Admin }, adminA.Headers).ResponseAsync,
            () => fixture.Admin.DeactivateUserAsync(new DeactivateUserRequest { UserId = userId }, adminA.Headers).ResponseAsync,
            () => fixture.Admin.ReactivateUserAsync(new ReactivateUserRequest { UserId = userId }, adminA.Headers).ResponseAsync,
            () => fixture.Admin.ExportUserDataAsync(new ExportUserDataRequest { UserId = userId }, adminA.Headers).ResponseAsync,
            () => fixture.Admin.EraseUserAsync(new EraseUserRequest { UserId = userId }, adminA.Headers).ResponseAsync,
            () => fixture.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { ApiKeyId = keyB.ApiKey.Id }, adminA.Headers).ResponseAsync,
        };
        foreach (var attempt in attempts)
        {
            var error = await Assert.ThrowsAsync<RpcException>(attempt);
            // NOT_FOUND, never PERMISSION_DENIED: the id's existence must not leak.
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
        }

        var listA = await fixture.Admin.ListUsersAsync(new ListUsersRequest { IncludeDeactivated = true }, adminA.Headers);
        Assert.DoesNotContain(listA.Users, u => u.TenantId == adminB.TenantId.ToString());
        var stillThere = await fixture.Admin.GetUserAsync(new GetUserRequest { UserId = userId }, adminB.Headers);
        Assert.Equal(Role.Analyst, stillThere.Role);
        await fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "x-api-key", keyB.Key } });
    }

    [Fact]
    public async Task Row_level_security_hides_other_tenants_rows_even_without_a_where_clause()
    {
        var adminA = await fixture.SignUpAsync();
        var adminB = await fixture.SignUpAsync();

        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @tenant, true)", connection, transaction))
        {
            set.Parameters.AddWithValue("tenant", adminA.TenantId.ToString());
            await set.ExecuteNonQueryAsync();
        }
        await using var all = new NpgsqlCommand("SELECT array_agg(DISTINCT tenant_id) FROM app.users", connection, transaction);
        var tenants = (Guid[])(await all.ExecuteScalarAsync())!;

        Assert.Equal([adminA.TenantId], tenants);
        Assert.DoesNotContain(adminB.TenantId, tenants);

        // And with no tenant set at all, the application role sees nothing.
        await transaction.RollbackAsync();
        await using var none = new NpgsqlCommand("SELECT count(*) FROM app.users", connection);
        Assert.Equal(0L, (long)(await none.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Malformed_ids_are_invalid_argument_naming_the_field()
    {
        var admin = await fixture.SignUpAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.GetUserAsync(new GetUserRequest { UserId = "1 OR 1=1" }, admin.Headers).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("user_id:", error.Status.Detail, StringComparison.Ordinal);
    }
}
