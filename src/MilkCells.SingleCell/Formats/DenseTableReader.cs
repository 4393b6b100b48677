using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Formats;

/// <summary>Reads a dense table of genes × cells (tab- or comma-separated; gene names in the first column, cell names in the header).</summary>
/// <remarks>
/// The layout R's <c>write.table</c> and Seurat's example data use: the header may or may not start with an empty corner
/// cell (R omits it), which is told apart by counting fields against the first data row.
/// </remarks>
internal static class DenseTableReader
{
    public static CellMatrix Read(string path)
    {
        var lines = TenxFolderReader.ReadLines(path);
        if (lines.Count == 0)
        {
            throw new InputException(InputLocation.InFile(path), "the table is empty", "a dense table has a header of cell names and one row per gene");
        }
        var separator = lines[0].Contains('\t') ? '\t' : ',';
        var header = Split(lines[0], separator);
        if (lines.Count < 2)
        {
            throw new InputException(InputLocation.AtLine(path, 1), "the table has a header but no genes", "give one row per gene after the header");
        }
        var width = Split(lines[1], separator).Length - 1;
        string[] cells = header.Length == width ? header : header.Length == width + 1 ? header[1..] :
            throw new InputException(InputLocation.AtLine(path, 2), $"the header names {header.Length} cells but the first gene row has {width} values",
                "every row is a gene name followed by one value per cell");
        var genes = new List<string>();
        var row = new List<int>();
        var col = new List<int>();
        var val = new List<float>();
        var integer = true;
        for (var g = 1; g < lines.Count; g++)
        {
            var fields = Split(lines[g], separator);
            if (fields.Length != width + 1)
            {
                throw new InputException(InputLocation.AtLine(path, g + 1), $"{fields.Length - 1} values where the header names {width} cells");
            }
            genes.Add(fields[0]);
            for (var c = 0; c < width; c++)
            {
                if (!double.TryParse(fields[c + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || double.IsNaN(v))
                {
                    throw new InputException(InputLocation.AtLine(path, g + 1, c + 2), $"'{fields[c + 1]}' is not a number");
                }
                if (v < 0)
                {
                    throw new InputException(InputLocation.AtLine(path, g + 1, c + 2), $"a negative count ({fields[c + 1]}) for gene {fields[0]}, cell {cells[c]}",
                        "counts are never negative: is this a processed matrix?");
                }
                if (v != 0)
                {
                    integer &= v == Math.Floor(v);
                    row.Add(c);
                    col.Add(g - 1);
                    val.Add((float)v);
                }
            }
        }
        var matrix = CsrBuilder.FromArrays(width, genes.Count, [.. row], [.. col], [.. val], integer ? ValueKind.Integer : ValueKind.Float64);
        return new CellMatrix(matrix, [.. cells], [.. genes.Select(n => new Feature(n, n))],
            $"dense {(separator == '\t' ? "tab" : "comma")}-separated table (genes × cells)", path);
    }

    private static string[] Split(string line, char separator) => line.Split(separator).Select(f => f.Trim().Trim('"')).ToArray();
}
