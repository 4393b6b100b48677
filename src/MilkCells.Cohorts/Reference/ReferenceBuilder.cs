using System.Collections.Immutable;
using MilkCells.Analysis;
using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cohorts.Reference;

/// <summary>How reference ranges are computed.</summary>
public sealed record ReferenceOptions
{
    /// <summary>The percentiles the issue asks for.</summary>
    public static readonly ImmutableArray<double> DefaultPercentiles = [2.5, 10, 25, 50, 75, 90, 97.5];

    /// <summary>Lactation-day windows.</summary>
    public ImmutableArray<DayWindow> Windows { get; init; } = DayWindows.Default;

    /// <summary>Percentiles, in percent.</summary>
    public ImmutableArray<double> Percentiles { get; init; } = DefaultPercentiles;

    /// <summary>A group's values are selected in memory up to this many per measure; beyond it they are selected from disk (same result). A columnar store's rows in windows are read into memory (a few columns at a time) up to this many; beyond it they are streamed.</summary>
    public long MaxValuesInMemory { get; init; } = 8_000_000;

    /// <summary>Where spill files go (a fresh folder inside it, deleted afterwards); null for the system temp folder.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Whether a columnar store (DuckDB, Parquet) computes the percentiles from DuckDB's column scans; false streams its rows as for any store (the same result).</summary>
    public bool InStore { get; init; } = true;
}

/// <summary>The percentiles of one measure in one (window, stage) group.</summary>
/// <param name="Measure">The measure.</param>
/// <param name="Stage">The lactation stage.</param>
/// <param name="Window">The lactation-day window.</param>
/// <param name="FirstDay">The first lactation day of the window seen in this stage.</param>
/// <param name="LastDay">The last lactation day of the window seen in this stage.</param>
/// <param name="N">Mother-days with a value.</param>
/// <param name="Mothers">Mothers contributing.</param>
/// <param name="Values">The percentiles, in <see cref="ReferenceSet.Percentiles"/> order.</param>
public sealed record ReferenceRow(ReferenceMeasure Measure, string Stage, DayWindow Window, int FirstDay, int LastDay, long N, long Mothers, ImmutableArray<double> Values);

/// <summary>Reference ranges computed from a cohort store.</summary>
/// <param name="Source">The cohort they come from.</param>
/// <param name="Fingerprint">The <see cref="CohortFingerprint"/> of its first mothers.</param>
/// <param name="Windows">The windows.</param>
/// <param name="Percentiles">The percentiles, in percent.</param>
/// <param name="Rows">Measure by measure, groups in lactation-day order.</param>
/// <param name="RowsRead">Mother-days read.</param>
/// <param name="RowsOutside">Mother-days in no window.</param>
public sealed record ReferenceSet(RunMetadata Source, string Fingerprint, ImmutableArray<DayWindow> Windows, ImmutableArray<double> Percentiles,
    ImmutableArray<ReferenceRow> Rows, long RowsRead, long RowsOutside);

/// <summary>Computes percentiles of daily values per lactation-day window and stage, streaming a store once (or, in a columnar store, from DuckDB's column scans).</summary>
/// <remarks>
/// A DuckDB or Parquet store computes the same set from DuckDB's column scans (<see cref="CohortAnalytics.GroupedQuantiles"/>:
/// DuckDB counts the groups and hands over a few measure columns at a time, each row's group beside them, and the
/// type-7 order statistics are selected in memory, combined by <see cref="Quantiles.Combine"/> as here), reading only
/// the columns it needs, with no spill files; the fingerprint still reads mothers 0–1's rows. Past
/// <see cref="ReferenceOptions.MaxValuesInMemory"/> mother-days in windows it streams instead, as any store does.
/// <para>
/// A reference range places one milk sample: the population is mother-days (a random mother on a random day of the
/// window), so every stored day of every mother counts once; NULL values (no milk drunk that day) are left out.
/// Quantiles are Hyndman &amp; Fan's definition 7 (<see cref="Quantiles"/>), exact: each (window, stage) group's
/// values go to a spill file as they stream past, then each measure's order statistics are selected in memory
/// (<see cref="OrderStatistics.Type7InPlace"/>, as for a columnar store), or, past
/// <see cref="ReferenceOptions.MaxValuesInMemory"/>, selected from the file by radix selection
/// (<see cref="OrderStatistics.Type7(IRereadableValues, IReadOnlyList{double})"/>). Memory is bounded whatever N; the result depends only on the rows.
/// </para>
/// </remarks>
public static class ReferenceBuilder
{
    private const string LactationDay = "lactation_day";
    private const string StageColumn = "stage";

