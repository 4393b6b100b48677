using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Planning;

/// <summary>The healthy milk's target concentration of every cell type as a smooth function of lactation day, and its blend into involution milk during weaning.</summary>
/// <remarks>
/// docs/model.md §4c. With m_t the mature, x_t the extended and c_t the first day's colostrum concentration of type t,
/// V(d) the intake curve (<c>milk.intake</c>) and φ(d) = (1 + e^{−d½/w}) / (1 + e^{(d − d½)/w}) the fade of the colostral
/// output (φ(0) = 1):
/// <code>c_t(d) = e_t(d) + X_t φ(d) / V(d),  X_t = (c_t − m_t) V(0),  e_t(d) = m_t^{1 − h(d)} x_t^{h(d)}</code>
/// where h is a smoothstep from 0 on <c>composition.extended_from</c> to 1 on <c>composition.extended_until</c>. The
/// colostral cells X_t φ(d) are an output per day diluted by the milk coming in (Ho 1979: the leucocytes available to the
/// neonate stay about constant over the first weeks), so concentrations fall as volume rises. During weaning the target
/// blends geometrically into the involution anchor with the weaning weight w (1 − the remaining share of feeds):
/// c^{1 − w} inv^{w}. Types whose anchor is 0 blend linearly instead. Once breastfeeding is no longer exclusive, the
/// established leucocytes settle to <c>composition.partial_leucocyte_factor</c> of their level (Hassiotou 2013 CTI: higher
/// baseline leucocytes with exclusive breastfeeding).
/// </remarks>
internal sealed class CompositionCurve
{
    private readonly double[] _colostrum, _mature, _extended, _involution;
    private readonly Parameter _intake;
    private readonly double _fadeMidpoint, _fadeWidth, _fadeNorm, _extendedFrom, _extendedUntil, _dayZeroVolume, _partialFactor, _partialTransition;
    private readonly bool[] _leucocyte;

    public CompositionCurve(CalibratedModel model, IReadOnlyList<CellType> types, Birth birth = Birth.Term)
    {
        _colostrum = Anchor(model, types, Colostrum);
        if (birth == Birth.Preterm)
        {
            // Preterm colostrum carries more cells of every type (Jain 1991): the colostral output scales by their ratio.
            var factor = model.Value(PretermColostrumCells) / model.Value(TermColostrumCells);
            for (var t = 0; t < _colostrum.Length; t++)
            {
                _colostrum[t] *= factor;
            }
        }
        _mature = Anchor(model, types, Mature);
        _extended = Anchor(model, types, Extended);
        _involution = Anchor(model, types, Involution);
        _intake = model[Intake];
        _dayZeroVolume = _intake.At(0);
        (_fadeMidpoint, _fadeWidth) = (model.Value(ColostralFadeMidpoint) / 24, model.Value(ColostralFadeWidth) / 24);
        _fadeNorm = 1 + Math.Exp(-_fadeMidpoint / _fadeWidth);
        (_extendedFrom, _extendedUntil) = (model.Value(ExtendedFrom) / 24, model.Value(ExtendedUntil) / 24);
        (_partialFactor, _partialTransition) = (model.Value(PartialLeucocyteFactor), model.Value(PartialTransition) / 24);
        _leucocyte = [.. types.Select(t => t.Class == CellClass.Leucocyte)];
    }

    /// <summary>The share of the colostral output left on lactation day <paramref name="day"/> (1 on day 0).</summary>
    public double Fade(double day) => _fadeNorm / (1 + Math.Exp((day - _fadeMidpoint) / _fadeWidth));

    /// <summary>The weight of extended-lactation milk on <paramref name="day"/>: a smoothstep between the two days.</summary>
    public double ExtendedWeight(double day)
    {
        if (day <= _extendedFrom)
        {
            return 0;
        }
        if (day >= _extendedUntil)
        {
            return 1;
        }
        var u = (day - _extendedFrom) / (_extendedUntil - _extendedFrom);
        return u * u * (3 - 2 * u);
    }

    /// <summary>How far the baseline leucocytes have moved to their partial-breastfeeding level on <paramref name="day"/>, 0 to 1 (smoothstep after <paramref name="exclusiveUntilDay"/>).</summary>
    public double PartialWeight(double day, int? exclusiveUntilDay)
    {
        if (exclusiveUntilDay is not { } last || day <= last)
        {
            return 0;
        }
        var u = Math.Min(1, (day - last) / _partialTransition);
        return u * u * (3 - 2 * u);
    }

    /// <summary>Writes the target concentration of every type (model order) on lactation day <paramref name="day"/> with weaning weight
    /// <paramref name="weaning"/> into <paramref name="conc"/>; <paramref name="exclusiveUntilDay"/> is the scenario's last day of exclusive breastfeeding.</summary>
    public void Target(double day, double weaning, int? exclusiveUntilDay, Span<double> conc)
    {
        var h = ExtendedWeight(day);
        var colostral = Fade(day) * _dayZeroVolume / Math.Max(_intake.At(day), _dayZeroVolume);
        var partial = 1 - (1 - _partialFactor) * PartialWeight(day, exclusiveUntilDay);
        for (var t = 0; t < conc.Length; t++)
        {
            var established = Blend(_mature[t], _extended[t], h) * (_leucocyte[t] ? partial : 1);
            var healthy = established + (_colostrum[t] - _mature[t]) * colostral;
            conc[t] = Blend(Math.Max(0, healthy), _involution[t], weaning);
        }
    }

    private static double Blend(double a, double b, double w) =>
        w <= 0 ? a : w >= 1 ? b : a > 0 && b > 0 ? Math.Exp((1 - w) * Math.Log(a) + w * Math.Log(b)) : (1 - w) * a + w * b;

    /// <summary>Target concentration of each cell type at a composition anchor (cells/mL), in model order.</summary>
    internal static double[] Anchor(CalibratedModel model, IReadOnlyList<CellType> types, string stage)
    {
        var total = model.Value(Composition(stage, "total_cells"));
        var leucocytes = model.Value(Composition(stage, "leucocyte_fraction"));
        var stem = model[Composition(stage, "stem_fractions")];
        var epithelial = 1 - leucocytes - stem.Table.Values.Sum();
        var result = new double[types.Count];
        for (var i = 0; i < types.Count; i++)
        {
            var t = types[i];
            var share = t.Class switch
            {
                CellClass.Leucocyte => leucocytes * model.Value(Composition(stage, "leucocyte_shares"), t.Id),
                CellClass.Stem => stem[t.Id],
                _ => epithelial * model.Value(Composition(stage, "epithelial_shares"), t.Id),
            };
            result[i] = total * share;
        }
        return result;
    }
}
