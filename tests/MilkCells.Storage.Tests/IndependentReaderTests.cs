using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using DuckDB.NET.Data;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;
using MilkCells.TestSupport;
using static MilkCells.Storage.Tests.StoreTestHelpers;

namespace MilkCells.Storage.Tests;

/// <summary>
/// Every Parquet and Arrow file MilkCells writes — an export, and each part file of a Parquet store — read by code that
/// shares nothing with it: hyparquet and Apache Arrow's JavaScript implementation (node, readers/), and DuckDB's own
/// Parquet reader. Each must see the SQLite store's rows value for value (doubles bit for bit), the declared types,
/// the encodings and the run as key–value metadata.
/// </summary>
public sealed class IndependentReaderTests : IDisposable
{
    private const int Mothers = 23;
    private const int Days = 31;
    private readonly SqliteStores _sqlite = new();
    private readonly ParquetStores _parquet = new(rowsPerFile: 150);
    private readonly TempDir _dir = new("milkcells-readers");

    public void Dispose()
    {
        _sqlite.Dispose();
        _parquet.Dispose();
        _dir.Dispose();
    }

    /// <summary>The value as read.mjs prints it: integers as digits, doubles as the hex of their bits, text as text, NULL as null.</summary>
    private static string? Canonical(ICohortRowReader reader, int column, ColumnKind kind) => reader.IsNull(column) ? null : kind switch
    {
        ColumnKind.Integer => reader.GetInteger(column).ToString(CultureInfo.InvariantCulture),
        ColumnKind.Real => BitConverter.DoubleToInt64Bits(reader.GetReal(column)).ToString("x16", CultureInfo.InvariantCulture),
        _ => reader.GetText(column),
    };

    /// <summary>The SQLite store's rows as columns of canonical values, for the mothers <paramref name="include"/> accepts.</summary>
    private static Dictionary<string, List<string?>> Expected(string uri, Func<long, bool>? include = null)
    {
        using var store = CohortStore.OpenForRead(uri);
        using var reader = store.ReadRows();
        var columns = reader.Schema.HeaderNames().ToDictionary(n => n, _ => new List<string?>());
        while (reader.Read())
        {
            if (include is not null && !include(reader.MotherId))
            {
                continue;
            }
            columns[CohortSchema.MotherIdColumn].Add(reader.MotherId.ToString(CultureInfo.InvariantCulture));
            columns[CohortSchema.DayColumn].Add(reader.Day.ToString(CultureInfo.InvariantCulture));
            for (var c = 0; c < reader.Schema.Count; c++)
            {
                columns[reader.Schema.Columns[c].Name].Add(Canonical(reader, c, reader.Schema.Columns[c].Kind));
            }
        }
        return columns;
    }

