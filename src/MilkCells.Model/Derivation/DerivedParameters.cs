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
        Add(FreezeThawSurvival, Math.Min(1, model.Value(FreezerViability) / model.Value(ViableFraction)), CanonicalUnit.Fraction,
            "s = v_3months / v_fresh, all applied at thawing (no decay while frozen: assumption)", "§6", FreezerViability, ViableFraction);
        var capacity = model[StorageCapacity];
        var intake = model[IntakeReference];
        Add(ProductionLogSd, Formulas.LogSdFromRange(intake.Range!.Value.Min, intake.Range.Value.Max), CanonicalUnit.LogSd,
            "σ = ln(max / min) / 4 (71 mothers' range read as ±2 SD)", "§7", IntakeReference);
        Add(CapacityLogSd, Formulas.LogSdFromRange(capacity.Range!.Value.Min, capacity.Range.Value.Max), CanonicalUnit.LogSd,
            "σ = ln(max / min) / 4", "§7", StorageCapacity);
        Add(FeedsLogSd, Formulas.LogSdFromCv(model.Value(BreastfeedsSd) / model.Value(BreastfeedsReference)), CanonicalUnit.LogSd,
            "σ = √ln(1 + CV²), CV = 3 / 11", "§7", BreastfeedsSd, BreastfeedsReference);
        Add(PairedFraction, Formulas.PairedFraction(model.Value(BreastfeedsReference), model.Value(MealsReference)), CanonicalUnit.Fraction,
            "p = breastfeeds / meals − 1", "§3", BreastfeedsReference, MealsReference);
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
