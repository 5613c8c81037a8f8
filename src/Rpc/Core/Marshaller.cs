using System.Buffers;

namespace Grpc.Core;

/// <summary>Turns messages of type <typeparamref name="T"/> into bytes and back.</summary>
public class Marshaller<T>
{
    private readonly Func<T, byte[]>? _simpleSerializer;
    private readonly Func<byte[], T>? _simpleDeserializer;

    /// <summary>Creates a marshaller from byte-array functions.</summary>
    public Marshaller(Func<T, byte[]> serializer, Func<byte[], T> deserializer)
    {
        _simpleSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _simpleDeserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
        ContextualSerializer = (message, context) => context.Complete(_simpleSerializer(message));
        ContextualDeserializer = context => _simpleDeserializer(context.PayloadAsNewBuffer());
    }

    /// <summary>Creates a marshaller from context-based functions, which avoid intermediate buffers.</summary>
    public Marshaller(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer)
    {
        ContextualSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        ContextualDeserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    /// <summary>The byte-array serializer (built from the contextual one when not given).</summary>
    public Func<T, byte[]> Serializer => _simpleSerializer ?? SerializeToArray;

    /// <summary>The byte-array deserializer (built from the contextual one when not given).</summary>
    public Func<byte[], T> Deserializer => _simpleDeserializer ?? DeserializeFromArray;

    /// <summary>The context-based serializer.</summary>
    public Action<T, SerializationContext> ContextualSerializer { get; }

    /// <summary>The context-based deserializer.</summary>
    public Func<DeserializationContext, T> ContextualDeserializer { get; }

    private byte[] SerializeToArray(T message)
    {
        var context = new ArraySerializationContext();
        ContextualSerializer(message, context);
        return context.GetPayload();
    }

    private T DeserializeFromArray(byte[] payload) =>
        ContextualDeserializer(new ArrayDeserializationContext(payload));

    private sealed class ArraySerializationContext : SerializationContext
    {
        private ArrayBufferWriter<byte>? _writer;
        private byte[]? _payload;

        public override void Complete(byte[] payload) => _payload = payload;

        public override IBufferWriter<byte> GetBufferWriter() => _writer ??= new ArrayBufferWriter<byte>();

        public override void SetPayloadLength(int payloadLength)
        {
        }

        public override void Complete()
        {
        }

        public byte[] GetPayload() => _payload ?? _writer?.WrittenSpan.ToArray() ?? [];
    }

    private sealed class ArrayDeserializationContext(byte[] payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;

        public override byte[] PayloadAsNewBuffer() => (byte[])payload.Clone();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }
}

/// <summary>Factory methods for <see cref="Marshaller{T}"/>.</summary>
public static class Marshallers
{
    /// <summary>Creates a marshaller from byte-array functions.</summary>
    public static Marshaller<T> Create<T>(Func<T, byte[]> serializer, Func<byte[], T> deserializer) => new(serializer, deserializer);

    /// <summary>Creates a marshaller from context-based functions.</summary>
    public static Marshaller<T> Create<T>(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer) => new(serializer, deserializer);

    /// <summary>A marshaller for UTF-8 strings.</summary>
    public static Marshaller<string> StringMarshaller { get; } = new(System.Text.Encoding.UTF8.GetBytes, System.Text.Encoding.UTF8.GetString);
}

/// <summary>Where a serializer writes one message.</summary>
public abstract class SerializationContext
{
    /// <summary>Completes serialization with a whole payload.</summary>
    public virtual void Complete(byte[] payload) => throw new NotSupportedException();

    /// <summary>Gets a buffer writer to write the payload into; call <see cref="Complete()"/> afterwards.</summary>
    public virtual IBufferWriter<byte> GetBufferWriter() => throw new NotSupportedException();

    /// <summary>Announces the payload length before writing it through <see cref="GetBufferWriter"/>.</summary>
    public virtual void SetPayloadLength(int payloadLength)
    {
    }

    /// <summary>Completes serialization written through <see cref="GetBufferWriter"/>.</summary>
    public virtual void Complete() => throw new NotSupportedException();
}

/// <summary>Where a deserializer reads one message from.</summary>
public abstract class DeserializationContext
{
    /// <summary>The payload length in bytes.</summary>
    public abstract int PayloadLength { get; }

    /// <summary>The payload copied into a new array.</summary>
    public virtual byte[] PayloadAsNewBuffer() => PayloadAsReadOnlySequence().ToArray();

    /// <summary>The payload without copying; valid only during the deserializer call.</summary>
    public virtual ReadOnlySequence<byte> PayloadAsReadOnlySequence() => throw new NotSupportedException();
}
