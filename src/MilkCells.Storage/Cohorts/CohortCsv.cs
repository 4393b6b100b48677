using System.Globalization;
using System.Text;

namespace MilkCells.Storage.Cohorts;

/// <summary>Writes a store's rows as CSV, sorted by mother then day, in one canonical byte form.</summary>
/// <remarks>
/// The bytes depend only on the rows: UTF-8 without BOM, LF line ends, a header of column names, integers in
/// invariant digits, reals as their shortest round-trip text ("R", invariant culture), NULL as an empty field, and
/// text quoted (RFC 4180) only when it holds a comma, quote or line break. So a sequential run, any thread count, any
/// shard split, SQLite or PostgreSQL export identical files. Rows stream through; memory does not grow with N.
/// </remarks>
public static class CohortCsv
{
    /// <summary>Exports every row of <paramref name="store"/> to <paramref name="output"/>; returns the row count.</summary>
    public static long Export(ICohortStore store, Stream output, CohortQuery? query = null, CancellationToken cancellation = default)
    {
        using var reader = store.ReadRows(query);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.Write(string.Join(',', reader.Schema.HeaderNames()));
        writer.Write('\n');
        var kinds = reader.Schema.Columns.Select(c => c.Kind).ToArray();
        Span<char> buffer = stackalloc char[64];
        long rows = 0;
        while (reader.Read())
        {
            WriteInteger(writer, reader.MotherId, buffer);
            writer.Write(',');
            WriteInteger(writer, reader.Day, buffer);
            for (var c = 0; c < kinds.Length; c++)
            {
                writer.Write(',');
                if (reader.IsNull(c))
                {
                    continue;
                }
                switch (kinds[c])
                {
                    case ColumnKind.Integer:
                        WriteInteger(writer, reader.GetInteger(c), buffer);
                        break;
                    case ColumnKind.Real:
                        reader.GetReal(c).TryFormat(buffer, out var n, "R", CultureInfo.InvariantCulture);
                        writer.Write(buffer[..n]);
                        break;
                    default:
                        WriteText(writer, reader.GetText(c)!);
                        break;
                }
            }
            writer.Write('\n');
            if ((++rows & 0xFFFF) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }
        return rows;
    }

    /// <summary>Exports to a file, written beside it and renamed into place so an interrupted export leaves nothing half-written.</summary>
    public static long ExportToFile(ICohortStore store, string path, CohortQuery? query = null, CancellationToken cancellation = default)
    {
        using var file = MilkCells.Core.Files.OutputFile.Create(path);
        var rows = Export(store, file.Stream, query, cancellation);
        file.Commit();
        return rows;
    }

    private static void WriteInteger(StreamWriter writer, long value, Span<char> buffer)
    {
        value.TryFormat(buffer, out var n, default, CultureInfo.InvariantCulture);
        writer.Write(buffer[..n]);
    }

    private static void WriteText(StreamWriter writer, string text)
    {
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(text);
            return;
        }
        writer.Write('"');
        writer.Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
