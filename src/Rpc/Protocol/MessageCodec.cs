using System.Buffers;
using System.IO.Compression;
using Grpc.Net.Compression;

namespace Grpc.Core.Internal;

/// <summary>
/// Serializes one message as a gRPC length-prefixed frame into a buffer writer. When the marshaller
/// announces the payload length (protobuf's buffer serialization does), the frame header is written
/// first and the message goes straight into the output with no intermediate copy.
/// </summary>
internal sealed class FramingSerializationContext : SerializationContext
{
    private IBufferWriter<byte> _output = null!;
    private int? _maxSendSize;
    private ICompressionProvider? _compressor;
    private CompressionLevel? _level;
    private ArrayBufferWriter<byte>? _buffer;
    private bool _direct;
    private bool _completed;

    public int WrittenMessageLength { get; private set; }

    public void Reset(IBufferWriter<byte> output, int? maxSendSize, ICompressionProvider? compressor, CompressionLevel? level)
    {
        _output = output;
        _maxSendSize = maxSendSize;
        _compressor = compressor;
        _level = level;
        _direct = false;
        _completed = false;
        WrittenMessageLength = 0;
        _buffer?.ResetWrittenCount();
    }

    public void Serialize<T>(Action<T, SerializationContext> serializer, T message)
    {
        serializer(message, this);
        if (!_completed)
        {
            throw new InvalidOperationException("The marshaller did not complete serialization of the message.");
        }
    }

    public override void SetPayloadLength(int payloadLength)
    {
        if (_compressor is not null)
        {
            return;
        }
        CheckSendSize(payloadLength);
        var header = _output.GetSpan(GrpcProtocol.HeaderSize);
        GrpcProtocol.WriteHeader(header, compressed: false, payloadLength);
        _output.Advance(GrpcProtocol.HeaderSize);
        WrittenMessageLength = payloadLength;
        _direct = true;
    }

    public override IBufferWriter<byte> GetBufferWriter() => _direct ? _output : _buffer ??= new ArrayBufferWriter<byte>();

    public override void Complete()
    {
        if (!_direct)
        {
            WriteFrame(_buffer is null ? default : _buffer.WrittenSpan);
        }
        _completed = true;
    }

    public override void Complete(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (_direct)
        {
            // A length was announced but the payload arrives whole: the header is already out.
            if (payload.Length != WrittenMessageLength)
            {
                throw new InvalidOperationException("The serialized message length differs from the announced length.");
            }
            _output.Write(payload);
        }
        else
        {
            WriteFrame(payload);
        }
        _completed = true;
    }

    private void WriteFrame(ReadOnlySpan<byte> payload)
    {
        CheckSendSize(payload.Length);
        WrittenMessageLength = payload.Length;
        if (_compressor is not null)
        {
            var compressed = CompressionHelper.Compress(_compressor, payload, _level);
            var header = _output.GetSpan(GrpcProtocol.HeaderSize);
            GrpcProtocol.WriteHeader(header, compressed: true, compressed.Length);
            _output.Advance(GrpcProtocol.HeaderSize);
            _output.Write(compressed);
        }
        else
        {
            var header = _output.GetSpan(GrpcProtocol.HeaderSize);
            GrpcProtocol.WriteHeader(header, compressed: false, payload.Length);
            _output.Advance(GrpcProtocol.HeaderSize);
            _output.Write(payload);
        }
    }

    private void CheckSendSize(int length)
    {
        if (_maxSendSize is { } max && length > max)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({length} vs. {max} bytes)."));
        }
    }
}

/// <summary>Gives a deserializer one message payload, decompressed when needed.</summary>
internal sealed class PayloadDeserializationContext : DeserializationContext
{
    private ReadOnlySequence<byte> _payload;

    public void Reset(in ReadOnlySequence<byte> payload) => _payload = payload;

    public override int PayloadLength => checked((int)_payload.Length);

    public override byte[] PayloadAsNewBuffer() => _payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => _payload;

    public void Clear() => _payload = default;
}

internal static class MessageFrames
{
    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>. Refuses a message longer than
    /// <paramref name="maxReceiveSize"/> as soon as its header is seen, before buffering its body.
    /// </summary>
    public static bool TryReadMessage(ref ReadOnlySequence<byte> buffer, int? maxReceiveSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (!GrpcProtocol.TryReadHeader(buffer, out compressed, out var length))
        {
            return false;
        }
        if (length > int.MaxValue || (maxReceiveSize is { } max && length > max))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size ({length} vs. {maxReceiveSize} bytes)."));
        }
        var total = GrpcProtocol.HeaderSize + (long)length;
        if (buffer.Length < total)
        {
            return false;
        }
        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>Deserializes a payload, decompressing it first when its frame says so.</summary>
    public static T Deserialize<T>(
        PayloadDeserializationContext context,
        Func<DeserializationContext, T> deserializer,
        in ReadOnlySequence<byte> payload,
        bool compressed,
        ICompressionProvider? decompressor,
        int? maxReceiveSize)
    {
        if (compressed)
        {
            if (decompressor is null)
            {
                throw new RpcException(new Status(StatusCode.Internal, "A compressed message arrived without a grpc-encoding that names its compression."));
            }
            var plain = CompressionHelper.Decompress(decompressor, payload, maxReceiveSize);
            context.Reset(new ReadOnlySequence<byte>(plain));
        }
        else
        {
            context.Reset(payload);
        }
        try
        {
            return deserializer(context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the message.", ex));
        }
        finally
        {
            context.Clear();
        }
    }
}
