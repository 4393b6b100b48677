using System.Globalization;
using System.Text;
using System.Text.Json;
using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts.Columnar;
using Parquet;

namespace MilkCells.Storage.Cohorts;

/// <summary>The Parquet backend: a Hive-partitioned folder of Parquet part files that any engine reads as one table.</summary>
/// <remarks>
/// Layout: <c>DIR/_milkcells.json</c> (the run, its columns and K, written once) and
/// <c>DIR/scenario=NAME/shard=i/part-NNNNNN.parquet</c>, each part holding whole mothers sorted by mother then day,
/// with the run as key–value metadata. Names starting with <c>_</c> or <c>.</c> are skipped by Spark, Arrow, polars and
/// DuckDB's <c>*.parquet</c> globs.
/// <para>
/// Crash safety: rows gather in memory until <see cref="StoreUri.RowsPerFile"/> rows or <see cref="Flush"/>; a part is
/// written to a hidden <c>.part-NNNNNN.parquet.partial</c>, synced, then renamed into place, so a part file exists
/// whole or not at all and a killed process keeps exactly the mothers of its renamed parts (its unfinished
/// <c>.partial</c> file is removed when the shard is next opened). The complete mothers are the ids in the part files,
/// so <c>--resume</c> skips them. One process writes a shard at a time (a lock file in its folder); shards of one run
/// write concurrently into one folder (a shared filesystem), with no merge step.
/// </para>
/// Reads (export, reference build) run in an in-memory DuckDB over the part files.
/// </remarks>
internal sealed class ParquetCohortStore : IAnalyticalCohortStore
{
    private const string ManifestFile = "_milkcells.json";
    private const string StoreLockFile = ".milkcells.lock";
    private const string WriterLockFile = ".milkcells-writer.lock";
    private const string PartPrefix = "part-";
    private const string PartExtension = ".parquet";
    private const string PartialExtension = ".partial";
    private const string FormatVersion = "1";

    private readonly StoreUri _uri;
    private readonly bool _write;
    private readonly Dictionary<string, (long[] Mothers, long Rows)> _parts = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ShardWriter> _writers = [];
    private readonly HashSet<long> _pending = [];
    private DuckDbSession.InMemory? _analytics;
    private List<ShardSpec> _shards = [];
    private int _shardCount;
    private HashSet<long>? _known;

    private ParquetCohortStore(StoreUri uri, bool write)
    {
        _uri = uri;
        _write = write;
        Name = uri.ToString();
    }

    public string Name { get; }

    public RunMetadata? Metadata { get; private set; }

    public CohortSchema? Schema { get; private set; }

    public IReadOnlyList<ShardSpec> Shards => _shards;

    private string Root => _uri.Path!;

    private string ScenarioFolder => Path.Combine(Root, "scenario=" + HivePartition.Escape(Metadata!.Scenario));