    /// <summary>Builds the reference set of <paramref name="store"/>.</summary>
    /// <exception cref="InputException">The store is not a milkcells cohort (no lactation_day or stage column) or holds no rows in any window.</exception>
    public static ReferenceSet Build(ICohortStore store, ReferenceOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        options ??= new ReferenceOptions();
        var schema = store.Schema ?? throw new InputException(InputLocation.InFile(store.Name), "the store holds no run yet");
        foreach (var required in new[] { LactationDay, StageColumn })
        {
            if (!schema.Contains(required))
            {
                throw new InputException(InputLocation.InFile(store.Name), $"the store has no '{required}' column: it is not a milkcells cohort", "build reference ranges from a store written by 'milkcells cohort run'");
            }
        }
        var measures = ReferenceMeasure.For(schema);
        var columns = measures.Select(m => schema.IndexOf(m.Column)).ToArray();
        var integer = columns.Select(c => schema.Columns[c].Kind == ColumnKind.Integer).ToArray();
        var dayColumn = schema.IndexOf(LactationDay);
        var stageColumn = schema.IndexOf(StageColumn);
        var windowOf = DayWindows.IndexByDay(options.Windows);
        var probabilities = options.Percentiles.Select(p => p / 100).ToArray();
        if (options.InStore && CohortAnalytics.IsAnalytical(store) && InStore(store, options, measures, probabilities, progress, cancellation) is { } computed)
        {
            return computed;
        }

        var temp = Path.Combine(options.TempDirectory ?? Path.GetTempPath(), $"milkcells-reference-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        var groups = new List<Group>();
        try
        {
            var byKey = new Dictionary<(int Window, string Stage), Group>();
            using var fingerprint = new CohortFingerprint();
            long rows = 0, outside = 0;
            using (var reader = store.ReadRows())
            {
                while (reader.Read())
                {
                    fingerprint.Add(reader);
                    if ((++rows & 0x3FFF) == 0)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        progress?.Report(rows);
                    }
                    var day = reader.GetInteger(dayColumn);
                    var window = day >= 0 && day < windowOf.Length ? windowOf[day] : -1;
                    if (window < 0)
                    {
                        outside++;
                        continue;
                    }
                    var stage = reader.GetText(stageColumn) ?? "";
                    if (!byKey.TryGetValue((window, stage), out var group))
                    {
                        group = new Group(window, stage, new SpillFile(Path.Combine(temp, $"group-{groups.Count}.bin"), measures.Length), measures.Length);
                        byKey.Add((window, stage), group);
                        groups.Add(group);
                    }
                    group.Add(reader, (int)day, columns, integer);
                }
            }
            if (groups.Count == 0)
            {
                throw NoRowsInWindows(store, rows, options.Windows);
            }
            progress?.Report(rows);
            foreach (var group in groups)
            {
                group.Spill.Close();
            }
            var ordered = groups.OrderBy(g => g.Window).ThenBy(g => g.FirstDay).ThenBy(g => g.Stage, StringComparer.Ordinal).ToArray();
            var result = ImmutableArray.CreateBuilder<ReferenceRow>();
            for (var m = 0; m < measures.Length; m++)
            {
                foreach (var g in ordered)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var n = g.Counts[m];
                    if (n == 0)
                    {
                        continue;
                    }
                    var values = g.Spill.Column(m, n);
                    var percentiles = n <= options.MaxValuesInMemory ? InMemory(values, probabilities) : OrderStatistics.Type7(values, probabilities);
                    result.Add(new ReferenceRow(measures[m], g.Stage, options.Windows[g.Window], g.FirstDay, g.LastDay, n, g.Mothers, [.. percentiles]));
                }
            }
            return new ReferenceSet(store.Metadata!, fingerprint.Finish(), options.Windows, options.Percentiles, result.ToImmutable(), rows, outside);
        }
        finally
        {
            foreach (var group in groups)
            {
                group.Spill.Dispose();
            }
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>The set computed from the store's column scans: the same groups, counts and percentiles as the streaming pass; null past <see cref="ReferenceOptions.MaxValuesInMemory"/> mother-days in windows.</summary>
    private static ReferenceSet? InStore(ICohortStore store, ReferenceOptions options, ImmutableArray<ReferenceMeasure> measures, double[] probabilities,
        IProgress<long>? progress, CancellationToken cancellation)
    {
        var query = new GroupedQuantileQuery(LactationDay, [.. options.Windows.Select(w => ((long)w.First, (long)w.Last))], StageColumn,
            [.. measures.Select(m => m.Column)], [.. probabilities], options.MaxValuesInMemory);
        if (CohortAnalytics.GroupedQuantiles(store, query, progress, cancellation) is not { } result)
        {
            return null;
        }
        if (result.Groups.IsEmpty)
        {
            throw NoRowsInWindows(store, result.RowsRead, options.Windows);
        }
        var ordered = result.Groups.OrderBy(g => g.Bin).ThenBy(g => g.FirstBinValue).ThenBy(g => g.Group, StringComparer.Ordinal).ToArray();
        var rows = ImmutableArray.CreateBuilder<ReferenceRow>();
        for (var m = 0; m < measures.Length; m++)
        {
            foreach (var g in ordered.Where(g => g.Counts[m] > 0))
            {
                rows.Add(new ReferenceRow(measures[m], g.Group, options.Windows[g.Bin], (int)g.FirstBinValue, (int)g.LastBinValue, g.Counts[m], g.Mothers, g.Quantiles[m]));
            }
        }
        using var fingerprint = new CohortFingerprint();
        using (var reader = store.ReadRows(new CohortQuery { ToMother = fingerprint.Mothers - 1 }))
        {
            while (reader.Read())
            {
                fingerprint.Add(reader);
            }
        }
        return new ReferenceSet(store.Metadata!, fingerprint.Finish(), options.Windows, options.Percentiles, rows.ToImmutable(), result.RowsRead, result.RowsOutside);
    }

    private static InputException NoRowsInWindows(ICohortStore store, long rows, ImmutableArray<DayWindow> windows) =>
        new(InputLocation.InFile(store.Name), $"none of the store's {rows} rows falls in a window ({DayWindows.Format(windows)})", "choose windows that cover the run's lactation days");

    private static double[] InMemory(IRereadableValues values, double[] probabilities)
    {
        var all = new double[values.Count];
        var at = 0;
        values.Read(chunk =>
        {
            chunk.CopyTo(all.AsSpan(at));
            at += chunk.Length;
        });
        return OrderStatistics.Type7InPlace(all, probabilities);
    }

    /// <summary>One (window, stage) group: its spill file, value counts per measure, mothers and days seen.</summary>
    private sealed class Group(int window, string stage, SpillFile spill, int measures)
    {
        private long _lastMother = -1;

        public int Window { get; } = window;

        public string Stage { get; } = stage;

        public SpillFile Spill { get; } = spill;

        public long[] Counts { get; } = new long[measures];

        public long Mothers { get; private set; }

        public int FirstDay { get; private set; } = int.MaxValue;

        public int LastDay { get; private set; } = int.MinValue;

        public void Add(ICohortRowReader reader, int day, int[] columns, bool[] integer)
        {
            if (reader.MotherId != _lastMother)
            {
                _lastMother = reader.MotherId; // rows arrive sorted by mother
                Mothers++;
            }
            FirstDay = Math.Min(FirstDay, day);
            LastDay = Math.Max(LastDay, day);
            var record = Spill.Next();
            for (var m = 0; m < columns.Length; m++)
            {
                var c = columns[m];
                var value = reader.IsNull(c) ? double.NaN : integer[m] ? reader.GetInteger(c) : reader.GetReal(c);
                record[m] = value == 0 ? 0.0 : value;
                if (!double.IsNaN(value))
                {
                    Counts[m]++;
                }
            }
            Spill.Commit();
        }
    }
}
