using System.Globalization;
using AstralytiQ.Server.Features.Datasets.Typing;
using ExcelDataReader;

namespace AstralytiQ.Server.Features.Datasets.Reading;

/// <summary>
/// An Excel .xlsx worksheet (the first, or a named one). Cells keep their Excel types: numbers,
/// booleans and dates arrive typed; strings are inferred like CSV text. Empty rows are skipped;
/// the first non-empty row is the header unless told otherwise (or it holds numbers or dates).
/// </summary>
public sealed class ExcelSource : RecordSource
{
    private readonly FileStream _file;
    private readonly IExcelDataReader _reader;
    private readonly NullTokens _nullValues;
    private readonly string[] _labels;
    private readonly FieldKind[] _kinds;
    private readonly string?[] _texts;
    private long _line;
    private long _rowNumber;
    private bool _pendingFirst;

    public ExcelSource(string path, string? sheet, bool? hasHeader, NullTokens nullValues, int maxColumns)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _nullValues = nullValues;
        try
        {
            _reader = ExcelReaderFactory.CreateOpenXmlReader(_file, new ExcelReaderConfiguration { LeaveOpen = true });
        }
        catch (Exception ex) when (ex is ExcelDataReader.Exceptions.ExcelReaderException or InvalidDataException or IOException)
        {
            _file.Dispose();
            throw new UnreadableFileException($"The file is not a readable Excel .xlsx workbook ({ex.Message.TrimEnd('.')}).");
        }
        SelectSheet(sheet);
        if (_reader.FieldCount > maxColumns)
        {
            throw new UnreadableFileException($"The sheet has {_reader.FieldCount:N0} columns; at most {maxColumns:N0} are supported.");
        }
        _kinds = new FieldKind[_reader.FieldCount];
        _texts = new string?[_reader.FieldCount];
        if (!NextNonEmptyRow())
        {
            _labels = [];
            return;
        }
        var typedFirstRow = Enumerable.Range(0, _reader.FieldCount).Any(i => _reader.GetValue(i) is double or DateTime or bool);
        if (hasHeader ?? !typedFirstRow)
        {
            var labels = new string[_reader.FieldCount];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = Convert.ToString(_reader.GetValue(i), CultureInfo.InvariantCulture)?.Trim() ?? "";
            }
            // Trailing columns with neither header nor (later) values are formatting residue; keep them: they may hold data.
            _labels = labels;
        }
        else
        {
            _labels = Enumerable.Range(1, _reader.FieldCount).Select(i => $"Column {i}").ToArray();
            _pendingFirst = true;
            Capture();
        }
    }

    public override IReadOnlyList<string> Labels => _labels;

    public override long Line => _line;

    public override string? Error => null;

    public override double Progress => _file.Length == 0 ? 1 : Math.Min(1, (double)_file.Position / _file.Length);

    public override ReadOnlySpan<char> GetText(int column) => column < _texts.Length ? _texts[column] : default;

    public override FieldKind GetKind(int column) => column < _kinds.Length ? _kinds[column] : FieldKind.Null;

    public override bool Read()
    {
        if (_pendingFirst)
        {
            _pendingFirst = false;
            return true;
        }
        if (!NextNonEmptyRow())
        {
            return false;
        }
        Capture();
        return true;
    }

    private void SelectSheet(string? sheet)
    {
        if (string.IsNullOrEmpty(sheet))
        {
            return;
        }
        var names = new List<string>();
        do
        {
            if (string.Equals(_reader.Name, sheet, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            names.Add(_reader.Name);
        }
        while (_reader.NextResult());
        throw new UnreadableFileException($"The workbook has no sheet named '{sheet}'; its sheets are: {string.Join(", ", names.Select(n => $"'{n}'"))}.");
    }

    private bool NextNonEmptyRow()
    {
        while (_reader.Read())
        {
            _rowNumber++;
            for (var i = 0; i < _reader.FieldCount; i++)
            {
                if (_reader.GetValue(i) is { } value && (value is not string s || s.Length > 0))
                {
                    _line = _rowNumber;
                    return true;
                }
            }
        }
        return false;
    }

    private void Capture()
    {
        for (var i = 0; i < _kinds.Length; i++)
        {
            switch (i < _reader.FieldCount ? _reader.GetValue(i) : null)
            {
                case null:
                    _kinds[i] = FieldKind.Null;
                    _texts[i] = null;
                    break;
                case double d:
                    _kinds[i] = FieldKind.Number;
                    _texts[i] = d == Math.Floor(d) && Math.Abs(d) < 1e15 ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
                    break;
                case bool b:
                    _kinds[i] = FieldKind.Boolean;
                    _texts[i] = b ? "true" : "false";
                    break;
                case DateTime t:
                    _kinds[i] = FieldKind.Raw;
                    _texts[i] = t.TimeOfDay == TimeSpan.Zero
                        ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                        : t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
                    break;
                case var other:
                    var text = Convert.ToString(other, CultureInfo.InvariantCulture) ?? "";
                    _kinds[i] = _nullValues.IsNull(text) ? FieldKind.Null : FieldKind.Raw;
                    _texts[i] = text;
                    break;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        _reader.Dispose();
        _file.Dispose();
    }
}
