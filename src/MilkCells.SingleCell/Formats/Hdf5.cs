using System.Text;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Data;
using PureHDF;
using PureHDF.VOL.Native;

namespace MilkCells.SingleCell.Formats;

/// <summary>Typed reads of HDF5 datasets and attributes through PureHDF, with input errors that name the file and the object.</summary>
/// <remarks>
/// PureHDF reads a dataset into the .NET type asked for without converting between widths, so every numeric read
/// first looks at the stored type (fixed point of 1–8 bytes, signed or not; IEEE float of 4 or 8 bytes) and asks for
/// the matching type.
/// </remarks>
internal static class Hdf5
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

    /// <summary>Whether the bytes start an HDF5 file (the signature at 0 or after a user block of 512 · 2^k bytes).</summary>
    public static bool HasSignature(ReadOnlySpan<byte> bytes)
    {
        for (long at = 0; at + Signature.Length <= bytes.Length; at = at == 0 ? 512 : at * 2)
        {
            if (bytes.Slice((int)at, Signature.Length).SequenceEqual(Signature))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Opens an HDF5 file held in memory (a decompressed .h5.gz, or a file read whole).</summary>
    public static NativeFile Open(byte[] bytes, string source)
    {
        LzfFilter.Register();
        if (!HasSignature(bytes))
        {
            throw new InputException(InputLocation.InFile(source), "not an HDF5 file (no HDF5 signature at its start)",
                "give a 10x HDF5 (.h5) or AnnData (.h5ad) file, a 10x folder, a .mtx(.gz) or a dense table");
        }
        try
        {
            return H5File.Open(new MemoryStream(bytes, writable: false), leaveOpen: false);
        }
        catch (Exception ex) when (ex is not InputException)
        {
            throw Damaged(source, ex);
        }
    }

    /// <summary>Opens an HDF5 file on disk (read through a file stream, not loaded whole).</summary>
    public static NativeFile OpenFile(string path)
    {
        LzfFilter.Register();
        var head = new byte[2048 + 8];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (!HasSignature(head.AsSpan(0, n)))
        {
            throw new InputException(InputLocation.InFile(path), "not an HDF5 file (no HDF5 signature at its start)",
                "give a 10x HDF5 (.h5) or AnnData (.h5ad) file, a 10x folder, a .mtx(.gz) or a dense table");
        }
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception ex) when (ex is not InputException)
        {
            throw Damaged(path, ex);
        }
    }

    /// <summary>An input error for an HDF5 file PureHDF could not read (truncated or damaged).</summary>
    public static InputException Damaged(string source, Exception ex, string? what = null) =>
        new(InputLocation.InFile(source), $"the HDF5 file is truncated or damaged{(what is null ? "" : $" (reading {what})")}: {Describe(ex)}",
            "copy the file again, or check it with 'h5dump -H'");

    private static string Describe(Exception ex) => ex switch
    {
        EndOfStreamException => "it ends before the data it points to",
        { InnerException: { } inner } => ex.Message.Split('\n')[0].TrimEnd('.') + ": " + Describe(inner),
        _ => ex.Message.Split('\n')[0].TrimEnd('.'),
    };

    /// <summary>Runs a read, turning PureHDF's failures into an input error naming the object.</summary>
    public static T Guard<T>(string source, string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not InputException)
        {
            throw Damaged(source, ex, what);
        }
    }

    /// <summary>The dataset at <paramref name="path"/> under <paramref name="group"/>, or null.</summary>
    public static IH5Dataset? DatasetOrNull(IH5Group group, string path) =>
        group.LinkExists(path) && group.Get(path) is IH5Dataset d ? d : null;

    /// <summary>The group at <paramref name="path"/> under <paramref name="group"/>, or null.</summary>
    public static IH5Group? GroupOrNull(IH5Group group, string path) =>
        group.LinkExists(path) && group.Get(path) is IH5Group g ? g : null;

    /// <summary>The number of elements of a dataset.</summary>
    public static long Length(IH5Dataset d) => d.Space.Type == H5DataspaceType.Scalar ? 1 : d.Space.Dimensions.Aggregate(1UL, (a, b) => a * b) is var n ? (long)n : 0;

    /// <summary>A one-dimensional string dataset (fixed-length or variable-length; ASCII or UTF-8).</summary>
    public static string[] Strings(IH5Dataset d)
    {
        if (d.Type.Class == H5DataTypeClass.String || d.Type.Class == H5DataTypeClass.VariableLength)
        {
            return d.Read<string[]>().Select(s => (s ?? "").TrimEnd('\0')).ToArray();
        }
        if (d.Type.Class == H5DataTypeClass.FixedPoint || d.Type.Class == H5DataTypeClass.FloatingPoint)
        {
            // numeric ids (an int64 obs index) stay strings
            return Numbers(d).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        throw new InvalidDataException($"{d.Name} holds {d.Type.Class} values, not strings");
    }

    /// <summary>A string attribute, or null when absent.</summary>
    public static string? StringAttribute(IH5Object o, string name)
    {
        if (!o.AttributeExists(name))
        {
            return null;
        }
        var a = o.Attribute(name);
        if (a.Type.Class != H5DataTypeClass.String && a.Type.Class != H5DataTypeClass.VariableLength)
        {
            return null;
        }
        return a.Space.Type == H5DataspaceType.Scalar ? a.Read<string>()?.TrimEnd('\0') : a.Read<string[]>().FirstOrDefault()?.TrimEnd('\0');
    }

    /// <summary>A string-array attribute (for example <c>column-order</c>); empty when absent or not strings.</summary>
    public static string[] StringArrayAttribute(IH5Object o, string name)
    {
        if (!o.AttributeExists(name))
        {
            return [];
        }
        var a = o.Attribute(name);
        if (a.Type.Class != H5DataTypeClass.String && a.Type.Class != H5DataTypeClass.VariableLength)
        {
            return [];
        }
        return a.Space.Type == H5DataspaceType.Scalar ? [a.Read<string>()] : a.Read<string[]>();
    }

    /// <summary>A numeric attribute as doubles (an array or a scalar), or null when absent.</summary>
    public static double[]? NumberAttribute(IH5Object o, string name)
    {
        if (!o.AttributeExists(name))
        {
            return null;
        }
        var a = o.Attribute(name);
        return (a.Type.Class, a.Type.Size, a.Type.Class == H5DataTypeClass.FixedPoint && a.Type.FixedPoint.IsSigned) switch
        {
            (H5DataTypeClass.FixedPoint, 8, true) => a.Read<long[]>().Select(x => (double)x).ToArray(),
            (H5DataTypeClass.FixedPoint, 8, false) => a.Read<ulong[]>().Select(x => (double)x).ToArray(),
            (H5DataTypeClass.FixedPoint, 4, true) => a.Read<int[]>().Select(x => (double)x).ToArray(),
            (H5DataTypeClass.FixedPoint, 4, false) => a.Read<uint[]>().Select(x => (double)x).ToArray(),
            (H5DataTypeClass.FloatingPoint, 8, _) => a.Read<double[]>(),
            (H5DataTypeClass.FloatingPoint, 4, _) => a.Read<float[]>().Select(x => (double)x).ToArray(),
            _ => null,
        };
    }

    /// <summary>Whether a dataset's stored values are whole numbers (fixed point).</summary>
    public static bool IsInteger(IH5Dataset d) => d.Type.Class == H5DataTypeClass.FixedPoint || d.Type.Class == H5DataTypeClass.Enumerated;

    /// <summary>The value kind of a numeric dataset.</summary>
    public static ValueKind KindOf(IH5Dataset d) => d.Type.Class switch
    {
        H5DataTypeClass.FloatingPoint when d.Type.Size == 4 => ValueKind.Float32,
        H5DataTypeClass.FloatingPoint => ValueKind.Float64,
        _ => ValueKind.Integer,
    };

    /// <summary>A numeric dataset (any stored width) as doubles.</summary>
    public static double[] Numbers(IH5Dataset d) => (d.Type.Class, d.Type.Size, Signed(d)) switch
    {
        (H5DataTypeClass.FloatingPoint, 8, _) => d.Read<double[]>(),
        (H5DataTypeClass.FloatingPoint, 4, _) => Array.ConvertAll(d.Read<float[]>(), x => (double)x),
        _ => Array.ConvertAll(Integers(d), x => (double)x),
    };

    /// <summary>A numeric dataset as 32-bit floats (the matrix values).</summary>
    public static float[] Floats(IH5Dataset d) => (d.Type.Class, d.Type.Size) switch
    {
        (H5DataTypeClass.FloatingPoint, 4) => d.Read<float[]>(),
        (H5DataTypeClass.FloatingPoint, 8) => Array.ConvertAll(d.Read<double[]>(), x => (float)x),
        _ => Array.ConvertAll(Integers(d), x => (float)x),
    };

    /// <summary>An integer dataset (any width, signed or not; a boolean enum) as 64-bit integers.</summary>
    public static long[] Integers(IH5Dataset d)
    {
        if (d.Type.Class == H5DataTypeClass.Enumerated)
        {
            return Array.ConvertAll(d.Read<byte[]>(), x => (long)x);
        }
        if (d.Type.Class != H5DataTypeClass.FixedPoint)
        {
            throw new InvalidDataException($"{d.Name} holds {d.Type.Class} values, not integers");
        }
        return (d.Type.Size, Signed(d)) switch
        {
            (1, true) => Array.ConvertAll(d.Read<sbyte[]>(), x => (long)x),
            (1, false) => Array.ConvertAll(d.Read<byte[]>(), x => (long)x),
            (2, true) => Array.ConvertAll(d.Read<short[]>(), x => (long)x),
            (2, false) => Array.ConvertAll(d.Read<ushort[]>(), x => (long)x),
            (4, true) => Array.ConvertAll(d.Read<int[]>(), x => (long)x),
            (4, false) => Array.ConvertAll(d.Read<uint[]>(), x => (long)x),
            (8, true) => d.Read<long[]>(),
            (8, false) => Array.ConvertAll(d.Read<ulong[]>(), x => checked((long)x)),
            _ => throw new InvalidDataException($"{d.Name}: unsupported integer width {d.Type.Size}"),
        };
    }

    /// <summary>An integer dataset as 32-bit integers (indices and pointers), checking the range.</summary>
    public static int[] Int32s(IH5Dataset d, string source, string what)
    {
        if (d.Type.Class == H5DataTypeClass.FixedPoint && d.Type.Size == 4 && Signed(d))
        {
            return d.Read<int[]>();
        }
        var wide = Integers(d);
        var result = new int[wide.Length];
        for (var i = 0; i < wide.Length; i++)
        {
            if (wide[i] < int.MinValue || wide[i] > int.MaxValue)
            {
                throw new InputException(InputLocation.AtElement(source, what), $"entry {i} is {wide[i]}, beyond what a matrix of this size can hold");
            }
            result[i] = (int)wide[i];
        }
        return result;
    }

    private static bool Signed(IH5Dataset d) => d.Type.Class == H5DataTypeClass.FixedPoint && d.Type.FixedPoint.IsSigned;

    /// <summary>Decodes a fixed-length byte string (NUL-padded, ASCII or UTF-8).</summary>
    public static string FixedString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
