using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Cohorts.Columnar;
using Parquet;

namespace MilkCells.Benchmarks.Storage;

/// <summary>
/// Where a Parquet export's time goes, phase by phase, in CPU time and allocations (load-independent enough to compare
/// on a shared machine): reading the store into column batches, then encoding the batches held in memory with each
/// compression choice, and the per-column compressed size of each.
/// </summary>
/// <remarks>Run: dotnet run -c Release --project bench/MilkCells.Benchmarks -- export-phases sqlite:cohort.db [max-rows]</remarks>
internal static class ExportPhases
{
    public static void Run(string[] args)
    {
        var uri = args[0];
        var maxRows = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : long.MaxValue;
        using var store = CohortStore.OpenForRead(uri);
        var schema = store.Schema!;
        var metadata = ColumnarMetadata.For(store.Metadata!, schema);
        var size = CohortExport.RowGroupRows(schema);

        // Phase 1: the store's cursor into batches (the batches kept, up to maxRows, for phase 2).
        var batches = new List<ColumnBatch>();
        long rows = 0;
        var read = Measure(() =>
        {
            using var reader = store.ReadRows();
            var batch = new ColumnBatch(schema, size);
            while (reader.Read())
            {
                batch.Add(reader);
                rows++;
                if (batch.Count == size)
                {
                    if (rows <= maxRows)
                    {
                        batches.Add(batch);
                        batch = new ColumnBatch(schema, size);
                    }
                    else
                    {
                        batch.Clear();
                    }
                }
            }
            if (batch.Count > 0 && rows <= maxRows)
            {
                batches.Add(batch);
            }
        });
        Console.WriteLine($"rows {rows:N0}, {schema.Count} value columns, row groups of {size:N0}; kept {batches.Sum(b => b.Count):N0} rows in {batches.Count} batches");
        Console.WriteLine($"read {store.Name}: {read}");

        // Phase 2: encoding only, into memory, per compression.
        foreach (var (method, level) in new[]
                 {
                     (CompressionMethod.None, CompressionLevel.NoCompression), (CompressionMethod.Snappy, CompressionLevel.Optimal),
                     (CompressionMethod.Zstd, CompressionLevel.Fastest), (CompressionMethod.Zstd, CompressionLevel.Optimal),
                     (CompressionMethod.Zstd, CompressionLevel.SmallestSize),
                 })
        {
            var options = CohortParquetFile.Options(schema);
            options.CompressionMethod = method;
            options.CompressionLevel = level;
            long bytes = 0;
            var encode = Measure(() =>
            {
                using var memory = new MemoryStream();
                using (var file = CohortParquetFile.Create(memory, schema, metadata, options))
                {
                    foreach (var b in batches)
                    {
                        file.WriteRowGroup(b);
                    }
                }
                bytes = memory.Length;
            });
            var kept = batches.Sum(b => (long)b.Count);
            Console.WriteLine($"encode {method} {level}: {encode}; {bytes / 1e6:F1} MB, {bytes * 8.0 / kept:F0} bits/row");
        }
    }

    private static string Measure(Action action)
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        action();
        wall.Stop();
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        return $"{used.TotalSeconds:F2} s CPU, {wall.Elapsed.TotalSeconds:F2} s wall, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6:F0} MB allocated";
    }
}
