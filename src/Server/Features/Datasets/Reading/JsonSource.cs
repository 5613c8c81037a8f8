using System.Globalization;
using System.Text;
using System.Text.Json;
using AstralytiQ.Server.Features.Datasets.Typing;

namespace AstralytiQ.Server.Features.Datasets.Reading;

/// <summary>
/// JSON (an array of objects, streamed element by element) and NDJSON (one object per line).
/// Nested objects become dotted columns ("address.city"); arrays are kept as JSON text. Columns are
/// the union of keys in order of first appearance. A line or element that is not an object, or
/// (NDJSON) not valid JSON, is a bad record; a JSON array that breaks off is an unreadable file.
/// </summary>
public sealed class JsonSource : RecordSource
{
    private const int MaxElementBytes = 64 * 1024 * 1024;

    private readonly Stream _file;
    private readonly Stream _utf8;
    private readonly bool _lines;
    private readonly int _maxColumns;
    private readonly List<string> _labels = [];
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private FieldKind[] _kinds = new FieldKind[16];
    private string?[] _texts = new string?[16];
    private string? _error;
    private long _line;

    // Array streaming state.
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;
    private JsonReaderState _state;
    private bool _inArray;
    private bool _arrayDone;

    // NDJSON.
    private readonly StreamReader? _lineReader;

    public JsonSource(string path, SniffResult sniff, int maxColumns, IReadOnlyList<string>? knownLabels = null)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        _file.Position = sniff.BomLength;
        _lines = sniff.Format == FileFormat.NdJson;
        _maxColumns = maxColumns;
        var encoding = FileSniffer.GetEncoding(sniff.Encoding);
        _utf8 = sniff.Encoding == "utf-8" ? _file : Encoding.CreateTranscodingStream(_file, encoding, new UTF8Encoding(false), leaveOpen: true);
        if (_lines)
        {
            _lineReader = new StreamReader(_utf8, new UTF8Encoding(false, false), false, 1 << 16);
        }
        _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        foreach (var label in knownLabels ?? [])
        {
            ColumnOf(label);
        }
    }

    public override IReadOnlyList<string> Labels => _labels;

    public override long Line => _line;

    public override string? Error => _error;

    public override double Progress => _file.Length == 0 ? 1 : (double)_file.Position / _file.Length;

    public override ReadOnlySpan<char> GetText(int column) => column < _labels.Count ? _texts[column] : default;

    public override FieldKind GetKind(int column) => column < _labels.Count ? _kinds[column] : FieldKind.Null;

    public override bool Read()
    {
        Array.Clear(_kinds);
        Array.Clear(_texts);
        _error = null;
        return _lines ? ReadLine() : ReadElement();
    }

    private bool ReadLine()
    {
        while (true)
        {
            var line = _lineReader!.ReadLine();
            if (line is null)
            {
                return false;
            }
            _line++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            if (line.Contains(FileSniffer.InvalidMarker, StringComparison.Ordinal))
            {
                _error = "the line has bytes that are not valid UTF-8";
                return true;
            }
            try
            {
                using var document = JsonDocument.Parse(line, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 64 });
                Take(document.RootElement);
            }
            catch (JsonException ex)
            {
                _error = $"not valid JSON ({FirstSentence(ex.Message)})";
            }
            return true;
        }
    }

    private bool ReadElement()
    {
        if (_arrayDone)
        {
            return false;
        }
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
            try
            {
                if (!_inArray)
                {
                    if (!reader.Read())
                    {
                        if (_eof)
                        {
                            throw new UnreadableFileException("The JSON file is empty.");
                        }
                        Refill();
                        continue;
                    }
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new UnreadableFileException("A JSON file must be an array of objects ([{...}, {...}]); this one starts with something else. Upload one object per line as NDJSON instead.");
                    }
                    _inArray = true;
                    Advance(ref reader);
                    continue;
                }
                if (!reader.Read())
                {
                    if (_eof)
                    {
                        throw new UnreadableFileException($"The JSON array is cut off after element {_line:N0} (the file ends before its closing ']').");
                    }
                    Refill();
                    continue;
                }
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _arrayDone = true;
                    return false;
                }
                var elementStart = (int)reader.TokenStartIndex;
                var kind = reader.TokenType;
                if (!reader.TrySkip())
                {
                    if (_eof)
                    {
                        throw new UnreadableFileException($"The JSON array is cut off in element {_line + 1:N0}.");
                    }
                    Refill();
                    continue;
                }
                var elementEnd = (int)reader.BytesConsumed;
                _line++;
                if (kind != JsonTokenType.StartObject)
                {
                    _error = $"element {_line:N0} is {Describe(kind)}, not an object";
                }
                else
                {
                    using var document = JsonDocument.Parse(_buffer.AsMemory(_start + elementStart, elementEnd - elementStart), new JsonDocumentOptions { MaxDepth = 64 });
                    Take(document.RootElement);
                }
                Advance(ref reader);
                return true;
            }
            catch (JsonException ex)
            {
                throw new UnreadableFileException($"The file is not valid JSON after element {_line:N0}: {FirstSentence(ex.Message)}");
            }
        }
    }

    private void Advance(ref Utf8JsonReader reader)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    private void Refill()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxElementBytes)
            {
                throw new UnreadableFileException($"A JSON element is larger than {MaxElementBytes / (1024 * 1024)} MB.");
            }
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = _utf8.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        _end += read;
    }

    private void Take(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            _error = $"the value is {element.ValueKind.ToString().ToLowerInvariant()}, not an object";
            return;
        }
        Flatten(element, null);
    }

    private void Flatten(JsonElement element, string? prefix)
    {
        foreach (var property in element.EnumerateObject())
        {
            var name = prefix is null ? property.Name : prefix + "." + property.Name;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Object)
            {
                Flatten(value, name);
                continue;
            }
            var column = ColumnOf(name);
            if (column < 0)
            {
                _error = $"it has more than {_maxColumns:N0} distinct keys";
                return;
            }
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    _kinds[column] = FieldKind.String;
                    _texts[column] = value.GetString();
                    break;
                case JsonValueKind.Number:
                    _kinds[column] = FieldKind.Number;
                    _texts[column] = value.GetRawText();
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    _kinds[column] = FieldKind.Boolean;
                    _texts[column] = value.ValueKind == JsonValueKind.True ? "true" : "false";
                    break;
                case JsonValueKind.Array:
                    _kinds[column] = FieldKind.String;
                    _texts[column] = value.GetRawText();
                    break;
                default:
                    _kinds[column] = FieldKind.Null;
                    _texts[column] = null;
                    break;
            }
        }
    }

    private int ColumnOf(string label)
    {
        if (_columns.TryGetValue(label, out var index))
        {
            return index;
        }
        if (_labels.Count >= _maxColumns)
        {
            return -1;
        }
        index = _labels.Count;
        _labels.Add(label);
        _columns[label] = index;
        if (index >= _kinds.Length)
        {
            Array.Resize(ref _kinds, _kinds.Length * 2);
            Array.Resize(ref _texts, _texts.Length * 2);
        }
        return index;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.').ToString(CultureInfo.InvariantCulture);
    }

    protected override void Dispose(bool disposing)
    {
        _lineReader?.Dispose();
        _utf8.Dispose();
        _file.Dispose();
    }
}
