using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Core.Provenance;

namespace MilkCells.Model.Catalogue;

/// <summary>How a parameter's value is given: one number, a table keyed by names, or a curve over lactation day.</summary>
public enum ParameterShape
{
    /// <summary>One number.</summary>
    Scalar,

    /// <summary>Numbers keyed by names from one key set (cell types, severities, organs…).</summary>
    Table,

    /// <summary>Numbers at lactation days, interpolated linearly between them and held flat beyond the ends.</summary>
    Curve,
}

/// <summary>One point of a curve parameter.</summary>
/// <param name="Day">Lactation day (day 0 = the first 24 h).</param>
/// <param name="Value">Value in the parameter's canonical unit.</param>
/// <param name="SourceId">The point's source id, or "assumption".</param>
/// <param name="Note">What the point is (the source's condition or the assumption's reasoning).</param>
public sealed record CurvePoint(double Day, double Value, string SourceId, string? Note);

/// <summary>A value from another source or era, kept where sources conflict.</summary>
/// <param name="Value">Canonical value.</param>
/// <param name="Day">For curve parameters, the lactation day it applies to.</param>
/// <param name="Provenance">Its source, condition, confidence and era.</param>
/// <param name="SourceId">Its source id.</param>
/// <param name="Key">For table parameters, the entry it is an alternative for.</param>
public sealed record ParameterAlternative(double Value, double? Day, Provenance Provenance, string SourceId, string? Key = null);

/// <summary>A model parameter: value, unit, and where it comes from.</summary>
/// <remarks>
/// Issue 3 item 8: every parameter carries its value, unit, condition, source, confidence and measurement era.
/// <see cref="Problems"/> lists what makes one unusable; the model refuses to load while any parameter has one.
/// Values are canonical (see <see cref="CanonicalUnit"/>); <see cref="UnitText"/> keeps the unit as written.
/// </remarks>
/// <param name="Id">Dotted id, e.g. <c>milk.storage_capacity</c>.</param>
/// <param name="Shape">Scalar, table or curve.</param>
/// <param name="Value">The scalar value (NaN for tables and curves).</param>
/// <param name="Table">Values by key (tables only).</param>
/// <param name="KeySet">The key set a table's keys come from (tables only).</param>
/// <param name="Points">Curve points sorted by day (curves only).</param>
/// <param name="Unit">Canonical unit.</param>
/// <param name="UnitText">Unit as written in the file.</param>
/// <param name="Provenance">Source, condition, confidence and era.</param>
/// <param name="SourceIds">The source ids cited (may include "assumption" or "derived").</param>
/// <param name="Where">Place in the source (table, section, abstract).</param>
/// <param name="Note">Reasoning: required for assumptions and derived values.</param>
/// <param name="Range">Observed range in canonical units, when the source gives one.</param>
/// <param name="Alternatives">Conflicting values kept.</param>
/// <param name="Choice">Why this value rather than the alternatives.</param>
/// <param name="Location">File and line it was read from (or the derivation that made it).</param>
public sealed record Parameter(
    string Id,
    ParameterShape Shape,
    double Value,
    ImmutableSortedDictionary<string, double> Table,
    string? KeySet,
    ImmutableArray<CurvePoint> Points,
    CanonicalUnit Unit,
    string UnitText,
    Provenance Provenance,
    ImmutableArray<string> SourceIds,
    string? Where,
    string? Note,
    (double Min, double Max)? Range,
    ImmutableArray<ParameterAlternative> Alternatives,
    string? Choice,
    InputLocation Location)
{
    /// <summary>The SBML-style symbol used in rate expressions: the id with '.' and '-' turned into '_'.</summary>
    public string Symbol => ToSymbol(Id);

    /// <summary>Turns a dotted id into an identifier usable in rate expressions and SBML.</summary>
    public static string ToSymbol(string id) => id.Replace('.', '_').Replace('-', '_');

    /// <summary>The value of a table entry.</summary>
    public double this[string key] => Shape == ParameterShape.Table
        ? Table.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"{Id} has no entry '{key}'")
        : throw new InvalidOperationException($"{Id} is not a table");

    /// <summary>The value at a lactation day: linear between curve points, flat beyond the ends.</summary>
    public double At(double day)
    {
        if (Shape == ParameterShape.Scalar)
        {
            return Value;
        }
        if (Shape != ParameterShape.Curve || Points.IsDefaultOrEmpty)
        {
            throw new InvalidOperationException($"{Id} is not a curve");
        }
        if (day <= Points[0].Day)
        {
            return Points[0].Value;
        }
        for (var i = 1; i < Points.Length; i++)
        {
            if (day <= Points[i].Day)
            {
                var (a, b) = (Points[i - 1], Points[i]);
                return a.Value + (b.Value - a.Value) * (day - a.Day) / (b.Day - a.Day);
            }
        }
        return Points[^1].Value;
    }

    /// <summary>Every value the parameter holds (the scalar, each table entry or each curve point).</summary>
    public IEnumerable<double> AllValues() => Shape switch
    {
        ParameterShape.Scalar => [Value],
        ParameterShape.Table => Table.Values,
        _ => Points.Select(p => p.Value),
    };

    /// <summary>The value as a short text in canonical units (tables and curves summarised).</summary>
    public string Display() => Shape switch
    {
        ParameterShape.Scalar => Format(Value),
        ParameterShape.Table => string.Join(", ", Table.Select(kv => $"{kv.Key} {Format(kv.Value)}")),
        _ => string.Join(", ", Points.Select(p => $"d{p.Day:0.#}: {Format(p.Value)}")),
    };

    /// <summary>Problems that make the parameter unusable (issue 3 item 8); empty when complete.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var p in Provenance.Problems())
        {
            yield return p;
        }
        if (SourceIds.IsDefaultOrEmpty)
        {
            yield return "no source";
        }
        if ((SourceIds.Contains(Sources.Assumption) || Provenance.Confidence == Confidence.Assumption || SourceIds.Contains(Sources.Derived))
            && string.IsNullOrWhiteSpace(Note))
        {
            yield return "an assumption or derived value must state its reasoning (note)";
        }
        if (!Alternatives.IsDefaultOrEmpty && string.IsNullOrWhiteSpace(Choice))
        {
            yield return "conflicting values are kept but the choice between them is not explained (choice)";
        }
        foreach (var value in AllValues())
        {
            if (UnitSpec.Problem(Unit, value) is { } problem)
            {
                yield return problem;
            }
        }
    }

    internal static string Format(double value) =>
        value == 0 ? "0" : Math.Abs(value) is >= 1e5 or < 1e-3
            ? value.ToString("0.###e+0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
