using MilkCells.Model.Catalogue;

namespace MilkCells.Model.Derivation;

// Design: every rate constant is computed here from sourced inputs with a closed form (docs/model.md gives each
// derivation). Nothing here steps through time: the periodic feed cycle is solved exactly, bin by bin, so the
// constants reproduce the evidence in the mean-field limit; phase 2 checks the stochastic runs against the same
// evidence rows.

/// <summary>The regular feed cycle of one breast on one day, and the milk balance that follows from it.</summary>
/// <remarks>
/// docs/model.md §3. Between feeds, synthesis slows as the breast fills (short-term autocrine control):
/// dV/dt = a (1 − V/C). A feed removes a fraction f of the stored milk. In the periodic regime with feeds every T
/// hours the pre-feed fill x = V_pre/C satisfies x = 1 − (1 − (1 − f) x) E with E = exp(−a T / C), so for a target
/// volume per feed V_f = f x C: x = V_f / (f C), E = (1 − x) / (1 − (1 − f) x), a = −(C / T) ln E.
/// </remarks>
/// <param name="DailyMl">Milk this breast makes per day, mL.</param>
/// <param name="FeedsPerDay">Breastfeeds on this breast per day (raised if the breast would overfill).</param>
/// <param name="IntervalHours">Time between feeds on this breast, T.</param>
/// <param name="RemovalFraction">Mean share of the available milk removed per feed, f.</param>
/// <param name="CapacityMl">Storage capacity, C.</param>
/// <param name="PreFeedFill">x = V_pre / C.</param>
/// <param name="PreFeedMl">V_pre, mL.</param>
/// <param name="MaxSynthesisMlPerHour">a: the synthesis rate of an empty breast, mL/h.</param>
/// <param name="FrequencyRaised">Whether the feed frequency was raised to keep the fill at or below the maximum.</param>
public sealed record FeedCycle(
    double DailyMl, double FeedsPerDay, double IntervalHours, double RemovalFraction, double CapacityMl,
    double PreFeedFill, double PreFeedMl, double MaxSynthesisMlPerHour, bool FrequencyRaised)
{
    /// <summary>Volume removed per feed, mL.</summary>
    public double FeedMl => RemovalFraction * PreFeedMl;

    /// <summary>Stored volume at run time <paramref name="hoursSinceFeed"/> after a feed (mean field).</summary>
    public double VolumeAfter(double hoursSinceFeed) =>
        CapacityMl - (CapacityMl - (1 - RemovalFraction) * PreFeedMl) * Math.Exp(-MaxSynthesisMlPerHour * hoursSinceFeed / CapacityMl);

    /// <summary>The periodic cycle on the same feeds when the breast's synthesis rate is multiplied by <paramref name="factor"/> (illness): fill, volume and production fall.</summary>
    /// <remarks>With a′ = factor · a and the same T, f, C: E′ = e^{−a′T/C}, x′ = (1 − E′) / (1 − (1 − f) E′) (docs/model.md §3).</remarks>
    public FeedCycle WithSynthesis(double factor)
    {
        if (factor == 1 || PreFeedMl <= 0)
        {
            return this;
        }
        var a = MaxSynthesisMlPerHour * factor;
        var e = Math.Exp(-a * IntervalHours / CapacityMl);
        var x = (1 - e) / (1 - (1 - RemovalFraction) * e);
        return this with { PreFeedFill = x, PreFeedMl = x * CapacityMl, MaxSynthesisMlPerHour = a, DailyMl = FeedsPerDay * RemovalFraction * x * CapacityMl };
    }

    /// <summary>Solves the cycle for a breast making <paramref name="dailyMl"/> with <paramref name="feedsPerDay"/> feeds.</summary>
    /// <param name="dailyMl">Daily production of this breast, mL.</param>
    /// <param name="feedsPerDay">Breastfeeds on this breast per day.</param>
    /// <param name="removalFraction">Mean removal fraction f.</param>
    /// <param name="capacityMl">Storage capacity C.</param>
    /// <param name="maxFill">Highest allowed pre-feed fill; above it the frequency is raised (Kent 2006: small capacity, more feeds).</param>
    /// <param name="maxFeedsPerDay">The most feeds a day on this breast; when even they cannot take the production at the highest fill, production falls to what they take (autocrine control).</param>
    public static FeedCycle Solve(double dailyMl, double feedsPerDay, double removalFraction, double capacityMl, double maxFill,
        double maxFeedsPerDay = double.PositiveInfinity)
    {
        if (dailyMl <= 0 || feedsPerDay <= 0)
        {
            return new FeedCycle(Math.Max(dailyMl, 0), Math.Max(feedsPerDay, 0), double.PositiveInfinity, removalFraction, capacityMl, 0, 0, 0, false);
        }
        var f = removalFraction;
        var x = dailyMl / feedsPerDay / (f * capacityMl);
        var raised = false;
        if (x > maxFill)
        {
            feedsPerDay = Math.Max(feedsPerDay, Math.Min(maxFeedsPerDay, dailyMl / (f * capacityMl * maxFill)));
            x = maxFill;
            dailyMl = Math.Min(dailyMl, feedsPerDay * f * capacityMl * maxFill);
            raised = true;
        }
        var interval = 24 / feedsPerDay;
        var e = (1 - x) / (1 - (1 - f) * x);
        var a = -(capacityMl / interval) * Math.Log(e);
        return new FeedCycle(dailyMl, feedsPerDay, interval, f, capacityMl, x, x * capacityMl, a, raised);
    }
}

