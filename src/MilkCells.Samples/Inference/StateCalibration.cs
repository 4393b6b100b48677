using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;

namespace MilkCells.Samples.Inference;

/// <summary>How held-out mothers are sampled for calibration.</summary>
/// <param name="FirstDay">Lactation day of the first sample.</param>
/// <param name="Samples">Samples per mother, one a day, alternating left and right breast.</param>
/// <param name="MothersPerState">Held-out mothers per state (healthy included).</param>
/// <param name="Seed">Root seed of the held-out mothers (never the library's).</param>
/// <param name="CellEvents">Nucleated cell events per sample behind each count (a 200,000-event file of the virtual cytometer holds about 100,000).</param>
/// <param name="Chemistry">Whether each sample also has bacteria and Na:K (the model's, with the priors' lab error).</param>
public sealed record CalibrationDesign(int FirstDay = 60, int Samples = 14, int MothersPerState = 500, ulong Seed = 7_000_001, int CellEvents = 100_000, bool Chemistry = true);

/// <summary>One held-out mother: her true state, her episode's onset, and her observations.</summary>
/// <param name="Index">Her index in the design.</param>
/// <param name="State">The state she was simulated with.</param>
/// <param name="Onset">Her episode's onset (lactation day, fractional), or null for healthy mothers.</param>
/// <param name="LengthDays">Her episode's length.</param>
/// <param name="Observations">Her samples, in day order.</param>
public sealed record HeldOutMother(int Index, string State, double? Onset, double LengthDays, ImmutableArray<StateObservation> Observations)
{
    /// <summary>Whether her episode is under way on lactation day <paramref name="day"/>.</summary>
    public bool ActiveOn(int day) => Onset is { } o && day + 1 > o && day < o + LengthDays;
}

/// <summary>Calibration of the state posteriors on held-out mothers.</summary>
/// <param name="States">The states.</param>
/// <param name="Mothers">Mothers per state.</param>
/// <param name="Auc">One-versus-rest AUC of each state's posterior probability (Mann–Whitney).</param>
/// <param name="TopLabelEce">Expected calibration error of the most probable state's probability (15 bins; Guo et al. 2017).</param>
/// <param name="ClasswiseEce">Class-wise ECE (Kull et al. 2019): each state's probability against its frequency, averaged over states.</param>
/// <param name="DailyClasswiseEce">Class-wise ECE of the per-day states against the state under way that day.</param>
/// <param name="Accuracy">Share of mothers whose most probable state is the true one.</param>
/// <param name="SamplesNeeded">Per state: the median number of samples before the true state's probability first exceeds 0.9, and the share of mothers for whom it does within the design.</param>
/// <param name="Confusion">Rows: true state; columns: most probable state; counts.</param>
public sealed record CalibrationReport(ImmutableArray<string> States, int Mothers, ImmutableArray<double> Auc, double TopLabelEce, double ClasswiseEce,
    double DailyClasswiseEce, double Accuracy, ImmutableArray<(double Median, double Reached)> SamplesNeeded, ImmutableArray<ImmutableArray<int>> Confusion);

/// <summary>Held-out simulated mothers and the calibration metrics of <see cref="StateInference"/> on them.</summary>
/// <remarks>
/// Each held-out mother is drawn from the population (between-mother and day-to-day variability on, a fresh seed), given
/// an episode of her state drawn from the inference's own prior (severity, duration, breast, onset day overlapping her
/// window, onset time uniform within its 12-hour bin rather than on the templates' hour), simulated at the daily resolution, and sampled once a day from alternating breasts; each
/// count is Poisson at <see cref="CalibrationDesign.CellEvents"/> cells per sample (what the virtual cytometer's
/// 200,000-event files hold; the end-to-end test checks those counts against truth); with <see cref="CalibrationDesign.Chemistry"/>
/// each sample also carries the model's log10 bacteria and ln Na:K of that milk plus a normal lab error of the priors'
/// SDs (drawn after the counts, so the counts are the same with or without it). Posteriors use the uniform prior,
/// matching the stratified set. Metrics: AUC by Mann–Whitney; expected calibration error with 15 equal-width bins
/// (Naeini, Cooper &amp; Hauskrecht 2015; Guo et al. 2017, ICML, top-label), class-wise ECE (Kull et al. 2019, NeurIPS).
/// </remarks>
public static class StateCalibration
{
    private static readonly ulong HeldOutLabel = RandomStream.Label("state-calibration");
    private static readonly ulong LabLabel = RandomStream.Label("state-calibration-lab");

