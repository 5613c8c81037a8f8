using System.Text;
using AstralytiQ.Server.Features.Datasets.Typing;

namespace AstralytiQ.Server.Features.Datasets.Reading;

public enum FileFormat
{
    Csv,
    Tsv,
    Json,
    NdJson,
    Xlsx,
}

/// <summary>What the sniffer found out about a file, or what the uploader told it.</summary>
public sealed record SniffResult(FileFormat Format, string Encoding, int BomLength, char Delimiter, char Quote, bool HasHeader);

/// <summary>The file cannot be read; the message says what the server saw.</summary>
public sealed class UnreadableFileException(string message) : Exception(message);

/// <summary>
/// Sniffs format, encoding, delimiter and header from the start of a file: magic bytes first
/// (Excel, and binary formats it cannot read), then byte-order marks and UTF-16 patterns, UTF-8
/// validity (else Latin-1, or Windows-1252 when its extra characters appear), JSON's first
/// character, and for delimited text the delimiter that splits the sample into the most
/// consistent number of fields.
/// </summary>
public static class FileSniffer
{
    public const int SampleBytes = 64 * 1024;

    /// <summary>The replacement for bytes that are not valid in the encoding: a Unicode noncharacter, so it never occurs in real text.</summary>
    public const char InvalidMarker = '\uFDD0';

    private static readonly char[] Delimiters = [',', '\t', ';', '|'];

