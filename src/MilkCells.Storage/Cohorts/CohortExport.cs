using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts.Columnar;

namespace MilkCells.Storage.Cohorts;

/// <summary>The file formats <c>cohort export</c> writes.</summary>
public enum ExportFormat
{
    /// <summary>Canonical CSV (<see cref="CohortCsv"/>).</summary>
    Csv,

    /// <summary>Apache Parquet: typed, compressed, with the run as key–value metadata.</summary>
    Parquet,

    /// <summary>Arrow IPC file (Feather v2): typed, uncompressed, memory-mappable.</summary>
    Arrow,
}

/// <summary>Exports a store's rows, sorted by mother then day, as CSV, Parquet or Arrow; the bytes depend only on the rows and the run.</summary>
/// <remarks>
/// Parquet and Arrow files hold the same rows in row groups (record batches) of <see cref="RowGroupRows"/> rows, a
/// number fixed by the column count alone, so any store holding the same cohort — SQLite, PostgreSQL, DuckDB, a
/// Parquet folder, whatever threads or shards wrote it — exports the same bytes. Memory is one row group.
/// </remarks>
public static class CohortExport
{
    /// <summary>The formats by name, as <c>--format</c> takes them.</summary>
    public static readonly IReadOnlyList<string> FormatNames = ["csv", "parquet", "arrow"];

