using MilkCells.Storage.Cohorts;

namespace MilkCells.Storage.Testing;

/// <summary>A deterministic stand-in for the simulation: issue 3's daily.csv columns, with values from (seed, mother, day).</summary>
/// <remarks>
/// Values exercise every export rule: reals over many magnitudes (shortest round-trip text), NULLs, NaN and −0.0
/// (stored as NULL and 0), text with commas, quotes, line breaks and non-ASCII, and integers up to 2^62.
/// </remarks>
public static class SyntheticCohort
{
    /// <summary>issue 3's daily.csv columns after <c>day</c>.</summary>
    public static readonly CohortSchema Daily = CohortSchema.Create(
        ("stage", ColumnKind.Text),
        ("events", ColumnKind.Text),
        ("milk_ml", ColumnKind.Real),
        ("feeds", ColumnKind.Integer),
        ("cells_per_ml_total", ColumnKind.Real),
        ("cells_per_ml_epithelial", ColumnKind.Real),
        ("cells_per_ml_leucocyte", ColumnKind.Real),
        ("cells_per_ml_stem", ColumnKind.Real),
        ("pct_leucocyte", ColumnKind.Real),
        ("pct_stem", ColumnKind.Real),
        ("viable_fraction", ColumnKind.Real),
        ("ingested_total", ColumnKind.Integer),
        ("ingested_leucocyte", ColumnKind.Integer),
        ("ingested_stem", ColumnKind.Integer));

    private static readonly string[] Events = ["", "mastitis (left, moderate)", "infant infection, \"febrile\"", "blocked duct\nleft", "trauma – nipple"];

    /// <summary>Run metadata for a synthetic run.</summary>
    public static RunMetadata Metadata(int mothers, int days, ulong seed = 42) =>
        new("synthetic", "sha256:0123abcd", seed, mothers, days, "default", "model-1", "code-1");

    /// <summary>The stage of a lactation day.</summary>
    public static string Stage(int day) => day <= 5 ? "colostrum" : day <= 14 ? "transitional" : "mature";

    /// <summary>Fills <paramref name="rows"/> with mother <paramref name="rows"/>.MotherId's days 0 … days−1.</summary>
    public static MotherRows Fill(MotherRows rows, int days, ulong seed = 42)
    {
        var s = rows.Schema;
        for (var day = 0; day < days; day++)
        {
            var h = Hash(seed, (ulong)rows.MotherId, (ulong)day);
            var u = (h >> 11) * (1.0 / (1UL << 53));
            var r = rows.Add(day)
                .Text(0, Stage(day))
                .Text(1, (h & 7) == 0 ? null : Events[(int)((h >> 3) % (ulong)Events.Length)])
                .Real(2, 50 + (900 * u))
                .Integer(3, 6 + (long)(h % 13))
                .Real(4, Math.Pow(10, 3 + (4 * u)))
                .Real(5, u * 1e5 / 3)
                .Real(6, (h % 97) == 0 ? double.NaN : u * 1e6)
                .Real(7, (h % 89) == 0 ? -0.0 : u * u * 1234.5)
                .Real(8, 100 * u)
                .Real(9, 0.1 + u)
                .Real(10, 1.0 / (1 + day))
                .Integer(11, (long)(h >> 2))
                .Integer(12, -(long)(h % 1000))
                .Integer(13, (long)(h % 3));
            if ((h % 31) == 0)
            {
                r.Real(9, double.NaN);
            }
        }
        return rows;
    }

    /// <summary>Mother <paramref name="motherId"/>'s rows in a fresh buffer.</summary>
    public static MotherRows Mother(long motherId, int days, ulong seed = 42) => Fill(new MotherRows(Daily, motherId, days), days, seed);

    /// <summary>Writes mothers one transaction each through a <see cref="CohortWriter"/>, skipping the completed set.</summary>
    public static void WriteAll(ICohortStore store, IEnumerable<long> motherIds, int days, ulong seed = 42, int perTransaction = 64)
    {
        var done = store.CompletedMothers();
        using var writer = new CohortWriter(store, perTransaction);
        foreach (var id in motherIds.Where(id => !done.Contains(id)))
        {
            writer.Add(Fill(writer.Rent(id), days, seed));
        }
        writer.Complete();
    }

    private static ulong Hash(ulong a, ulong b, ulong c)
    {
        var x = (a * 0x9E3779B97F4A7C15UL) ^ (b + 0x632BE59BD9B4E019UL) ^ (c * 0xD6E8FEB86659FD93UL);
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
