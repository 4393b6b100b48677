using System.Buffers.Text;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Formats;

/// <summary>Reads Matrix Market coordinate files (features × cells, the 10x convention) and the 10x folder around one.</summary>
/// <remarks>
/// Matrix Market exchange format (Boisvert, Pozo &amp; Remington 1996, NIST, "The Matrix Market Exchange Formats:
/// Initial Design"): a banner <c>%%MatrixMarket matrix coordinate integer|real|pattern general</c>, comment lines
/// starting with %, a size line "rows columns entries", then one 1-based "row column value" line per entry.
/// Cell Ranger writes genes in rows and barcodes in columns; this reader returns cells in rows. The header's entry
/// count is checked against the entries the file holds, and every index against the size line.
/// </remarks>
internal static class MtxReader
{
    /// <summary>Opens a file for reading, decompressing gzip (by its magic bytes, whatever the name).</summary>
    public static Stream OpenMaybeGzip(string path)
    {
        var file = File.OpenRead(path);
        var b0 = file.ReadByte();
        var b1 = file.ReadByte();
        file.Position = 0;
        return b0 == 0x1f && b1 == 0x8b ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : new BufferedStream(file, 1 << 16);
    }

    /// <summary>A lone .mtx(.gz): names are the 1-based row and column numbers.</summary>
    public static CellMatrix ReadLone(string path, int threads = 1)
    {
        var m = Read(path, threads);
        return new CellMatrix(m, [.. Enumerable.Range(1, m.Rows).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            [.. Enumerable.Range(1, m.Columns).Select(i => { var s = i.ToString(System.Globalization.CultureInfo.InvariantCulture); return new Feature(s, s); })],
            "Matrix Market coordinate file (features × cells; no barcode or feature names)", path);
    }

    /// <summary>The matrix of a Matrix Market file, transposed to cells × features.</summary>
    /// <remarks>The entries are parsed in blocks on <paramref name="threads"/> threads while this one decompresses (see <see cref="MtxEntries"/>).</remarks>
    public static SparseMatrix Read(string path, int threads = 1, int blockBytes = MtxEntries.DefaultBlockBytes)
    {
        using var stream = OpenMaybeGzip(path);
        var reader = new LineReader(stream);
        var line = reader.Next() ?? throw new InputException(InputLocation.InFile(path), "the file is empty", "a Matrix Market file starts with '%%MatrixMarket matrix coordinate …'");
        var banner = Encoding.ASCII.GetString(line).Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (banner.Length < 5 || !banner[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException(InputLocation.AtLine(path, 1), "not a Matrix Market file (no '%%MatrixMarket' banner)", "10x folders hold matrix.mtx or matrix.mtx.gz");
        }
        if (!banner[1].Equals("matrix", StringComparison.OrdinalIgnoreCase) || !banner[2].Equals("coordinate", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException(InputLocation.AtLine(path, 1), $"a '{banner[1]} {banner[2]}' Matrix Market file", "only sparse 'matrix coordinate' files hold count matrices");
        }
        var field = banner[3].ToLowerInvariant();
        if (field is not ("integer" or "real" or "pattern" or "double"))
        {
            throw new InputException(InputLocation.AtLine(path, 1), $"field type '{banner[3]}'", "counts are 'integer' (or 'real', 'pattern')");
        }
        if (!banner[4].Equals("general", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException(InputLocation.AtLine(path, 1), $"symmetry '{banner[4]}'", "a count matrix is 'general'");
        }
        var lineNo = 1;
        ReadOnlySpan<byte> size;
        while (true)
        {
            var next = reader.Next();
            lineNo++;
            if (next is null)
            {
                throw new InputException(InputLocation.AtLine(path, lineNo), "the file ends before its size line", "after the comments comes 'rows columns entries'");
            }
            var t = next.AsSpan().Trim((byte)' ');
            if (t.Length > 0 && t[0] != (byte)'%')
            {
                size = t;
                break;
            }
        }
        var sizeLine = lineNo;
        var fields = new long[3];
        var pos = 0;
        for (var k = 0; k < 3; k++)
        {
            if (!NextLong(size, ref pos, out fields[k]) || fields[k] < 0)
            {
                throw new InputException(InputLocation.AtLine(path, lineNo), $"size line '{Encoding.ASCII.GetString(size)}' is not 'rows columns entries'");
            }
        }
        if (fields[0] > int.MaxValue || fields[1] > int.MaxValue || fields[2] > int.MaxValue)
        {
            throw new InputException(InputLocation.AtLine(path, lineNo), "the matrix is larger than MilkCells can hold (2^31 − 1 rows, columns or entries)");
        }
        int features = (int)fields[0], cells = (int)fields[1], declared = (int)fields[2];
        var row = new int[declared];
        var col = new int[declared];
        var val = new float[declared];
        var integer = field != "real" && field != "double";
        var format = new EntryFormat(path, features, cells, declared, sizeLine, integer, field == "pattern");
        var (n, lastLine) = MtxEntries.Read(reader, stream, format, lineNo, row, col, val, threads, blockBytes);
        if (n < declared)
        {
            throw new InputException(InputLocation.AtLine(path, lastLine), $"the header (line {sizeLine}) says {declared} entries but the file holds {n}",
                "the file is truncated, or the header and the entries disagree");
        }
        return CsrBuilder.FromArrays(cells, features, row, col, val, integer ? ValueKind.Integer : ValueKind.Float64);
    }

    internal static void SkipSpaces(ReadOnlySpan<byte> s, ref int p)
    {
        while (p < s.Length && (s[p] == (byte)' ' || s[p] == (byte)'\t' || s[p] == (byte)'\r'))
        {
            p++;
        }
    }

    internal static bool NextLong(ReadOnlySpan<byte> s, ref int p, out long value)
    {
        SkipSpaces(s, ref p);
        if (!Utf8Parser.TryParse(s[p..], out value, out var used) || used == 0)
        {
            return false;
        }
        p += used;
        return p == s.Length || s[p] is (byte)' ' or (byte)'\t' or (byte)'\r';
    }
}

/// <summary>Reads lines of bytes from a stream without decoding them (fast enough for 10^8-entry matrices).</summary>
internal sealed class LineReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;
    private byte[] _carry = new byte[256];

    /// <summary>The bytes read from the stream but not yet returned as lines (valid between whole-line calls).</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Whether the stream has been read to its end.</summary>
    public bool AtEnd => _eof;

    /// <summary>The next line as a new array (for headers), or null at the end.</summary>
    public byte[]? Next() => NextSpan(out var s) ? s.ToArray() : null;

    /// <summary>The next line (without its newline); valid until the next call. False at the end.</summary>
    public bool NextSpan(out ReadOnlySpan<byte> line)
    {
        var carried = 0;
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var nl = span.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                _start += nl + 1;
                if (carried == 0)
                {
                    line = span[..nl];
                    return true;
                }
                Append(ref carried, span[..nl]);
                line = _carry.AsSpan(0, carried);
                return true;
            }
            if (_eof)
            {
                Append(ref carried, span);
                _start = _end;
                line = _carry.AsSpan(0, carried);
                return carried > 0;
            }
            Append(ref carried, span);
            _start = 0;
            _end = 0;
            while (_end < _buffer.Length)
            {
                var read = stream.Read(_buffer, _end, _buffer.Length - _end);
                if (read == 0)
                {
                    _eof = true;
                    break;
                }
                _end += read;
            }
        }
    }

    private void Append(ref int carried, ReadOnlySpan<byte> bytes)
    {
        if (carried + bytes.Length > _carry.Length)
        {
            Array.Resize(ref _carry, Math.Max(_carry.Length * 2, carried + bytes.Length));
        }
        bytes.CopyTo(_carry.AsSpan(carried));
        carried += bytes.Length;
    }
}

/// <summary>Reads a 10x Genomics MTX folder: matrix.mtx, barcodes.tsv and features.tsv (Cell Ranger 3) or genes.tsv (Cell Ranger 2), each possibly gzipped.</summary>
internal static class TenxFolderReader
{
    /// <summary>Whether the folder holds a 10x matrix.</summary>
    public static bool Recognises(string dir) => Find(dir, "matrix.mtx") is not null;

