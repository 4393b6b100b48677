using System.Collections.Immutable;

namespace MilkCells.Model.Catalogue;

/// <summary>The parameter ids the model's code uses, with the unit, shape and key set each must have.</summary>
/// <remarks>
/// The loader checks the data against this list both ways: a missing parameter is an error, and so is a parameter
/// the code does not know (usually a typo in an id, reported with the nearest known id).
/// </remarks>
public static class ModelParameters
{
    // Milk volume and feeding.
    public const string VolumeQuantum = "milk.volume_quantum";
    public const string Intake = "milk.intake";
    public const string StorageCapacity = "milk.storage_capacity";
    public const string MaxFill = "milk.max_fill";
    public const string RemovalFraction = "milk.removal_fraction";
    public const string RemovalFractionSd = "milk.removal_fraction_sd";
    public const string RightShare = "milk.right_share";
    public const string BreastfeedsPerDay = "feeding.breastfeeds_per_day";
    public const string BreastfeedsReference = "feeding.breastfeeds_reference";
    public const string BreastfeedsMax = "feeding.breastfeeds_max";
    public const string MealsReference = "feeding.meals_reference";
    public const string MealIntervalCv = "feeding.meal_interval_cv";
    public const string PairedGap = "feeding.paired_gap";
    public const string SampleDelay = "feeding.sample_delay";

    // Breast processes.
    public const string RetentionRate = "breast.retention_rate";
    public const string BreastDeathRate = "breast.death_rate";
    public const string ViableFraction = "breast.viable_fraction";
    public const string BoostFirst = "breast.post_feed_boost_first";
    public const string BoostSecond = "breast.post_feed_boost_second";
    public const string BoostBin = "breast.post_feed_bin";
    public const string HealthStep = "breast.health_step";
    public const string StemDifferentiation = "breast.differentiation_rate";
    public const string StemLactocyteShare = "breast.differentiation_lactocyte_share";

    /// <summary>The epithelial types stem cells differentiate into in the breast (docs/model.md §4d).</summary>
    public const string LactocyteTarget = "lactocyte-lc1", MyoepithelialTarget = "myoepithelial";

    // Infant (animal-derived).
    public const string GutLoss = "infant.gut_loss_rate";
    public const string GutPassage = "infant.gut_passage_rate";
    public const string BloodClearance = "infant.blood_clearance";
    public const string HomingStem = "infant.homing_rate.stem";
    public const string HomingLeucocyte = "infant.homing_rate.leucocyte";
    public const string OrganLoss = "infant.organ_loss_rate";
    public const string Differentiation = "infant.differentiation_rate";
    public const string FateEvidenceWeight = "infant.fate_evidence_weight";
    public const string GutPermeability = "infant.gut_permeability";
    public const string FateLoss = "infant.fate_loss_rate";

    // Expressed milk.
    public const string RoomTemperature = "storage.room.temperature";
    public const string RoomHold = "storage.room.hold";
    public const string RoomDeathEarly = "storage.room.death_rate_early";
    public const string RoomDeathLate = "storage.room.death_rate_late";
    public const string FridgeTemperature = "storage.fridge.temperature";
    public const string FridgeViability = "storage.fridge.viability_after";
    public const string FridgeObserved = "storage.fridge.observed";
    public const string FridgeCountBefore = "storage.fridge.count_before";
    public const string FridgeCountAfter = "storage.fridge.count_after";
    public const string FridgeCountObserved = "storage.fridge.count_observed";
    public const string FridgeLossTypes = "storage.fridge.loss_types";
    public const string FreezerTemperature = "storage.freezer.temperature";
    public const string FreezerViability = "storage.freezer.viability_after";
    public const string FreezerObserved = "storage.freezer.observed";
    public const string FreezerThawShare = "storage.freezer.thaw_share";
    public const string HolderTemperature = "storage.holder.temperature";
    public const string HolderDuration = "storage.holder.duration";
    public const string HolderSurvival = "storage.holder.survival";
    public const string FormulaCells = "formula.cells";

    // Milk chemistry.
    public const string Sodium = "chemistry.sodium";
    public const string Potassium = "chemistry.potassium";
    public const string PlasmaSodium = "chemistry.plasma_sodium";
    public const string PlasmaPotassium = "chemistry.plasma_potassium";
    public const string Bacteria = "chemistry.bacteria";
    public const string WeaningSodiumFactor = "chemistry.weaning_sodium_factor";

    // Variability.
    public const string IntakeReference = "variability.intake_reference";
    public const string BreastfeedsSd = "variability.breastfeeds_sd";
    public const string ReferenceMothers = "variability.reference_mothers";
    public const string RightShareSd = "variability.right_share_sd";
    public const string CellsMotherLogSd = "variability.cells_mother_log_sd";
    public const string DayLogSd = "variability.day_log_sd";