/// <summary>How cells entering the milk map to the concentration the infant drinks.</summary>
/// <remarks>
/// docs/model.md §4. Free cells of a type in the stored milk of a breast: dN/dt = J m(τ) − k N, with k = β + d
/// (return to the alveolar lining β, death d) and m(τ) the post-feed shedding multiplier, τ hours since the last
/// feed. Feeds remove a fraction f of N (binomial thinning, mean f N). In the periodic regime
/// N_pre = J I_m / (1 − (1 − f) e^{−kT}) with I_m = ∫₀ᵀ m(τ) e^{−k(T − τ)} dτ. The infant drinks milk at the
/// pre-feed concentration c = N_pre / V_pre, so the influx that gives a target c is J = c · Q / B with
/// Q = V_pre (1 − (1 − f) e^{−kT}) / I₁ (the clearance flow, mL/h) and B = I_m / I₁ (the boost's mean effect).
/// </remarks>
/// <param name="ClearanceFlowMlPerHour">Q: influx per unit target concentration without a boost, (cells/h) per (cells/mL).</param>
/// <param name="BoostNormalisation">1 / B: multiply the boosted influx by this so the boost does not change what the infant drinks.</param>
public sealed record InfluxScale(double ClearanceFlowMlPerHour, double BoostNormalisation)
{
    /// <summary>The influx scale for a feed cycle, loss rate k = β + d, and post-feed boost steps.</summary>
    /// <param name="cycle">The breast's feed cycle.</param>
    /// <param name="lossRatePerHour">k = β + d, per hour.</param>
    /// <param name="boostSteps">Multipliers for consecutive steps after a feed (e.g. [3, 2]); 1 afterwards.</param>
    /// <param name="stepHours">Length of each step, hours.</param>
    public static InfluxScale For(FeedCycle cycle, double lossRatePerHour, IReadOnlyList<double> boostSteps, double stepHours)
    {
        if (cycle.PreFeedMl <= 0 || double.IsInfinity(cycle.IntervalHours))
        {
            return new InfluxScale(0, 1);
        }
        var (k, t, f) = (lossRatePerHour, cycle.IntervalHours, cycle.RemovalFraction);
        var plain = Integral(k, t, [], stepHours);
        var boosted = Integral(k, t, boostSteps, stepHours);
        var q = cycle.PreFeedMl * (1 - (1 - f) * Math.Exp(-k * t)) / plain;
        return new InfluxScale(q, plain / boosted);
    }

