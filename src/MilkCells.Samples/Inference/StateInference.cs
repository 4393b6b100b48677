using System.Collections.Immutable;
using MilkCells.Model.Catalogue;

namespace MilkCells.Samples.Inference;

/// <summary>One sample as state inference sees it: its day and breast, ln leucocytes/mL and ln other cells/mL with their measurement variances, and its chemistry when measured.</summary>
/// <param name="Day">Lactation day.</param>
/// <param name="Breast">"left", "right", or null when unknown or pooled.</param>
/// <param name="LogLeucocytes">ln leucocytes/mL, or null when not measured.</param>
/// <param name="LogOthers">ln of the other (non-leucocyte) cells/mL, or null.</param>
/// <param name="VarLeucocytes">Measurement variance of <paramref name="LogLeucocytes"/> (1/events for a count).</param>
/// <param name="VarOthers">Measurement variance of <paramref name="LogOthers"/>.</param>
/// <param name="Log10Bacteria">log10 bacteria CFU/mL (<see cref="StateLibrary.Log10Bacteria"/>), or null when not measured.</param>
/// <param name="LogNaK">ln Na:K, or null when not measured.</param>
public sealed record StateObservation(int Day, string? Breast, double? LogLeucocytes, double? LogOthers, double VarLeucocytes, double VarOthers,
    double? Log10Bacteria = null, double? LogNaK = null)
{
    /// <summary>Whether the sample has any feature the likelihood reads.</summary>
    public bool HasFeatures => LogLeucocytes is not null || LogOthers is not null || Log10Bacteria is not null || LogNaK is not null;

    /// <summary>The same sample with its chemistry left out (cells only).</summary>
    public StateObservation WithoutChemistry() => this with { Log10Bacteria = null, LogNaK = null };
}

/// <summary>Which prior the states get.</summary>
public enum StatePriorKind
{
    /// <summary>Onset rates from data/inference/state-priors.yaml over the sampling window.</summary>
    Evidence,

    /// <summary>Every state (healthy included) equally likely: what a stratified calibration set needs.</summary>
    Uniform,
}

/// <summary>A mother's states: the probability of each state behind her series, and of each state being under way on each sample day.</summary>
/// <param name="States">"healthy" then the health states.</param>
/// <param name="Prior">Each state's prior over her sampling window.</param>
/// <param name="Probability">Posterior probability that her series comes from each state (an episode overlapping her window, or none).</param>
/// <param name="Days">Her sample days, ascending.</param>
/// <param name="Daily">For each of <paramref name="Days"/>, the posterior probability of each state being under way that day (healthy: no episode that day).</param>
/// <param name="LogEvidence">ln p(her observations | state).</param>
public sealed record StatePosterior(ImmutableArray<string> States, ImmutableArray<double> Prior, ImmutableArray<double> Probability,
    ImmutableArray<int> Days, ImmutableArray<ImmutableArray<double>> Daily, ImmutableArray<double> LogEvidence)
{
    /// <summary>The state name of healthy mothers.</summary>
    public const string Healthy = "healthy";

    /// <summary>The most probable state.</summary>
    public string Map => States[Probability.IndexOf(Probability.Max())];
}

