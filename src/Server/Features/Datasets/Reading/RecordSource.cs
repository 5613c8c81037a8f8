using AstralytiQ.Server.Features.Datasets.Typing;

namespace AstralytiQ.Server.Features.Datasets.Reading;

/// <summary>
/// Records of a file in column order, whatever the format: the column labels, and per record its
/// line, whether it is bad (and why), and each field's text and kind. Columns may appear while
/// reading (new JSON keys); earlier records simply had no value for them.
/// </summary>
public abstract class RecordSource : IDisposable
{
    /// <summary>Column labels in order (original names from the file).</summary>
    public abstract IReadOnlyList<string> Labels { get; }

    public abstract bool Read();

    /// <summary>Where the current record starts: a line, an array element, or a sheet row (1-based).</summary>
    public abstract long Line { get; }

    /// <summary>Why the current record cannot be loaded, or null.</summary>
    public abstract string? Error { get; }

    public abstract ReadOnlySpan<char> GetText(int column);

    /// <summary><see cref="FieldKind.Null"/> for missing and null values.</summary>
    public abstract FieldKind GetKind(int column);

    /// <summary>How far through the file reading is, 0..1.</summary>
    public abstract double Progress { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}

/// <summary>CSV and TSV: the header row (or generated labels), ragged and undecodable rows reported as bad.</summary>
public sealed class DelimitedSource : RecordSource
{
    private readonly CsvRecordReader _reader;
    private readonly Stream _stream;
    private readonly NullTokens _nullValues;
    private readonly bool _checkDecoding;
    private readonly string _encoding;
    private readonly string[] _labels;
    private string? _error;
    private bool _pendingFirst;

    public DelimitedSource(string path, SniffResult sniff, NullTokens nullValues, int maxColumns)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        _stream.Position = sniff.BomLength;
        var encoding = FileSniffer.GetEncoding(sniff.Encoding);
        _checkDecoding = sniff.Encoding is not "latin-1";
        _encoding = sniff.Encoding.ToUpperInvariant();
        _reader = new CsvRecordReader(new StreamReader(_stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16), sniff.Delimiter, sniff.Quote);
        _nullValues = nullValues;
        if (!_reader.Read())
        {
            _labels = [];
            return;
        }
        if (_reader.FieldCount > maxColumns)
        {
            throw new UnreadableFileException($"The file has {_reader.FieldCount:N0} columns; at most {maxColumns:N0} are supported (PostgreSQL's limit is 1,600).");
        }
        if (sniff.HasHeader)
        {
            _labels = new string[_reader.FieldCount];
            for (var i = 0; i < _labels.Length; i++)
            {
                _labels[i] = _reader[i].Trim().ToString().Replace(FileSniffer.InvalidMarker, '?');
            }
        }
        else
        {
            _labels = Enumerable.Range(1, _reader.FieldCount).Select(i => $"Column {i}").ToArray();
            _pendingFirst = true;
        }
    }

    public override IReadOnlyList<string> Labels => _labels;

    public override long Line => _reader.Line;

    public override string? Error => _error;

    public override double Progress => _stream.Length == 0 ? 1 : (double)_stream.Position / _stream.Length;

    public override bool Read()
    {
        if (_pendingFirst)
        {
            _pendingFirst = false;
        }
        else if (!_reader.Read())
        {
            return false;
        }
        _error = _reader.Error;
        if (_error is null && _reader.FieldCount != _labels.Length)
        {
            _error = $"expected {_labels.Length:N0} fields, found {_reader.FieldCount:N0}";
        }
        if (_error is null && _checkDecoding)
        {
            for (var i = 0; i < _reader.FieldCount; i++)
            {
                if (_reader[i].Contains(FileSniffer.InvalidMarker))
                {
                    _error = $"field {i + 1} has bytes that are not valid {_encoding}";
                    break;
                }
            }
        }
        return true;
    }

    public override ReadOnlySpan<char> GetText(int column) => column < _reader.FieldCount ? _reader[column] : default;

    public override FieldKind GetKind(int column)
    {
        if (column >= _reader.FieldCount)
        {
            return FieldKind.Null;
        }
        var value = _reader[column];
        if (value.IsEmpty || value.IsWhiteSpace())
        {
            return FieldKind.Null;
        }
        return _nullValues.IsNull(value) ? FieldKind.Null : FieldKind.Raw;
    }

    protected override void Dispose(bool disposing) => _reader.Dispose();
}

/// <summary>Values read as NULL (besides empty and blank ones), looked up without allocating.</summary>
public sealed class NullTokens
{
    public static readonly string[] Defaults = ["NULL", "null", "N/A", "n/a", "#N/A"];

    private readonly HashSet<string> _tokens;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxLength;
    private readonly string _firstChars;

    public NullTokens(IEnumerable<string> tokens)
    {
        _tokens = new HashSet<string>(tokens.Where(t => t.Length > 0), StringComparer.Ordinal);
        _lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxLength = _tokens.Count == 0 ? 0 : _tokens.Max(t => t.Length);
        _firstChars = new string(_tokens.Select(t => t[0]).Distinct().ToArray());
    }

    public IReadOnlyCollection<string> Tokens => _tokens;

    public bool IsNull(ReadOnlySpan<char> value) =>
        value.IsEmpty
        || (value.Length <= _maxLength && _firstChars.Contains(value[0]) && _lookup.Contains(value))
        || (char.IsWhiteSpace(value[0]) && value.IsWhiteSpace());

    public bool Contains(string value) => _tokens.Contains(value);
}
