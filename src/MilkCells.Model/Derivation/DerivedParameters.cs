using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Core.Provenance;
using MilkCells.Model.Catalogue;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Derivation;

/// <summary>The rate constants and distribution parameters the model derives from its sourced inputs, each with provenance.</summary>
/// <remarks>
/// Derived values are never typed into data files: they are computed here from the parameters they depend on, and
/// carry <see cref="MeasurementEra.Derived"/>, the lowest confidence of their inputs, and the formula (docs/model.md).
/// The reference cycle is a median mother at 1–6 months (Kent 2006: 798 mL/day, 11 breastfeeds/day).
/// </remarks>
public sealed class DerivedParameters
{
    public const string EntryViable = "derived.entry_viable";
    public const string LossRate = "derived.breast_loss_rate";
    public const string FridgeDeathRate = "derived.fridge_death_rate";
    public const string FridgeLossRate = "derived.fridge_loss_rate";
    public const string FreezeThawSurvival = "derived.freeze_thaw_survival";
    public const string FreezerDeathRate = "derived.freezer_death_rate";
    public const string ProductionLogSd = "derived.production_log_sd";
    public const string CapacityLogSd = "derived.capacity_log_sd";
    public const string FeedsLogSd = "derived.feeds_log_sd";
    public const string PairedFraction = "derived.paired_fraction";
    public const string RemovalBetaAlpha = "derived.removal_beta_alpha";
    public const string RemovalBetaBeta = "derived.removal_beta_beta";
    public const string ReferenceMaxSynthesis = "derived.reference_max_synthesis";
    public const string ReferencePreFeedVolume = "derived.reference_pre_feed_volume";
    public const string ReferenceClearanceFlow = "derived.reference_clearance_flow";
    public const string ReferenceRatio30Min = "derived.reference_post_feed_ratio_30min";
    public const string ReferenceRatio3H = "derived.reference_post_feed_ratio_3h";
    public const string LactogenesisMidpoint = "derived.lactogenesis_midpoint";
    public const string LactogenesisWidth = "derived.lactogenesis_width";

    private DerivedParameters(CalibratedModel model, ImmutableSortedDictionary<string, Parameter> all)
    {
        Model = model;
        All = all;
    }

    /// <summary>The calibrated model they were derived from.</summary>
    public CalibratedModel Model { get; }

    /// <summary>Every derived parameter, by id.</summary>
    public ImmutableSortedDictionary<string, Parameter> All { get; }

    /// <summary>A derived value.</summary>
    public double this[string id] => All[id].Value;

    /// <summary>Progress of lactogenesis II on lactation day <paramref name="lactationDay"/>, 0 to 1: the fitted logistic at the middle of the day (docs/model.md §3b).</summary>
    public double LactogenesisProgress(double lactationDay) =>
        1 / (1 + Math.Exp(-((lactationDay + 0.5) * 24 - this[LactogenesisMidpoint]) / this[LactogenesisWidth]));

    /// <summary>The post-feed shedding steps (multipliers for consecutive bins after a feed).</summary>
    public static double[] BoostSteps(CalibratedModel m) => [m.Value(BoostFirst), m.Value(BoostSecond)];

    /// <summary>The reference feed cycle: one breast of a median mother at 1–6 months.</summary>
    public static FeedCycle ReferenceCycle(CalibratedModel m) =>
        FeedCycle.Solve(m.Value(IntakeReference) / 2, m.Value(BreastfeedsReference) / 2, m.Value(RemovalFraction),
            m.Value(StorageCapacity), m.Value(MaxFill));

