using MilkCells.Model.Catalogue;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Derivation;

/// <summary>Sodium, potassium and bacteria of the milk: healthy values by lactation day and the closed forms illness and weaning apply to them.</summary>
/// <remarks>
/// docs/model.md §8b. Healthy milk has Na₀(day), K₀(day) (<c>chemistry.sodium</c>, <c>chemistry.potassium</c>). When the
/// tight junctions between alveolar cells open (mastitis, stasis, weaning: Hartmann &amp; Kulski 1978; Prosser 1984),
/// interstitial fluid enters by the paracellular route; with a leak p (the share of milk water that came that way)
/// Na = (1 − p) Na₀ + p Na_plasma and K = (1 − p) K₀ + p K_plasma. A health state's p is derived from its peak Na:K
/// r at the mature baseline: p = (r K₀ − Na₀) / ((Na_p − Na₀) − r (K_p − K₀)), 0 when r is at or below the healthy
/// ratio. Several leaks combine as independent routes, 1 − p = Π (1 − p_i). Bacteria rise log-linearly with an
/// illness's shape s: B = B₀ (B_peak / B₀)^s, episodes multiplying.
/// </remarks>
public sealed class MilkChemistry
{
    private readonly Parameter _sodium, _potassium;

    /// <summary>The chemistry of <paramref name="model"/>.</summary>
    public MilkChemistry(CalibratedModel model)
    {
        _sodium = model[Sodium];
        _potassium = model[Potassium];
        PlasmaSodium = model.Value(ModelParameters.PlasmaSodium);
        PlasmaPotassium = model.Value(ModelParameters.PlasmaPotassium);
        BacteriaBaseline = model.Value(Bacteria);
        ReferenceDay = Math.Max(_sodium.Points[^1].Day, _potassium.Points[^1].Day);
        var na0 = SodiumOn(ReferenceDay);
        WeaningLeak = Math.Clamp((model.Value(WeaningSodiumFactor) - 1) * na0 / (PlasmaSodium - na0), 0, 1);
    }

    /// <summary>Sodium of interstitial fluid, mmol/L.</summary>
    public double PlasmaSodium { get; }

    /// <summary>Potassium of interstitial fluid, mmol/L.</summary>
    public double PlasmaPotassium { get; }

    /// <summary>Bacteria of healthy milk, CFU/mL.</summary>
    public double BacteriaBaseline { get; }

    /// <summary>The lactation day whose healthy milk is the reference for illness Na:K (the curves' last point: mature milk).</summary>
    public double ReferenceDay { get; }

    /// <summary>The leak at the end of gradual weaning: Na rises by <c>chemistry.weaning_sodium_factor</c> (Prosser 1984).</summary>
    public double WeaningLeak { get; }

    /// <summary>Healthy sodium on a lactation day, mmol/L.</summary>
    public double SodiumOn(double day) => _sodium.At(day);

    /// <summary>Healthy potassium on a lactation day, mmol/L.</summary>
    public double PotassiumOn(double day) => _potassium.At(day);

    /// <summary>The leak that gives Na:K = <paramref name="ratio"/> over the reference (mature) milk; 0 for a ratio at or below the healthy one (or 0: unchanged).</summary>
    public double LeakFor(double ratio)
    {
        var (na, k) = (SodiumOn(ReferenceDay), PotassiumOn(ReferenceDay));
        if (ratio <= na / k)
        {
            return 0;
        }
        var p = (ratio * k - na) / ((PlasmaSodium - na) - ratio * (PlasmaPotassium - k));
        return p is > 0 and < 1 ? p : 1;
    }

    /// <summary>Sodium and potassium on a lactation day with leak <paramref name="leak"/>, mmol/L.</summary>
    public (double Sodium, double Potassium) With(double day, double leak) =>
        ((1 - leak) * SodiumOn(day) + leak * PlasmaSodium, (1 - leak) * PotassiumOn(day) + leak * PlasmaPotassium);
}

/// <summary>A volume-weighted mean of three readouts (bacteria, sodium, potassium), accumulated as offsets from the first value so that equal values average to themselves exactly.</summary>
public struct ChemistryMean
{
    private double _weight, _ref0, _ref1, _ref2, _sum0, _sum1, _sum2;

    /// <summary>Adds <paramref name="weight"/> (mL) of milk with these readouts; ignored unless the weight is positive.</summary>
    public void Add(double weight, double bacteria, double sodium, double potassium)
    {
        if (!(weight > 0))
        {
            return;
        }
        if (_weight == 0)
        {
            (_ref0, _ref1, _ref2) = (bacteria, sodium, potassium);
        }
        _weight += weight;
        _sum0 += weight * (bacteria - _ref0);
        _sum1 += weight * (sodium - _ref1);
        _sum2 += weight * (potassium - _ref2);
    }

    /// <summary>The milk added, mL.</summary>
    public readonly double Weight => _weight;

    /// <summary>The means (NaN when nothing was added).</summary>
    public readonly (double Bacteria, double Sodium, double Potassium) Mean => _weight > 0
        ? (_ref0 + _sum0 / _weight, _ref1 + _sum1 / _weight, _ref2 + _sum2 / _weight)
        : (double.NaN, double.NaN, double.NaN);
}
