using System.Buffers;

namespace MilkCells.Fcs.Internal;

/// <summary>Reads delimited ASCII DATA ($DATATYPE A, $PnB "*"): numbers separated by spaces, tabs, commas or line ends.</summary>
/// <remarks>FCS 3.1 §3.3.13 ($DATATYPE A, deprecated in FCS 3.2): with $PnB = *, values are separated by delimiters.</remarks>
internal sealed class AsciiTokenizer : IDisposable
{
    private const int ChunkBytes = 64 * 1024;
    private readonly FcsDataSet _set;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
    private int _start;
    private int _end;
    private long _fileOffset;

    public AsciiTokenizer(FcsDataSet set)
    {
        _set = set;
        _fileOffset = set.Data.Start;
    }

    private long Remaining => _set.Data.End + 1 - _fileOffset;

    private static bool IsSeparator(byte b) => b is (byte)' ' or (byte)'\t' or (byte)',' or (byte)'\r' or (byte)'\n' or 0;

    public void Read(Span<double> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = Next();
        }
    }

    private double Next()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(AsciiTokenizer));
        while (true)
        {
            while (_start < _end && IsSeparator(buffer[_start]))
            {
                _start++;
            }
            if (_start < _end)
            {
                var stop = _start;
                while (stop < _end && !IsSeparator(buffer[stop]))
                {
                    stop++;
                }
                if (stop < _end || Remaining == 0)
                {
                    var token = buffer.AsSpan(_start, stop - _start);
                    var at = _fileOffset - (_end - _start);
                    _start = stop;
                    var value = EventLayout.ParseAscii(token);
                    if (double.IsNaN(value))
                    {
                        throw new FcsFormatException(_set.File, at, FcsProblem.BadAsciiValue,
                            $"ASCII DATA value \"{HeaderParser.Printable(token)}\" is not a number");
                    }
                    return value;
                }
                if (_end - _start >= buffer.Length)
                {
                    throw new FcsFormatException(_set.File, _fileOffset - (_end - _start), FcsProblem.BadAsciiValue,
                        $"ASCII DATA value longer than {buffer.Length} bytes");
                }
            }
            if (Remaining == 0)
            {
                throw new FcsFormatException(_set.File, _fileOffset, FcsProblem.DataSizeMismatch,
                    $"ASCII DATA ends before $TOT × $PAR = {_set.EventCount} × {_set.ParameterCount} values were read");
            }
            // Keep the partial token, refill after it.
            var keep = _end - _start;
            buffer.AsSpan(_start, keep).CopyTo(buffer);
            _start = 0;
            _end = keep;
            var n = (int)Math.Min(buffer.Length - keep, Remaining);
            _set.Source.ReadExactly(_fileOffset, buffer.AsSpan(keep, n), _set.File);
            _fileOffset += n;
            _end += n;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } b)
        {
            ArrayPool<byte>.Shared.Return(b);
            _buffer = null;
        }
    }
}
