using System.Collections.Immutable;
using System.Runtime.InteropServices;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Planning;

// Design: the daily resolution eliminates the breasts' species analytically instead of simulating them. Between
// removals every breast species obeys a linear equation with piecewise-constant inputs (the same drivers the feed
// resolution schedules), so its mean has a closed form on each piece; a removal takes the fraction f of each mean.
// Cells are carried as survival factors and unit responses that do not depend on the cell type, so the work per
// piece is a handful of scalars, and each cell type is touched only where its target changes (day starts, illness
// steps). Docs: docs/model.md §4b.

/// <summary>The daily resolution's drivers: per breast and day, the mean milk drunk and the mean concentration of each cell type and viability in it.</summary>
/// <remarks>
/// <para>Between removals (feeds and pumping) breast b obeys, in the mean (every propensity is linear in the counts):
/// dV/dt = a (1 − V/C) for the milk, and for the free cells of type t with influx X(s) (the same driver product as the
/// feed resolution's entry reactions), alive A and all cells N = A + D:
/// dA/dt = v X − k A and dN/dt = X − β N (k = β + d: death only moves cells from A to D, so all cells leave at β).
/// On a piece of length Δ with constant inputs: V ← C − (C − V) e^{−aΔ/C}, A ← A e^{−kΔ} + v X (1 − e^{−kΔ})/k,
/// N ← N e^{−βΔ} + X (1 − e^{−βΔ})/β. A removal with fraction f takes f V, f A and f (N − A) and leaves (1 − f) of each.</para>
/// <para>Exact, not approximate, for the means. For cells it is exact in distribution too: with zero-order entry and
/// first-order conversion and loss, counts that start Poisson stay independent Poisson with these means (Jahnke &amp;
/// Huisinga 2007, J Math Biol 54:1, doi:10.1007/s00285-006-0034-x), and binomial thinning of a Poisson count gives
/// independent Poisson removed and remaining parts. The cells swallowed from a breast in a day are therefore Poisson
/// with mean Σ f_j N̄(t_j⁻) over its feeds j that day: what the daily network's swallowing reactions draw.</para>
/// </remarks>
internal static class FeedCycleAveraging
{
    /// <summary>The driver table of a daily-resolution plan: one row per run day, columns in the network's driver order.</summary>
    public static DriverTable Table(ScenarioPlanner p, PlanContext context, MotherEffects mother, List<DriverPoint> points, ImmutableArray<PlannedFeed> feeds,
        double[]? buffer, out ImmutableArray<double> chemistryDays)
    {
        var model = p.Model;
        var derived = p.Derived;
        var types = p.Types;
        var n = types.Length;
        var days = context.RunDays;
        var end = p.Scenario.DurationHours;
        var constants = new Constants(model.Value(RetentionRate), derived[DerivedParameters.LossRate], derived[DerivedParameters.EntryViable],
            mother.CapacityMl, model.Value(VolumeQuantum));
        var layout = p.AveragingLayout ??= new Layout(p);
        var (leucocyte, differentiation) = (layout.Leucocyte, layout.Differentiation);

        var columns = layout.Drivers.Length;
        var values = buffer is not null && buffer.Length == days * columns ? buffer : new double[days * columns];
        var pumping = context.Pumping().ToArray();
        var boosts = DerivedParameters.BoostSteps(model);
        var bin = model.Value(BoostBin);
        var milk = new double[days];
        var alive = new double[days * n];
        var all = new double[days * n];
        var chemistry = new ChemistryMean[days];
        var chemistryOut = new double[days * ChemistryStride];
        foreach (var b in Names.Breasts)
        {
            Array.Clear(milk);
            Array.Clear(alive);
            Array.Clear(all);
            Array.Clear(chemistry);
            var pumped = pumping.Where(x => x.Breast == b).Select(x => new Removal(x.Hours, x.Fraction, false)).ToArray();
            var (milk0, alive0, dead0) = context.InitialBreast(b);
            var means = new BreastMeans(constants, n, leucocyte, differentiation, milk0 * constants.Quantum, alive0, dead0);
            Walk(means, b, points, boosts, bin, context, feeds, pumped, end, milk, alive, all, chemistry);
            var (flowColumn, aliveColumns, deadColumns) = (layout.FlowColumn[(int)b], layout.AliveColumns[(int)b], layout.DeadColumns[(int)b]);
            for (var d = 0; d < days; d++)
            {
                var row = values.AsSpan(d * columns, columns);
                var hours = Math.Min(24, end - d * 24);
                var ml = milk[d];
                row[flowColumn] = ml / hours;
                var c = chemistryOut.AsSpan((d * 2 + (int)b) * 4, 4);
                c[0] = ml;
                (c[1], c[2], c[3]) = chemistry[d].Mean;
                for (var i = 0; i < n; i++)
                {
                    var (a, total) = (alive[d * n + i], all[d * n + i]);
                    row[aliveColumns[i]] = ml > 0 ? a / ml : 0;
                    row[deadColumns[i]] = ml > 0 ? Math.Max(0, total - a) / ml : 0;
                }
            }
        }
        var times = new double[days];
        for (var d = 0; d < days; d++)
        {
            times[d] = d * 24.0;
        }
        chemistryDays = ImmutableCollectionsMarshal.AsImmutableArray(chemistryOut);
        return new DriverTable(layout.Drivers, ImmutableCollectionsMarshal.AsImmutableArray(times), ImmutableCollectionsMarshal.AsImmutableArray(values));
    }