    /// <summary>Derives everything from <paramref name="model"/>.</summary>
    public static DerivedParameters From(CalibratedModel model)
    {
        var list = new List<Parameter>();
        void Add(string id, double value, CanonicalUnit unit, string formula, string section, params string[] inputs)
        {
            var confidence = inputs.Select(i => model[i].Provenance.Confidence).DefaultIfEmpty(Confidence.Assumption).Max();
            var text = $"derived (docs/model.md {section}): {formula}; from {string.Join(", ", inputs)}";
            list.Add(new Parameter(id, ParameterShape.Scalar, value, ImmutableSortedDictionary<string, double>.Empty, null, [], unit,
                UnitSpec.CanonicalText(unit), new Provenance(text, "computed from the inputs' conditions", confidence, MeasurementEra.Derived),
                [Sources.Derived, .. inputs], null, formula, null, [], null, new InputLocation(File: "docs/model.md", Element: section)));
        }

        var beta = model.Value(RetentionRate);
        var death = model.Value(BreastDeathRate);
        var k = beta + death;
        Add(LossRate, k, CanonicalUnit.PerHour, "k = β + d", "§4", RetentionRate, BreastDeathRate);
        Add(EntryViable, Formulas.EntryViability(model.Value(ViableFraction), beta, death), CanonicalUnit.Fraction,
            "v_in = 1 / (1 + (β r* − d) / (β + d)), r* = (1 − v*) / v*", "§5", ViableFraction, RetentionRate, BreastDeathRate);
        Add(FridgeDeathRate, Formulas.DeathRate(model.Value(ViableFraction), model.Value(FridgeViability), model.Value(FridgeObserved)),
            CanonicalUnit.PerHour, "k₄ = ln(v_fresh / v_72h) / 72 h", "§6", ViableFraction, FridgeViability, FridgeObserved);
        Add(FridgeLossRate, Formulas.LossRate(model.Value(FridgeCountBefore), model.Value(FridgeCountAfter), model.Value(FridgeCountObserved)),
            CanonicalUnit.PerHour, "ℓ₄ = ln(count_0 / count_96h) / 96 h, for the cell types Pittard 1981 saw fall", "§6",
            FridgeCountBefore, FridgeCountAfter, FridgeCountObserved, FridgeLossTypes);
        var frozenSurvival = Math.Min(1, model.Value(FreezerViability) / model.Value(ViableFraction));
        var thawShare = model.Value(FreezerThawShare);
        Add(FreezeThawSurvival, Math.Pow(frozenSurvival, thawShare), CanonicalUnit.Fraction,
            "s = (v_3months / v_fresh)^θ: the share θ of the loss placed at thawing", "§6", FreezerViability, ViableFraction, FreezerThawShare);
        Add(FreezerDeathRate, (1 - thawShare) * -Math.Log(frozenSurvival) / (model.Value(FreezerObserved) - model.Value(RoomHold)), CanonicalUnit.PerHour,
            "k_f = (1 − θ) ln(v_fresh / v_3months) / (90 days − 3 h hold): the rest of the loss while frozen, after the hold", "§6",
            FreezerViability, ViableFraction, FreezerThawShare, FreezerObserved, RoomHold);
        var capacity = model[StorageCapacity];
        var intake = model[IntakeReference];
        var spread = Formulas.ExpectedRange((int)Math.Round(model.Value(ReferenceMothers)));
        var dayProduction = model.Value(DayLogSd, "production");
        var observed = Formulas.LogSdFromRange(intake.Range!.Value.Min, intake.Range.Value.Max, spread);
        Add(ProductionLogSd, Math.Sqrt(Math.Max(0, observed * observed - dayProduction * dayProduction)), CanonicalUnit.LogSd,
            "σ = √(σ_obs² − σ_day²), σ_obs = ln(max / min) / E[range of n normals] (n = 71: 4.77 SD; one 24-h weighing per mother, so the day-to-day spread is taken out)",
            "§7", IntakeReference, ReferenceMothers, DayLogSd);
        Add(CapacityLogSd, Formulas.LogSdFromRange(capacity.Range!.Value.Min, capacity.Range.Value.Max, spread), CanonicalUnit.LogSd,
            "σ = ln(max / min) / E[range of n normals]", "§7", StorageCapacity, ReferenceMothers);
        var paired = Formulas.PairedFraction(model.Value(BreastfeedsReference), model.Value(MealsReference));
        var totalFeeds = Formulas.LogSdFromCv(model.Value(BreastfeedsSd) / model.Value(BreastfeedsReference));
        var withinFeeds = Formulas.DailyBreastfeedsLogSd(model.Value(BreastfeedsReference), paired, model.Value(MealIntervalCv));
        Add(FeedsLogSd, Math.Sqrt(Math.Max(0, totalFeeds * totalFeeds - withinFeeds * withinFeeds)), CanonicalUnit.LogSd,
            "σ = √(σ_obs² − σ_within²), σ_obs = √ln(1 + (3/11)²) over infants (one day each), σ_within from the meals' renewal process (CV of intervals) and pairing",
            "§7", BreastfeedsSd, BreastfeedsReference, MealsReference, MealIntervalCv);
        Add(PairedFraction, paired, CanonicalUnit.Fraction,
            "p = breastfeeds / meals − 1", "§3", BreastfeedsReference, MealsReference);
        var (midpoint, width) = Formulas.LactogenesisFit(model[Intake], model.Value(IntakeReference));
        Add(LactogenesisMidpoint, midpoint, CanonicalUnit.Hours,
            "logistic V(t) = V_max / (1 + e^{−(t − t½)/w}) fitted (least squares on the logit) to Saint 1984's days 1, 3, 5, V_max = 798 mL (Kent 2006); t at the middle of each day",
            "§3b", Intake, IntakeReference);
        Add(LactogenesisWidth, width, CanonicalUnit.Hours, "the logistic's width w (10 % to 90 % of the rise takes 4.4 w)", "§3b", Intake, IntakeReference);
        var (alpha, betaShape) = Formulas.BetaShapes(model.Value(RemovalFraction), model.Value(RemovalFractionSd));
        Add(RemovalBetaAlpha, alpha, CanonicalUnit.Multiplier, "Beta α by moments: μ (μ(1 − μ)/σ² − 1)", "§3", RemovalFraction, RemovalFractionSd);
        Add(RemovalBetaBeta, betaShape, CanonicalUnit.Multiplier, "Beta β by moments: (1 − μ)(μ(1 − μ)/σ² − 1)", "§3", RemovalFraction, RemovalFractionSd);

        var cycle = ReferenceCycle(model);
        var steps = BoostSteps(model);
        var bin = model.Value(BoostBin);
        var cycleInputs = new[] { IntakeReference, BreastfeedsReference, RemovalFraction, StorageCapacity, MaxFill };
        Add(ReferenceMaxSynthesis, cycle.MaxSynthesisMlPerHour, CanonicalUnit.MillilitresPerHour,
            "a = −(C / T) ln E, E = (1 − x) / (1 − (1 − f) x), x = V_feed / (f C); one breast, 1–6 months", "§3", cycleInputs);
        Add(ReferencePreFeedVolume, cycle.PreFeedMl, CanonicalUnit.Millilitres, "V_pre = x C", "§3", cycleInputs);
        var scale = InfluxScale.For(cycle, k, steps, bin);
        Add(ReferenceClearanceFlow, scale.ClearanceFlowMlPerHour, CanonicalUnit.MillilitresPerHour,
            "Q = V_pre (1 − (1 − f) e^{−kT}) / I₁", "§4", [.. cycleInputs, RetentionRate, BreastDeathRate]);
        Add(ReferenceRatio30Min, InfluxScale.PostFeedRatio(cycle, k, steps, bin, model.Value(SampleDelay)), CanonicalUnit.Multiplier,
            "c(30 min) / c_pre in the mean field", "§4", [.. cycleInputs, RetentionRate, BreastDeathRate, BoostFirst, BoostSecond, BoostBin, SampleDelay]);
        Add(ReferenceRatio3H, InfluxScale.PostFeedRatio(cycle, k, steps, bin, 3), CanonicalUnit.Multiplier,
            "c(3 h) / c_pre in the mean field", "§4", [.. cycleInputs, RetentionRate, BreastDeathRate, BoostFirst, BoostSecond, BoostBin]);
        return new DerivedParameters(model, list.ToImmutableSortedDictionary(p => p.Id, p => p, StringComparer.Ordinal));
    }
}
