using System.Collections.Immutable;
using System.Runtime.InteropServices;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;

namespace MilkCells.Simulation;

/// <summary>Daily and per-breast daily rows from running totals read at day boundaries, for both resolutions.</summary>
internal static class DailyRows
{
    /// <summary>Width of a day-boundary tally row: milk drunk, formula, then cells swallowed alive by type, dead by type.</summary>
    public static int TallyWidth(int cellTypes) => 2 + 2 * cellTypes;

    /// <summary>Builds daily rows from the running totals read at each day boundary in turn (0 h, 24 h, …).</summary>
    /// <remarks>Fill <see cref="Boundary"/> (milk drunk and formula in quanta, then cells swallowed alive by type, dead by type) and <see cref="Commit"/>.</remarks>
    public sealed class Builder
    {
        private readonly RunPlan _plan;
        private readonly ImmutableArray<CellType> _types;
        private readonly double _perMl;
        private readonly int[] _feedsPerDay;
        private readonly ChemistryMean[] _chemistry; // per day, volume-weighted
        private readonly ImmutableArray<DailyRow>.Builder _rows;
        private double[] _previous, _current;
        private bool _started;

        public Builder(RunPlan plan, MilkModel model, double perMl)
        {
            _plan = plan;
            _types = model.CellTypes;
            _perMl = perMl;
            var days = plan.Days.Length;
            _feedsPerDay = new int[days];
            foreach (var f in plan.Feeds)
            {
                var d = (int)Math.Floor(f.Hours / 24);
                if (d >= 0 && d < days)
                {
                    _feedsPerDay[d]++;
                }
            }
            _chemistry = new ChemistryMean[days];
            _rows = ImmutableArray.CreateBuilder<DailyRow>(days);
            _previous = new double[TallyWidth(_types.Length)];
            _current = new double[_previous.Length];
        }

        /// <summary>Adds milk drunk on run day <paramref name="day"/> with its chemistry to the day's volume-weighted readout.</summary>
        public void AddChemistry(int day, double milkMl, in ChemistryReadout chemistry)
        {
            if (day >= 0 && day < _chemistry.Length)
            {
                _chemistry[day].Add(milkMl, chemistry.BacteriaCfuPerMl, chemistry.SodiumMmolL, chemistry.PotassiumMmolL);
            }
        }

        /// <summary>The totals at the boundary being read (zeroed after each commit).</summary>
        public Span<double> Boundary => _current;

        /// <summary>Ends the boundary: from the second one on, adds the row of the day that ended there.</summary>
        public void Commit()
        {
            if (_started && _rows.Count < _rows.Capacity)
            {
                _rows.Add(Row(_rows.Count, _previous, _current));
            }
            _started = true;
            (_previous, _current) = (_current, _previous);
            Array.Clear(_current);
        }

        /// <summary>The rows, one per run day.</summary>
        public ImmutableArray<DailyRow> Rows() => _rows.Count == _rows.Capacity ? _rows.MoveToImmutable() : _rows.ToImmutable();

        private DailyRow Row(int d, double[] a, double[] b)
        {
            var n = _types.Length;
            var milk = (b[0] - a[0]) / _perMl;
            var formula = (b[1] - a[1]) / _perMl;
            double total = 0, alive = 0, epithelial = 0, leucocyte = 0, stem = 0;
            var byType = new double[n];
            for (var t = 0; t < n; t++)
            {
                var al = b[2 + t] - a[2 + t];
                var de = b[2 + n + t] - a[2 + n + t];
                byType[t] = Ratio(al + de, milk);
                total += al + de;
                alive += al;
                switch (_types[t].Class)
                {
                    case CellClass.Epithelial:
                        epithelial += al + de;
                        break;
                    case CellClass.Leucocyte:
                        leucocyte += al + de;
                        break;
                    default:
                        stem += al + de;
                        break;
                }
            }
            var day = _plan.Days[d];
            var (bacteria, sodium, potassium) = _chemistry[d].Mean;
            var chemistry = new ChemistryReadout(bacteria, sodium, potassium);
            return new DailyRow(d, day.LactationDay, day.Stage, day.Events, milk, _feedsPerDay[d],
                Ratio(total, milk), Ratio(epithelial, milk), Ratio(leucocyte, milk), Ratio(stem, milk),
                total > 0 ? 100 * leucocyte / total : double.NaN, total > 0 ? 100 * stem / total : double.NaN,
                total > 0 ? alive / total : double.NaN,
                (long)total, (long)leucocyte, (long)stem, formula, chemistry, ImmutableCollectionsMarshal.AsImmutableArray(byType));
        }
    }

