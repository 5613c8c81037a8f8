using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Proto;
using Dapper;
using Grpc.Core;
using Npgsql;

namespace AstralytiQ.Server.Tests.Identity;

public sealed class ApiKeyTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Api_key_is_shown_once_stored_hashed_and_works_as_bearer_or_x_api_key()
    {
        var admin = await fixture.SignUpAsync();

        var created = await fixture.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "nightly export", Role = Role.Analyst }, admin.Headers);

        Assert.StartsWith(created.ApiKey.Prefix + "_", created.Key, StringComparison.Ordinal);
        var asBearer = await fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "authorization", "Bearer " + created.Key } });
        var asHeader = await fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "x-api-key", created.Key } });
        Assert.Equal("Analyst", asBearer.Role);
        Assert.Equal(admin.TenantId.ToString(), asHeader.TenantId);
        var listed = await fixture.Admin.ListApiKeysAsync(new ListApiKeysRequest(), admin.Headers);
        var key = Assert.Single(listed.ApiKeys);
        Assert.Equal(created.ApiKey.Prefix, key.Prefix);
        Assert.NotNull(key.LastUseTime);
        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        var stored = await connection.QuerySingleAsync<byte[]>("SELECT key_hash FROM app.api_keys WHERE id = @id", new { id = Guid.Parse(created.ApiKey.Id) });
        Assert.Equal(32, stored.Length);
        Assert.DoesNotContain(created.Key, System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoked_or_altered_keys_are_unauthenticated()
    {
        var admin = await fixture.SignUpAsync();
        var created = await fixture.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "robot", Role = Role.Viewer }, admin.Headers);

        var altered = created.Key[..^1] + (created.Key[^1] == 'A' ? 'B' : 'A');
        var wrong = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "x-api-key", altered } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);

        await fixture.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { ApiKeyId = created.ApiKey.Id }, admin.Headers);

        var revoked = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.GeneralAsync(new ProbeRequest(), new Metadata { { "x-api-key", created.Key } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, revoked.StatusCode);
        Assert.Empty((await fixture.Admin.ListApiKeysAsync(new ListApiKeysRequest(), admin.Headers)).ApiKeys);
        Assert.Single((await fixture.Admin.ListApiKeysAsync(new ListApiKeysRequest { IncludeRevoked = true }, admin.Headers)).ApiKeys);
    }

    [Fact]
    public async Task A_viewer_key_cannot_call_admin_methods()
    {
        var admin = await fixture.SignUpAsync();
        var created = await fixture.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "reader", Role = Role.Viewer }, admin.Headers);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Admin.ListUsersAsync(new ListUsersRequest(), new Metadata { { "x-api-key", created.Key } }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }
}
