using AstralytiQ.Rpc.Tests.Proto;
using Google.Protobuf;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

public sealed class StreamingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestService.TestServiceClient Client => fixture.Client;

    [Fact]
    public async Task Client_stream_with_no_messages_gets_its_response()
    {
        using var call = Client.ClientStream();

        await call.RequestStream.CompleteAsync();
        var response = await call;

        Assert.Equal(0, response.ReceivedCount);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_stream_of_a_thousand_messages_arrives_complete()
    {
        using var call = Client.ClientStream();

        for (var i = 0; i < 1000; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[i % 50]) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call;

        Assert.Equal(1000, response.ReceivedCount);
        Assert.Equal($"1000 messages, {Enumerable.Range(0, 1000).Sum(i => i % 50)} bytes", response.Message);
    }

    [Fact]
    public async Task Server_stream_with_no_messages_ends_with_OK()
    {
        using var call = Client.ServerStream(new EchoRequest { StreamCount = 0 });

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Server_stream_of_a_thousand_messages_arrives_in_order()
    {
        using var call = Client.ServerStream(new EchoRequest { StreamCount = 1000, ResponseSize = 10 });

        var indexes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(response.Index);
        }

        Assert.Equal(Enumerable.Range(0, 1000), indexes);
    }

    [Fact]
    public async Task Duplex_with_no_messages_either_way_ends_with_OK()
    {
        using var call = Client.Duplex();

        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_ping_pong_of_five_hundred_rounds_stays_in_step()
    {
        using var call = Client.Duplex();

        for (var i = 0; i < 500; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = $"ping {i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"ping {i}", call.ResponseStream.Current.Message);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Duplex_reads_and_writes_run_independently()
    {
        using var call = Client.Duplex();

        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var unused in call.ResponseStream.ReadAllAsync())
            {
                count++;
            }
            return count;
        });
        for (var i = 0; i < 200; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { StreamCount = 3 });
        }
        await call.RequestStream.CompleteAsync();

        Assert.Equal(600, await reading.WithTimeout());
    }

    [Fact]
    public async Task Three_megabyte_messages_stream_intact_both_ways()
    {
        var payload = TestServiceImpl.Pattern(3 * 1024 * 1024);
        using var call = Client.Duplex();

        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload), ResponseSize = payload.Length });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(payload, call.ResponseStream.Current.Payload.ToByteArray());
        }
        await call.RequestStream.CompleteAsync();
        using var server = Client.ServerStream(new EchoRequest { StreamCount = 3, ResponseSize = payload.Length });
        var received = 0;
        await foreach (var response in server.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(payload, response.Payload.ToByteArray());
            received++;
        }

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(3, received);
    }

    [Fact]
    public async Task Two_hundred_concurrent_duplex_calls_on_one_channel_all_complete()
    {
        var calls = Enumerable.Range(0, 200).Select(async i =>
        {
            using var call = Client.Duplex();
            for (var j = 0; j < 5; j++)
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Message = $"{i}:{j}" });
                Assert.True(await call.ResponseStream.MoveNext());
                Assert.Equal($"{i}:{j}", call.ResponseStream.Current.Message);
            }
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext());
        });

        await Task.WhenAll(calls).WithTimeout();
    }

    [Fact]
    public async Task Messages_coalesced_in_one_DATA_frame_or_split_at_every_byte_are_reassembled()
    {
        using var http = fixture.Server.CreateRawClient();
        var content = new ControlledContent();
        var sending = http.SendAsync(RawGrpc.Request(RawGrpc.ClientStreamPath, content), HttpCompletionOption.ResponseHeadersRead);

        // Three messages in one DATA frame, then a fourth a byte at a time (header included).
        await content.WriteAsync([.. RawGrpc.Frame(new EchoRequest { Payload = ByteString.CopyFrom(new byte[1]) }),
            .. RawGrpc.Frame(new EchoRequest { Payload = ByteString.CopyFrom(new byte[2]) }),
            .. RawGrpc.Frame([])]);
        foreach (var b in RawGrpc.Frame(new EchoRequest { Message = "last", Payload = ByteString.CopyFrom(new byte[4]) }))
        {
            await content.WriteAsync([b]);
        }
        content.Complete();
        using var response = await sending.WithTimeout();
        var body = await response.Content.ReadAsByteArrayAsync();

        var reply = EchoResponse.Parser.ParseFrom(Assert.Single(RawGrpc.ParseFrames(body)).Payload);
        Assert.Equal("4 messages, 7 bytes", reply.Message);
        Assert.Equal("0", response.TrailingHeaders.NonValidated["grpc-status"].ToString());
    }

    [Fact]
    public async Task Writing_after_completing_the_request_stream_is_refused()
    {
        using var call = Client.ClientStream();
        await call.RequestStream.CompleteAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
        Assert.Equal(0, (await call).ReceivedCount);
    }

    [Fact]
    public async Task Writing_after_the_server_ended_the_call_reports_its_status()
    {
        using var call = Client.ClientStream();
        await call.RequestStream.WriteAsync(new EchoRequest { FailCode = (int)StatusCode.OutOfRange, FailMessage = "stop" });

        var response = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync).WithTimeout();
        var write = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest()));

        Assert.Equal(StatusCode.OutOfRange, response.StatusCode);
        Assert.Equal(StatusCode.OutOfRange, write.StatusCode);
    }

    [Fact]
    public async Task Writes_racing_the_servers_early_end_always_report_its_status()
    {
        // The server refuses on the first message while the client keeps writing (an upload over quota): whichever
        // write meets the transport torn down must surface the call's status, never the transport's own exception.
        var payload = Google.Protobuf.ByteString.CopyFrom(new byte[64 * 1024]);
        for (var round = 0; round < 30; round++)
        {
            using var call = Client.ClientStream();
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await call.RequestStream.WriteAsync(new EchoRequest { FailCode = (int)StatusCode.ResourceExhausted, FailMessage = "over quota" });
                for (var i = 0; i < 10_000; i++)
                {
                    await call.RequestStream.WriteAsync(new EchoRequest { Payload = payload });
                }
            }).WithTimeout();

            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Equal("over quota", error.Status.Detail);
        }
    }

    [Fact]
    public async Task Server_stream_error_after_messages_is_raised_after_the_messages_are_read()
    {
        using var call = Client.ServerStream(new EchoRequest { StreamCount = 3, FailCode = (int)StatusCode.DataLoss, FailMessage = "broken" });
        var received = 0;

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                received++;
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Equal("requested", error.Trailers.GetValue("failure-reason"));
        Assert.Equal(StatusCode.DataLoss, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_writes_with_BufferHint_go_out_when_the_request_stream_completes()
    {
        using var call = Client.ClientStream();
        call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.BufferHint);

        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest());
        }
        await call.RequestStream.CompleteAsync();

        Assert.Equal(10, (await call).ReceivedCount);
    }
}