    /// <summary>Simulates the held-out mothers of one state.</summary>
    public static ImmutableArray<HeldOutMother> Simulate(CalibratedModel calibration, StateLibrary library, StatePriors priors, CalibrationDesign design,
        string state, int threads, CancellationToken cancellation)
    {
        var model = calibration.Model;
        var healthy = ScenarioLoader.Load("healthy", model);
        var lastDay = design.FirstDay + design.Samples - 1;
        var scenario = healthy with { Mother = healthy.Mother with { Mode = MotherMode.Sampled }, DurationDays = lastDay + 1 };
        var stateIndex = state == StatePosterior.Healthy ? 0 : 1 + library.States.IndexOf(state);
        if (stateIndex < 0)
        {
            throw new ArgumentException($"unknown state {state}", nameof(state));
        }
        var healthState = state == StatePosterior.Healthy ? null : model.HealthStates.First(h => h.Id == state);
        var templates = library.Templates.Where(t => t.State == state).ToArray();
        var mask = StateLibrary.LeucocyteMask(model);
        var mothers = new HeldOutMother[design.MothersPerState];
        Parallel.For(0, design.MothersPerState, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellation }, m =>
        {
            var index = stateIndex * 1_000_000 + m;
            var rng = RandomStream.Derive(design.Seed, HeldOutLabel, (ulong)index);
            var run = scenario;
            double? onset = null;
            var length = 0.0;
            if (healthState is not null)
            {
                var (t, o, breast) = DrawEpisode(templates, priors, design.FirstDay, lastDay, ref rng);
                var severity = Draw(priors.Severity.Select(s => (s.Severity, s.P)).ToArray(), ref rng);
                // The library's templates start on the hour (0 or 12); real episodes start anywhere within ±6 h of it.
                onset = Math.Max(0, o + (t.OnsetHour + 12 * rng.NextDouble() - 6) / 24);
                length = t.LengthDays;
                run = scenario with
                {
                    Events = [new IllnessEvent(onset.Value * 24, new InputLocation(Element: "calibration"), state, healthState.Scope == HealthScope.Breast ? breast : null, severity, length * 24)],
                };
            }
            var result = MotherSimulation.Simulate(calibration, run, MotherSimulation.MotherSeed(design.Seed, index),
                new SimulationOptions { Resolution = SimulationResolution.Daily, Detail = true }, cancellation);
            var observations = ImmutableArray.CreateBuilder<StateObservation>(design.Samples);
            var lab = RandomStream.Derive(design.Seed, LabLabel, (ulong)index); // the lab's errors: their own stream, so the counts do not depend on Chemistry
            for (var j = 0; j < design.Samples; j++)
            {
                var day = design.FirstDay + j;
                var side = j % 2 == 0 ? Breast.Left : Breast.Right;
                var row = result.BreastDays.Single(b => b.Day == day && b.Breast == side);
                var f = StateLibrary.Features(result, row, mask);
                if (f.Day < 0)
                {
                    continue;
                }
                var (L, N) = (Math.Exp(f.L), Math.Exp(f.N));
                var volume = design.CellEvents / (L + N);
                var nL = Math.Max(Samplers.Poisson(ref rng, L * volume), 1);
                var nN = Math.Max(Samplers.Poisson(ref rng, N * volume), 1);
                var (b, r) = (Samplers.Normal(ref lab, f.B, priors.LabLog10BacteriaSd), Samplers.Normal(ref lab, f.R, priors.LabLogNaKSd));
                observations.Add(new StateObservation(day, side == Breast.Left ? "left" : "right", Math.Log(nL / volume), Math.Log(nN / volume), 1.0 / nL, 1.0 / nN,
                    design.Chemistry ? b : null, design.Chemistry ? r : null));
            }
            mothers[m] = new HeldOutMother(index, state, onset, length, observations.ToImmutable());
        });
        return [.. mothers];
    }

    /// <summary>An episode from the inference's prior given that it overlaps [first, last]: template (duration, hour), onset day, breast.</summary>
    private static (StateTemplate Template, int Onset, Breast Breast) DrawEpisode(StateTemplate[] templates, StatePriors priors, int first, int last, ref RandomStream rng)
    {
        var severity0 = templates[0].Severity;
        var options = new List<(StateTemplate T, int Onset)>();
        var weights = new List<double>();
        foreach (var t in templates.Where(t => t.Severity == severity0))
        {
            var reach = (int)Math.Ceiling(t.OnsetHour / 24 + t.LengthDays);
            var p = priors.Duration.First(d => d.Factor == t.DurationFactor).P * 0.5;
            for (var o = Math.Max(0, first - reach + 1); o <= last; o++)
            {
                options.Add((t, o));
                weights.Add(p);
            }
        }
        var pick = Draw(options.Select((x, i) => (x, weights[i])).ToArray(), ref rng);
        var breast = rng.NextDouble() < 0.5 ? Breast.Left : Breast.Right;
        return (pick.T, pick.Onset, breast);
    }

    private static T Draw<T>((T Item, double Weight)[] items, ref RandomStream rng)
    {
        var u = rng.NextDouble() * items.Sum(i => i.Weight);
        foreach (var (item, weight) in items)
        {
            u -= weight;
            if (u < 0)
            {
                return item;
            }
        }
        return items[^1].Item;
    }

    /// <summary>Infers every held-out mother's states (uniform prior) and computes the metrics.</summary>
    public static CalibrationReport Evaluate(StateLibrary library, StatePriors priors, IReadOnlyList<HeldOutMother> mothers, int threads, CancellationToken cancellation)
    {
        var states = ImmutableArray.Create(StatePosterior.Healthy).AddRange(library.States);
        var finals = new StatePosterior[mothers.Count];
        var needed = new int[mothers.Count];
        Parallel.For(0, mothers.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellation }, i =>
        {
            var m = mothers[i];
            var truth = states.IndexOf(m.State);
            needed[i] = -1;
            for (var k = 1; k <= m.Observations.Length; k++)
            {
                var posterior = StateInference.Infer(library, m.Observations[..k], priors, StatePriorKind.Uniform);
                if (needed[i] < 0 && posterior.Probability[truth] > 0.9)
                {
                    needed[i] = k;
                }
                if (k == m.Observations.Length)
                {
                    finals[i] = posterior;
                }
                else if (needed[i] >= 0)
                {
                    // Only the final posterior is still needed.
                    k = m.Observations.Length - 1;
                }
            }
        });
        var truthIndex = mothers.Select(m => states.IndexOf(m.State)).ToArray();
        var auc = states.Select((_, s) => Auc(finals.Select(f => f.Probability[s]).ToArray(), truthIndex.Select(t => t == s).ToArray())).ToImmutableArray();
        var top = finals.Select(f => f.Probability.Max()).ToArray();
        var correct = finals.Select((f, i) => states.IndexOf(f.Map) == truthIndex[i]).ToArray();
        var topEce = Ece(top, correct);
        var classwise = states.Select((_, s) => Ece(finals.Select(f => f.Probability[s]).ToArray(), truthIndex.Select(t => t == s).ToArray())).Average();
        var dailyP = new List<double>[states.Length];
        var dailyY = new List<bool>[states.Length];
        for (var s = 0; s < states.Length; s++)
        {
            dailyP[s] = [];
            dailyY[s] = [];
        }
        for (var i = 0; i < mothers.Count; i++)
        {
            for (var d = 0; d < finals[i].Days.Length; d++)
            {
                var day = finals[i].Days[d];
                var active = mothers[i].ActiveOn(day) ? truthIndex[i] : 0;
                for (var s = 0; s < states.Length; s++)
                {
                    dailyP[s].Add(finals[i].Daily[d][s]);
                    dailyY[s].Add(active == s);
                }
            }
        }
        var dailyEce = Enumerable.Range(0, states.Length).Select(s => Ece([.. dailyP[s]], [.. dailyY[s]])).Average();
        var samples = states.Select((_, s) =>
        {
            var mine = Enumerable.Range(0, mothers.Count).Where(i => truthIndex[i] == s)
                .Select(i => needed[i] > 0 ? needed[i] : double.PositiveInfinity).OrderBy(k => k).ToArray();
            return mine.Length == 0 ? (double.NaN, double.NaN) : (mine[mine.Length / 2], mine.Count(double.IsFinite) / (double)mine.Length);
        }).ToImmutableArray();
        var confusion = states.Select((_, s) => states.Select((_, t) => Enumerable.Range(0, mothers.Count).Count(i => truthIndex[i] == s && states.IndexOf(finals[i].Map) == t)).ToImmutableArray()).ToImmutableArray();
        return new CalibrationReport(states, mothers.Count / states.Length, auc, topEce, classwise, dailyEce, correct.Count(c => c) / (double)mothers.Count, samples, confusion);
    }

    /// <summary>Area under the ROC curve: the Mann–Whitney probability that a positive scores above a negative (ties count half).</summary>
    public static double Auc(double[] scores, bool[] positive)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }
            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        var nPos = positive.Count(p => p);
        var nNeg = positive.Length - nPos;
        if (nPos == 0 || nNeg == 0)
        {
            return double.NaN;
        }
        var sumRanks = Enumerable.Range(0, scores.Length).Where(i => positive[i]).Sum(i => ranks[i]);
        return (sumRanks - nPos * (nPos + 1) / 2.0) / ((double)nPos * nNeg);
    }

    /// <summary>Expected calibration error with 15 equal-width bins: Σ_bins (n_b/N)·|mean outcome − mean probability|.</summary>
    public static double Ece(double[] probabilities, bool[] outcomes, int bins = 15)
    {
        var n = new int[bins];
        var sumP = new double[bins];
        var sumY = new double[bins];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var b = Math.Min(bins - 1, (int)(probabilities[i] * bins));
            n[b]++;
            sumP[b] += probabilities[i];
            sumY[b] += outcomes[i] ? 1 : 0;
        }
        var ece = 0.0;
        for (var b = 0; b < bins; b++)
        {
            if (n[b] > 0)
            {
                ece += (double)n[b] / probabilities.Length * Math.Abs(sumY[b] / n[b] - sumP[b] / n[b]);
            }
        }
        return ece;
    }
}