    private static JsonElement Node(string format, string file)
    {
        var folder = typeof(IndependentReaderTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ReadersDirectory").Value!;
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("read.mjs");
        start.ArgumentList.Add(format);
        start.ArgumentList.Add(file);
        using var node = Process.Start(start)!;
        var error = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var output = node.StandardOutput.ReadToEnd();
        node.WaitForExit();
        Assert.True(node.ExitCode == 0, $"node read.mjs {format} {file}: {error.Result}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>A node reader's values of one column in the canonical form (Arrow and hyparquet give 32-bit integers as numbers).</summary>
    private static List<string?> Values(JsonElement read, string column, ColumnKind? kind) =>
    [
        .. read.GetProperty("values").GetProperty(column).EnumerateArray().Select(v => v.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => v.GetString(),
            _ => kind == ColumnKind.Real ? v.GetProperty("bits").GetString() : v.GetProperty("int").GetString(),
        }),
    ];

    private static void AssertRunMetadata(IReadOnlyDictionary<string, string> metadata, int mothers = Mothers)
    {
        foreach (var (key, value) in SyntheticCohort.Metadata(mothers, Days).ToPairs())
        {
            Assert.Equal(value, metadata["milkcells." + key]);
        }
        Assert.Equal(SyntheticCohort.Daily.ToString(), metadata["milkcells.columns"]);
        Assert.Equal("mother_id,day", metadata["milkcells.sorted_by"]);
    }

    /// <summary>hyparquet and DuckDB read <paramref name="file"/> as the SQLite store's rows of the mothers it holds.</summary>
    private static void AssertParquetReads(string file, Dictionary<string, List<string?>> expected)
    {
        var schema = SyntheticCohort.Daily;
        var kinds = schema.Columns.ToDictionary(c => c.Name, c => (ColumnKind?)c.Kind);
        var read = Node("parquet", file);
        AssertRunMetadata(read.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        var columns = read.GetProperty("columns").EnumerateArray().ToArray();
        Assert.Equal(schema.HeaderNames(), columns.Select(c => c.GetProperty("name").GetString()));
        foreach (var column in columns)
        {
            var name = column.GetProperty("name").GetString()!;
            var (type, logical, nullable) = (column.GetProperty("type").GetString(), column.GetProperty("logical").GetString(), column.GetProperty("nullable").GetBoolean());
            var encodings = column.GetProperty("encodings").EnumerateArray().Select(e => e.GetString()).ToArray();
            Assert.Equal("ZSTD", column.GetProperty("codec").GetString());
            switch (name == CohortSchema.MotherIdColumn ? (ColumnKind?)null : name == CohortSchema.DayColumn ? null : kinds[name])
            {
                case null:
                    Assert.Equal((name == CohortSchema.DayColumn ? "INT32" : "INT64", false), (type, nullable));
                    Assert.Contains("DELTA_BINARY_PACKED", encodings);
                    break;
                case ColumnKind.Integer:
                    Assert.Equal(("INT64", true), (type, nullable));
                    break;
                case ColumnKind.Real:
                    Assert.Equal(("DOUBLE", true), (type, nullable));
                    Assert.Contains("BYTE_STREAM_SPLIT", encodings);
                    break;
                default:
                    Assert.Equal(("BYTE_ARRAY", "STRING", true), (type, logical, nullable));
                    Assert.Contains(encodings, e => e is "PLAIN_DICTIONARY" or "RLE_DICTIONARY"); // dictionary-encoded text (stage: a handful of values)
                    break;
            }
            Assert.Equal(expected[name], Values(read, name, name == CohortSchema.DayColumn ? ColumnKind.Integer : kinds.GetValueOrDefault(name)));
        }
        Assert.Equal(expected[CohortSchema.MotherIdColumn].Count, read.GetProperty("rows").GetInt32());

        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}', hive_partitioning = false)";
        using var reader = command.ExecuteReader();
        Assert.Equal(schema.HeaderNames(), Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToArray();
        Assert.Equal([typeof(long), typeof(int), .. schema.Columns.Select(c => c.Kind switch { ColumnKind.Integer => typeof(long), ColumnKind.Real => typeof(double), _ => typeof(string) })], types);
        var row = 0;
        while (reader.Read())
        {
            Assert.Equal(expected[CohortSchema.MotherIdColumn][row], reader.GetInt64(0).ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected[CohortSchema.DayColumn][row], reader.GetInt32(1).ToString(CultureInfo.InvariantCulture));
            for (var c = 0; c < schema.Count; c++)
            {
                var i = c + 2;
                var actual = reader.IsDBNull(i) ? null : schema.Columns[c].Kind switch
                {
                    ColumnKind.Integer => reader.GetInt64(i).ToString(CultureInfo.InvariantCulture),
                    ColumnKind.Real => BitConverter.DoubleToInt64Bits(reader.GetDouble(i)).ToString("x16", CultureInfo.InvariantCulture),
                    _ => reader.GetString(i),
                };
                Assert.Equal(expected[schema.Columns[c].Name][row], actual);
            }
            row++;
        }
        Assert.Equal(expected[CohortSchema.MotherIdColumn].Count, row);
        using var kv = duck.CreateCommand();
        kv.CommandText = $"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{file.Replace("'", "''", StringComparison.Ordinal)}')";
        using var pairs = kv.ExecuteReader();
        var metadata = new Dictionary<string, string>();
        while (pairs.Read())
        {
            metadata[pairs.GetString(0)] = pairs.GetString(1);
        }
        AssertRunMetadata(metadata);
    }

    private string Source() => Write(_sqlite, "source", Enumerable.Range(0, Mothers).Select(i => (long)((i * 5) % Mothers)), Mothers, Days);

    [Fact]
    public void A_parquet_export_reads_in_hyparquet_and_DuckDB_as_the_stores_rows_with_types_encodings_and_metadata()
    {
        var source = Source();
        var file = _dir.File("cohort.parquet");
        using (var store = CohortStore.OpenForRead(source))
        {
            Assert.Equal(Mothers * Days, CohortExport.ExportToFile(store, file, ExportFormat.Parquet, TestContext.Current.CancellationToken));
        }
        AssertParquetReads(file, Expected(source));
    }

    [Fact]
    public void Every_part_file_of_a_parquet_store_reads_in_hyparquet_and_DuckDB_as_its_mothers_rows()
    {
        var source = Source();
        var uri = _parquet.NewUri("parts");
        using (var target = CohortStore.OpenForWrite(uri))
        {
            target.StartRun(SyntheticCohort.Metadata(Mothers, Days), SyntheticCohort.Daily, ShardSpec.Whole, resume: false);
            SyntheticCohort.WriteAll(target, Enumerable.Range(0, Mothers).Select(i => (long)((i * 7) % Mothers)), Days, perTransaction: 3);
        }
        var parts = Directory.GetFiles(StoreUri.Parse(uri).Path!, "part-*.parquet", SearchOption.AllDirectories);
        Assert.True(parts.Length >= 4, $"{parts.Length} part files");
        var seen = new List<long>();
        foreach (var part in parts)
        {
            using var duck = new DuckDBConnection("Data Source=:memory:");
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = $"SELECT DISTINCT mother_id FROM read_parquet('{part}')";
            using var reader = command.ExecuteReader();
            var ids = new HashSet<long>();
            while (reader.Read())
            {
                ids.Add(reader.GetInt64(0));
            }
            seen.AddRange(ids);
            AssertParquetReads(part, Expected(source, ids.Contains)); // whole mothers, sorted by mother then day
        }
        Assert.Equal(Enumerable.Range(0, Mothers).Select(i => (long)i), seen.Order()); // each mother in exactly one part

        // The folder as one Hive-partitioned table, as any engine sees it.
        using var folder = new DuckDBConnection("Data Source=:memory:");
        folder.Open();
        using var table = folder.CreateCommand();
        table.CommandText = $"SELECT scenario, shard, count(*), count(DISTINCT mother_id) FROM read_parquet('{StoreUri.Parse(uri).Path}/**/*.parquet', hive_partitioning = true) GROUP BY ALL";
        using var rows = table.ExecuteReader();
        Assert.True(rows.Read());
        Assert.Equal(("synthetic", 0L, (long)Mothers * Days, (long)Mothers), (rows.GetString(0), Convert.ToInt64(rows.GetValue(1), CultureInfo.InvariantCulture), rows.GetInt64(2), rows.GetInt64(3)));
        Assert.False(rows.Read());
    }

    [Fact]
    public void An_arrow_export_reads_in_apache_arrow_js_as_the_stores_rows_with_dictionary_text_and_metadata()
    {
        var source = Source();
        var file = _dir.File("cohort.arrow");
        using (var store = CohortStore.OpenForRead(source))
        {
            CohortExport.ExportToFile(store, file, ExportFormat.Arrow, TestContext.Current.CancellationToken);
        }
        var read = Node("arrow", file);
        AssertRunMetadata(read.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        var schema = SyntheticCohort.Daily;
        var columns = read.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());
        Assert.Equal(schema.HeaderNames(), columns.Keys);
        Assert.Equal(("Int64", "Int32"), (columns["mother_id"], columns["day"]));
        foreach (var column in schema.Columns)
        {
            Assert.Equal(column.Kind switch { ColumnKind.Integer => "Int64", ColumnKind.Real => "Float64", _ => "Dictionary<Int32, Utf8>" }, columns[column.Name]);
        }
        var expected = Expected(source);
        foreach (var name in schema.HeaderNames())
        {
            var kind = name == CohortSchema.MotherIdColumn || name == CohortSchema.DayColumn ? ColumnKind.Integer : schema.Columns[schema.IndexOf(name)].Kind;
            Assert.Equal(expected[name], Values(read, name, kind));
        }
    }
}
