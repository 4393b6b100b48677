using PureHDF.Filters;

namespace MilkCells.SingleCell.Formats;

/// <summary>The LZF decompression filter (HDF5 filter id 32000) that h5py, and so anndata 0.7, write with.</summary>
/// <remarks>
/// PureHDF ships deflate, shuffle, Fletcher-32, N-bit and scale-offset; other filters are plugged in through its
/// <see cref="IH5Filter"/> registry, as the HDF Group's filter plugins are. LZF is Marc Lehmann's liblzf format
/// (a byte-oriented LZ77 variant): a control byte below 32 starts a run of control + 1 literal bytes; otherwise its top
/// three bits give a match length − 2 (7 meaning "add the next byte") and its low five bits with the next byte the
/// distance − 1 back into the output. h5py's filter (h5py/lzf/lzf_filter.c) stores the chunk's uncompressed size in
/// client value 2. Decompression only: MilkCells writes with deflate.
/// </remarks>
internal sealed class LzfFilter : IH5Filter
{
    public const ushort Id = 32000;

    private static int _registered;

    public ushort FilterId => Id;

    public string Name => "lzf";

    /// <summary>Registers the filter with PureHDF once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            H5Filter.Register(new LzfFilter());
        }
    }

    public Memory<byte> Filter(FilterInfo info)
    {
        if (!info.Flags.HasFlag(H5FilterFlags.Decompress))
        {
            throw new NotSupportedException("MilkCells reads LZF-compressed HDF5 data but does not write it");
        }
        // h5py stores a chunk uncompressed (filter mask bit set) when LZF would not shrink it; PureHDF 2.2 passes such a
        // chunk through the filter anyway. A compressed chunk is always shorter than the chunk size in client value 2,
        // so a buffer that long is the stored bytes themselves.
        var chunkBytes = info.Parameters.Length > 2 ? (int)info.Parameters[2] : 0;
        if (chunkBytes > 0 && info.Buffer.Length >= chunkBytes)
        {
            return info.Buffer;
        }
        // client value 2 is the chunk's size as h5py computed it; like h5py, grow the buffer if the data needs more
        var size = Math.Max(Math.Max(info.Parameters.Length > 2 ? (int)info.Parameters[2] : 0, info.ChunkSize), 64);
        while (true)
        {
            var output = new byte[size];
            var n = Decompress(info.Buffer.Span, output, out var overflow);
            if (!overflow)
            {
                return output.AsMemory(0, n);
            }
            if (size > 1 << 30)
            {
                throw new InvalidDataException("LZF data decompresses to more than 1 GiB in one chunk");
            }
            size *= 2;
        }
    }

    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
        throw new NotSupportedException("MilkCells does not write LZF");

    /// <summary>Decompresses one LZF block into <paramref name="output"/>; returns the bytes written, or sets
    /// <paramref name="overflow"/> when the output is too small.</summary>
    public static int Decompress(ReadOnlySpan<byte> input, Span<byte> output, out bool overflow)
    {
        overflow = false;
        var ip = 0;
        var op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                var run = ctrl + 1;
                if (op + run > output.Length)
                {
                    overflow = true;
                    return op;
                }
                if (ip + run > input.Length)
                {
                    throw new InvalidDataException("LZF data is damaged (a literal run passes the end)");
                }
                input.Slice(ip, run).CopyTo(output[op..]);
                ip += run;
                op += run;
            }
            else
            {
                var length = ctrl >> 5;
                if (length == 7)
                {
                    if (ip >= input.Length)
                    {
                        throw new InvalidDataException("LZF data is damaged (a match length passes the end)");
                    }
                    length += input[ip++];
                }
                if (ip >= input.Length)
                {
                    throw new InvalidDataException("LZF data is damaged (a match distance passes the end)");
                }
                var reference = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
                length += 2;
                if (op + length > output.Length)
                {
                    overflow = true;
                    return op;
                }
                if (reference < 0)
                {
                    throw new InvalidDataException("LZF data is damaged (a match points outside the output)");
                }
                // byte by byte: a match may overlap the bytes it produces
                for (var k = 0; k < length; k++)
                {
                    output[op++] = output[reference++];
                }
            }
        }
        return op;
    }
}
