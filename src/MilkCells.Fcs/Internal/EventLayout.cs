using System.Buffers.Binary;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MilkCells.Fcs.Internal;

/// <summary>How one column is stored: its codec, byte offset within the row, width and mask.</summary>
internal enum Codec : byte
{
    UInt,
    Float32,
    Float64,
    AsciiFixed,
}

internal readonly record struct ColumnCodec(Codec Codec, int Offset, int Width, bool BigEndian, byte[]? Shifts, ulong Mask);

/// <summary>
/// The byte layout of one event (row) and the kernels that turn rows into doubles. Uniform layouts (every column
/// the same codec and width, the common case) go through vectorised kernels over the flat value array; mixed
/// layouts go column by column.
/// </summary>
internal sealed class EventLayout
{
    private readonly ColumnCodec[] _columns;
    private readonly Kind _uniform;
    private readonly bool _bigEndian;
    private readonly bool _anyMask;
    private readonly Array? _maskPattern;

    private enum Kind
    {
        Mixed,
        U8,
        U16,
        U24,
        U32,
        F32,
        F64,
    }

    public EventLayout(ColumnCodec[] columns)
    {
        _columns = columns;
        RowBytes = columns.Sum(c => c.Width);
        _anyMask = columns.Any(c => c.Codec == Codec.UInt && c.Mask != FullMask(c.Width));
        var first = columns[0];
        _bigEndian = first.BigEndian;
        var same = columns.All(c => c.Codec == first.Codec && c.Width == first.Width && c.BigEndian == first.BigEndian && c.Shifts is null);
        _uniform = !same ? Kind.Mixed : (first.Codec, first.Width) switch
        {
            (Codec.UInt, 1) => Kind.U8,
            (Codec.UInt, 2) => Kind.U16,
            (Codec.UInt, 3) => Kind.U24,
            (Codec.UInt, 4) => Kind.U32,
            (Codec.Float32, 4) => Kind.F32,
            (Codec.Float64, 8) => Kind.F64,
            _ => Kind.Mixed,
        };
        if (_anyMask)
        {
            _maskPattern = _uniform switch
            {
                Kind.U8 => Pattern<byte>(columns),
                Kind.U16 => Pattern<ushort>(columns),
                Kind.U32 or Kind.U24 => Pattern<uint>(columns),
                _ => null,
            };
        }
    }

    /// <summary>Bytes per event.</summary>
    public int RowBytes { get; }

    public int ParameterCount => _columns.Length;

    public IReadOnlyList<ColumnCodec> Columns => _columns;

    public static ulong FullMask(int width) => width >= 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;

    /// <summary>Decodes <paramref name="rows"/> events from <paramref name="source"/> (modified in place) into <paramref name="destination"/>.</summary>
    /// <remarks><paramref name="at"/> (the chunk's absolute offset) and <paramref name="file"/> locate a bad ASCII value.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Decode(Span<byte> source, int rows, Span<double> destination, long at = 0, string? file = null)
    {
        var count = rows * _columns.Length;
        var bytes = source[..(rows * RowBytes)];
        var dst = destination[..count];
        switch (_uniform)
        {
            case Kind.F32:
            {
                var values = MemoryMarshal.Cast<byte, int>(bytes);
                if (_bigEndian)
                {
                    BinaryPrimitives.ReverseEndianness(values, values);
                }
                WidenSingle(MemoryMarshal.Cast<int, float>(values), dst);
                return;
            }
            case Kind.F64:
            {
                var values = MemoryMarshal.Cast<byte, long>(bytes);
                if (_bigEndian)
                {
                    BinaryPrimitives.ReverseEndianness(values, MemoryMarshal.Cast<double, long>(dst));
                }
                else
                {
                    values.CopyTo(MemoryMarshal.Cast<double, long>(dst));
                }
                return;
            }
            case Kind.U8:
                if (_maskPattern is byte[] p8)
                {
                    AndPattern(bytes, p8);
                }
                WidenU8(bytes, dst);
                return;
            case Kind.U16:
            {
                var values = MemoryMarshal.Cast<byte, ushort>(bytes);
                if (_bigEndian)
                {
                    BinaryPrimitives.ReverseEndianness(values, values);
                }
                MaskAndWiden(values, dst);
                return;
            }
            case Kind.U32:
            {
                var values = MemoryMarshal.Cast<byte, uint>(bytes);
                if (_bigEndian)
                {
                    BinaryPrimitives.ReverseEndianness(values, values);
                }
                MaskAndWiden(values, dst);
                return;
            }
            case Kind.U24:
            {
                // Spread 3-byte values to 4-byte ones, then mask and widen like 32-bit integers.
                var wide = System.Buffers.ArrayPool<uint>.Shared.Rent(count);
                try
                {
                    var values = wide.AsSpan(0, count);
                    Spread24(bytes, values, _bigEndian);
                    MaskAndWiden(values, dst);
                }
                finally
                {
                    System.Buffers.ArrayPool<uint>.Shared.Return(wide);
                }
                return;
            }
            default:
                DecodeMixed(bytes, rows, dst, at, file);
                return;
        }
    }

