namespace Grpc.Core;

/// <summary>Handles a unary call.</summary>
public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context)
    where TRequest : class
    where TResponse : class;

/// <summary>Handles a client-streaming call.</summary>
public delegate Task<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context)
    where TRequest : class
    where TResponse : class;

/// <summary>Handles a server-streaming call.</summary>
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TRequest : class
    where TResponse : class;

/// <summary>Handles a duplex-streaming call.</summary>
public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TRequest : class
    where TResponse : class;

/// <summary>Receives the methods of a service from generated <c>BindService</c> code.</summary>
public abstract class ServiceBinderBase
{
    /// <summary>Adds a unary method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class => throw new NotSupportedException();

    /// <summary>Adds a client-streaming method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class => throw new NotSupportedException();

    /// <summary>Adds a server-streaming method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class => throw new NotSupportedException();

    /// <summary>Adds a duplex-streaming method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class => throw new NotSupportedException();
}

/// <summary>
/// Marks a generated service base class with the static method that binds its methods,
/// <c>BindService(ServiceBinderBase, TBase)</c>; hosting finds the methods through it.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class BindServiceMethodAttribute(Type bindType, string bindMethodName) : Attribute
{
    /// <summary>The type that declares the bind method.</summary>
    public Type BindType { get; } = bindType;

    /// <summary>The bind method's name.</summary>
    public string BindMethodName { get; } = bindMethodName;
}

/// <summary>A service's methods and handlers, as built by generated <c>BindService(impl)</c> code.</summary>
public sealed class ServerServiceDefinition
{
    private readonly IReadOnlyList<Action<ServiceBinderBase>> _bindings;

    private ServerServiceDefinition(IReadOnlyList<Action<ServiceBinderBase>> bindings) => _bindings = bindings;

    /// <summary>Starts building a definition.</summary>
    public static Builder CreateBuilder() => new();

    /// <summary>Replays every method onto a binder.</summary>
    public void BindService(ServiceBinderBase serviceBinder)
    {
        ArgumentNullException.ThrowIfNull(serviceBinder);
        foreach (var binding in _bindings)
        {
            binding(serviceBinder);
        }
    }

    /// <summary>Builds a <see cref="ServerServiceDefinition"/>.</summary>
    public sealed class Builder
    {
        private readonly List<Action<ServiceBinderBase>> _bindings = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        /// <summary>Adds a unary method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a client-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a server-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a duplex-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Completes the definition.</summary>
        public ServerServiceDefinition Build() => new(_bindings.ToArray());

        private Builder Add(IMethod method, Action<ServiceBinderBase> binding)
        {
            if (!_names.Add(method.FullName))
            {
                throw new InvalidOperationException($"Method '{method.FullName}' is already registered.");
            }
            _bindings.Add(binding);
            return this;
        }
    }
}