    /// <summary>What the table needs from the planner's model and network, worked out once per planner rather than once per mother.</summary>
    internal sealed class Layout
    {
        public Layout(ScenarioPlanner p)
        {
            var types = p.Types;
            Leucocyte = [.. types.Select(t => t.Class == CellClass.Leucocyte)];
            Differentiation = FeedCycleAveraging.Differentiation.Of(p.Model, types);
            Drivers = [.. p.Network.Drivers.Select(x => x.Id)];
            var column = new Dictionary<string, int>(Drivers.Length, StringComparer.Ordinal);
            for (var c = 0; c < Drivers.Length; c++)
            {
                column[Drivers[c]] = c;
            }
            FlowColumn = [.. Names.Breasts.Select(b => column[Names.DrinkFlow(b)])];
            AliveColumns = [.. Names.Breasts.Select(b => types.Select(t => column[Names.DrunkConc(t, Viability.Alive, b)]).ToArray())];
            DeadColumns = [.. Names.Breasts.Select(b => types.Select(t => column[Names.DrunkConc(t, Viability.Dead, b)]).ToArray())];
        }

        /// <summary>Per cell type (model order): whether it is a leucocyte.</summary>
        public bool[] Leucocyte { get; }

        /// <summary>The stem types that differentiate in the milk.</summary>
        public Differentiation[] Differentiation { get; }

        /// <summary>The network's driver ids: the table's columns.</summary>
        public ImmutableArray<string> Drivers { get; }

        /// <summary>Per breast: the drink-flow column.</summary>
        public int[] FlowColumn { get; }

        /// <summary>Per breast, per cell type: the alive and dead drunk-concentration columns.</summary>
        public int[][] AliveColumns { get; }

        /// <inheritdoc cref="AliveColumns"/>
        public int[][] DeadColumns { get; }
    }

    /// <summary>Values per (day, breast) in <see cref="RunPlan.ChemistryDays"/>: mean milk drunk (mL), then bacteria, sodium, potassium volume-weighted over its feeds.</summary>
    public const int ChemistryStride = 2 * 4;

    /// <summary>A removal of milk and free cells from a breast: a feed (drunk, and followed by post-feed shedding) or pumping.</summary>
    private readonly record struct Removal(double Hours, double Fraction, bool Feed);

