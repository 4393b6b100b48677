using System.IO.Compression;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Formats;

/// <summary>Reads a count matrix from any exchange format, recognised by content rather than by name.</summary>
/// <remarks>
/// A folder is a 10x MTX folder (or a Cell Ranger 2 folder of genome folders); a file is gunzipped if it starts with
/// the gzip magic bytes, then read as HDF5 (10x or AnnData, told apart by their groups), Matrix Market or a dense table.
/// <c>PATH#GENOME</c> picks a genome, as <c>--genome</c> does.
/// </remarks>
public static class MatrixReader
{
    /// <summary>Reads the matrix at <paramref name="path"/>; <paramref name="genome"/> picks one genome of a multi-genome file.</summary>
    public static CellMatrix Read(string path, string? genome = null, int threads = 1)
    {
        if (!File.Exists(path) && !Directory.Exists(path) && path.LastIndexOf('#') is var hash and > 0)
        {
            genome ??= path[(hash + 1)..];
            path = path[..hash];
        }
        if (Directory.Exists(path))
        {
            return GenomeChosen(ReadFolder(path, genome, threads), path, genome);
        }
        if (!File.Exists(path))
        {
            throw new InputException(InputLocation.InFile(path), "no such file or folder", "give a 10x folder, a .h5, .h5ad, .mtx(.gz) or a dense .tsv/.csv table");
        }
        try
        {
            return GenomeChosen(ReadFile(path, genome, threads), path, genome);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InputException(InputLocation.InFile(path), "cannot be read (permission denied)", null, ex);
        }
        catch (InvalidDataException ex)
        {
            throw new InputException(InputLocation.InFile(path), $"the file is damaged: {ex.Message}", "copy it again", ex);
        }
    }

    /// <summary>A genome asked for must have been chosen: only Cell Ranger 2 genome groups and folders of genome folders offer a choice, and it is never silently ignored.</summary>
    private static CellMatrix GenomeChosen(CellMatrix m, string path, string? genome) =>
        genome is null || m.Genome is not null ? m
        : throw new InputException(InputLocation.AtElement(path, "--genome"), $"'{genome}' cannot be chosen: {m.Format} has no genome groups",
            m.Genomes.Length > 0 ? $"its features' genomes ({string.Join(", ", m.Genomes)}) are all read; leave out --genome" : "leave out --genome");

    private static CellMatrix ReadFolder(string path, string? genome, int threads)
    {
        if (TenxFolderReader.Recognises(path))
        {
            return TenxFolderReader.Read(path, threads);
        }
        var genomes = TenxFolderReader.GenomeFolders(path);
        if (genomes.Count == 0)
        {
            throw new InputException(InputLocation.InFile(path), "the folder holds no matrix.mtx(.gz)", "give a Cell Ranger output folder (matrix.mtx, barcodes.tsv, features.tsv or genes.tsv)");
        }
        if (genome is null && genomes.Count > 1)
        {
            throw new InputException(InputLocation.InFile(path), $"the folder holds {genomes.Count} genomes ({string.Join(", ", genomes)})", "choose one with --genome");
        }
        var chosen = genome ?? genomes[0];
        if (!genomes.Contains(chosen))
        {
            throw new InputException(InputLocation.AtElement(path, "--genome"), $"no genome '{chosen}' in this folder", $"it has {string.Join(", ", genomes)}");
        }
        return TenxFolderReader.Read(Path.Combine(path, chosen), threads) with { Genomes = [.. genomes], Genome = chosen };
    }

    private static CellMatrix ReadFile(string path, string? genome, int threads)
    {
        var head = new byte[8];
        int got;
        using (var f = File.OpenRead(path))
        {
            if (f.Length == 0)
            {
                throw new InputException(InputLocation.InFile(path), "the file is empty", "copy it again");
            }
            got = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        var gz = got >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        var name = gz && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        var ext = Path.GetExtension(name).ToLowerInvariant();
        if (ext is ".h5" or ".h5ad" or ".hdf5" or ".he5" || (!gz && Hdf5.HasSignature(head)))
        {
            if (!gz)
            {
                using var h5 = Hdf5.OpenFile(path);
                return ReadHdf5(h5, path, genome);
            }
            return ReadHdf5(Gunzip(path), path, genome);
        }
        if (gz)
        {
            // sniff the decompressed start: HDF5, Matrix Market or text
            using var s = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            var inner = new byte[16];
            var n = s.ReadAtLeast(inner, inner.Length, throwOnEndOfStream: false);
            if (Hdf5.HasSignature(inner.AsSpan(0, n)))
            {
                return ReadHdf5(Gunzip(path), path, genome);
            }
            head = inner;
            got = n;
        }
        if (got >= 2 && head[0] == (byte)'%' && head[1] == (byte)'%')
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            // a matrix.mtx beside its barcodes and features is a 10x folder
            return Path.GetFileName(name) == "matrix.mtx" && TenxFolderReader.Recognises(dir) && (File.Exists(Path.Combine(dir, "barcodes.tsv")) || File.Exists(Path.Combine(dir, "barcodes.tsv.gz")))
                ? TenxFolderReader.Read(dir, threads)
                : MtxReader.ReadLone(path, threads);
        }
        return DenseTableReader.Read(path);
    }

    private static byte[] Gunzip(string path)
    {
        using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var output = new MemoryStream();
        try
        {
            input.CopyTo(output);
        }
        catch (InvalidDataException ex)
        {
            throw new InputException(InputLocation.InFile(path), $"the gzip stream is damaged or truncated ({ex.Message.TrimEnd('.')})", "copy the file again", ex);
        }
        return output.ToArray();
    }

    private static CellMatrix ReadHdf5(byte[] bytes, string path, string? genome)
    {
        using var file = Hdf5.Open(bytes, path);
        return ReadHdf5(file, path, genome);
    }

    private static CellMatrix ReadHdf5(PureHDF.VOL.Native.NativeFile file, string path, string? genome)
    {
        var (isH5ad, isTenx) = Hdf5.Guard(path, "the root group", () => (H5adReader.Recognises(file), TenxH5Reader.Recognises(file)));
        if (isH5ad)
        {
            return H5adReader.Read(file, path);
        }
        if (isTenx)
        {
            return TenxH5Reader.Read(file, path, genome);
        }
        throw new InputException(InputLocation.InFile(path), "an HDF5 file that is neither a 10x matrix (a 'matrix' or genome group) nor an AnnData file (obs and var)",
            "give a Cell Ranger .h5 or an AnnData .h5ad");
    }
}
