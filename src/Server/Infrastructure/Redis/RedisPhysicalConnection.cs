using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// One TCP connection to Redis, pipelined. Callers drop commands into an outbox without taking
/// any lock; a single write loop drains the outbox in order, moves each command to the
/// awaiting-reply queue just before writing it and flushes once per batch; a single read loop
/// parses replies and completes the oldest awaiting command with each. Only the write loop adds
/// to that queue and only the read loop takes from it, so replies meet their commands in order.
/// Once closed (socket error, EOF, protocol error, timeout, disposal) it never reopens: every
/// command still pending fails, and <see cref="RedisConnection"/> builds a fresh one.
/// </summary>
internal sealed class RedisPhysicalConnection
{
    private const int FlushThreshold = 256 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<PendingCommand> _outbox =
        Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly ConcurrentQueue<PendingCommand> _awaitingReply = new();
    private readonly RespParser _parser = new();
    private readonly TimeSpan _commandTimeout;
    private readonly Timer _timeoutTimer;
    private CloseInfo? _closed;

    private RedisPhysicalConnection(Socket socket, string endpoint, TimeSpan commandTimeout)
    {
        _socket = socket;
        Endpoint = endpoint;
        _commandTimeout = commandTimeout;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 8 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        var period = TimeSpan.FromTicks(Math.Clamp(commandTimeout.Ticks / 8, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 500));
        _timeoutTimer = new Timer(static state => ((RedisPhysicalConnection)state!).CheckTimeouts(), this, period, period);
        Completion = RunAsync();
    }

    public string Endpoint { get; }

    public bool IsOpen => Volatile.Read(ref _closed) is null;

    /// <summary>Completes once the connection is closed and every pending command has failed; yields why it closed.</summary>
    public Task<RedisConnectionException> Completion { get; }

    /// <summary>Connects and runs the handshake: AUTH and SELECT when configured, then PING.</summary>
    public static async Task<RedisPhysicalConnection> ConnectAsync(
        RedisEndpoint endpoint, RedisOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RedisPhysicalConnection? connection = null;
        var steps = new List<(string Command, Task<RedisResult> Reply)>(3);
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(endpoint.Host, endpoint.Port), timeout.Token).ConfigureAwait(false);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            connection = new RedisPhysicalConnection(socket, endpoint.ToString(), options.CommandTimeout);

            // Pipelined: one round trip for the whole handshake.
            if (!string.IsNullOrEmpty(options.Password))
            {
                steps.Add(("AUTH", connection.SendAsync(new PendingCommand("AUTH", [options.Password], options.ConnectTimeout))));
            }

            if (options.Database != 0)
            {
                steps.Add(("SELECT", connection.SendAsync(new PendingCommand("SELECT", [options.Database], options.ConnectTimeout))));
            }