    /// <summary>The composition parameter <paramref name="name"/> of a stage.</summary>
    public static string Composition(string stage, string name) => $"composition.{stage}.{name}";

    // The shape of the composition over lactation (docs/model.md §4c).
    public const string ColostralFadeMidpoint = "composition.colostral_fade_midpoint";
    public const string ColostralFadeWidth = "composition.colostral_fade_width";
    public const string ExtendedFrom = "composition.extended_from";
    public const string ExtendedUntil = "composition.extended_until";
    public const string PartialLeucocyteFactor = "composition.partial_leucocyte_factor";
    public const string PartialTransition = "composition.partial_transition";
    public const string PretermColostrumCells = "preterm.colostrum_cells";
    public const string TermColostrumCells = "preterm.term_colostrum_cells";

    /// <summary>The stages whose composition is given (anchors); the others' follows from them by lactation day.</summary>
    public static readonly ImmutableArray<string> CompositionAnchors = [Colostrum, Mature, Extended, Involution];

    /// <summary>Stage ids the composition code relies on (stages.yaml).</summary>
    public const string Colostrum = "colostrum", Mature = "mature", Extended = "extended", Involution = "involution";

    /// <summary>What a required parameter must look like.</summary>
    /// <param name="Id">Parameter id.</param>
    /// <param name="Unit">Canonical unit.</param>
    /// <param name="Shape">Scalar, table or curve.</param>
    /// <param name="Keys">Key set (tables).</param>
    /// <param name="SumsToOne">Whether a table's entries are shares that must add up to 1.</param>
    public sealed record Requirement(string Id, CanonicalUnit Unit, ParameterShape Shape, string? Keys = null, bool SumsToOne = false);