    /// <summary>∫₀ᵀ m(τ) e^{−k(T − τ)} dτ for piecewise-constant m: the steps, then 1.</summary>
    public static double Integral(double k, double t, IReadOnlyList<double> steps, double stepHours)
    {
        double Piece(double from, double to) => (Math.Exp(-k * (t - to)) - Math.Exp(-k * (t - from))) / k;
        var sum = 0.0;
        var start = 0.0;
        foreach (var m in steps)
        {
            if (start >= t)
            {
                return sum;
            }
            var end = Math.Min(start + stepHours, t);
            sum += m * Piece(start, end);
            start = end;
        }
        return start < t ? sum + Piece(start, t) : sum;
    }

    /// <summary>
    /// The mean-field cell concentration at <paramref name="hoursSinceFeed"/> after a feed, relative to the pre-feed
    /// concentration: the quantity Hassiotou 2013 measured (up to 12× at 30 min).
    /// </summary>
    public static double PostFeedRatio(FeedCycle cycle, double lossRatePerHour, IReadOnlyList<double> boostSteps, double stepHours, double hoursSinceFeed)
    {
        var scale = For(cycle, lossRatePerHour, boostSteps, stepHours);
        var k = lossRatePerHour;
        // Influx per unit target concentration: Q / B times m(τ); N_pre = c V_pre with c = 1.
        var j = scale.ClearanceFlowMlPerHour * scale.BoostNormalisation;
        var n = (1 - cycle.RemovalFraction) * cycle.PreFeedMl; // cells left right after the feed (c = 1)
        var at = 0.0;
        var step = 0;
        while (at < hoursSinceFeed)
        {
            var m = step < boostSteps.Count ? boostSteps[step] : 1.0;
            var end = step < boostSteps.Count ? Math.Min((step + 1) * stepHours, hoursSinceFeed) : hoursSinceFeed;
            var dt = end - at;
            n = n * Math.Exp(-k * dt) + j * m * (1 - Math.Exp(-k * dt)) / k;
            at = end;
            step++;
        }
        return n / cycle.VolumeAfter(hoursSinceFeed);
    }
}

/// <summary>Closed-form derivations of rates and distributions from sourced observations.</summary>
public static class Formulas
{
    /// <summary>
    /// The viable share of cells as they enter the milk, so that the milk the infant drinks has viability
    /// <paramref name="targetViable"/> (docs/model.md §5).
    /// </summary>
    /// <remarks>
    /// Quasi-steady state (β T ≫ 1): alive N_a = v J / k, dead N_d = ((1 − v) J + d N_a) / β with k = β + d.
    /// Setting N_d / N_a = (1 − v*) / v* gives (1 − v) / v = (β r* − d) / k, r* = (1 − v*) / v*.
    /// </remarks>
    public static double EntryViability(double targetViable, double retentionRate, double deathRate)
    {
        var r = (1 - targetViable) / targetViable;
        var k = retentionRate + deathRate;
        var odds = (retentionRate * r - deathRate) / k;
        return odds <= 0 ? 1.0 : 1 / (1 + odds);
    }

    /// <summary>First-order death rate from a fall in viability over a storage time (dead cells stay countable).</summary>
    /// <remarks>Alive cells decay as e^{−kt} in a container with no other losses, so viability falls by the same factor: k = ln(v₀ / v_t) / t.</remarks>
    public static double DeathRate(double viableBefore, double viableAfter, double hours) =>
        viableAfter <= 0 ? double.PositiveInfinity : Math.Max(0, Math.Log(viableBefore / viableAfter) / hours);

    /// <summary>First-order loss of cells from a fall in counts over a time: k = ln(before / after) / t.</summary>
    public static double LossRate(double countBefore, double countAfter, double hours) => Math.Max(0, Math.Log(countBefore / countAfter) / hours);

    /// <summary>Log-SD of a log-normal whose observed range spans <paramref name="sds"/> SD: ln(max / min) / sds (4: read as ±2 SD).</summary>
    public static double LogSdFromRange(double min, double max, double sds = 4) => Math.Log(max / min) / sds;