    /// <summary>Builds per-breast daily rows from per-breast totals read at each day boundary in turn.</summary>
    /// <remarks>Fill <see cref="Boundary"/> of each breast (milk in quanta, then alive by type, dead by type) and <see cref="Commit"/>.</remarks>
    public sealed class BreastBuilder
    {
        private readonly ImmutableArray<CellType> _types;
        private readonly double _perMl;
        private readonly ImmutableArray<BreastDayRow>.Builder _rows;
        private readonly double[][] _previous, _current;
        private bool _started;
        private int _day;

        public BreastBuilder(int days, MilkModel model, double perMl)
        {
            _types = model.CellTypes;
            _perMl = perMl;
            _rows = ImmutableArray.CreateBuilder<BreastDayRow>(2 * days);
            var width = 1 + 2 * _types.Length;
            _previous = [new double[width], new double[width]];
            _current = [new double[width], new double[width]];
        }

        /// <summary>The totals of breast <paramref name="b"/> at the boundary being read.</summary>
        public Span<double> Boundary(Breast b) => _current[(int)b];

        /// <summary>The chemistry of each breast's milk on the day ending at the boundary being read.</summary>
        public ChemistryReadout[] Chemistry { get; } = [ChemistryReadout.None, ChemistryReadout.None];

        /// <summary>Ends the boundary: from the second one on, adds both breasts' rows of the day that ended there.</summary>
        public void Commit()
        {
            var n = _types.Length;
            foreach (var breast in Names.Breasts)
            {
                var (a, b) = (_previous[(int)breast], _current[(int)breast]);
                if (_started && _rows.Count < _rows.Capacity)
                {
                    var counts = new long[2 * n];
                    for (var t = 0; t < n; t++)
                    {
                        counts[2 * t] = (long)(b[1 + t] - a[1 + t]);
                        counts[2 * t + 1] = (long)(b[1 + n + t] - a[1 + n + t]);
                    }
                    _rows.Add(Row(_day, breast, (b[0] - a[0]) / _perMl, Chemistry[(int)breast], counts, _types));
                }
                (_previous[(int)breast], _current[(int)breast]) = (b, a);
                Array.Clear(a);
            }
            if (_started)
            {
                _day++;
            }
            _started = true;
        }

        /// <summary>The rows, by day then breast.</summary>
        public ImmutableArray<BreastDayRow> Rows() => _rows.Count == _rows.Capacity ? _rows.MoveToImmutable() : _rows.ToImmutable();
    }

    /// <summary>Per-breast daily rows summed from feed rows (none when <paramref name="detail"/> is false: feed rows were not collected).</summary>
    public static ImmutableArray<BreastDayRow> FromFeeds(ImmutableArray<FeedRow> feeds, int days, MilkModel model, bool detail)
    {
        if (!detail)
        {
            return [];
        }
        var types = model.CellTypes;
        var milk = new double[days, 2];
        var chemistry = new ChemistryMean[days, 2];
        var counts = new long[days, 2][];
        foreach (var f in feeds)
        {
            if (f.Day < 0 || f.Day >= days)
            {
                continue;
            }
            milk[f.Day, (int)f.Breast] += f.VolumeMl;
            chemistry[f.Day, (int)f.Breast].Add(f.VolumeMl, f.Chemistry.BacteriaCfuPerMl, f.Chemistry.SodiumMmolL, f.Chemistry.PotassiumMmolL);
            var sum = counts[f.Day, (int)f.Breast] ??= new long[f.Counts.Length];
            for (var c = 0; c < sum.Length; c++)
            {
                sum[c] += f.Counts[c];
            }
        }
        var rows = ImmutableArray.CreateBuilder<BreastDayRow>(days * 2);
        for (var d = 0; d < days; d++)
        {
            foreach (var breast in Names.Breasts)
            {
                var ml = milk[d, (int)breast];
                var (bacteria, sodium, potassium) = chemistry[d, (int)breast].Mean;
                var readout = new ChemistryReadout(bacteria, sodium, potassium);
                rows.Add(Row(d, breast, ml, readout, counts[d, (int)breast] ?? new long[2 * types.Length], types));
            }
        }
        return rows.MoveToImmutable();
    }

    private static BreastDayRow Row(int day, Breast breast, double milk, ChemistryReadout chemistry, long[] counts, ImmutableArray<CellType> types)
    {
        long total = 0, alive = 0, leucocytes = 0;
        for (var t = 0; t < types.Length; t++)
        {
            var (al, de) = (counts[2 * t], counts[2 * t + 1]);
            total += al + de;
            alive += al;
            if (types[t].Class == CellClass.Leucocyte)
            {
                leucocytes += al + de;
            }
        }
        return new BreastDayRow(day, breast, milk, Ratio(total, milk), Ratio(leucocytes, milk), total > 0 ? (double)alive / total : double.NaN,
            milk > 0 ? chemistry : ChemistryReadout.None, ImmutableCollectionsMarshal.AsImmutableArray(counts));
    }

    private static double Ratio(double count, double volume) => volume > 0 ? count / volume : double.NaN;
}
