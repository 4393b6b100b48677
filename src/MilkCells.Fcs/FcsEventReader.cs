using System.Buffers;
using MilkCells.Fcs.Internal;

namespace MilkCells.Fcs;

/// <summary>Reads a data set's events a chunk at a time into a caller's buffer (row-major doubles).</summary>
/// <remarks>
/// Memory is one 256 KiB read buffer whatever the file's size; a multi-gigabyte file streams. Typical use:
/// <code>
/// using var reader = dataSet.OpenEvents();
/// var buffer = new double[reader.ParameterCount * 4096];
/// int n;
/// while ((n = reader.Read(buffer)) &gt; 0) { /* n events in buffer[..(n * P)] */ }
/// </code>
/// </remarks>
public sealed class FcsEventReader : IDisposable
{
    private const int ChunkBytes = 256 * 1024;

    private readonly FcsDataSet _set;
    private readonly EventLayout? _layout;
    private readonly FcsPreprocessor? _scale;
    private readonly int _rowsPerChunk;
    private byte[]? _buffer;
    private AsciiTokenizer? _ascii;

    internal FcsEventReader(FcsDataSet set, FcsValues values)
    {
        _set = set;
        _layout = set.Layout;
        _scale = values == FcsValues.Scaled ? new FcsPreprocessor(set) : null;
        if (_layout is { } layout)
        {
            _rowsPerChunk = Math.Max(1, ChunkBytes / Math.Max(1, layout.RowBytes));
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, _rowsPerChunk * layout.RowBytes));
        }
        else
        {
            _ascii = new AsciiTokenizer(set);
        }
    }

    /// <summary>P, values per event.</summary>
    public int ParameterCount => _set.ParameterCount;

    /// <summary>Events in the data set.</summary>
    public long EventCount => _set.EventCount;

    /// <summary>The index of the next event to be read.</summary>
    public long Position { get; private set; }

    /// <summary>Reads up to destination.Length / P events; returns how many (0 only at the end).</summary>
    /// <exception cref="ArgumentException">The destination cannot hold one event while events remain.</exception>
    /// <exception cref="FcsFormatException">The file ends inside DATA, or an ASCII value is not a number.</exception>
    public int Read(Span<double> destination)
    {
        ObjectDisposedException.ThrowIf(_buffer is null && _ascii is null, this);
        var p = ParameterCount;
        if (p == 0)
        {
            return 0;
        }
        if (destination.Length < p && Position < EventCount)
        {
            throw new ArgumentException($"the destination holds {destination.Length} values; one event needs {p}", nameof(destination));
        }
        var want = (int)Math.Min(destination.Length / p, EventCount - Position);
        if (want <= 0)
        {
            return 0;
        }
        if (_ascii is { } ascii)
        {
            ascii.Read(destination[..(want * p)]);
        }
        else
        {
            var layout = _layout!;
            var rowBytes = layout.RowBytes;
            var done = 0;
            while (done < want)
            {
                var n = Math.Min(want - done, _rowsPerChunk);
                var bytes = _buffer.AsSpan(0, n * rowBytes);
                var at = _set.Data.Start + (Position + done) * rowBytes;
                _set.Source.ReadExactly(at, bytes, _set.File);
                layout.Decode(bytes, n, destination.Slice(done * p, n * p), at, _set.File);
                done += n;
            }
        }
        _scale?.Apply(destination[..(want * p)]);
        Position += want;
        return want;
    }

    /// <summary>Reads up to destination.Length / P events as single precision (exact for float data and integers below 2^24).</summary>
    public int Read(Span<float> destination)
    {
        var p = Math.Max(1, ParameterCount);
        var chunk = ArrayPool<double>.Shared.Rent(Math.Max(p, Math.Min(destination.Length, 32768) / p * p));
        try
        {
            var total = 0;
            while (total < destination.Length / p)
            {
                var want = Math.Min(destination.Length / p - total, chunk.Length / p);
                var n = Read(chunk.AsSpan(0, want * p));
                if (n == 0)
                {
                    break;
                }
                var values = chunk.AsSpan(0, n * p);
                var into = destination.Slice(total * p, n * p);
                for (var i = 0; i < values.Length; i++)
                {
                    into[i] = (float)values[i];
                }
                total += n;
            }
            return total;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(chunk);
        }
    }

    /// <summary>Moves to event <paramref name="eventIndex"/> (binary layouts; delimited ASCII can only restart at 0).</summary>
    public void Seek(long eventIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eventIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(eventIndex, EventCount);
        if (_ascii is not null)
        {
            if (eventIndex != 0)
            {
                throw new NotSupportedException("delimited ASCII DATA can only be read from the start");
            }
            _ascii = new AsciiTokenizer(_set);
        }
        Position = eventIndex;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = null;
        }
        _ascii?.Dispose();
        _ascii = null;
    }
}