    /// <summary>The expected range of <paramref name="n"/> independent standard normal draws, in SD (4.77 for n = 71).</summary>
    /// <remarks>E[R] = 2 E[max] = 2 ∫ x n φ(x) Φ(x)^{n−1} dx (Tippett 1925), by the trapezoid rule on a grid of 10⁻³ over ±10 SD
    /// with Φ accumulated on the same grid; good to ~10⁻⁶.</remarks>
    public static double ExpectedRange(int n)
    {
        if (n < 2)
        {
            return 0;
        }
        const double step = 1e-3, from = -10;
        var count = (int)(20 / step);
        double Phi(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
        double cdf = 0, sum = 0, previousX = from, previousPdf = Phi(from), previousTerm = 0;
        for (var i = 1; i <= count; i++)
        {
            var x = from + i * step;
            var pdf = Phi(x);
            cdf += 0.5 * (pdf + previousPdf) * step;
            var term = x * n * pdf * Math.Pow(cdf, n - 1);
            sum += 0.5 * (term + previousTerm) * step;
            (previousX, previousPdf, previousTerm) = (x, pdf, term);
        }
        return 2 * sum;
    }

    /// <summary>Log-SD of one infant's breastfeeds per day from meal timing alone (docs/model.md §7).</summary>
    /// <remarks>Meals per day M are a renewal process with interval CV c: var M ≈ E[M] c² (Cox 1962). A meal takes the second breast
    /// with probability p, so breastfeeds B = M + Binomial(M, p): var B = var M (1 + p)² + E[M] p (1 − p); σ = √ln(1 + var B / E[B]²).</remarks>
    public static double DailyBreastfeedsLogSd(double breastfeedsPerDay, double paired, double intervalCv)
    {
        var meals = breastfeedsPerDay / (1 + paired);
        var variance = meals * intervalCv * intervalCv * (1 + paired) * (1 + paired) + meals * paired * (1 - paired);
        return Math.Sqrt(Math.Log(1 + variance / (breastfeedsPerDay * breastfeedsPerDay)));
    }

    /// <summary>The onset of copious milk secretion: a logistic fitted to the intake curve's first days (points from Saint 1984).</summary>
    /// <remarks>
    /// V(t) = V_max / (1 + e^{−(t − t½)/w}) with V_max the established intake; on the logit scale ln(V / (V_max − V)) = (t − t½)/w is
    /// linear in t, fitted by least squares to the curve's points before day 30 (t = day + 0.5, the middle of the 24 h they cover).
    /// Returns (t½, w) in hours after birth.
    /// </remarks>
    public static (double MidpointHours, double WidthHours) LactogenesisFit(Parameter intake, double establishedMl)
    {
        var points = intake.Points.Where(p => p.Day < 30 && p.Value < establishedMl).ToArray();
        var x = points.Select(p => (p.Day + 0.5) * 24).ToArray();
        var y = points.Select(p => Math.Log(p.Value / (establishedMl - p.Value))).ToArray();
        var (mx, my) = (x.Average(), y.Average());
        var slope = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
        return (mx - my / slope, 1 / slope);
    }

    /// <summary>Log-SD of a log-normal with coefficient of variation <paramref name="cv"/>: √ln(1 + cv²).</summary>
    public static double LogSdFromCv(double cv) => Math.Sqrt(Math.Log(1 + cv * cv));

    /// <summary>Share of meals with a second breast: breastfeeds per meal − 1.</summary>
    public static double PairedFraction(double breastfeedsPerDay, double mealsPerDay) => Math.Clamp(breastfeedsPerDay / mealsPerDay - 1, 0, 1);

    /// <summary>Beta distribution shape parameters (α, β) with a given mean and SD (method of moments).</summary>
    public static (double Alpha, double Beta) BetaShapes(double mean, double sd)
    {
        var common = mean * (1 - mean) / (sd * sd) - 1;
        return (mean * common, (1 - mean) * common);
    }
}