    /// <summary>Opens the store folder at <paramref name="uri"/>; for writing, creates it (a folder that holds anything else is refused).</summary>
    public static ParquetCohortStore Open(StoreUri uri, bool write)
    {
        var store = new ParquetCohortStore(uri, write);
        var where = InputLocation.InFile(store.Name);
        if (File.Exists(uri.Path))
        {
            throw new InputException(where, "this is a file, and a Parquet store is a folder", "name a folder: parquet:cohort/");
        }
        if (!write)
        {
            if (!Directory.Exists(uri.Path))
            {
                throw new InputException(where, "no store at this path", "check the path; a store is created by a cohort run or merge");
            }
        }
        else if (Directory.Exists(uri.Path))
        {
            var foreign = Directory.EnumerateFileSystemEntries(uri.Path!).Select(Path.GetFileName)
                .Where(n => n is not (ManifestFile or StoreLockFile or ManifestFile + PartialExtension) && !n!.StartsWith("scenario=", StringComparison.Ordinal)).Take(3).ToList();
            if (foreign.Count > 0 && !File.Exists(Path.Combine(uri.Path!, ManifestFile)))
            {
                throw new InputException(where, $"the folder holds files MilkCells did not write ({string.Join(", ", foreign)})", "name a new or empty folder for the store");
            }
        }
        else
        {
            SqliteCohortStore.RequireParent(uri.Path!, store.Name);
            try
            {
                Directory.CreateDirectory(uri.Path!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InputException(where, $"cannot create the store's folder: {ex.Message}", "choose a writable path", ex);
            }
        }
        store.Load(mustExist: !write);
        return store;
    }

    private void Load(bool mustExist)
    {
        var manifest = Path.Combine(Root, ManifestFile);
        if (!File.Exists(manifest))
        {
            if (mustExist)
            {
                throw new InputException(InputLocation.InFile(Name), "the store holds no run yet (no _milkcells.json)", "check the path, or write a cohort into it first");
            }
            return;
        }
        (Metadata, Schema, var count) = Manifest.Read(manifest, Name);
        _shardCount = count;
        _shards = Directory.Exists(ScenarioFolder)
            ? [.. Directory.EnumerateDirectories(ScenarioFolder, "shard=*").Select(d => ShardIndex(d, count)).OfType<int>().Order().Select(i => new ShardSpec(i, count))]
            : [];
    }

    private static int? ShardIndex(string folder, int count) =>
        int.TryParse(Path.GetFileName(folder)["shard=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < count ? i : null;

    public void StartRun(RunMetadata metadata, CohortSchema schema, ShardSpec shard, bool resume)
    {
        if (!_write)
        {
            throw new InvalidOperationException("the store was opened for reading");
        }
        _known = null;
        using (FileLock.Acquire(Path.Combine(Root, StoreLockFile), Name, "another process is starting a shard of this store"))
        {
            Load(mustExist: false);
            if (Metadata is null)
            {
                Manifest.Write(Path.Combine(Root, ManifestFile), metadata, schema, shard.Count);
                Load(mustExist: true);
            }
            else
            {
                RunCompatibility.Check(Name, Metadata, Schema!, _shards, metadata, schema, shard, resume, () => CompletedMothers().Count);
                if (_shardCount != shard.Count)
                {
                    throw new InputException(InputLocation.InFile(Name), $"the store's run is split into {_shardCount} shards and this is shard {shard}: the run was split differently",
                        "split every shard of one run the same way (the same K)");
                }
            }
            if (!_writers.ContainsKey(shard.Index))
            {
                var folder = Path.Combine(ScenarioFolder, "shard=" + shard.Index.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(folder);
                _writers[shard.Index] = new ShardWriter(this, shard, folder);
            }
            Load(mustExist: true);
        }
    }

    /// <summary>The part files now visible, in path order (complete mothers only).</summary>
    private List<string> PartFiles() => Metadata is null || !Directory.Exists(ScenarioFolder)
        ? []
        : [.. _shards.SelectMany(s => Directory.EnumerateFiles(Path.Combine(ScenarioFolder, "shard=" + s.Index.ToString(CultureInfo.InvariantCulture)), PartPrefix + "*" + PartExtension))
            .Order(StringComparer.Ordinal)];

    /// <summary>Reads the mother ids of part files not read before, checking that each file belongs to this run.</summary>
    private void Refresh()
    {
        if (Metadata is null)
        {
            return;
        }
        Load(mustExist: true);
        foreach (var file in PartFiles().Where(f => !_parts.ContainsKey(f)))
        {
            _parts[file] = PartFile.Mothers(file, Metadata, Schema!);
        }
    }

    public IReadOnlySet<long> CompletedMothers()
    {
        Refresh();
        var set = new HashSet<long>(_pending);
        foreach (var (file, (ids, _)) in _parts)
        {
            foreach (var id in ids)
            {
                if (!set.Add(id) && !_pending.Contains(id))
                {
                    var other = _parts.First(p => p.Key != file && p.Value.Mothers.Contains(id)).Key;
                    throw new InputException(InputLocation.InFile(file), $"mother {id} is also in {other}", "a part file was copied in twice; remove the copy");
                }
            }
        }
        return set;
    }

    public long CountRows()
    {
        Refresh();
        return _parts.Values.Sum(p => p.Rows) + _writers.Values.Sum(w => (long)w.PendingRows);
    }

    public void WriteMothers(IReadOnlyList<MotherRows> mothers)
    {
        if (Metadata is null || Schema is null || _writers.Count == 0)
        {
            throw new InvalidOperationException("StartRun must be called before rows are written");
        }
        if (mothers.Count == 0)
        {
            return;
        }
        RunCompatibility.CheckColumns(mothers, Schema);
        // The mothers known when the shard was opened, and those written since: another process writes other shards
        // only (a shard folder has one writer), whose mothers cannot be these.
        _known ??= [.. CompletedMothers()];
        var done = _known;
        if (mothers.Any(m => done.Contains(m.MotherId)) || mothers.Select(m => m.MotherId).Distinct().Count() != mothers.Count)
        {
            throw RunCompatibility.Duplicates(Name, mothers, done);
        }
        var count = _shardCount;
        foreach (var m in mothers)
        {
            var index = (int)((m.MotherId % count + count) % count);
            if (!_writers.ContainsKey(index))
            {
                throw new ArgumentException($"mother {m.MotherId} belongs to shard {index}/{count}, which this store was not started for");
            }
        }
        foreach (var m in mothers)
        {
            var writer = _writers[(int)((m.MotherId % count + count) % count)];
            writer.Add(m);
            _pending.Add(m.MotherId);
            done.Add(m.MotherId);
            if (writer.PendingRows >= _uri.RowsPerFile)
            {
                writer.Flush();
            }
        }
    }

    public void Flush()
    {
        foreach (var writer in _writers.Values)
        {
            writer.Flush();
        }
    }

    public ICohortRowReader ReadRows(CohortQuery? query = null)
    {
        query ??= new CohortQuery();
        if (Schema is null)
        {
            throw new InputException(InputLocation.InFile(Name), "the store holds no run yet");
        }
        Flush();
        var files = PartFiles();
        if (files.Count == 0)
        {
            var selected = RowQuery.Build(Schema, query, "none", Name).Schema;
            return new EmptyRowReader(selected);
        }
        var rows = RowQuery.Build(Schema, query, Relation(files), Name);
        var session = DuckDbSession.OpenInMemory();
        try
        {
            return DuckDbRows.Execute(session.Connection, rows.Sql, rows.Parameters, rows.Schema, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static string Relation(IEnumerable<string> files) =>
        "read_parquet([" + string.Join(", ", files.Select(DuckDbSession.Literal)) + "], hive_partitioning = false)";

    public AnalyticalSource Rows()
    {
        Flush();
        var files = PartFiles();
        _analytics ??= DuckDbSession.OpenInMemory();
        if (files.Count == 0)
        {
            throw new InputException(InputLocation.InFile(Name), "the store holds no complete mother yet");
        }
        return new AnalyticalSource(_analytics.Connection, Relation(files), Name, InMemory: true);
    }

    public void Dispose()
    {
        try
        {
            Flush();
        }
        finally
        {
            foreach (var writer in _writers.Values)
            {
                writer.Dispose();
            }
            _writers.Clear();
            _analytics?.Dispose();
        }
    }

    /// <summary>One shard's folder as written by this process: its lock, pending rows and next part number.</summary>
    private sealed class ShardWriter : IDisposable
    {
        private readonly ParquetCohortStore _store;
        private readonly ShardSpec _shard;
        private readonly string _folder;
        private readonly FileLock _lock;
        private readonly ColumnBatch _batch;
        private int _next;

        public ShardWriter(ParquetCohortStore store, ShardSpec shard, string folder)
        {
            _store = store;
            _shard = shard;
            _folder = folder;
            _lock = FileLock.Acquire(Path.Combine(folder, WriterLockFile), store.Name,
                $"another process is writing shard {shard} of this store", wait: TimeSpan.Zero);
            foreach (var partial in Directory.EnumerateFiles(folder, "." + PartPrefix + "*" + PartExtension + PartialExtension))
            {
                File.Delete(partial); // a killed writer's unfinished part: never renamed, so none of its mothers counts
            }
            _next = Directory.EnumerateFiles(folder, PartPrefix + "*" + PartExtension)
                .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f)[PartPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n + 1 : 0)
                .DefaultIfEmpty(0).Max();
            _batch = new ColumnBatch(store.Schema!, Math.Min(store._uri.RowsPerFile, 1 << 16));
        }

        public int PendingRows => _batch.Count;

        public void Add(MotherRows mother) => _batch.Add(mother);

        public void Flush()
        {
            if (_batch.Count == 0)
            {
                return;
            }
            _batch.SortByMother();
            var name = PartPrefix + _next.ToString("D6", CultureInfo.InvariantCulture) + PartExtension;
            var final = Path.Combine(_folder, name);
            var partial = Path.Combine(_folder, "." + name + PartialExtension);
            var metadata = ColumnarMetadata.For(_store.Metadata!, _store.Schema!).Append(new(ColumnarMetadata.Shard, _shard.ToString())).ToList();
            try
            {
                using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    using (var file = CohortParquetFile.Create(stream, _store.Schema!, metadata))
                    {
                        file.WriteRowGroup(_batch);
                    }
                    stream.Flush(flushToDisk: true);
                }
                File.Move(partial, final);
            }
            catch
            {
                File.Delete(partial);
                throw;
            }
            _next++;
            var ids = _batch.MotherIds.AsSpan(0, _batch.Count).ToArray().Distinct().ToArray();
            _store._pending.ExceptWith(ids);
            _store._parts[final] = (ids, _batch.Count);
            _batch.Clear();
        }

        public void Dispose() => _lock.Dispose();
    }

    /// <summary>The store's manifest: format, run, columns and K, as JSON.</summary>
    private static class Manifest
    {
        public static void Write(string path, RunMetadata run, CohortSchema schema, int shardCount)
        {
            var temp = path + PartialExtension;
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("store_format", FormatVersion);
                json.WriteStartObject("run");
                foreach (var (key, value) in run.ToPairs())
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
                json.WriteNumber("shard_count", shardCount);
                json.WriteStartArray("columns");
                foreach (var column in schema.Columns)
                {
                    json.WriteStartObject();
                    json.WriteString("name", column.Name);
                    json.WriteString("kind", column.Kind.ToString().ToLowerInvariant());
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            File.Move(temp, path, overwrite: true);
        }

        public static (RunMetadata Run, CohortSchema Schema, int ShardCount) Read(string path, string storeName)
        {
            var where = InputLocation.InFile(path);
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                var root = document.RootElement;
                var format = root.TryGetProperty("store_format", out var f) ? f.GetString() : null;
                if (format != FormatVersion)
                {
                    throw new InputException(where, $"the store's format is '{format}', this code reads format {FormatVersion}", "export it with the version that wrote it");
                }
                var run = RunMetadata.FromPairs(root.GetProperty("run").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""), storeName);
                var columns = root.GetProperty("columns").EnumerateArray()
                    .Select(c => new ColumnSpec(c.GetProperty("name").GetString()!, Enum.Parse<ColumnKind>(c.GetProperty("kind").GetString()!, ignoreCase: true)));
                return (run, CohortSchema.Create(columns), root.GetProperty("shard_count").GetInt32());
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
            {
                throw new InputException(where, $"the store's manifest is damaged: {ex.Message}", "was it edited by hand?", ex);
            }
        }
    }

    /// <summary>Reads what a store needs from a part file: its mother ids, after checking its metadata names this run.</summary>
    private static class PartFile
    {
        public static (long[] Mothers, long Rows) Mothers(string path, RunMetadata run, CohortSchema schema)
        {
            var where = InputLocation.InFile(path);
            try
            {
                var reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
                try
                {
                    return Mothers(reader, path, run, schema);
                }
                finally
                {
                    reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or InvalidOperationException)
            {
                throw new InputException(where, $"cannot read this part file: {ex.Message}", "a part file is written whole or not at all; was it changed by hand?", ex);
            }
        }

        private static (long[] Mothers, long Rows) Mothers(ParquetReader reader, string path, RunMetadata run, CohortSchema schema)
        {
            var where = InputLocation.InFile(path);
            var differences = ColumnarMetadata.Run(reader.CustomMetadata, path).Differences(run, "part file", "store");
            if (differences.Count > 0)
            {
                throw new InputException(where, "this part file belongs to another run: " + string.Join("; ", differences), "remove it from the store's folder");
            }
            if (!reader.CustomMetadata.TryGetValue(ColumnarMetadata.Columns, out var columns) || columns != schema.ToString())
            {
                throw new InputException(where, "this part file's columns differ from the store's", "remove it from the store's folder");
            }
            var field = reader.Schema.DataFields[0];
            var ids = new HashSet<long>();
            long rows = 0;
            foreach (var group in reader.RowGroups)
            {
                var values = new long[group.RowCount];
                group.ReadAsync<long>(field, values.AsMemory()).GetAwaiter().GetResult();
                ids.UnionWith(values);
                rows += values.Length;
            }
            return ([.. ids], rows);
        }
    }

    private sealed class EmptyRowReader(CohortSchema schema) : ICohortRowReader
    {
        public CohortSchema Schema => schema;

        public long MotherId => throw new InvalidOperationException("no current row");

        public int Day => throw new InvalidOperationException("no current row");

        public bool Read() => false;

        public bool IsNull(int column) => throw new InvalidOperationException("no current row");

        public long GetInteger(int column) => throw new InvalidOperationException("no current row");

        public double GetReal(int column) => throw new InvalidOperationException("no current row");

        public string? GetText(int column) => throw new InvalidOperationException("no current row");

        public void Dispose()
        {
        }
    }
}

/// <summary>Hive partition values in folder names (<c>key=value</c>): characters other than letters, digits, '.', '_' and '-' become %XX of their UTF-8 bytes, as Hive escapes path names.</summary>
internal static class HivePartition
{
    public static string Escape(string value)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            _ = b < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
                ? text.Append(c)
                : text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return text.Length == 0 ? "%00" : text.ToString();
    }
}

/// <summary>An exclusive lock on a file (flock on Unix, held until disposed; released by the OS if the process dies).</summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream)
    {
        _stream = stream;
    }

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/> (default 60 s); an <see cref="InputException"/> saying <paramref name="busy"/> otherwise.</summary>
    public static FileLock Acquire(string path, string storeName, string busy, TimeSpan? wait = null)
    {
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException ex) when (File.Exists(path))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new InputException(InputLocation.InFile(storeName), busy, "wait for it to finish; each shard is written by one process at a time", ex);
                }
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
