using AstralytiQ.Api.V1;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Tests.Infrastructure;
using AstralytiQ.Server.Tests.Proto;
using Google.Rpc;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Identity;

public sealed class RateLimitTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task The_101st_query_call_in_an_hour_is_refused_for_free_users_while_premium_passes()
    {
        var admin = await fixture.SignUpAsync();
        var free = await admin.AddUserAsync(Role.Analyst, Tier.Free);
        var premium = await admin.AddUserAsync(Role.Analyst, Tier.Premium);

        for (var i = 0; i < 100; i++)
        {
            await fixture.Probe.QueryAsync(new ProbeRequest(), free.Options);
            await fixture.Probe.QueryAsync(new ProbeRequest(), premium.Options);
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.QueryAsync(new ProbeRequest(), free.Options).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var retryAfter = int.Parse(refused.Trailers.GetValue("retry-after")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 3500, 3600);
        var retryInfo = refused.GetRichStatus()!.Details.Single().Unpack<RetryInfo>();
        Assert.Equal(retryAfter, retryInfo.RetryDelay.Seconds);
        await fixture.Probe.QueryAsync(new ProbeRequest(), premium.Options);
        // Other method classes have their own budget.
        await fixture.Probe.GeneralAsync(new ProbeRequest(), free.Options);
    }

    [Fact]
    public async Task The_limit_holds_across_two_server_instances_sharing_redis()
    {
        var admin = await fixture.SignUpAsync();
        var user = await admin.AddUserAsync(Role.Analyst, Tier.Free);
        await using var second = await fixture.StartServerAsync();
        var probeA = fixture.Probe;
        var probeB = new ProbeService.ProbeServiceClient(second.Channel);

        for (var i = 0; i < 50; i++)
        {
            await probeA.QueryAsync(new ProbeRequest(), user.Options);
            await probeB.QueryAsync(new ProbeRequest(), user.Options);
        }

        var onA = await Assert.ThrowsAsync<RpcException>(() => probeA.QueryAsync(new ProbeRequest(), user.Options).ResponseAsync);
        var onB = await Assert.ThrowsAsync<RpcException>(() => probeB.QueryAsync(new ProbeRequest(), user.Options).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, onA.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, onB.StatusCode);
    }

    [Fact]
    public async Task Without_redis_each_instance_still_enforces_the_limit()
    {
        var admin = await fixture.SignUpAsync();
        var user = await admin.AddUserAsync(Role.Analyst, Tier.Free);
        await using var isolated = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Redis:Endpoint"] = $"127.0.0.1:{TestEnvironment.FreePort()}" });
        var probe = new ProbeService.ProbeServiceClient(isolated.Channel);

        for (var i = 0; i < 100; i++)
        {
            await probe.QueryAsync(new ProbeRequest(), user.Options);
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => probe.QueryAsync(new ProbeRequest(), user.Options).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.NotNull(refused.Trailers.GetValue("retry-after"));
    }

    [Fact]
    public async Task Login_attempts_from_one_address_are_throttled()
    {
        var admin = await fixture.SignUpAsync();
        // Redis unreachable: this instance's own counters, so no other test's logins count here.
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?>
        {
            ["RateLimits:LoginAttemptsPerAddress"] = "5",
            ["Redis:Endpoint"] = $"127.0.0.1:{TestEnvironment.FreePort()}",
        });
        var identity = new IdentityService.IdentityServiceClient(server.Channel);

        for (var i = 0; i < 5; i++)
        {
            await identity.LoginAsync(new LoginRequest { Email = admin.Email, Password = TestSession.Password });
        }

        var throttled = await Assert.ThrowsAsync<RpcException>(() => identity.LoginAsync(new LoginRequest { Email = admin.Email, Password = TestSession.Password }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, throttled.StatusCode);
        Assert.Contains("this address", throttled.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_failed_logins_for_an_email_are_throttled_even_with_the_right_password()
    {
        var admin = await fixture.SignUpAsync();

        for (var i = 0; i < 10; i++)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = admin.Email, Password = "guess number " + i }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
        }

        var throttled = await Assert.ThrowsAsync<RpcException>(() => fixture.Identity.LoginAsync(new LoginRequest { Email = admin.Email, Password = TestSession.Password }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, throttled.StatusCode);
        Assert.NotNull(throttled.Trailers.GetValue("retry-after"));
    }
}
