using System.Net;
using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AstralytiQ.Rpc.Tests;

/// <summary>
/// Streaming calls outlive Kestrel's request body limits, which are set tight here. Each test runs a
/// plain (non-gRPC) endpoint under the same limits as a control, proving the limits really bite.
/// </summary>
public sealed class IdleStreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(4);

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        configureKestrel: kestrel =>
        {
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1_000, gracePeriod: TimeSpan.FromSeconds(1.5));
            kestrel.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 1_000, gracePeriod: TimeSpan.FromSeconds(1.5));
            kestrel.Limits.MaxRequestBodySize = 1_000;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(2);
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(1);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(1);
        },
        configureApp: app => app.MapPost("/control/read", async http =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null);
            await http.Response.WriteAsync("read it all");
        }));

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task Duplex_stream_idle_on_the_request_side_survives_a_tight_minimum_data_rate()
    {
        using var channel = _server.CreateChannel();
        using var call = new TestService.TestServiceClient(channel).Duplex();
        var control = SlowPlainRequestAsync();

        await call.RequestStream.WriteAsync(new EchoRequest { Message = "before" });
        Assert.True(await call.ResponseStream.MoveNext());
        await Task.Delay(Idle);
        await call.RequestStream.WriteAsync(new EchoRequest { Message = "after" });
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.CompleteAsync();

        Assert.Equal("after", call.ResponseStream.Current.Message);
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.False(await control, "the control request should have been cut off by the data rate limit");
    }

    [Fact]
    public async Task Server_stream_idle_between_messages_survives_tight_limits()
    {
        using var channel = _server.CreateChannel();

        using var call = new TestService.TestServiceClient(channel).ServerStream(new EchoRequest { StreamCount = 2, StreamIntervalMs = (int)Idle.TotalMilliseconds });

        Assert.Equal(2, await call.ResponseStream.ReadAllAsync().CountAsync().AsTask().WithTimeout());
    }

    [Fact]
    public async Task Client_stream_larger_than_the_request_body_limit_is_accepted_message_by_message()
    {
        using var channel = _server.CreateChannel();
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var call = new TestService.TestServiceClient(channel).ClientStream();
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[500]) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call;
        using var control = await http.PostAsync(new Uri(_server.Address, "/control/read"), new ByteArrayContent(new byte[5_000]));

        Assert.Equal(10, response.ReceivedCount);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, control.StatusCode);
    }

    /// <summary>A plain request that sends a little, idles as long as the gRPC stream does, then finishes; true if it was served.</summary>
    private async Task<bool> SlowPlainRequestAsync()
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var content = new ControlledContent();
        var sending = http.PostAsync(new Uri(_server.Address, "/control/read"), content);
        try
        {
            await content.WriteAsync(new byte[10]);
            await Task.Delay(Idle);
            await content.WriteAsync(new byte[10]);
            content.Complete();
            using var response = await sending.WithTimeout();
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            content.Fail();
            return false;
        }
    }
}