    /// <summary>Walks one breast through its planning points, post-feed shedding steps and removals in time order, adding what each feed removes to its day.</summary>
    /// <remarks>
    /// At one time, driver values change before removals happen, as the engine applies them. Post-feed steps are the
    /// feed resolution's <c>shed_boost</c> schedule (<see cref="PlanContext.BoostChanges"/>), generated as the walk
    /// reaches each feed: m_s from t₀ + s·bin (the excess scaled by the day's boost effect), 1 after the last step,
    /// each step dropped once the breast's next feed comes.
    /// </remarks>
    private static void Walk(BreastMeans breast, Breast b, List<DriverPoint> points, double[] steps, double bin, PlanContext context,
        ImmutableArray<PlannedFeed> feeds, Removal[] pumped, double end, double[] milk, double[] alive, double[] all, ChemistryMean[] chemistry)
    {
        var (ip, iFeed, iPump) = (0, 0, 0);
        // The breast's removals in time order: its feeds merged with its pumping sessions (feeds first at one time, as the plan lists them).
        Removal? NextRemoval()
        {
            while (iFeed < feeds.Length && feeds[iFeed].Breast != b)
            {
                iFeed++;
            }
            var feed = iFeed < feeds.Length ? new Removal(feeds[iFeed].Hours, feeds[iFeed].RemovalFraction, true) : (Removal?)null;
            var pump = iPump < pumped.Length ? pumped[iPump] : (Removal?)null;
            return feed is { } f && (pump is not { } p || f.Hours <= p.Hours) ? f : pump;
        }
        var nextRemoval = NextRemoval();
        var now = 0.0;
        var day = 0;
        var pending = new double[steps.Length + 1]; // times of the current feed's later steps
        var (next, count) = (0, 0);
        var boostOfDay = 1.0;
        while (true)
        {
            var tp = ip < points.Count ? points[ip].Hours : double.PositiveInfinity;
            var tb = next < count ? pending[next] : double.PositiveInfinity;
            var tr = nextRemoval?.Hours ?? double.PositiveInfinity;
            var t = Math.Min(tp, Math.Min(tb, tr));
            if (!(t < end))
            {
                break;
            }
            if (t > now)
            {
                breast.Advance(t - now);
                now = t;
            }
            if (tp == t)
            {
                breast.Flush(day, milk, alive, all, chemistry);
                day = (int)Math.Floor(t / 24);
                breast.Set(points[ip++], b);
            }
            else if (tb == t)
            {
                var s = next + 1;
                breast.Boost = s < steps.Length ? 1 + (steps[s] - 1) * boostOfDay : 1;
                next++;
            }
            else
            {
                var r = nextRemoval!.Value;
                if (r.Feed)
                {
                    iFeed++;
                }
                else
                {
                    iPump++;
                }
                nextRemoval = NextRemoval();
                breast.Remove(r.Fraction, r.Feed);
                if (r.Feed)
                {
                    boostOfDay = context.DayBoost((int)(r.Hours / 24));
                    breast.Boost = steps.Length > 0 ? 1 + (steps[0] - 1) * boostOfDay : 1;
                    (next, count) = (0, 0);
                    for (var s = 1; s <= steps.Length; s++)
                    {
                        var at = r.Hours + s * bin;
                        if (at >= end)
                        {
                            break;
                        }
                        pending[count++] = at;
                    }
                }
            }
        }
        breast.Flush(day, milk, alive, all, chemistry);
    }

    private sealed record Constants(double Beta, double K, double EntryViable, double CapacityMl, double Quantum);

    /// <summary>Stem types that differentiate in the milk (docs/model.md §4d): per stem type (model index) its rate δ and its targets (type index, share).</summary>
    internal sealed record Differentiation(int Stem, double Rate, (int Target, double Share)[] Targets)
    {
        public static Differentiation[] Of(CalibratedModel model, ImmutableArray<CellType> types)
        {
            var index = Enumerable.Range(0, types.Length).ToDictionary(i => types[i].Id, StringComparer.Ordinal);
            return [.. NetworkBuilder.StemDifferentiations(model).GroupBy(x => x.Stem.Id)
                .Select(g => new Differentiation(index[g.Key], model.Value(StemDifferentiation, g.Key), [.. g.Select(x => (index[x.Target.Id], x.Share))]))];
        }
    }