/// <summary>Posterior probabilities of health states from a mother's milk samples, by a likelihood built from simulation.</summary>
/// <remarks>
/// <para>Model (every ingredient from the <see cref="StateLibrary"/>, i.e. from the model's simulated cohorts): on the
/// log scale, a healthy sample is y = (ln L, ln N) = m(d) + b + ε, with m the cohort mean on lactation day d, b ~ N(0, Σ_b)
/// the mother's own level, ε ~ N(0, Σ_w + M) the day-to-day and measurement noise (M diagonal: 1/events for counts).
/// An episode of a state (severity, duration, onset hour, onset day o, affected breast) adds its template's leucocytes
/// ΔL and multiplies the other cells by r on day d − o. In the model an episode's leucocytes scale with the mother's
/// own leucocyte level (her cell factor) but not with the day's noise, so y_L = b_L + ln(e^{m_L + ε_L} + ΔL) and
/// y_N = m_N + b_N + ln r + ε_N: linear in b, the day noise reaching y_L with weight w = e^{m_L}/(e^{m_L}+ΔL) (delta
/// method), and the template's own spread (other mothers, onsets within its bin) added on the episode's part.</para>
/// <para>Chemistry, when a sample has it: z = (log10 bacteria, ln Na:K) = m_c(d) + c + Δ_c(d − o) + ε_c, with c ~ N(0, Σ_c)
/// the mother's own chemistry (the model's between-mother covariance, at least the priors' <see cref="StatePriors.MotherLog10BacteriaSd"/>
/// and <see cref="StatePriors.MotherLogNaKSd"/>, since the model gives every mother the same chemistry) and ε_c the model's
/// within-mother covariance plus the template's spread plus the lab error (<see cref="StatePriors.LabLog10BacteriaSd"/>,
/// <see cref="StatePriors.LabLogNaKSd"/>). The model does not tie chemistry to the cells' day-to-day noise, so the two
/// pairs are independent given the episode and each mother level is integrated in closed form on its own. A feature a
/// sample lacks is marginalised out: its Gaussian over the features it has is the marginal of the full one (the
/// sub-vector and sub-matrix), so missing bacteria or Na:K leave the likelihood of the rest exact. Bacteria are what
/// separates non-infectious from infectious mastitis (Thomsen 1983); Na:K (Furukawa 2022) marks the opened junctions
/// of mastitis and abscess, which cells alone confuse with other leucocyte rises.</para>
/// <para>Likelihood: b enters linearly, so it is integrated in closed form (a Gaussian integral over the 2-vector b):
/// each hypothesis costs a few operations per sample it changes. The evidence of a state sums over its episodes with their priors (<see cref="StatePriors"/>): severity, duration,
/// onset hour, breast, and onset day uniform over the days whose episode overlaps the window. The posterior follows by
/// Bayes' rule, and each day's state from the posterior mass of the episodes under way that day.</para>
/// <para>This is simulation-based inference with a synthetic likelihood in the sense of Wood 2010 (Nature 466:1102,
/// doi:10.1038/nature09319): the likelihood's ingredients are fitted to simulations of the model; see Cranmer, Brehmer
/// &amp; Louppe 2020 (PNAS 117:30055, doi:10.1073/pnas.1912789117) for the family. Its calibration is measured on
/// held-out simulated mothers (<see cref="StateCalibration"/>, docs/sample.md).</para>
/// </remarks>
public static class StateInference
{
    private const double Log2Pi = 1.8378770664093453;

