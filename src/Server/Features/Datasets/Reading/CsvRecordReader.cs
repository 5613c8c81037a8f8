using AstralytiQ.Server.Features.Datasets.Typing;

namespace AstralytiQ.Server.Features.Datasets.Reading;

/// <summary>
/// A streaming RFC 4180 reader: delimiter and quote of choice, quoted fields with doubled quotes
/// and embedded newlines, CRLF/LF/CR line ends, blank lines skipped. Fields are spans into its
/// buffer (valid until the next Read), so reading allocates nothing per field.
///
/// Bad records are reported, not thrown: an unterminated quote (one that runs to the end of the
/// file or past <see cref="MaxRecordChars"/>) makes only its first line bad, and reading goes on
/// from the next line; text after a closing quote makes its record bad. Line numbers are physical
/// lines, 1-based, of where a record starts.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    public const int MaxRecordChars = 16 * 1024 * 1024;
    public const int MaxFields = 100_000;

    private readonly TextReader _reader;
    private readonly char _delimiter;
    private readonly char _quote;
    private readonly int _maxRecordChars;
    private char[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private int[] _fieldStart = new int[64];
    private int[] _fieldLength = new int[64];
    private int _fieldCount;
    private readonly List<int> _escaped = [];
    private long _nextLine = 1;

    public CsvRecordReader(TextReader reader, char delimiter, char quote = '"', int bufferChars = 1 << 16, int maxRecordChars = MaxRecordChars)
    {
        _reader = reader;
        _delimiter = delimiter;
        _quote = quote;
        _buffer = new char[bufferChars];
        _maxRecordChars = maxRecordChars;
    }

    /// <summary>Physical line where the current record starts.</summary>
    public long Line { get; private set; }

    public int FieldCount => _fieldCount;

    /// <summary>Why the current record is bad, or null.</summary>
    public string? Error { get; private set; }

    public ReadOnlySpan<char> this[int index] => _buffer.AsSpan(_fieldStart[index], _fieldLength[index]);

    /// <summary>Advances to the next non-blank record; false at the end of the input.</summary>
    public bool Read()
    {
        while (true)
        {
            var outcome = TryParse(out var consumed, out var lines);
            switch (outcome)
            {
                case Outcome.Record:
                    foreach (var field in _escaped)
                    {
                        _fieldLength[field] = Unescape(_fieldStart[field], _fieldLength[field]);
                    }
                    Line = _nextLine;
                    _nextLine += lines;
                    _start += consumed;
                    if (_fieldCount == 1 && _fieldLength[0] == 0 && Error is null)
                    {
                        continue; // a blank line
                    }
                    return true;
                case Outcome.NeedMore:
                    if (_eof)
                    {
                        return false;
                    }
                    Refill();
                    continue;
                case Outcome.Unterminated:
                    // Report the record's first line as bad and resume on the next one.
                    Line = _nextLine;
                    var firstLine = FirstLineLength(out var lineEnd);
                    _fieldCount = 1;
                    _fieldStart[0] = _start;
                    _fieldLength[0] = Math.Min(firstLine, 200);
                    Error = _eof && lineEnd >= _end
                        ? "a quoted field is never closed (unterminated quote)"
                        : $"a quoted field starting on this line is not closed before the end of the file or within {_maxRecordChars / (1024 * 1024)} MB (unterminated quote)";
                    _nextLine++;
                    _start = lineEnd;
                    return true;
                default:
                    return false;
            }
        }
    }

    private enum Outcome
    {
        Record,
        NeedMore,
        Unterminated,
        End,
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private Outcome TryParse(out int consumed, out long lines)
    {
        consumed = 0;
        lines = 1;
        _fieldCount = 0;
        _escaped.Clear();
        Error = null;
        var span = _buffer.AsSpan(_start, _end - _start);
        if (span.IsEmpty)
        {
            return _eof ? Outcome.End : Outcome.NeedMore;
        }
        var i = 0;
        while (true)
        {
            // At the start of a field.
            if (i < span.Length && span[i] == _quote)
            {
                var contentStart = i + 1;
                var j = contentStart;
                var escapes = 0;
                while (true)
                {
                    var next = span[j..].IndexOf(_quote);
                    if (next < 0)
                    {
                        return Incomplete(span.Length);
                    }
                    j += next;
                    if (j + 1 >= span.Length)
                    {
                        if (!_eof)
                        {
                            return Incomplete(span.Length);
                        }
                        break;
                    }
                    if (span[j + 1] == _quote)
                    {
                        escapes++;
                        j += 2;
                        continue;
                    }
                    break;
                }
                var content = span[contentStart..j];
                lines += content.Count('\n');
                if (escapes > 0)
                {
                    // Unescaped only once the whole record is in: a refill re-parses the raw text.
                    _escaped.Add(_fieldCount);
                }
                AddField(_start + contentStart, content.Length);
                i = j + 1;
                // Whitespace between the closing quote and the delimiter is tolerated.
                while (i < span.Length && span[i] is ' ' or '\t' && span[i] != _delimiter)
                {
                    i++;
                }
                if (i >= span.Length)
                {
                    if (!_eof)
                    {
                        return Outcome.NeedMore;
                    }
                    consumed = i;
                    return Outcome.Record;
                }
                var c = span[i];
                if (c == _delimiter)
                {
                    i++;
                    continue;
                }
                if (c is '\n' or '\r')
                {
                    return EndOfLine(span, i, ref consumed);
                }
                // Text after a closing quote: keep going to the end of the line, and mark the record bad.
                var rest = span[i..].IndexOfAny('\r', '\n');
                if (rest < 0 && !_eof)
                {
                    return Incomplete(span.Length);
                }
                Error ??= $"field {_fieldCount} has text after its closing quote";
                if (rest < 0)
                {
                    consumed = span.Length;
                    return Outcome.Record;
                }
                return EndOfLine(span, i + rest, ref consumed);
            }
            var stop = span[i..].IndexOfAny(_delimiter, '\r', '\n');
            if (stop < 0)
            {
                if (!_eof)
                {
                    return Incomplete(span.Length);
                }
                AddField(_start + i, span.Length - i);
                consumed = span.Length;
                return Outcome.Record;
            }
            AddField(_start + i, stop);
            i += stop;
            if (span[i] == _delimiter)
            {
                i++;
                if (i >= span.Length && _eof)
                {
                    AddField(_start + i, 0);
                    consumed = i;
                    return Outcome.Record;
                }
                continue;
            }
            return EndOfLine(span, i, ref consumed);
        }
    }

    private Outcome Incomplete(int available) =>
        available >= _maxRecordChars || (_eof && available > 0) ? Outcome.Unterminated : Outcome.NeedMore;

    private Outcome EndOfLine(ReadOnlySpan<char> span, int i, ref int consumed)
    {
        if (span[i] == '\r')
        {
            if (i + 1 >= span.Length && !_eof)
            {
                return Outcome.NeedMore; // might be CRLF split across reads
            }
            consumed = i + 1 < span.Length && span[i + 1] == '\n' ? i + 2 : i + 1;
        }
        else
        {
            consumed = i + 1;
        }
        return Outcome.Record;
    }

    private int FirstLineLength(out int lineEnd)
    {
        var span = _buffer.AsSpan(_start, _end - _start);
        var newline = span.IndexOfAny('\r', '\n');
        if (newline < 0)
        {
            lineEnd = _end;
            return span.Length;
        }
        lineEnd = _start + newline + (span[newline] == '\r' && newline + 1 < span.Length && span[newline + 1] == '\n' ? 2 : 1);
        return newline;
    }

    private int Unescape(int start, int length)
    {
        var field = _buffer.AsSpan(start, length);
        var write = 0;
        for (var read = 0; read < field.Length; read++)
        {
            field[write++] = field[read];
            if (field[read] == _quote)
            {
                read++;
            }
        }
        return write;
    }

    private void AddField(int start, int length)
    {
        if (_fieldCount == _fieldStart.Length)
        {
            if (_fieldCount >= MaxFields)
            {
                throw new InvalidDataException($"A record has more than {MaxFields:N0} fields.");
            }
            Array.Resize(ref _fieldStart, _fieldCount * 2);
            Array.Resize(ref _fieldLength, _fieldCount * 2);
        }
        _fieldStart[_fieldCount] = start;
        _fieldLength[_fieldCount] = length;
        _fieldCount++;
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
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxRecordChars + (1 << 16)));
        }
        var read = _reader.ReadBlock(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        _end += read;
    }

    public void Dispose() => _reader.Dispose();
}
