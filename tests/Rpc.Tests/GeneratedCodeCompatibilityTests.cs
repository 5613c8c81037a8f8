using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;

namespace AstralytiQ.Rpc.Tests;

/// <summary>What grpc_csharp_plugin output and code written against Grpc.Core rely on.</summary>
public sealed class GeneratedCodeCompatibilityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestService.TestServiceClient Client => fixture.Client;

    [Fact]
    public async Task Generated_blocking_call_overloads_return_the_response()
    {
        var plain = await Task.Run(() => Client.Unary(new EchoRequest { Message = "a" }));
        var withArguments = await Task.Run(() => Client.Unary(new EchoRequest { Message = "b" }, new Metadata { { "x-k", "v" } }, DateTime.UtcNow.AddMinutes(1), CancellationToken.None));
        var withOptions = await Task.Run(() => Client.Unary(new EchoRequest { Message = "c" }, new CallOptions(new Metadata { { "x-k", "w" } })));

        Assert.Equal("a", plain.Message);
        Assert.Equal("v", withArguments.Headers["x-k"]);
        Assert.NotEqual(0, withArguments.DeadlineUnixMs);
        Assert.Equal("w", withOptions.Headers["x-k"]);
    }

    [Fact]
    public async Task WithHost_sends_calls_to_another_authority_and_leaves_the_original_client_alone()
    {
        var other = Client.WithHost("example.test");

        var redirected = await other.UnaryAsync(new EchoRequest());
        var original = await Client.UnaryAsync(new EchoRequest());
        using var stream = other.ServerStream(new EchoRequest { StreamCount = 1 });
        Assert.True(await stream.ResponseStream.MoveNext());

        Assert.IsType<TestService.TestServiceClient>(other);
        Assert.Equal("example.test", redirected.Host);
        Assert.Equal("example.test", stream.ResponseStream.Current.Host);
        Assert.Equal($"127.0.0.1:{fixture.Server.Address.Port}", original.Host);
    }

    [Fact]
    public async Task Client_made_with_the_parameterless_constructor_fails_every_call_with_UNIMPLEMENTED()
    {
        var client = new ClientWithoutChannel();

        var unary = Assert.Throws<RpcException>(() => client.UnaryAsync(new EchoRequest()));
        var blocking = Assert.Throws<RpcException>(() => client.Unary(new EchoRequest()));
        var streaming = Assert.Throws<RpcException>(() => client.Duplex());

        Assert.All(new[] { unary, blocking, streaming }, e => Assert.Equal(StatusCode.Unimplemented, e.StatusCode));
        Assert.Equal("fake", (await new FakeClient().UnaryAsync(new EchoRequest())).Message);
    }

    [Fact]
    public async Task Generated_client_accepts_a_hand_made_CallInvoker()
    {
        var client = new TestService.TestServiceClient(fixture.Channel.CreateCallInvoker());

        var response = await client.UnaryAsync(new EchoRequest { Message = "invoker" });

        Assert.Equal("invoker", response.Message);
    }

    [Fact]
    public void Generated_BindService_describes_every_method_with_its_kind()
    {
        var binder = new RecordingBinder();

        TestService.BindService(new TestServiceImpl(new CallTracker())).BindService(binder);

        Assert.Equal(["Unary:Unary", "ClientStream:ClientStreaming", "ServerStream:ServerStreaming", "Duplex:DuplexStreaming"], binder.Methods);
        Assert.Equal("rpctest.v1.TestService", TestService.Descriptor.FullName);
    }

    [Fact]
    public void Service_definition_refuses_the_same_method_twice()
    {
        var method = TestMethods.Unary("s.S", "M");
        var builder = ServerServiceDefinition.CreateBuilder().AddMethod(method, (EchoRequest r, ServerCallContext c) => Task.FromResult(new EchoResponse()));

        Assert.Throws<InvalidOperationException>(() => builder.AddMethod(method, (EchoRequest r, ServerCallContext c) => Task.FromResult(new EchoResponse())));
    }

    [Fact]
    public async Task Service_with_byte_array_string_marshallers_is_hosted_and_called()
    {
        await using var server = await TestServer.StartAsync(configureApp: app => app.MapGrpcService<ReverseService>());
        using var channel = server.CreateChannel();

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(ReverseServiceBase.ReverseMethod, null, default, "héllo wörld");

        Assert.Equal("dlröw olléh", response);
    }

    [Fact]
    public void Marshallers_convert_between_byte_array_and_contextual_forms()
    {
        var simple = Marshallers.Create<string>(s => System.Text.Encoding.UTF8.GetBytes(s), b => System.Text.Encoding.UTF8.GetString(b));
        var contextual = Marshallers.Create<string>(
            (string s, SerializationContext context) => context.Complete(System.Text.Encoding.UTF8.GetBytes(s)),
            (DeserializationContext context) => System.Text.Encoding.UTF8.GetString(context.PayloadAsNewBuffer()));
        var buffered = Marshallers.Create<string>(
            (string s, SerializationContext context) =>
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(s);
                context.SetPayloadLength(bytes.Length);
                var span = context.GetBufferWriter().GetSpan(bytes.Length);
                bytes.CopyTo(span);
                context.GetBufferWriter().Advance(bytes.Length);
                context.Complete();
            },
            (DeserializationContext context) => System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(context.PayloadAsReadOnlySequence())));

        Assert.Equal([0x61, 0xC3, 0xA9], simple.Serializer("aé"));
        Assert.Equal("aé", simple.Deserializer([0x61, 0xC3, 0xA9]));
        Assert.Equal([0x61, 0xC3, 0xA9], contextual.Serializer("aé"));
        Assert.Equal("aé", contextual.Deserializer([0x61, 0xC3, 0xA9]));
        Assert.Equal([0x61, 0xC3, 0xA9], buffered.Serializer("aé"));
        Assert.Equal("aé", buffered.Deserializer([0x61, 0xC3, 0xA9]));
        Assert.Equal("x", Marshallers.StringMarshaller.Deserializer(Marshallers.StringMarshaller.Serializer("x")));
        Assert.Throws<ArgumentNullException>(() => Marshallers.Create<string>(null!, b => ""));
    }

    [Fact]
    public async Task Byte_array_marshallers_work_on_the_wire()
    {
        var method = TestMethods.Unary("rpctest.v1.TestService", "Unary");

        var response = await fixture.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, default, new EchoRequest { Message = "bytes" });

        Assert.Equal("bytes", response.Message);
        Assert.Equal("/rpctest.v1.TestService/Unary", method.FullName);
        Assert.Equal(MethodType.Unary, method.Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ümlaut")]
    [InlineData("colon:")]
    [InlineData("slash/")]
    public void Metadata_refuses_invalid_keys(string key)
    {
        Assert.ThrowsAny<ArgumentException>(() => new Metadata { { key, "v" } });
    }

    [Fact]
    public void Metadata_keys_are_lower_cased_and_may_use_digits_dash_underscore_and_dot()
    {
        var metadata = new Metadata { { "X-Request_ID.2", "v" } };

        Assert.Equal("x-request_id.2", metadata[0].Key);
        Assert.Equal("v", metadata.GetValue("X-REQUEST_ID.2"));
    }

    [Fact]
    public void Metadata_enforces_the_bin_suffix_rules()
    {
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-data-bin", "text"));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-data", new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-text", "non-ascii é"));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-text", "line\nbreak"));

        var binary = new Metadata.Entry("X-Data-Bin", new byte[] { 1, 2 });
        var text = new Metadata.Entry("x-text", "v");
        Assert.True(binary.IsBinary);
        Assert.False(text.IsBinary);
        Assert.Throws<InvalidOperationException>(() => binary.Value);
        Assert.Equal("v"u8.ToArray(), text.ValueBytes);
        var copy = binary.ValueBytes;
        copy[0] = 99;
        Assert.Equal([1, 2], binary.ValueBytes);
    }

    [Fact]
    public void Frozen_metadata_refuses_every_change()
    {
        var metadata = new Metadata { { "a", "1" } }.Freeze();

        Assert.True(metadata.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => metadata.Add("b", "2"));
        Assert.Throws<InvalidOperationException>(() => metadata.Add("b-bin", new byte[1]));
        Assert.Throws<InvalidOperationException>(() => metadata.RemoveAt(0));
        Assert.Throws<InvalidOperationException>(() => metadata.Clear());
        Assert.Throws<InvalidOperationException>(() => metadata[0] = new Metadata.Entry("c", "3"));
        Assert.Throws<InvalidOperationException>(() => Metadata.Empty.Add("x", "y"));
        Assert.Equal("1", metadata.GetValue("a"));
    }

    [Fact]
    public void Metadata_lookups_return_the_last_value_and_all_values_in_order()
    {
        var metadata = new Metadata { { "k", "1" }, { "other", "x" }, { "K", "2" } };

        Assert.Equal("2", metadata.GetValue("k"));
        Assert.Equal(["1", "2"], metadata.GetAll("k").Select(e => e.Value));
        Assert.Null(metadata.Get("missing"));
        Assert.Null(metadata.GetValueBytes("missing-bin"));
    }

    [Fact]
    public void Status_RpcException_and_CallOptions_behave_as_Grpc_Core_does()
    {
        var status = new Status(StatusCode.NotFound, "gone");
        var exception = new RpcException(status);
        var withTrailers = new RpcException(status, new Metadata { { "t", "v" } }, "custom");
        var headers = new Metadata();
        var options = new CallOptions().WithHeaders(headers).WithDeadline(DateTime.MaxValue).WithWriteOptions(new WriteOptions(WriteFlags.NoCompress));

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        Assert.Empty(exception.Trailers);
        Assert.Contains("gone", exception.Message, StringComparison.Ordinal);
        Assert.Equal("custom", withTrailers.Message);
        Assert.Equal("v", withTrailers.Trailers.GetValue("t"));
        Assert.Equal(new Status(StatusCode.NotFound, "gone"), status);
        Assert.Equal(StatusCode.OK, Status.DefaultSuccess.StatusCode);
        Assert.Same(headers, options.Headers);
        Assert.Equal(DateTime.MaxValue, options.Deadline);
        Assert.Equal(WriteFlags.NoCompress, options.WriteOptions!.Flags);
    }

    /// <summary>How mocking libraries and hand-written test doubles build a generated client.</summary>
    private sealed class ClientWithoutChannel : TestService.TestServiceClient
    {
    }

    private sealed class FakeClient : TestService.TestServiceClient
    {
        public override AsyncUnaryCall<EchoResponse> UnaryAsync(EchoRequest request, CallOptions options) =>
            new(Task.FromResult(new EchoResponse { Message = "fake" }), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
    }

    private sealed class RecordingBinder : ServiceBinderBase
    {
        public List<string> Methods { get; } = [];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) => Methods.Add($"{method.Name}:{method.Type}");

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) => Methods.Add($"{method.Name}:{method.Type}");

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) => Methods.Add($"{method.Name}:{method.Type}");

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) => Methods.Add($"{method.Name}:{method.Type}");
    }
}

/// <summary>A service base written by hand the way grpc_csharp_plugin writes one, with string messages.</summary>
[BindServiceMethod(typeof(ReverseServiceBase), nameof(BindService))]
public abstract class ReverseServiceBase
{
    public static readonly Method<string, string> ReverseMethod = new(MethodType.Unary, "rpctest.v1.ReverseService", "Reverse", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    public abstract Task<string> Reverse(string request, ServerCallContext context);

    public static void BindService(ServiceBinderBase serviceBinder, ReverseServiceBase? serviceImpl) =>
        serviceBinder.AddMethod(ReverseMethod, serviceImpl is null ? null : serviceImpl.Reverse);
}

public sealed class ReverseService : ReverseServiceBase
{
    public override Task<string> Reverse(string request, ServerCallContext context) => Task.FromResult(new string(request.Reverse().ToArray()));
}