    /// <summary>Sub-folders that are 10x matrices (Cell Ranger 2's one folder per genome).</summary>
    public static IReadOnlyList<string> GenomeFolders(string dir) =>
        Directory.Exists(dir) ? Directory.GetDirectories(dir).Where(Recognises).Select(d => Path.GetFileName(d)!).OrderBy(n => n, StringComparer.Ordinal).ToList() : [];

    private static string? Find(string dir, string name) =>
        File.Exists(Path.Combine(dir, name)) ? Path.Combine(dir, name) : File.Exists(Path.Combine(dir, name + ".gz")) ? Path.Combine(dir, name + ".gz") : null;

    public static CellMatrix Read(string dir, int threads = 1)
    {
        var matrixPath = Find(dir, "matrix.mtx")!;
        var featuresPath = Find(dir, "features.tsv") ?? Find(dir, "genes.tsv")
            ?? throw new InputException(InputLocation.InFile(dir), "the folder has matrix.mtx but no features.tsv(.gz) or genes.tsv", "copy the whole Cell Ranger output folder");
        var barcodesPath = Find(dir, "barcodes.tsv")
            ?? throw new InputException(InputLocation.InFile(dir), "the folder has matrix.mtx but no barcodes.tsv(.gz)", "copy the whole Cell Ranger output folder");
        var barcodes = ReadLines(barcodesPath).Select(l => l.Split('\t')[0]).ToImmutableArray();
        var features = ReadLines(featuresPath).Select((l, k) =>
        {
            var f = l.Split('\t');
            return f.Length switch
            {
                1 => new Feature(f[0], f[0]),
                2 => new Feature(f[0], f[1]),
                _ => new Feature(f[0], f[1], f[2]),
            };
        }).ToImmutableArray();
        var matrix = MtxReader.Read(matrixPath, threads);
        if (matrix.Columns != features.Length)
        {
            throw new InputException(InputLocation.InFile(featuresPath), $"{Path.GetFileName(featuresPath)} lists {features.Length} features but {Path.GetFileName(matrixPath)} has {matrix.Columns} rows",
                "the three files must come from the same Cell Ranger run");
        }
        if (matrix.Rows != barcodes.Length)
        {
            throw new InputException(InputLocation.InFile(barcodesPath), $"{Path.GetFileName(barcodesPath)} lists {barcodes.Length} barcodes but {Path.GetFileName(matrixPath)} has {matrix.Rows} columns",
                "the three files must come from the same Cell Ranger run");
        }
        var v3 = Path.GetFileName(featuresPath).StartsWith("features", StringComparison.Ordinal);
        return new CellMatrix(matrix, barcodes, features, $"10x MTX folder, Cell Ranger {(v3 ? "3+ (features.tsv)" : "2 (genes.tsv)")}", dir);
    }

    /// <summary>The non-empty lines of a text file (gzipped or not).</summary>
    public static List<string> ReadLines(string path)
    {
        using var stream = MtxReader.OpenMaybeGzip(path);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line.TrimEnd('\r'));
            }
        }
        return lines;
    }
}
