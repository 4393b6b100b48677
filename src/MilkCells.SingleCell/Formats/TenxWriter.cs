using System.Globalization;
using System.IO.Compression;
using System.Text;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Formats;

/// <summary>Writes a Cell Ranger 3 MTX folder: matrix.mtx.gz (features × barcodes), features.tsv.gz, barcodes.tsv.gz.</summary>
public static class TenxWriter
{
    public static void Write(CellMatrix m, string folder)
    {
        Directory.CreateDirectory(folder);
        var x = m.Counts ?? throw new ArgumentException("no matrix to write");
        // matrix.mtx lists entries column by column (barcode by barcode), as Cell Ranger writes it
        using (var w = Gz(Path.Combine(folder, "matrix.mtx.gz")))
        {
            var integer = x.Kind == ValueKind.Integer;
            w.Write($"%%MatrixMarket matrix coordinate {(integer ? "integer" : "real")} general\n");
            w.Write("%metadata_json: {\"software_version\": \"milkcells\", \"format_version\": 2}\n");
            w.Write($"{x.Columns} {x.Rows} {x.NonZeros}\n");
            var line = new StringBuilder(64);
            for (var r = 0; r < x.Rows; r++)
            {
                var idx = x.RowIndices(r);
                var val = x.RowValues(r);
                for (var k = 0; k < idx.Length; k++)
                {
                    line.Clear();
                    line.Append(idx[k] + 1).Append(' ').Append(r + 1).Append(' ')
                        .Append(integer ? ((long)val[k]).ToString(CultureInfo.InvariantCulture) : val[k].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                    w.Write(line);
                }
            }
        }
        using (var w = Gz(Path.Combine(folder, "features.tsv.gz")))
        {
            foreach (var f in m.Features)
            {
                w.Write($"{f.Id}\t{f.Name}\t{f.Type}\n");
            }
        }
        using (var w = Gz(Path.Combine(folder, "barcodes.tsv.gz")))
        {
            foreach (var b in m.Barcodes)
            {
                w.Write(b + "\n");
            }
        }
    }

    /// <summary>A gzip text writer whose bytes do not depend on the time or the file name (no mtime, no name in the header).</summary>
    private static StreamWriter Gz(string path) =>
        new(new GZipStream(File.Create(path), CompressionLevel.Optimal), new UTF8Encoding(false), 1 << 16);
}