    /// <summary>The means of one breast: milk, and cells as type-independent survival factors and unit responses since the last planning point.</summary>
    /// <remarks>
    /// Within a planning interval each type's influx is X_t(s) = c_t g(s): c_t constant (target, flow, illness), g the
    /// post-feed multiplier for shed types and 1 for migrating leucocytes. So A_t(s) = A_t(p) S_A(s) + c_t U_A(s) with
    /// S the survival of what was there at the point p (decay and thinning) and U the response to unit c, both shared
    /// by every type of a group; likewise for N with S_N and U_N. Removals add f·S and f·U to per-day sums.
    /// </remarks>
    private sealed class BreastMeans(Constants k, int n, bool[] leucocyte, Differentiation[] differentiation, double milkMl, long[] alive0, long[] dead0)
    {
        // Differentiating stem types (docs/model.md §4d): the alive cells of type s decay at k' = k + δ instead of k. _a[s] keeps the
        // count without differentiation (rate k); _aDiff[s] the true one; the cells that differentiated and are still alive are the
        // difference, and all that differentiated and are still in the milk are δ z, with z' = A' − β z. Per differentiating type:
        // survival and unit response at k' (S', U'), and their convolutions with e^{−β} (Z_S, Z_U), with removal sums.
        private readonly Differentiation[] _diff = differentiation;
        private readonly double[] _aDiff = [.. differentiation.Select(d => (double)alive0[d.Stem])];
        private readonly double[] _z = new double[differentiation.Length];
        private readonly double[] _dS = [.. differentiation.Select(_ => 1.0)], _dU = new double[differentiation.Length];
        private readonly double[] _dZs = new double[differentiation.Length], _dZu = new double[differentiation.Length];
        private readonly double[] _fdS = new double[differentiation.Length], _fdU = new double[differentiation.Length];
        private readonly double[] _fdZs = new double[differentiation.Length], _fdZu = new double[differentiation.Length];
        private readonly double[] _a = [.. alive0.Select(x => (double)x)];
        private readonly double[] _all = [.. alive0.Zip(dead0, (a, d) => (double)(a + d))];
        private readonly double[] _c = new double[n];
        private double _v = milkMl, _synth, _milkDt;
        private double _sa = 1, _sn = 1, _uaShed, _unShed, _uaMigr, _unMigr;
        private double _fMilk, _fSa, _fSn, _fUaShed, _fUnShed, _fUaMigr, _fUnMigr;
        private double _bacteria, _sodium, _potassium; // constant between planning points, like the other inputs

        public double Boost = 1;

        public void Set(DriverPoint point, Breast b)
        {
            Milk();
            var i = (int)b;
            (_bacteria, _sodium, _potassium) = (point.Bacteria[i], point.Sodium[i], point.Potassium[i]);
            _synth = point.SynthMax[i];
            var shed = point.ClearFlow[i] * point.BoostNorm[i] * point.Epithelial[i];
            var inflammation = point.Inflammation[i];
            for (var t = 0; t < n; t++)
            {
                _c[t] = leucocyte[t] ? (point.Conc[t] + inflammation[t]) * point.ClearFlow[i] : point.Conc[t] * shed;
            }
        }

        /// <summary>Brings the milk to the current time: it changes only with the synthesis rate, so pieces with one rate are joined.</summary>
        private void Milk()
        {
            if (_synth > 0 && _milkDt > 0)
            {
                _v = k.CapacityMl - (k.CapacityMl - _v) * Math.Exp(-_synth * _milkDt / k.CapacityMl);
            }
            _milkDt = 0;
        }

        // The decay factors of the last two piece lengths: most pieces are post-feed shedding steps of one bin, and the
        // pieces between them (to a feed, a day start) interrupt runs of one length, so the length before the last
        // returns often; the same length gives the same factors bit for bit.
        private double _lastDt = double.NaN, _ea, _en, _ia, _in;
        private double[] _ed = new double[differentiation.Length];
        private double _prevDt = double.NaN, _pEa, _pEn, _pIa, _pIn;
        private double[] _pEd = new double[differentiation.Length];

        public void Advance(double dt)
        {
            _milkDt += dt;
            if (dt != _lastDt)
            {
                (_prevDt, _lastDt) = (_lastDt, _prevDt);
                (_pEa, _ea) = (_ea, _pEa);
                (_pEn, _en) = (_en, _pEn);
                (_pIa, _ia) = (_ia, _pIa);
                (_pIn, _in) = (_in, _pIn);
                (_pEd, _ed) = (_ed, _pEd);
                if (dt != _lastDt)
                {
                    _lastDt = dt;
                    _ea = Math.Exp(-k.K * dt);
                    _en = Math.Exp(-k.Beta * dt);
                    (_ia, _in) = (k.EntryViable * (1 - _ea) / k.K, (1 - _en) / k.Beta);
                    for (var i = 0; i < _diff.Length; i++)
                    {
                        _ed[i] = Math.Exp(-(k.K + _diff[i].Rate) * dt);
                    }
                }
            }
            var (ea, en, ia, inn) = (_ea, _en, _ia, _in);
            _sa *= ea;
            _sn *= en;
            _uaShed = _uaShed * ea + Boost * ia;
            _unShed = _unShed * en + Boost * inn;
            _uaMigr = _uaMigr * ea + ia;
            _unMigr = _unMigr * en + inn;
            for (var i = 0; i < _diff.Length; i++)
            {
                // A' = S' A'(p) + U' c with S', U' at k' = k + δ; Z = ∫ A' e^{−β(t − τ)} dτ, piecewise in closed form.
                var kd = k.K + _diff[i].Rate;
                var ed = _ed[i];
                var conv = (ed - en) / (k.Beta - kd);
                var input = Boost * k.EntryViable / kd;
                _dZs[i] = _dZs[i] * en + _dS[i] * conv;
                _dZu[i] = _dZu[i] * en + _dU[i] * conv + input * ((1 - en) / k.Beta - conv);
                _dS[i] *= ed;
                _dU[i] = _dU[i] * ed + input * (1 - ed);
            }
        }

