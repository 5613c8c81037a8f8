namespace Grpc.Core;

/// <summary>
/// Thrown by a handler to end a call with a given status (and optional trailers), and raised on the
/// client when a call ends with a status other than OK.
/// </summary>
public class RpcException : Exception
{
    /// <summary>Creates an exception for the given status with empty trailers.</summary>
    public RpcException(Status status)
        : this(status, Metadata.Empty, status.ToString())
    {
    }

    /// <summary>Creates an exception for the given status with a custom exception message.</summary>
    public RpcException(Status status, string message)
        : this(status, Metadata.Empty, message)
    {
    }

    /// <summary>Creates an exception for the given status whose trailers are sent with the response.</summary>
    public RpcException(Status status, Metadata trailers)
        : this(status, trailers, status.ToString())
    {
    }

    /// <summary>Creates an exception for the given status, trailers and exception message.</summary>
    public RpcException(Status status, Metadata trailers, string message)
        : base(message, status.DebugException)
    {
        Status = status;
        Trailers = trailers ?? throw new ArgumentNullException(nameof(trailers));
    }

    /// <summary>The status of the call.</summary>
    public Status Status { get; }

    /// <summary>The status code of the call.</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers sent (server side) or received (client side) with the status.</summary>
    public Metadata Trailers { get; }
}
