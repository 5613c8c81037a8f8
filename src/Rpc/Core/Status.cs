using System.Diagnostics;

namespace Grpc.Core;

/// <summary>The result of a call: a status code, a message for people, and optionally the exception behind it.</summary>
[DebuggerDisplay("{DebuggerToString(),nq}")]
public readonly struct Status : IEquatable<Status>
{
    /// <summary>The status of a successful call.</summary>
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");

    /// <summary>The status of a cancelled call.</summary>
    public static readonly Status DefaultCancelled = new(StatusCode.Cancelled, "");

    /// <summary>Creates a status.</summary>
    public Status(StatusCode statusCode, string detail)
        : this(statusCode, detail, null)
    {
    }

    /// <summary>Creates a status that remembers the exception that caused it (never sent over the wire).</summary>
    public Status(StatusCode statusCode, string detail, Exception? debugException)
    {
        StatusCode = statusCode;
        Detail = detail ?? "";
        DebugException = debugException;
    }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status message, sent as <c>grpc-message</c>.</summary>
    public string Detail { get; }

    /// <summary>The local exception that caused this status, for diagnostics only.</summary>
    public Exception? DebugException { get; }

    /// <inheritdoc />
    public bool Equals(Status other) => StatusCode == other.StatusCode && string.Equals(Detail, other.Detail, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Status other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StatusCode, Detail);

    /// <summary>Compares two statuses by code and detail.</summary>
    public static bool operator ==(Status left, Status right) => left.Equals(right);

    /// <summary>Compares two statuses by code and detail.</summary>
    public static bool operator !=(Status left, Status right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\"";
        return DebugException is null ? text + ")" : text + $", DebugException=\"{DebugException.GetType()}: {DebugException.Message}\")";
    }

    private string DebuggerToString() => $"{StatusCode}: {Detail}";
}
