using System.Runtime.InteropServices;
using MilkCells.Analysis;

namespace MilkCells.Cohorts.Reference;

/// <summary>Fixed-width records of doubles appended to a temporary file and read back column by column.</summary>
/// <remarks>Design: one file per (window, stage) group, one record per mother-day, one double per measure (NaN for missing), so the number of open files is the number of groups, not groups × measures.</remarks>
internal sealed class SpillFile : IDisposable
{
    private const int BufferRecords = 512;
    private readonly string _path;
    private readonly int _width;
    private readonly double[] _buffer;
    private FileStream? _stream;
    private int _buffered;

    public SpillFile(string path, int width)
    {
        _path = path;
        _width = width;
        _buffer = new double[BufferRecords * width];
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 12);
    }

    /// <summary>Records written.</summary>
    public long Records { get; private set; }

    /// <summary>The record being filled: set its values, then call <see cref="Commit"/>.</summary>
    public Span<double> Next()
    {
        if (_buffered == BufferRecords)
        {
            Flush();
        }
        return _buffer.AsSpan(_buffered * _width, _width);
    }

    /// <summary>Keeps the record returned by <see cref="Next"/>.</summary>
    public void Commit()
    {
        _buffered++;
        Records++;
    }

    /// <summary>Ends writing.</summary>
    public void Close()
    {
        Flush();
        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>The non-NaN values of one column, re-readable (<paramref name="count"/> of them).</summary>
    public IRereadableValues Column(int column, long count) => new ColumnValues(this, column, count);

    private void Flush()
    {
        _stream!.Write(MemoryMarshal.AsBytes(_buffer.AsSpan(0, _buffered * _width)));
        _buffered = 0;
    }

    private void ReadColumn(int column, ValueChunkAction action)
    {
        var records = new double[BufferRecords * 8 * _width];
        var values = new double[BufferRecords * 8];
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12);
        var bytes = MemoryMarshal.AsBytes(records.AsSpan());
        while (true)
        {
            var read = 0;
            int got;
            while (read < bytes.Length && (got = stream.Read(bytes[read..])) > 0)
            {
                read += got;
            }
            var n = read / (8 * _width);
            var kept = 0;
            for (var r = 0; r < n; r++)
            {
                var v = records[(r * _width) + column];
                if (!double.IsNaN(v))
                {
                    values[kept++] = v;
                }
            }
            if (kept > 0)
            {
                action(values.AsSpan(0, kept));
            }
            if (read < bytes.Length)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        File.Delete(_path);
    }

    private sealed class ColumnValues(SpillFile file, int column, long count) : IRereadableValues
    {
        public long Count => count;

        public void Read(ValueChunkAction action) => file.ReadColumn(column, action);
    }
}