    /// <summary>The posterior of a mother's states.</summary>
    /// <exception cref="ArgumentException">No observation, or a day beyond the library.</exception>
    public static StatePosterior Infer(StateLibrary library, IReadOnlyList<StateObservation> observations, StatePriors priors, StatePriorKind kind)
    {
        var obs = observations.Where(o => o.HasFeatures).OrderBy(o => o.Day).ToArray();
        if (obs.Length == 0)
        {
            throw new ArgumentException("no observation with cells or chemistry", nameof(observations));
        }
        if (obs[^1].Day > library.LastDay || obs[0].Day < 0)
        {
            throw new ArgumentException($"day {obs[^1].Day} is outside the library's days 0-{library.LastDay}", nameof(observations));
        }
        var work = new Work(library, priors, obs);
        var states = ImmutableArray.CreateBuilder<string>();
        states.Add(StatePosterior.Healthy);
        states.AddRange(library.States);
        var firstDay = obs[0].Day;
        var lastDay = obs[^1].Day;
        var window = lastDay - firstDay + 1;
        var days = obs.Select(o => o.Day).Distinct().ToImmutableArray();

        // State priors over the window.
        var prior = new double[states.Count];
        for (var s = 0; s < states.Count; s++)
        {
            if (kind == StatePriorKind.Uniform)
            {
                prior[s] = 1.0 / states.Count;
                continue;
            }
            if (s == 0)
            {
                continue;
            }
            var meanLength = library.Templates.Where(t => t.State == states[s]).GroupBy(t => t.DurationFactor)
                .Sum(g => priors.Duration.First(d => d.Factor == g.Key).P * g.First().LengthDays);
            prior[s] = 1 - Math.Exp(-priors.RatePerDay.GetValueOrDefault(states[s]) * (window + meanLength));
        }
        if (kind == StatePriorKind.Evidence)
        {
            prior[0] = Enumerable.Range(1, states.Count - 1).Aggregate(1.0, (p, s) => p * (1 - prior[s]));
            var sum = prior.Sum();
            for (var s = 0; s < prior.Length; s++)
            {
                prior[s] /= sum;
            }
        }

        // Evidence of each episode hypothesis, with its prior weight within its state.
        var logEvidence = new double[states.Count];
        logEvidence[0] = work.LogLikelihood(null, null, 0);
        var hypotheses = new List<(int State, double LogWeight, StateTemplate Template, int Onset)>();
        for (var s = 1; s < states.Count; s++)
        {
            var templates = library.Templates.Where(t => t.State == states[s]).ToArray();
            // P(duration, hour, onset | an episode overlaps the window) ∝ P(duration) · ½ for each overlapping onset day.
            var z = templates.Where(t => t.Severity == priors.Severity[0].Severity)
                .Sum(t => priors.Duration.First(d => d.Factor == t.DurationFactor).P * 0.5 * OnsetDays(t, firstDay, lastDay).Count());
            var terms = new List<double>();
            foreach (var t in templates)
            {
                var pSeverity = priors.Severity.First(v => v.Severity == t.Severity).P;
                var pDuration = priors.Duration.First(d => d.Factor == t.DurationFactor).P;
                var breasts = t.Scope == HealthScope.Breast ? new string?[] { "left", "right" } : [null];
                foreach (var onset in OnsetDays(t, firstDay, lastDay))
                {
                    foreach (var affected in breasts)
                    {
                        var lw = Math.Log(pSeverity * pDuration * 0.5 / z / breasts.Length);
                        var ll = work.LogLikelihood(t, affected, onset);
                        terms.Add(lw + ll);
                        hypotheses.Add((s, lw + ll, t, onset));
                    }
                }
            }
            logEvidence[s] = LogSumExp(terms);
        }

        var logPost = logEvidence.Select((e, s) => Math.Log(prior[s]) + e).ToArray();
        var norm = LogSumExp(logPost);
        var probability = logPost.Select(l => Math.Exp(l - norm)).ToImmutableArray();

        // Each day: the posterior mass of the episodes under way that day. P(hypothesis | x) = prior(s) · weight · likelihood / p(x).
        var posterior = new double[hypotheses.Count];
        for (var h = 0; h < posterior.Length; h++)
        {
            posterior[h] = Math.Exp(Math.Log(prior[hypotheses[h].State]) + hypotheses[h].LogWeight - norm);
        }
        var daily = ImmutableArray.CreateBuilder<ImmutableArray<double>>(days.Length);
        foreach (var day in days)
        {
            var active = new double[states.Count];
            for (var h = 0; h < posterior.Length; h++)
            {
                var (s, _, t, onset) = hypotheses[h];
                if (t.ActiveOn(day - onset))
                {
                    active[s] += posterior[h];
                }
            }
            active[0] = Math.Max(0, 1 - active.Skip(1).Sum());
            daily.Add([.. active]);
        }
        return new StatePosterior(states.ToImmutable(), [.. prior], probability, days, daily.ToImmutable(), [.. logEvidence]);
    }

    /// <summary>The onset days whose episode overlaps [first, last] (never before lactation day 0).</summary>
    private static IEnumerable<int> OnsetDays(StateTemplate t, int first, int last)
    {
        var reach = (int)Math.Ceiling(t.OnsetHour / 24 + t.LengthDays);
        for (var o = Math.Max(0, first - reach + 1); o <= last; o++)
        {
            yield return o;
        }
    }

