using System.Collections;
using System.Diagnostics;
using System.Text;

namespace Grpc.Core;

/// <summary>
/// Call headers or trailers: an ordered list of key/value entries. Keys are case-insensitive ASCII and
/// stored lower-case; keys ending in <c>-bin</c> carry binary values (base64 on the wire), the others
/// printable ASCII text.
/// </summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    /// <summary>The suffix that marks a binary-valued key.</summary>
    public const string BinaryHeaderSuffix = "-bin";

    /// <summary>An empty, read-only instance.</summary>
    public static readonly Metadata Empty = new Metadata().Freeze();

    private readonly List<Entry> _entries = [];
    private bool _readOnly;

    /// <summary>Makes this instance read-only and returns it.</summary>
    public Metadata Freeze()
    {
        _readOnly = true;
        return this;
    }

    /// <summary>The last entry with the given key, or null.</summary>
    public Entry? Get(string key)
    {
        var normalized = Entry.NormalizeKey(key);
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, normalized, StringComparison.Ordinal))
            {
                return _entries[i];
            }
        }
        return null;
    }

    /// <summary>The text value of the last entry with the given key, or null.</summary>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <summary>The binary value of the last entry with the given key, or null.</summary>
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    /// <summary>All entries with the given key, in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        var normalized = Entry.NormalizeKey(key);
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, normalized, StringComparison.Ordinal))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Adds a text entry.</summary>
    public void Add(string key, string value) => Add(new Entry(key, value));

    /// <summary>Adds a binary entry; the key must end in <c>-bin</c>.</summary>
    public void Add(string key, byte[] valueBytes) => Add(new Entry(key, valueBytes));

    /// <inheritdoc />
    public void Add(Entry item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckWriteable();
        _entries.Add(item);
    }

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <inheritdoc />
    public bool IsReadOnly => _readOnly;

    /// <inheritdoc />
    public Entry this[int index]
    {
        get => _entries[index];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            CheckWriteable();
            _entries[index] = value;
        }
    }

    /// <inheritdoc />
    public int IndexOf(Entry item) => _entries.IndexOf(item);

    /// <inheritdoc />
    public void Insert(int index, Entry item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckWriteable();
        _entries.Insert(index, item);
    }

    /// <inheritdoc />
    public void RemoveAt(int index)
    {
        CheckWriteable();
        _entries.RemoveAt(index);
    }

    /// <inheritdoc />
    public void Clear()
    {
        CheckWriteable();
        _entries.Clear();
    }

    /// <inheritdoc />
    public bool Contains(Entry item) => _entries.Contains(item);

    /// <inheritdoc />
    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    /// <inheritdoc />
    public bool Remove(Entry item)
    {
        CheckWriteable();
        return _entries.Remove(item);
    }

    /// <inheritdoc />
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    private void CheckWriteable()
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("Metadata is read-only.");
        }
    }

    /// <summary>One metadata entry.</summary>
    [DebuggerDisplay("{ToString(),nq}")]
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _valueBytes;

        /// <summary>Creates a text entry; the value must be printable ASCII.</summary>
        public Entry(string key, string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' ends in '{BinaryHeaderSuffix}' and needs a binary value.", nameof(key));
            }
            foreach (var c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException($"Value of metadata key '{Key}' must be printable ASCII; send other bytes under a '{BinaryHeaderSuffix}' key.", nameof(value));
                }
            }
            _value = value;
        }

        /// <summary>Creates a binary entry; the key must end in <c>-bin</c>.</summary>
        public Entry(string key, byte[] valueBytes)
        {
            ArgumentNullException.ThrowIfNull(valueBytes);
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' carries a binary value and must end in '{BinaryHeaderSuffix}'.", nameof(key));
            }
            _valueBytes = valueBytes;
        }

        /// <summary>The lower-case key.</summary>
        public string Key { get; }

        /// <summary>True when the key ends in <c>-bin</c>.</summary>
        public bool IsBinary => _valueBytes is not null;

        /// <summary>The text value; throws for a binary entry.</summary>
        public string Value => _value ?? throw new InvalidOperationException($"Metadata key '{Key}' is binary; read ValueBytes.");

        /// <summary>The value bytes (a copy for binary entries; ASCII bytes for text entries).</summary>
        public byte[] ValueBytes => _valueBytes is not null ? (byte[])_valueBytes.Clone() : Encoding.ASCII.GetBytes(_value!);

        internal byte[] RawValueBytes => _valueBytes ?? Encoding.ASCII.GetBytes(_value!);

        /// <inheritdoc />
        public override string ToString() => IsBinary
            ? $"[Entry: key={Key}, valueBytes={_valueBytes!.Length} bytes]"
            : $"[Entry: key={Key}, value={_value}]";

        internal static bool IsBinaryKey(string key) => key.EndsWith(BinaryHeaderSuffix, StringComparison.Ordinal);

        internal static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var lower = key.ToLowerInvariant();
            foreach (var c in lower)
            {
                var valid = c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.';
                if (!valid)
                {
                    throw new ArgumentException($"Metadata key '{key}' may contain only a-z, 0-9, '-', '_' and '.'.", nameof(key));
                }
            }
            return lower;
        }
    }
}