    /// <summary>Every parameter the code needs, for a model with these stages and health states.</summary>
    public static ImmutableArray<Requirement> Required(IEnumerable<Stage> stages, IEnumerable<HealthState> healthStates)
    {
        var list = new List<Requirement>
        {
            new(VolumeQuantum, CanonicalUnit.Millilitres, ParameterShape.Scalar),
            new(Intake, CanonicalUnit.MillilitresPerDay, ParameterShape.Curve),
            new(StorageCapacity, CanonicalUnit.Millilitres, ParameterShape.Scalar),
            new(MaxFill, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(RemovalFraction, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(RemovalFractionSd, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(RightShare, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(BreastfeedsPerDay, CanonicalUnit.EventsPerDay, ParameterShape.Curve),
            new(BreastfeedsReference, CanonicalUnit.EventsPerDay, ParameterShape.Scalar),
            new(BreastfeedsMax, CanonicalUnit.EventsPerDay, ParameterShape.Scalar),
            new(MealsReference, CanonicalUnit.EventsPerDay, ParameterShape.Scalar),
            new(MealIntervalCv, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(PairedGap, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(SampleDelay, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(RetentionRate, CanonicalUnit.PerHour, ParameterShape.Scalar),
            new(BreastDeathRate, CanonicalUnit.PerHour, ParameterShape.Scalar),
            new(ViableFraction, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(BoostFirst, CanonicalUnit.Multiplier, ParameterShape.Scalar),
            new(BoostSecond, CanonicalUnit.Multiplier, ParameterShape.Scalar),
            new(BoostBin, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(HealthStep, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(StemDifferentiation, CanonicalUnit.PerHour, ParameterShape.Table, "stem"),
            new(StemLactocyteShare, CanonicalUnit.Fraction, ParameterShape.Table, "stem"),
            new(GutLoss, CanonicalUnit.PerHour, ParameterShape.Table, "class"),
            new(GutPassage, CanonicalUnit.PerHour, ParameterShape.Table, "class"),
            new(BloodClearance, CanonicalUnit.PerHour, ParameterShape.Table, "class"),
            new(HomingStem, CanonicalUnit.PerHour, ParameterShape.Table, "organ"),
            new(HomingLeucocyte, CanonicalUnit.PerHour, ParameterShape.Table, "organ"),
            new(OrganLoss, CanonicalUnit.PerHour, ParameterShape.Table, "class"),
            new(Differentiation, CanonicalUnit.PerHour, ParameterShape.Scalar),
            new(FateEvidenceWeight, CanonicalUnit.Multiplier, ParameterShape.Table, "fate"),
            new(GutPermeability, CanonicalUnit.Multiplier, ParameterShape.Curve),
            new(FateLoss, CanonicalUnit.PerHour, ParameterShape.Scalar),
            new(RoomTemperature, CanonicalUnit.DegreesCelsius, ParameterShape.Scalar),
            new(RoomHold, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(RoomDeathEarly, CanonicalUnit.PerHour, ParameterShape.Scalar),
            new(RoomDeathLate, CanonicalUnit.PerHour, ParameterShape.Scalar),
            new(FridgeTemperature, CanonicalUnit.DegreesCelsius, ParameterShape.Scalar),
            new(FridgeViability, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(FridgeObserved, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(FridgeCountBefore, CanonicalUnit.CellsPerMillilitre, ParameterShape.Scalar),
            new(FridgeCountAfter, CanonicalUnit.CellsPerMillilitre, ParameterShape.Scalar),
            new(FridgeCountObserved, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(FridgeLossTypes, CanonicalUnit.Multiplier, ParameterShape.Table, "leucocyte"),
            new(FreezerTemperature, CanonicalUnit.DegreesCelsius, ParameterShape.Scalar),
            new(FreezerViability, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(FreezerObserved, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(FreezerThawShare, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(HolderTemperature, CanonicalUnit.DegreesCelsius, ParameterShape.Scalar),
            new(HolderDuration, CanonicalUnit.Hours, ParameterShape.Scalar),
            new(HolderSurvival, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(FormulaCells, CanonicalUnit.CellsPerMillilitre, ParameterShape.Scalar),
            new(Sodium, CanonicalUnit.MillimolesPerLitre, ParameterShape.Curve),
            new(Potassium, CanonicalUnit.MillimolesPerLitre, ParameterShape.Curve),
            new(PlasmaSodium, CanonicalUnit.MillimolesPerLitre, ParameterShape.Scalar),
            new(PlasmaPotassium, CanonicalUnit.MillimolesPerLitre, ParameterShape.Scalar),
            new(Bacteria, CanonicalUnit.ColonyFormingUnitsPerMillilitre, ParameterShape.Scalar),
            new(WeaningSodiumFactor, CanonicalUnit.Multiplier, ParameterShape.Scalar),
            new(IntakeReference, CanonicalUnit.MillilitresPerDay, ParameterShape.Scalar),
            new(BreastfeedsSd, CanonicalUnit.EventsPerDay, ParameterShape.Scalar),
            new(ReferenceMothers, CanonicalUnit.Count, ParameterShape.Scalar),
            new(RightShareSd, CanonicalUnit.Fraction, ParameterShape.Scalar),
            new(CellsMotherLogSd, CanonicalUnit.LogSd, ParameterShape.Table, "class"),
            new(DayLogSd, CanonicalUnit.LogSd, ParameterShape.Table, "quantity"),
        };
        list.Add(new(ColostralFadeMidpoint, CanonicalUnit.Hours, ParameterShape.Scalar));
        list.Add(new(ColostralFadeWidth, CanonicalUnit.Hours, ParameterShape.Scalar));
        list.Add(new(ExtendedFrom, CanonicalUnit.Hours, ParameterShape.Scalar));
        list.Add(new(ExtendedUntil, CanonicalUnit.Hours, ParameterShape.Scalar));
        list.Add(new(PartialLeucocyteFactor, CanonicalUnit.Multiplier, ParameterShape.Scalar));
        list.Add(new(PartialTransition, CanonicalUnit.Hours, ParameterShape.Scalar));
        list.Add(new(PretermColostrumCells, CanonicalUnit.CellsPerMillilitre, ParameterShape.Scalar));
        list.Add(new(TermColostrumCells, CanonicalUnit.CellsPerMillilitre, ParameterShape.Scalar));
        foreach (var stage in stages.Where(s => CompositionAnchors.Contains(s.Id)))
        {
            list.Add(new(Composition(stage.Id, "total_cells"), CanonicalUnit.CellsPerMillilitre, ParameterShape.Scalar));
            list.Add(new(Composition(stage.Id, "leucocyte_fraction"), CanonicalUnit.Fraction, ParameterShape.Scalar));
            list.Add(new(Composition(stage.Id, "stem_fractions"), CanonicalUnit.Fraction, ParameterShape.Table, "stem"));
            list.Add(new(Composition(stage.Id, "leucocyte_shares"), CanonicalUnit.Fraction, ParameterShape.Table, "leucocyte", SumsToOne: true));
            list.Add(new(Composition(stage.Id, "epithelial_shares"), CanonicalUnit.Fraction, ParameterShape.Table, "epithelial", SumsToOne: true));
        }
        foreach (var state in healthStates)
        {
            foreach (var (name, unit, keys) in HealthState.ParameterNames)
            {
                list.Add(new(state.ParameterId(name), unit, keys is null ? ParameterShape.Scalar : ParameterShape.Table, keys,
                    SumsToOne: name == "leucocyte_shares"));
            }
        }
        return [.. list];
    }
}