    internal static double LogSumExp(IReadOnlyList<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }
        if (double.IsNegativeInfinity(max))
        {
            return max;
        }
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += Math.Exp(v - max);
        }
        return max + Math.Log(sum);
    }

    /// <summary>Per mother: each sample's healthy terms, reused by every hypothesis.</summary>
    private sealed class Work
    {
        private readonly StateLibrary _lib;
        private readonly StateObservation[] _obs;
        private readonly double[] _mL, _mN, _mB, _mR, _level; // _level: e^{m_L}
        private readonly Contribution[] _healthy, _healthyChemistry; // by sample
        private readonly Contribution _healthyTotal, _healthyChemistryTotal;
        private readonly Gaussian2 _between, _chemistryBetween;
        private readonly double[] _chemistryWithin; // model's within-mother covariance plus the lab error, [BB, BR, RR]
        private readonly bool _chemistry;

        public Work(StateLibrary lib, StatePriors priors, StateObservation[] obs)
        {
            _lib = lib;
            _obs = obs;
            _mL = [.. obs.Select(o => lib.MeanL[o.Day])];
            _level = [.. _mL.Select(Math.Exp)];
            _mN = [.. obs.Select(o => lib.MeanN[o.Day])];
            _mB = [.. obs.Select(o => lib.MeanB[o.Day])];
            _mR = [.. obs.Select(o => lib.MeanR[o.Day])];
            _between = new Gaussian2(lib.Between[0], lib.Between[1], lib.Between[2]);
            var (bb, rr) = (Math.Max(lib.ChemistryBetween[0], priors.MotherLog10BacteriaSd * priors.MotherLog10BacteriaSd),
                Math.Max(lib.ChemistryBetween[2], priors.MotherLogNaKSd * priors.MotherLogNaKSd));
            var limit = 0.999 * Math.Sqrt(bb * rr);
            _chemistryBetween = new Gaussian2(bb, Math.Clamp(lib.ChemistryBetween[1], -limit, limit), rr);
            _chemistryWithin = [lib.ChemistryWithin[0] + priors.LabLog10BacteriaSd * priors.LabLog10BacteriaSd, lib.ChemistryWithin[1],
                lib.ChemistryWithin[2] + priors.LabLogNaKSd * priors.LabLogNaKSd];
            _chemistry = obs.Any(o => o.Log10Bacteria is not null || o.LogNaK is not null);
            _healthy = new Contribution[obs.Length];
            _healthyChemistry = new Contribution[obs.Length];
            for (var i = 0; i < obs.Length; i++)
            {
                _healthy[i] = Cells(i, Shift.None);
                _healthyTotal = _healthyTotal.Add(_healthy[i]);
                _healthyChemistry[i] = Chemistry(i, Shift.None);
                _healthyChemistryTotal = _healthyChemistryTotal.Add(_healthyChemistry[i]);
            }
        }

        /// <summary>ln p(observations | episode), or the healthy likelihood when <paramref name="template"/> is null.</summary>
        public double LogLikelihood(StateTemplate? template, string? affected, int onset)
        {
            var total = _healthyTotal;
            var chemistry = _healthyChemistryTotal;
            if (template is not null)
            {
                for (var i = 0; i < _obs.Length; i++)
                {
                    var k = _obs[i].Day - onset;
                    if (k < 0 || k >= template.Days)
                    {
                        continue;
                    }
                    var shift = Increment(template, affected, _obs[i].Breast, k);
                    if (shift.DeltaL != 0 || shift.LogR != 0)
                    {
                        total = total.Subtract(_healthy[i]).Add(Cells(i, shift));
                    }
                    if (_chemistry && (shift.DeltaB != 0 || shift.DeltaK != 0))
                    {
                        chemistry = chemistry.Subtract(_healthyChemistry[i]).Add(Chemistry(i, shift));
                    }
                }
            }
            return Integrate(total, _between) + (_chemistry ? Integrate(chemistry, _chemistryBetween) : 0);
        }

        private static Shift Increment(StateTemplate t, string? affected, string? breast, int k)
        {
            static Shift Of(BreastIncrement b, int k) => new(b.DeltaLeucocytes[k], b.LogRatioOthers[k], b.VarLogDelta[k], b.VarLogRatio[k],
                b.Log10Bacteria[k], b.LogNaK[k], b.VarLog10Bacteria[k], b.VarLogNaK[k]);
            static Shift Pooled(Shift a, Shift o) =>
                new((a.DeltaL + o.DeltaL) / 2, Math.Log((Math.Exp(a.LogR) + Math.Exp(o.LogR)) / 2), (a.VarL + o.VarL) / 2, (a.VarR + o.VarR) / 2,
                    Math.Log10((Math.Pow(10, a.DeltaB) + Math.Pow(10, o.DeltaB)) / 2), Math.Log((Math.Exp(a.DeltaK) + Math.Exp(o.DeltaK)) / 2), (a.VarB + o.VarB) / 2, (a.VarK + o.VarK) / 2);
            var (aff, other) = (Of(t.Affected, k), Of(t.Other, k));
            if (t.Scope != HealthScope.Breast)
            {
                return breast switch { "left" => aff, "right" => other, _ => Pooled(aff, other) };
            }
            // A one-breast episode; pooled milk of both breasts is about half from each.
            return breast is "left" or "right" ? (breast == affected ? aff : other) : Pooled(aff, other);
        }

        /// <summary>One sample's Gaussian terms of its cells with the mother's level b left out (it is integrated in <see cref="Integrate"/>).</summary>
        private Contribution Cells(int i, Shift shift)
        {
            var o = _obs[i];
            var (a, c, b) = (_lib.Within[0], _lib.Within[1], _lib.Within[2]);
            var level = _level[i];
            var deltaL = shift.DeltaL;
            // The episode's leucocytes scale with the mother's own leucocyte level, the day's noise reaches only her baseline part (weight w).
            var w = deltaL > 0 ? level / (level + deltaL) : 1;
            var muL = deltaL > 0 ? Math.Log(level + deltaL) : _mL[i];
            var muN = _mN[i] + shift.LogR;
            var varL = w * w * a + (1 - w) * (1 - w) * shift.VarL + o.VarLeucocytes;
            var varN = b + shift.VarR + o.VarOthers;
            return Pair(o.LogLeucocytes - muL, o.LogOthers - muN, varL, w * c, varN);
        }

        /// <summary>One sample's Gaussian terms of its chemistry with the mother's own chemistry left out.</summary>
        private Contribution Chemistry(int i, Shift shift)
        {
            var o = _obs[i];
            var w = _chemistryWithin;
            return Pair(o.Log10Bacteria - (_mB[i] + shift.DeltaB), o.LogNaK - (_mR[i] + shift.DeltaK), w[0] + shift.VarB, w[1], w[2] + shift.VarK);
        }

        /// <summary>The Gaussian terms of a residual pair with covariance [[vx, cxy], [cxy, vy]]; a missing residual is marginalised out (zero terms when both are).</summary>
        private static Contribution Pair(double? x, double? y, double vx, double cxy, double vy)
        {
            if (x is { } rx && y is { } ry)
            {
                var det = vx * vy - cxy * cxy;
                var (pxx, pxy, pyy) = (vy / det, -cxy / det, vx / det);
                return new Contribution(rx * rx * pxx + 2 * rx * ry * pxy + ry * ry * pyy, pxx, pxy, pyy, pxx * rx + pxy * ry, pxy * rx + pyy * ry, Math.Log(det) + 2 * Log2Pi);
            }
            if (x is { } r1)
            {
                return new Contribution(r1 * r1 / vx, 1 / vx, 0, 0, r1 / vx, 0, Math.Log(vx) + Log2Pi);
            }
            if (y is { } r2)
            {
                return new Contribution(r2 * r2 / vy, 0, 0, 1 / vy, 0, r2 / vy, Math.Log(vy) + Log2Pi);
            }
            return default;
        }

        /// <summary>ln ∫ Π N(yᵢ; μᵢ + b, Cᵢ) N(b; 0, Σ_b) db = −½Q − ½Σ ln|2πCᵢ| + ½ Bᵀ M⁻¹ B − ½ ln(|M| |Σ_b|), M = Σ Cᵢ⁻¹ + Σ_b⁻¹.</summary>
        private static double Integrate(Contribution t, Gaussian2 between)
        {
            var (mLL, mLN, mNN) = (t.ALL + between.InverseXX, t.ALN + between.InverseXY, t.ANN + between.InverseYY);
            var det = mLL * mNN - mLN * mLN;
            var quad = (mNN * t.BL * t.BL - 2 * mLN * t.BL * t.BN + mLL * t.BN * t.BN) / det;
            return -0.5 * t.Quadratic - 0.5 * t.LogNorm + 0.5 * quad - 0.5 * (Math.Log(det) + between.LogDet);
        }
    }

    /// <summary>A mother-level covariance Σ_b = [[xx, xy], [xy, yy]] as its inverse and ln determinant.</summary>
    private readonly struct Gaussian2
    {
        public Gaussian2(double xx, double xy, double yy)
        {
            var det = xx * yy - xy * xy;
            (InverseXX, InverseXY, InverseYY) = (yy / det, -xy / det, xx / det);
            LogDet = Math.Log(det);
        }

        public double InverseXX { get; }

        public double InverseXY { get; }

        public double InverseYY { get; }

        public double LogDet { get; }
    }

    /// <summary>What an episode does to one sample: added leucocytes/mL, ln factor on the other cells, shifts of log10 bacteria and ln Na:K, and their spreads.</summary>
    private readonly record struct Shift(double DeltaL, double LogR, double VarL, double VarR, double DeltaB, double DeltaK, double VarB, double VarK)
    {
        public static Shift None => default;
    }

    /// <summary>Sums over samples of the Gaussian terms of a feature pair: rᵀPr, P (the precision, 2×2 symmetric), P r, and ln|2πC|.</summary>
    private readonly record struct Contribution(double Quadratic, double ALL, double ALN, double ANN, double BL, double BN, double LogNorm)
    {
        public Contribution Add(Contribution o) => new(Quadratic + o.Quadratic, ALL + o.ALL, ALN + o.ALN, ANN + o.ANN, BL + o.BL, BN + o.BN, LogNorm + o.LogNorm);

        public Contribution Subtract(Contribution o) => new(Quadratic - o.Quadratic, ALL - o.ALL, ALN - o.ALN, ANN - o.ANN, BL - o.BL, BN - o.BN, LogNorm - o.LogNorm);
    }
}
