using System.Collections.Concurrent;
using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace AstralytiQ.Rpc.Tests;

public sealed class InterceptorTests
{
    private static Task<TestServer> StartAsync(Action<IServiceCollection>? services = null) => TestServer.StartAsync(
        o =>
        {
            o.Interceptors.Add<FromContainerInterceptor>();
            o.Interceptors.Add<PerCallInterceptor>("second");
            o.Interceptors.Add<PerCallInterceptor>("third");
        },
        s =>
        {
            s.AddSingleton<FromContainerInterceptor>();
            s.AddSingleton<InterceptorCounters>();
            services?.Invoke(s);
        });

    [Fact]
    public async Task Server_interceptors_run_in_order_added_first_outermost_around_a_unary_call()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();

        var response = await new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest());

        Assert.Equal("container:unary>second:unary>third:unary>", response.UserState);
    }

    [Fact]
    public async Task Server_interceptors_wrap_all_four_call_kinds()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var client = new TestService.TestServiceClient(channel);

        using var clientStream = client.ClientStream();
        await clientStream.RequestStream.WriteAsync(new EchoRequest());
        await clientStream.RequestStream.CompleteAsync();
        var clientStreamed = await clientStream;
        using var serverStream = client.ServerStream(new EchoRequest { StreamCount = 1 });
        Assert.True(await serverStream.ResponseStream.MoveNext());
        using var duplex = client.Duplex();
        await duplex.RequestStream.WriteAsync(new EchoRequest());
        Assert.True(await duplex.ResponseStream.MoveNext());
        await duplex.RequestStream.CompleteAsync();

        Assert.Equal("container:client>second:client>third:client>", clientStreamed.UserState);
        Assert.Equal("container:server>second:server>third:server>", serverStream.ResponseStream.Current.UserState);
        Assert.Equal("container:duplex>second:duplex>third:duplex>", duplex.ResponseStream.Current.UserState);
        Assert.False(await duplex.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Interceptor_registered_in_DI_is_reused_and_the_others_are_created_and_disposed_per_call()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var client = new TestService.TestServiceClient(channel);
        var counters = server.Services.GetRequiredService<InterceptorCounters>();

        for (var i = 0; i < 3; i++)
        {
            await client.UnaryAsync(new EchoRequest());
        }

        Assert.Equal(1, counters.Created.GetValueOrDefault("container"));
        Assert.Equal(3, counters.Created.GetValueOrDefault("second"));
        Assert.Equal(3, counters.Created.GetValueOrDefault("third"));
        // Created interceptors are disposed with the request, once the response (trailers included)
        // has gone: the client can see its answer a moment before that happens.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (counters.Disposed.GetValueOrDefault("second") < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(3, counters.Disposed.GetValueOrDefault("second"));
        Assert.Equal(0, counters.Disposed.GetValueOrDefault("container"));
    }

    [Fact]
    public async Task Interceptor_short_circuits_with_RpcException_before_the_handler_runs()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();
        var id = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<RpcException>(() => new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest { CallId = id }, new Metadata { { "x-deny", "second" } }).ResponseAsync);
        using var stream = new TestService.TestServiceClient(channel).Duplex(new Metadata { { "x-deny", "third" } });
        var streamError = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("denied by second", error.Status.Detail);
        Assert.Equal("second", error.Trailers.GetValue("denied-by"));
        Assert.Equal(StatusCode.PermissionDenied, streamError.StatusCode);
        Assert.False(server.Tracker[id].Started.Task.IsCompleted);
    }

    [Fact]
    public async Task Interceptor_maps_handler_exceptions_to_a_status()
    {
        await using var server = await TestServer.StartAsync(o => o.Interceptors.Add<ExceptionMappingInterceptor>());
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest { ThrowException = true }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("mapped: secret internal detail", error.Status.Detail);
    }

    [Fact]
    public async Task Client_interceptors_run_first_one_outermost_for_every_call_kind()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        var log = new ConcurrentQueue<string>();
        var invoker = channel.CreateCallInvoker().Intercept(new ClientRecorder("A", log), new ClientRecorder("B", log));
        var client = new TestService.TestServiceClient(invoker);

        await client.UnaryAsync(new EchoRequest());
        await Task.Run(() => client.Unary(new EchoRequest()));
        using (var call = client.ServerStream(new EchoRequest()))
        {
            Assert.False(await call.ResponseStream.MoveNext());
        }
        using (var call = client.ClientStream())
        {
            await call.RequestStream.CompleteAsync();
            await call;
        }
        using (var call = client.Duplex())
        {
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext());
        }

        Assert.Equal(["A:unary", "B:unary", "A:blocking", "B:blocking", "A:server", "B:server", "A:client", "B:client", "A:duplex", "B:duplex"], log);
    }

    [Fact]
    public async Task Chained_Intercept_calls_make_the_last_one_outermost()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        var log = new ConcurrentQueue<string>();
        var client = new TestService.TestServiceClient(channel.Intercept(new ClientRecorder("inner", log)).Intercept(new ClientRecorder("outer", log)));

        await client.UnaryAsync(new EchoRequest());

        Assert.Equal(["outer:unary", "inner:unary"], log);
    }

    [Fact]
    public async Task Metadata_lambda_interceptor_adds_headers_to_every_call()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("x-from-lambda", "added");
            return metadata;
        });
        var client = new TestService.TestServiceClient(invoker);

        var unary = await client.UnaryAsync(new EchoRequest(), new Metadata { { "x-own", "kept" } });
        using var stream = client.ServerStream(new EchoRequest { StreamCount = 1 });
        Assert.True(await stream.ResponseStream.MoveNext());

        Assert.Equal("added", unary.Headers["x-from-lambda"]);
        Assert.Equal("kept", unary.Headers["x-own"]);
        Assert.Equal("added", stream.ResponseStream.Current.Headers["x-from-lambda"]);
    }

    [Fact]
    public async Task Client_interceptor_can_change_call_options_and_observe_the_response()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        var interceptor = new DeadlineAndResponseInterceptor();
        var client = new TestService.TestServiceClient(channel.Intercept(interceptor));

        var response = await client.UnaryAsync(new EchoRequest { Message = "seen" });

        Assert.NotEqual(0, response.DeadlineUnixMs);
        Assert.Equal("seen", await interceptor.Seen.Task.WithTimeout());
    }

    public sealed class InterceptorCounters
    {
        public ConcurrentDictionary<string, int> Created { get; } = new();

        public ConcurrentDictionary<string, int> Disposed { get; } = new();
    }

    /// <summary>Records its name (and the call kind) in UserState["trace"]; denies calls whose x-deny header names it.</summary>
    public class TraceInterceptor : Interceptor
    {
        private readonly string _name;

        protected TraceInterceptor(string name, InterceptorCounters counters)
        {
            _name = name;
            counters.Created.AddOrUpdate(name, 1, (_, n) => n + 1);
        }

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context, "unary");
            return continuation(request, context);
        }

        public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context, "client");
            return continuation(requestStream, context);
        }

        public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context, "server");
            return continuation(request, responseStream, context);
        }

        public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Enter(context, "duplex");
            return continuation(requestStream, responseStream, context);
        }

        private void Enter(ServerCallContext context, string kind)
        {
            // Reads what the interceptors outside it left, proving they ran first and share the state.
            var trace = context.UserState.TryGetValue("trace", out var value) ? (string)value : "";
            context.UserState["trace"] = trace + $"{_name}:{kind}>";
            if (context.RequestHeaders.GetValue("x-deny") == _name)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied, $"denied by {_name}"), new Metadata { { "denied-by", _name } });
            }
        }
    }

    public sealed class FromContainerInterceptor(InterceptorCounters counters) : TraceInterceptor("container", counters);

    public sealed class PerCallInterceptor(string name, InterceptorCounters counters) : TraceInterceptor(name, counters), IDisposable
    {
        private readonly InterceptorCounters _counters = counters;
        private readonly string _name = name;

        public void Dispose() => _counters.Disposed.AddOrUpdate(_name, 1, (_, n) => n + 1);
    }

    public sealed class ExceptionMappingInterceptor : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            try
            {
                return await continuation(request, context);
            }
            catch (InvalidOperationException ex)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "mapped: " + ex.Message));
            }
        }
    }

    private sealed class ClientRecorder(string name, ConcurrentQueue<string> log) : Interceptor
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            log.Enqueue($"{name}:blocking");
            return continuation(request, context);
        }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            log.Enqueue($"{name}:unary");
            return continuation(request, context);
        }

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            log.Enqueue($"{name}:server");
            return continuation(request, context);
        }

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            log.Enqueue($"{name}:client");
            return continuation(context);
        }

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            log.Enqueue($"{name}:duplex");
            return continuation(context);
        }
    }

    private sealed class DeadlineAndResponseInterceptor : Interceptor
    {
        public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var options = context.Options.WithDeadline(DateTime.UtcNow.AddMinutes(1));
            var call = continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options));
            return new AsyncUnaryCall<TResponse>(ObserveAsync(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
        }

        private async Task<TResponse> ObserveAsync<TResponse>(Task<TResponse> response)
        {
            var result = await response;
            Seen.TrySetResult((result as EchoResponse)?.Message ?? "");
            return result;
        }
    }
}
