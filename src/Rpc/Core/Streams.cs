namespace Grpc.Core;

/// <summary>Reads a stream of messages, one at a time.</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    T Current { get; }

    /// <summary>Advances to the next message; false at the end of the stream.</summary>
    Task<bool> MoveNext(CancellationToken cancellationToken);
}

/// <summary>Writes a stream of messages, one at a time; wait for each write before the next.</summary>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Options for the following writes.</summary>
    WriteOptions? WriteOptions { get; set; }

    /// <summary>Writes one message.</summary>
    Task WriteAsync(T message);

    /// <summary>Writes one message, observing a cancellation token.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken) => cancellationToken.CanBeCanceled
        ? throw new NotSupportedException("This writer does not accept a cancellation token.")
        : WriteAsync(message);
}

/// <summary>The server's writer of response messages.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>;

/// <summary>The client's writer of request messages.</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Signals that no more requests will be written (half-close).</summary>
    Task CompleteAsync();
}

/// <summary>Flags that affect how a message is written.</summary>
[Flags]
public enum WriteFlags
{
    /// <summary>Hint that the write may be buffered rather than sent at once.</summary>
    BufferHint = 0x1,
    /// <summary>Do not compress this message even when the call is compressed.</summary>
    NoCompress = 0x2,
}

/// <summary>Options for writing messages.</summary>
public class WriteOptions
{
    /// <summary>The default: no flags.</summary>
    public static readonly WriteOptions Default = new();

    /// <summary>Creates write options.</summary>
    public WriteOptions(WriteFlags flags = default) => Flags = flags;

    /// <summary>The write flags.</summary>
    public WriteFlags Flags { get; }
}

/// <summary>Helpers for stream readers.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Moves to the next message without a cancellation token.</summary>
    public static Task<bool> MoveNext<T>(this IAsyncStreamReader<T> streamReader)
    {
        ArgumentNullException.ThrowIfNull(streamReader);
        return streamReader.MoveNext(CancellationToken.None);
    }

    /// <summary>Reads all messages as an async sequence.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> streamReader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streamReader);
        while (await streamReader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return streamReader.Current;
        }
    }
}

internal static class WriteOptionsExtensions
{
    /// <summary>True when the options (which may be absent) carry <paramref name="flag"/>.</summary>
    public static bool Has(this WriteOptions? options, WriteFlags flag) => options is not null && (options.Flags & flag) != 0;
}