            steps.Add(("PING", connection.SendAsync(new PendingCommand("PING", [], options.ConnectTimeout))));
            foreach (var (command, reply) in steps)
            {
                try
                {
                    await reply.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (RedisServerException ex)
                {
                    throw new RedisConnectionException(
                        $"Redis at {endpoint} refused {command} during the connection handshake: {ex.Message}", ex);
                }
            }

            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                // Later steps fail too once the first one has; nobody awaits them any more.
                foreach (var (_, reply) in steps)
                {
                    _ = reply.ContinueWith(
                        static t => _ = t.Exception,
                        CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                connection.Close("the connection handshake failed", ex);
                await connection.Completion.ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            switch (ex)
            {
                case OperationCanceledException when cancellationToken.IsCancellationRequested:
                    throw;
                case OperationCanceledException:
                    throw new RedisConnectionException(
                        $"Could not connect to Redis at {endpoint} within {options.ConnectTimeout.TotalMilliseconds:0} ms.", ex);
                case RedisConnectionException:
                    throw;
                default:
                    throw new RedisConnectionException($"Could not connect to Redis at {endpoint}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Queues a command. Never blocks; fails at once if the connection is closed.</summary>
    public Task<RedisResult> SendAsync(PendingCommand command)
    {
        if (!_outbox.Writer.TryWrite(command))
        {
            command.TrySetException(CreateClosedException());
        }

        return command.Task;
    }

    /// <summary>Closes the socket; pending commands fail once both loops have stopped. Idempotent.</summary>
    public void Close(string reason, Exception? cause = null)
    {
        if (Interlocked.CompareExchange(ref _closed, new CloseInfo(reason, cause), null) is not null)
        {
            return;
        }

        _outbox.Writer.TryComplete();
        _input.CancelPendingRead();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone; disposing below is all that is left to do.
        }

        _socket.Dispose();
    }

    private async Task<RedisConnectionException> RunAsync()
    {
        var reading = ReadLoopAsync();
        var writing = WriteLoopAsync();
        await Task.WhenAny(reading, writing).ConfigureAwait(false);
        Close("the connection's I/O loop stopped");
        await Task.WhenAll(reading, writing).ConfigureAwait(false);
        await _timeoutTimer.DisposeAsync().ConfigureAwait(false);

        var closed = Volatile.Read(ref _closed)!;
        _input.Complete(closed.Cause);
        _output.Complete(closed.Cause ?? new IOException(closed.Reason));
        await _stream.DisposeAsync().ConfigureAwait(false);

        var now = Stopwatch.GetTimestamp();
        while (_awaitingReply.TryDequeue(out var command))
        {
            Fail(command, now);
        }

        while (_outbox.Reader.TryRead(out var command))
        {
            Fail(command, now);
        }

        return CreateClosedException();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (IsOpen)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                while (IsOpen && _parser.TryRead(ref reader, out var reply))
                {
                    if (!_awaitingReply.TryDequeue(out var command))
                    {
                        throw new InvalidDataException("Redis sent a reply that no command was waiting for.");
                    }

                    command.Complete(reply!);
                }

                _input.AdvanceTo(reader.Position, buffer.End);
                if (result.IsCompleted)
                {
                    Close("Redis closed the connection");
                    return;
                }

                if (result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            Close("Redis sent a reply that is not valid RESP2", ex);
        }
        catch (Exception ex)
        {
            Close("reading from the socket failed", ex);
        }
    }

    private async Task WriteLoopAsync()
    {
        var outbox = _outbox.Reader;
        try
        {
            while (IsOpen && await outbox.WaitToReadAsync().ConfigureAwait(false))
            {
                while (IsOpen && outbox.TryRead(out var command))
                {
                    if (command.Task.IsCompleted)
                    {
                        continue; // timed out before it could be written: nothing will answer it
                    }

                    _awaitingReply.Enqueue(command);
                    RespWriter.WriteCommand(_output, command.Command, command.Args);
                    command.ReleaseArgs();
                    if (_output.UnflushedBytes >= FlushThreshold)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }

                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Close("writing to the socket failed", ex);
        }
    }

    private async ValueTask FlushAsync()
    {
        var result = await _output.FlushAsync().ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException("The socket stopped accepting writes.");
        }
    }

    private void CheckTimeouts()
    {
        if (!IsOpen)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        PendingCommand? expired = null;
        if (_awaitingReply.TryPeek(out var oldestSent) && IsExpired(oldestSent, now))
        {
            expired = oldestSent;
        }
        else if (_outbox.Reader.TryPeek(out var oldestQueued) && IsExpired(oldestQueued, now))
        {
            expired = oldestQueued;
        }

        if (expired is not null)
        {
            expired.TrySetException(CreateTimeoutException(expired));

            // Its reply may still come; rather than trust a connection that stalled, start afresh.
            Close($"{expired.Command} got no reply within {TimeoutOf(expired).TotalMilliseconds:0} ms");
        }
    }

    private void Fail(PendingCommand command, long now) =>
        command.TrySetException(IsExpired(command, now) ? CreateTimeoutException(command) : CreateClosedException());

    private TimeSpan TimeoutOf(PendingCommand command) => command.Timeout ?? _commandTimeout;

    private bool IsExpired(PendingCommand command, long now) => command.Age(now) >= TimeoutOf(command);

    private RedisTimeoutException CreateTimeoutException(PendingCommand command) =>
        new($"Redis at {Endpoint} did not answer {command.Command} within {TimeoutOf(command).TotalMilliseconds:0} ms "
            + $"({_awaitingReply.Count} commands awaiting replies); the connection is being re-established.");

    private RedisConnectionException CreateClosedException()
    {
        var closed = Volatile.Read(ref _closed);
        return new RedisConnectionException(
            $"The connection to Redis at {Endpoint} was closed: {closed?.Reason ?? "unknown reason"}"
                + (closed?.Cause is { } cause ? $" ({cause.Message})" : "."),
            closed?.Cause);
    }

    private sealed record CloseInfo(string Reason, Exception? Cause);
}