    static FileSniffer() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Format and encoding from the first bytes (also used while the upload streams, to refuse unreadable files at once).</summary>
    public static (FileFormat Format, string Encoding, int BomLength) SniffFormat(ReadOnlySpan<byte> head, string? fileName, FileFormat? declared, string? declaredEncoding)
    {
        if (head.IsEmpty)
        {
            throw new UnreadableFileException("The file is empty.");
        }
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            if (declared is not (null or FileFormat.Xlsx))
            {
                throw new UnreadableFileException($"The file is a ZIP archive (an Excel .xlsx workbook, or another archive), not {declared}.");
            }
            return (FileFormat.Xlsx, "binary", 0);
        }
        if (Describe(head) is { } binary)
        {
            throw new UnreadableFileException($"AstralytiQ cannot read this file: it looks like {binary}. Upload CSV, TSV, JSON, NDJSON or Excel .xlsx.");
        }
        if (declared == FileFormat.Xlsx)
        {
            throw new UnreadableFileException("The format was given as Excel .xlsx, but the file is not a ZIP-based workbook (it does not start with 'PK').");
        }
        var (encoding, bom) = declaredEncoding is { Length: > 0 } ? (NormaliseEncoding(declaredEncoding), BomLength(head)) : SniffEncoding(head);
        if (encoding is "utf-8" && bom == 0 && head.IndexOf((byte)0) >= 0)
        {
            throw new UnreadableFileException($"AstralytiQ cannot read this file: it contains NUL bytes, so it is binary data (it starts with {Hex(head)}). Upload CSV, TSV, JSON, NDJSON or Excel .xlsx.");
        }
        var text = Decode(head, encoding, bom);
        var first = text.AsSpan().TrimStart();
        if (declared is { } format)
        {
            if (format is FileFormat.Json or FileFormat.NdJson && first.Length > 0 && first[0] is not ('[' or '{'))
            {
                throw new UnreadableFileException($"The format was given as {format}, but the file does not start with '[' or '{{' (it starts with '{Preview(first)}').");
            }
            return (format, encoding, bom);
        }
        if (first.IsEmpty)
        {
            throw new UnreadableFileException("The file has no content (only whitespace).");
        }
        if (first[0] == '[' || extension == ".json")
        {
            return (first[0] == '{' ? FileFormat.NdJson : FileFormat.Json, encoding, bom);
        }
        if (first[0] == '{' || extension is ".ndjson" or ".jsonl")
        {
            return (FileFormat.NdJson, encoding, bom);
        }
        return (extension == ".tsv" || extension == ".tab" ? FileFormat.Tsv : FileFormat.Csv, encoding, bom);
    }

    /// <summary>Delimiter and header of delimited text, from a decoded sample.</summary>
    public static (char Delimiter, bool HasHeader) SniffDelimited(string sample, bool sampleIsWholeFile, FileFormat format, char? delimiter, char quote, bool? hasHeader, NullTokens nullValues)
    {
        // Leave out a last line the sample cut in half.
        if (!sampleIsWholeFile)
        {
            var lastNewline = sample.LastIndexOf('\n');
            if (lastNewline > 0)
            {
                sample = sample[..(lastNewline + 1)];
            }
        }
        var chosen = delimiter ?? (format == FileFormat.Tsv ? '\t' : PickDelimiter(sample, quote));
        var header = hasHeader ?? LooksLikeHeader(sample, chosen, quote, nullValues);
        return (chosen, header);
    }

    public static string NormaliseEncoding(string name) => name.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "utf-8" or "utf8" => "utf-8",
        "utf-16" or "utf-16le" or "utf16" or "utf16le" or "ucs-2" => "utf-16le",
        "utf-16be" or "utf16be" => "utf-16be",
        "latin-1" or "latin1" or "iso-8859-1" or "iso8859-1" => "latin-1",
        "windows-1252" or "cp1252" => "windows-1252",
        _ => throw new UnreadableFileException($"The encoding '{name}' is not supported; use utf-8, utf-16le, utf-16be, latin-1 or windows-1252."),
    };

    /// <summary>A decoding that turns invalid bytes into <see cref="InvalidMarker"/> instead of failing or guessing.</summary>
    public static Encoding GetEncoding(string name)
    {
        var fallback = new DecoderReplacementFallback(InvalidMarker.ToString());
        return name switch
        {
            "utf-8" => Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, fallback),
            "utf-16le" => Encoding.GetEncoding("utf-16LE", EncoderFallback.ReplacementFallback, fallback),
            "utf-16be" => Encoding.GetEncoding("utf-16BE", EncoderFallback.ReplacementFallback, fallback),
            "latin-1" => Encoding.Latin1,
            "windows-1252" => Encoding.GetEncoding(1252, EncoderFallback.ReplacementFallback, fallback),
            _ => throw new UnreadableFileException($"The encoding '{name}' is not supported."),
        };
    }

    public static string Decode(ReadOnlySpan<byte> bytes, string encoding, int bom)
    {
        var body = bytes[Math.Min(bom, bytes.Length)..];
        if (encoding.StartsWith("utf-16", StringComparison.Ordinal) && body.Length % 2 == 1)
        {
            body = body[..^1];
        }
        return GetEncoding(encoding).GetString(body);
    }

    private static int BomLength(ReadOnlySpan<byte> head) =>
        head.StartsWith("\uFEFF"u8) ? 3 : head.StartsWith(new byte[] { 0xFF, 0xFE }) || head.StartsWith(new byte[] { 0xFE, 0xFF }) ? 2 : 0;

    private static (string Encoding, int Bom) SniffEncoding(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("\uFEFF"u8))
        {
            return ("utf-8", 3);
        }
        if (head.StartsWith(new byte[] { 0xFF, 0xFE }))
        {
            return ("utf-16le", 2);
        }
        if (head.StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            return ("utf-16be", 2);
        }
        // UTF-16 without a BOM: ASCII text leaves every other byte zero.
        var sample = head[..Math.Min(head.Length, 4096)];
        int evenZeros = 0, oddZeros = 0;
        for (var i = 0; i < sample.Length; i++)
        {
            if (sample[i] == 0)
            {
                if (i % 2 == 0) evenZeros++; else oddZeros++;
            }
        }
        if (sample.Length >= 4 && oddZeros > sample.Length / 4 && evenZeros < sample.Length / 50)
        {
            return ("utf-16le", 0);
        }
        if (sample.Length >= 4 && evenZeros > sample.Length / 4 && oddZeros < sample.Length / 50)
        {
            return ("utf-16be", 0);
        }
        if (IsValidUtf8(head))
        {
            return ("utf-8", 0);
        }
        // Not UTF-8: a single-byte encoding. Bytes 0x80-0x9F are printable only in Windows-1252 (€, curly quotes...).
        foreach (var b in head)
        {
            if (b is >= 0x80 and <= 0x9F)
            {
                return ("windows-1252", 0);
            }
        }
        return ("latin-1", 0);
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes)
    {
        // A sample may end inside a multi-byte character: ignore an incomplete tail.
        var end = bytes.Length;
        for (var back = 1; back <= 3 && back <= bytes.Length; back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0xC0)
            {
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                if (needed > back)
                {
                    end = bytes.Length - back;
                }
                break;
            }
            if ((b & 0x80) == 0)
            {
                break;
            }
        }
        return System.Text.Unicode.Utf8.IsValid(bytes[..end]);
    }

    private static string? Describe(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF"u8)) return "a PDF document";
        if (head.StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' })) return "a PNG image";
        if (head.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF })) return "a JPEG image";
        if (head.StartsWith("GIF8"u8)) return "a GIF image";
        if (head.StartsWith(new byte[] { 0x1F, 0x8B })) return "gzip-compressed data (decompress it first)";
        if (head.StartsWith("PAR1"u8)) return "a Parquet file (not supported yet)";
        if (head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 })) return "an old Excel .xls (or other Office 97-2003) file (save it as .xlsx or CSV)";
        if (head.StartsWith(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' })) return "an executable program";
        if (head.StartsWith("SQLite format 3"u8)) return "an SQLite database";
        if (head.StartsWith("BZh"u8)) return "bzip2-compressed data (decompress it first)";
        if (head.StartsWith(new byte[] { 0x28, 0xB5, 0x2F, 0xFD })) return "zstd-compressed data (decompress it first)";
        return null;
    }

    private static char PickDelimiter(string sample, char quote)
    {
        var best = ',';
        var bestScore = -1.0;
        foreach (var candidate in Delimiters)
        {
            var counts = new Dictionary<int, int>();
            var records = 0;
            using (var reader = new CsvRecordReader(new StringReader(sample), candidate, quote))
            {
                while (records < 200 && reader.Read())
                {
                    records++;
                    counts[reader.FieldCount] = counts.GetValueOrDefault(reader.FieldCount) + 1;
                }
            }
            if (records == 0)
            {
                continue;
            }
            var (fields, frequency) = counts.MaxBy(kv => (kv.Value, kv.Key));
            if (fields < 2)
            {
                continue;
            }
            // Consistency first, then more fields.
            var score = (double)frequency / records + fields / 10_000.0;
            if (score > bestScore)
            {
                (best, bestScore) = (candidate, score);
            }
        }
        return best;
    }

    private static bool LooksLikeHeader(string sample, char delimiter, char quote, NullTokens nullValues)
    {
        using var reader = new CsvRecordReader(new StringReader(sample), delimiter, quote);
        if (!reader.Read())
        {
            return true;
        }
        var first = new string[reader.FieldCount];
        for (var i = 0; i < first.Length; i++)
        {
            first[i] = reader[i].ToString();
        }
        var masks = Enumerable.Repeat(Fits.All, first.Length).ToArray();
        var seen = new bool[first.Length];
        var rows = 0;
        while (rows < 200 && reader.Read())
        {
            rows++;
            for (var i = 0; i < Math.Min(first.Length, reader.FieldCount); i++)
            {
                var value = reader[i];
                if (nullValues.IsNull(value))
                {
                    continue;
                }
                seen[i] = true;
                masks[i] &= ValueParser.Classify(value, FieldKind.Raw, masks[i]);
            }
        }
        var anyTypedFirst = false;
        for (var i = 0; i < first.Length; i++)
        {
            var firstFits = ValueParser.Classify(first[i], FieldKind.Raw, Fits.All);
            var columnTyped = seen[i] && masks[i] != Fits.Text;
            if (columnTyped && (firstFits & masks[i] & ~Fits.Text) == 0 && first[i].Trim().Length > 0)
            {
                return true; // a label above typed values
            }
            anyTypedFirst |= firstFits != Fits.Text;
        }
        // All text: a header unless some first-row value is itself typed data.
        return !anyTypedFirst;
    }

    public static string Preview(ReadOnlySpan<char> text)
    {
        var line = text[..Math.Min(text.Length, 40)];
        var newline = line.IndexOfAny('\r', '\n');
        return (newline >= 0 ? line[..newline] : line).ToString();
    }

    private static string Hex(ReadOnlySpan<byte> head) => Convert.ToHexString(head[..Math.Min(8, head.Length)]);
}