    private void MaskAndWiden(Span<ushort> values, Span<double> dst)
    {
        if (_maskPattern is ushort[] pattern)
        {
            AndPattern(values, pattern);
        }
        WidenU16(values, dst);
    }

    private void MaskAndWiden(Span<uint> values, Span<double> dst)
    {
        if (_maskPattern is uint[] pattern)
        {
            AndPattern(values, pattern);
        }
        WidenU32(values, dst);
    }

    private static readonly Vector128<byte> Spread24Little = Vector128.Create((byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80);
    private static readonly Vector128<byte> Spread24Big = Vector128.Create((byte)2, 1, 0, 0x80, 5, 4, 3, 0x80, 8, 7, 6, 0x80, 11, 10, 9, 0x80);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Spread24(ReadOnlySpan<byte> source, Span<uint> destination, bool bigEndian)
    {
        var n = destination.Length;
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        if (System.Runtime.Intrinsics.X86.Ssse3.IsSupported)
        {
            // pshufb: 16-byte loads for 4 values (12 bytes), so stop while 4 bytes of slack remain.
            var shuffle = bigEndian ? Spread24Big : Spread24Little;
            for (; 3 * i + 16 <= source.Length && i + 4 <= n; i += 4)
            {
                System.Runtime.Intrinsics.X86.Ssse3.Shuffle(Vector128.LoadUnsafe(ref s, (nuint)(3 * i)), shuffle).AsUInt32().StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            var b0 = Unsafe.Add(ref s, 3 * i);
            var b1 = Unsafe.Add(ref s, 3 * i + 1);
            var b2 = Unsafe.Add(ref s, 3 * i + 2);
            Unsafe.Add(ref d, i) = bigEndian ? (uint)(b0 << 16 | b1 << 8 | b2) : (uint)(b2 << 16 | b1 << 8 | b0);
        }
    }

    private void DecodeMixed(ReadOnlySpan<byte> bytes, int rows, Span<double> dst, long at, string? file)
    {
        var columns = _columns;
        var p = columns.Length;
        var rowBytes = RowBytes;
        for (var r = 0; r < rows; r++)
        {
            var row = bytes.Slice(r * rowBytes, rowBytes);
            var outRow = dst.Slice(r * p, p);
            for (var c = 0; c < p; c++)
            {
                var value = DecodeValue(row, in columns[c]);
                if (double.IsNaN(value) && columns[c].Codec == Codec.AsciiFixed)
                {
                    var cell = row.Slice(columns[c].Offset, columns[c].Width);
                    throw new FcsFormatException(file, at + (long)r * rowBytes + columns[c].Offset, FcsProblem.BadAsciiValue,
                        $"ASCII DATA value \"{HeaderParser.Printable(cell)}\" is not a number");
                }
                outRow[c] = value;
            }
        }
    }

    private static double DecodeValue(ReadOnlySpan<byte> row, in ColumnCodec column)
    {
        var cell = row.Slice(column.Offset, column.Width);
        switch (column.Codec)
        {
            case Codec.UInt:
                return ReadUnsigned(cell, column) & column.Mask;
            case Codec.Float32:
                return BitConverter.Int32BitsToSingle((int)ReadUnsigned(cell, column));
            case Codec.Float64:
                return BitConverter.Int64BitsToDouble((long)ReadUnsigned(cell, column));
            default:
                return ParseAscii(cell);
        }
    }

    /// <summary>The stored bytes as an unsigned integer, honouring the byte order.</summary>
    private static ulong ReadUnsigned(ReadOnlySpan<byte> cell, in ColumnCodec column)
    {
        ulong value = 0;
        if (column.Shifts is { } shifts)
        {
            for (var i = 0; i < cell.Length; i++)
            {
                value |= (ulong)cell[i] << shifts[i];
            }
            return value;
        }
        if (column.BigEndian)
        {
            for (var i = 0; i < cell.Length; i++)
            {
                value = (value << 8) | cell[i];
            }
            return value;
        }
        for (var i = cell.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | cell[i];
        }
        return value;
    }

    /// <summary>Parses a fixed-width ASCII value (spaces allowed around it; blank is 0).</summary>
    internal static double ParseAscii(ReadOnlySpan<byte> cell)
    {
        var trimmed = cell.Trim((byte)' ');
        if (trimmed.IsEmpty)
        {
            return 0;
        }
        // Digits, sign, decimal point and exponent only: anything else (including "NaN") is not an ASCII value.
        return Utf8Parser.TryParse(trimmed, out double value, out var consumed) && consumed == trimmed.Length && double.IsFinite(value)
            ? value
            : double.NaN;
    }

    private static T[] Pattern<T>(ColumnCodec[] columns) where T : unmanaged, IBinaryInteger<T>
    {
        // The mask repeats every P values; a block of lcm(P, lanes) values lines up with whole vectors.
        var lanes = Vector256<T>.Count;
        var p = columns.Length;
        var width = p / (int)BigInteger.GreatestCommonDivisor(p, lanes) * lanes;
        var pattern = new T[width];
        for (var i = 0; i < width; i++)
        {
            pattern[i] = T.CreateTruncating(columns[i % p].Mask);
        }
        return pattern;
    }

    private static void AndPattern<T>(Span<T> values, T[] pattern) where T : unmanaged, IBinaryInteger<T>
    {
        var w = pattern.Length;
        var i = 0;
        ref var v = ref MemoryMarshal.GetReference(values);
        ref var m = ref MemoryArrayRef(pattern);
        if (Vector256.IsHardwareAccelerated)
        {
            var lanes = Vector256<T>.Count;
            for (; i + w <= values.Length; i += w)
            {
                for (var j = 0; j < w; j += lanes)
                {
                    var x = Vector256.LoadUnsafe(ref v, (nuint)(i + j)) & Vector256.LoadUnsafe(ref m, (nuint)j);
                    x.StoreUnsafe(ref v, (nuint)(i + j));
                }
            }
        }
        for (; i < values.Length; i++)
        {
            values[i] &= pattern[i % w];
        }
    }

    private static ref T MemoryArrayRef<T>(T[] array) => ref MemoryMarshal.GetArrayDataReference(array);

    private static readonly Vector256<ulong> MagicBits = Vector256.Create(0x4330000000000000UL);
    private static readonly Vector256<double> MagicValue = Vector256.Create(4503599627370496.0); // 2^52

    /// <summary>Exact conversion of integers below 2^52: place them in the mantissa of 2^52 and subtract 2^52.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ToDouble(Vector256<ulong> x) => (x | MagicBits).AsDouble() - MagicValue;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WidenSingle(ReadOnlySpan<float> source, Span<double> destination)
    {
        var n = source.Length;
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination[..n]);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                lo.StoreUnsafe(ref d, (nuint)i);
                hi.StoreUnsafe(ref d, (nuint)(i + 4));
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenU8(ReadOnlySpan<byte> source, Span<double> destination)
    {
        var n = source.Length;
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination[..n]);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 32 <= n; i += 32)
            {
                var (a, b) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                Store16(a, ref d, i);
                Store16(b, ref d, i + 16);
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenU16(ReadOnlySpan<ushort> source, Span<double> destination)
    {
        var n = source.Length;
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination[..n]);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                Store16(Vector256.LoadUnsafe(ref s, (nuint)i), ref d, i);
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store16(Vector256<ushort> v, ref double d, int i)
    {
        var (a, b) = Vector256.Widen(v);
        Store8(a, ref d, i);
        Store8(b, ref d, i + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8(Vector256<uint> v, ref double d, int i)
    {
        var (a, b) = Vector256.Widen(v);
        ToDouble(a).StoreUnsafe(ref d, (nuint)i);
        ToDouble(b).StoreUnsafe(ref d, (nuint)(i + 4));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenU32(ReadOnlySpan<uint> source, Span<double> destination)
    {
        var n = source.Length;
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination[..n]);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                Store8(Vector256.LoadUnsafe(ref s, (nuint)i), ref d, i);
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
        }
    }
}
