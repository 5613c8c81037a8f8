namespace Grpc.Core;

/// <summary>The four kinds of gRPC method.</summary>
public enum MethodType
{
    /// <summary>One request, one response.</summary>
    Unary,
    /// <summary>A stream of requests, one response.</summary>
    ClientStreaming,
    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming,
    /// <summary>A stream of requests and a stream of responses.</summary>
    DuplexStreaming,
}

/// <summary>A method description independent of message types.</summary>
public interface IMethod
{
    /// <summary>The kind of method.</summary>
    MethodType Type { get; }

    /// <summary>The full service name, e.g. <c>grpc.health.v1.Health</c>.</summary>
    string ServiceName { get; }

    /// <summary>The method name, e.g. <c>Check</c>.</summary>
    string Name { get; }

    /// <summary>The HTTP/2 path, <c>/service/method</c>.</summary>
    string FullName { get; }
}

/// <summary>A method with its request and response marshallers.</summary>
public class Method<TRequest, TResponse> : IMethod
{
    /// <summary>Creates a method description.</summary>
    public Method(MethodType type, string serviceName, string name, Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        RequestMarshaller = requestMarshaller ?? throw new ArgumentNullException(nameof(requestMarshaller));
        ResponseMarshaller = responseMarshaller ?? throw new ArgumentNullException(nameof(responseMarshaller));
        FullName = "/" + serviceName + "/" + name;
    }

    /// <inheritdoc />
    public MethodType Type { get; }

    /// <inheritdoc />
    public string ServiceName { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string FullName { get; }

    /// <summary>Marshals requests.</summary>
    public Marshaller<TRequest> RequestMarshaller { get; }

    /// <summary>Marshals responses.</summary>
    public Marshaller<TResponse> ResponseMarshaller { get; }
}