        public void Remove(double f, bool drunk)
        {
            Milk();
            if (drunk)
            {
                _fMilk += f * _v;
                _fSa += f * _sa;
                _fSn += f * _sn;
                _fUaShed += f * _uaShed;
                _fUnShed += f * _unShed;
                _fUaMigr += f * _uaMigr;
                _fUnMigr += f * _unMigr;
            }
            var keep = 1 - f;
            _v *= keep;
            _sa *= keep;
            _sn *= keep;
            _uaShed *= keep;
            _unShed *= keep;
            _uaMigr *= keep;
            _unMigr *= keep;
            for (var i = 0; i < _diff.Length; i++)
            {
                if (drunk)
                {
                    _fdS[i] += f * _dS[i];
                    _fdU[i] += f * _dU[i];
                    _fdZs[i] += f * _dZs[i];
                    _fdZu[i] += f * _dZu[i];
                }
                _dS[i] *= keep;
                _dU[i] *= keep;
                _dZs[i] *= keep;
                _dZu[i] *= keep;
            }
        }

        /// <summary>Adds the interval's removals to day <paramref name="day"/>, brings each type to the current time and starts a new interval.</summary>
        public void Flush(int day, double[] milk, double[] alive, double[] all, ChemistryMean[] chemistry)
        {
            if (day < milk.Length)
            {
                milk[day] += _fMilk;
                chemistry[day].Add(_fMilk, _bacteria, _sodium, _potassium);
                var row = day * n;
                for (var t = 0; t < n; t++)
                {
                    var (fua, fun) = leucocyte[t] ? (_fUaMigr, _fUnMigr) : (_fUaShed, _fUnShed);
                    alive[row + t] += _a[t] * _fSa + _c[t] * fua;
                    all[row + t] += _all[t] * _fSn + _c[t] * fun;
                }
                for (var i = 0; i < _diff.Length; i++)
                {
                    // The stem type's drunk cells without differentiation are in the sums above; move what differentiated to its targets.
                    var (s, rate) = (_diff[i].Stem, _diff[i].Rate);
                    var withoutAlive = _a[s] * _fSa + _c[s] * _fUaShed;
                    var trueAlive = _aDiff[i] * _fdS[i] + _c[s] * _fdU[i];
                    var differentiated = rate * (_z[i] * _fSn + _aDiff[i] * _fdZs[i] + _c[s] * _fdZu[i]);
                    alive[row + s] += trueAlive - withoutAlive;
                    all[row + s] -= differentiated;
                    foreach (var (target, share) in _diff[i].Targets)
                    {
                        alive[row + target] += share * (withoutAlive - trueAlive);
                        all[row + target] += share * differentiated;
                    }
                }
            }
            for (var i = 0; i < _diff.Length; i++)
            {
                var s = _diff[i].Stem;
                _z[i] = _z[i] * _sn + _aDiff[i] * _dZs[i] + _c[s] * _dZu[i];
                _aDiff[i] = _aDiff[i] * _dS[i] + _c[s] * _dU[i];
                (_dS[i], _dU[i], _dZs[i], _dZu[i]) = (1, 0, 0, 0);
                (_fdS[i], _fdU[i], _fdZs[i], _fdZu[i]) = (0, 0, 0, 0);
            }
            for (var t = 0; t < n; t++)
            {
                var (ua, un) = leucocyte[t] ? (_uaMigr, _unMigr) : (_uaShed, _unShed);
                _a[t] = _a[t] * _sa + _c[t] * ua;
                _all[t] = _all[t] * _sn + _c[t] * un;
            }
            _sa = _sn = 1;
            _uaShed = _unShed = _uaMigr = _unMigr = 0;
            _fMilk = _fSa = _fSn = _fUaShed = _fUnShed = _fUaMigr = _fUnMigr = 0;
        }
    }
}