    /// <summary>The format <paramref name="format"/> names, or else the one the file's extension implies (.csv or none, .parquet/.pq, .arrow/.feather/.ipc).</summary>
    /// <exception cref="InputException">An unknown format, or no format and an extension that implies none.</exception>
    public static ExportFormat FormatOf(string path, string? format)
    {
        if (format is not null)
        {
            return format.ToLowerInvariant() switch
            {
                "csv" => ExportFormat.Csv,
                "parquet" => ExportFormat.Parquet,
                "arrow" or "feather" or "ipc" => ExportFormat.Arrow,
                _ => throw new InputException(InputLocation.AtElement(null, "--format"), $"unknown format '{format}'", "csv, parquet or arrow"),
            };
        }
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".parquet" or ".pq" => ExportFormat.Parquet,
            ".arrow" or ".feather" or ".ipc" => ExportFormat.Arrow,
            ".csv" or "" => ExportFormat.Csv, // no extension (or "-"): CSV, as before other formats existed
            var other => throw new InputException(InputLocation.AtElement(null, "--out"), $"cannot tell the format of '{path}' from its extension '{other}'",
                "name the file .csv, .parquet or .arrow, or pass --format csv|parquet|arrow"),
        };
    }

    /// <summary>Rows per Parquet row group and Arrow record batch for <paramref name="schema"/>: about 32 MiB of values, 16,384 … 1,048,576 rows.</summary>
    /// <remarks>Large enough that columns compress and scans are sequential, small enough that readers parallelise over groups and memory stays flat (DuckDB's own row groups hold 122,880 rows).</remarks>
    public static int RowGroupRows(CohortSchema schema)
    {
        var bytesPerRow = 12 + (8 * schema.Count);
        return Math.Clamp((32 << 20) / bytesPerRow, 1 << 14, 1 << 20);
    }

    /// <summary>Writes every row of <paramref name="store"/> to <paramref name="output"/> in <paramref name="format"/>; returns the row count.</summary>
    /// <remarks>Parquet and Arrow writers seek back to patch their footers, so a stream that cannot seek goes through a temporary file.</remarks>
    public static long Export(ICohortStore store, Stream output, ExportFormat format, CancellationToken cancellation = default)
    {
        if (format == ExportFormat.Csv)
        {
            return CohortCsv.Export(store, output, cancellation: cancellation);
        }
        if (!output.CanSeek)
        {
            var temp = Path.Combine(Path.GetTempPath(), $"milkcells-export-{Guid.NewGuid():N}");
            try
            {
                long rows;
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose))
                {
                    rows = Export(store, file, format, cancellation);
                    file.Position = 0;
                    file.CopyTo(output);
                }
                output.Flush();
                return rows;
            }
            finally
            {
                File.Delete(temp);
            }
        }
        var metadata = ColumnarMetadata.For(store.Metadata ?? throw new InputException(InputLocation.InFile(store.Name), "the store holds no run yet"), store.Schema!);
        return format == ExportFormat.Parquet ? WriteParquet(store, output, metadata, cancellation) : WriteArrow(store, output, metadata, cancellation);
    }

    /// <summary>Exports to a file, written beside it and renamed into place so an interrupted export leaves nothing half-written.</summary>
    public static long ExportToFile(ICohortStore store, string path, ExportFormat format, CancellationToken cancellation = default) =>
        WriteAtomically(path, file => Export(store, file, format, cancellation));

    /// <summary>Writes a file through <see cref="MilkCells.Core.Files.OutputFile"/> (a hidden sibling renamed over <paramref name="path"/> when <paramref name="body"/> returns); returns what it returns.</summary>
    /// <remarks>The one place cohort exports open their output: an interrupted or failed export leaves the previous file as it was.</remarks>
    internal static long WriteAtomically(string path, Func<Stream, long> body)
    {
        using var file = MilkCells.Core.Files.OutputFile.Create(path);
        var result = body(file.Stream);
        file.Commit();
        return result;
    }

    private static long WriteParquet(ICohortStore store, Stream output, IReadOnlyList<KeyValuePair<string, string>> metadata, CancellationToken cancellation)
    {
        using var file = CohortParquetFile.Create(output, store.Schema!, metadata, cancellation);
        return Batches(store, batch => file.WriteRowGroup(batch, cancellation), cancellation);
    }

    private static long WriteArrow(ICohortStore store, Stream output, IReadOnlyList<KeyValuePair<string, string>> metadata, CancellationToken cancellation)
    {
        var schema = store.Schema!;
        var dictionaries = TextDictionaries(store, schema, cancellation);
        using var file = CohortArrowFile.Create(output, schema, metadata, dictionaries);
        return Batches(store, file.WriteBatch, cancellation);
    }

    /// <summary>Per value column, the sorted distinct values of a text column with at most 65,536 of them (null otherwise: plain strings).</summary>
    private static IReadOnlyList<string>?[] TextDictionaries(ICohortStore store, CohortSchema schema, CancellationToken cancellation)
    {
        const int MaxDictionary = 1 << 16;
        var result = new IReadOnlyList<string>?[schema.Count];
        var text = schema.Columns.Select((c, i) => (c, i)).Where(p => p.c.Kind == ColumnKind.Text).ToList();
        if (text.Count == 0)
        {
            return result;
        }
        var seen = text.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        using (var reader = store.ReadRows(new CohortQuery { Columns = [.. text.Select(p => p.c.Name)] }))
        {
            long rows = 0;
            while (reader.Read())
            {
                for (var t = 0; t < text.Count; t++)
                {
                    if (seen[t] is { Count: <= MaxDictionary } set && reader.GetText(t) is { } value)
                    {
                        set.Add(value);
                    }
                }
                if ((++rows & 0xFFFF) == 0)
                {
                    cancellation.ThrowIfCancellationRequested();
                }
            }
        }
        for (var t = 0; t < text.Count; t++)
        {
            result[text[t].i] = seen[t].Count <= MaxDictionary ? [.. seen[t].Order(StringComparer.Ordinal)] : null;
        }
        return result;
    }

    /// <summary>Passes the store's rows to <paramref name="write"/> in batches of <see cref="RowGroupRows"/>, in order; returns the row count.</summary>
    /// <remarks>A store that gives concurrent cursors is read by two threads, a group each (<see cref="ConcurrentRowGroups"/>);
    /// any other through one cursor on one thread. Both cut the same batches, so the file's bytes do not depend on which.</remarks>
    private static long Batches(ICohortStore store, Action<ColumnBatch> write, CancellationToken cancellation)
    {
        if (Environment.ProcessorCount > 1 && ConcurrentRowGroups.Plan(store, RowGroupRows(store.Schema!)) is { } plan)
        {
            return ConcurrentRowGroups.Read(store, plan, write, cancellation);
        }
        using var reader = store.ReadRows();
        return Batches(reader, write, cancellation);
    }

    /// <summary>Reads the rows into batches of <see cref="RowGroupRows"/> on one thread while <paramref name="write"/> encodes the previous batch on this one; returns the row count.</summary>
    /// <remarks>
    /// Reading the store and encoding a row group each take about half an export's CPU, so on two cores they overlap. The
    /// batches reach <paramref name="write"/> in the order read and are cut at the same rows as a sequential loop would,
    /// so the file's bytes do not change; two batches circulate, so memory stays at two row groups.
    /// </remarks>
    private static long Batches(ICohortRowReader reader, Action<ColumnBatch> write, CancellationToken cancellation)
    {
        var size = RowGroupRows(reader.Schema);
        using var full = new System.Collections.Concurrent.BlockingCollection<ColumnBatch>(1);
        using var empty = new System.Collections.Concurrent.BlockingCollection<ColumnBatch>(2);
        empty.Add(new ColumnBatch(reader.Schema, size), cancellation);
        empty.Add(new ColumnBatch(reader.Schema, size), cancellation);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        long rows = 0;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                var batch = empty.Take(stop.Token);
                while (reader.Read())
                {
                    batch.Add(reader);
                    rows++;
                    if (batch.Count == size)
                    {
                        full.Add(batch, stop.Token);
                        batch = empty.Take(stop.Token);
                    }
                }
                full.Add(batch, stop.Token); // the last, possibly empty (the writers skip an empty batch's row group)
            }
            finally
            {
                full.CompleteAdding();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in full.GetConsumingEnumerable(stop.Token))
            {
                write(batch);
                batch.Clear();
                empty.Add(batch, stop.Token);
            }
        }
        catch when (!producer.IsCompleted)
        {
            stop.Cancel(); // a failed write stops the reader before the store is closed under it
            try
            {
                producer.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
            }
            throw;
        }
        producer.GetAwaiter().GetResult(); // a reader's failure surfaces as itself
        return rows;
    }
}
