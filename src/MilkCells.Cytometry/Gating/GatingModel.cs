using MilkCells.Core.Errors;
using MilkCells.Cytometry.Compensation;
using MilkCells.Cytometry.Transforms;

namespace MilkCells.Cytometry.Gating;

// The Gating-ML 2.0 model (Spidlen et al. 2015, Cytometry A 87:683, doi:10.1002/cyto.a.22690): immutable records
// produced by GatingMLReader, validated before use, evaluated by GateEvaluator. Gates refer to each other, to
// transformations and to spectrum matrices by id, exactly as the XML does.

/// <summary>The compensation a dimension asks for: none, the FCS file's own spillover, or a spectrum matrix by id.</summary>
public static class CompensationRef
{
    /// <summary>Use the values as measured.</summary>
    public const string Uncompensated = "uncompensated";

    /// <summary>Use the spillover matrix stored in the FCS file ($SPILLOVER, $SPILL or SPILL).</summary>
    public const string Fcs = "FCS";
}

/// <summary>One coordinate of a gate: a channel or a ratio of channels, compensated, then optionally transformed.</summary>
/// <param name="CompensationRef">"uncompensated", "FCS", or the id of a spectrum matrix.</param>
/// <param name="TransformationRef">The id of a transformation applied after compensation, or null for the values themselves.</param>
public abstract record GateDimension(string CompensationRef, string? TransformationRef)
{
    /// <summary>A short human description, e.g. "FL1-H [MySpill, Logicle1]".</summary>
    public abstract string Describe();

    private protected string Suffix() => TransformationRef is null ? $"[{CompensationRef}]" : $"[{CompensationRef}, {TransformationRef}]";
}

/// <summary>A channel of the FCS file (its $PnN), or a fluorochrome of the referenced spectrum matrix.</summary>
public sealed record ChannelDimension(string Name, string CompensationRef, string? TransformationRef = null)
    : GateDimension(CompensationRef, TransformationRef)
{
    /// <inheritdoc />
    public override string Describe() => $"{Name} {Suffix()}";
}

/// <summary>A new dimension made by an <c>fratio</c> transformation of two channels.</summary>
public sealed record RatioDimension(string RatioId, string CompensationRef, string? TransformationRef = null)
    : GateDimension(CompensationRef, TransformationRef)
{
    /// <inheritdoc />
    public override string Describe() => $"ratio {RatioId} {Suffix()}";
}

/// <summary>A named transformation of the document: a one-channel scale or a two-channel ratio, optionally bounded.</summary>
/// <param name="Id">The transformation's id.</param>
/// <param name="Scale">The scale for flin, flog, fasinh, logicle and hyperlog; null for a ratio.</param>
/// <param name="Ratio">The ratio for fratio; null for a scale.</param>
/// <param name="BoundMin">Results below it are raised to it (Gating-ML's optional boundMin).</param>
/// <param name="BoundMax">Results above it are lowered to it (boundMax).</param>
public sealed record GmlTransformation(string Id, ScaleTransform? Scale, RatioDefinition? Ratio, double? BoundMin = null, double? BoundMax = null);

/// <summary>An fratio: A·(numerator − B) / (denominator − C) over two named channels.</summary>
public sealed record RatioDefinition(RatioTransform Transform, string Numerator, string Denominator);

/// <summary>A gate: a region in some dimensions, evaluated within its parent population if it has one.</summary>
public abstract record Gate(string Id, string? ParentId)
{
    /// <summary>Where the gate is written (file and line), for messages.</summary>
    public InputLocation? Location { get; init; }

    /// <summary>The gate's kind as Gating-ML names it.</summary>
    public abstract string Kind { get; }
}

/// <summary>One dimension of a rectangle gate with its half-open range [Min, Max); a missing bound is unbounded.</summary>
public sealed record RectangleDimension(GateDimension Dimension, double? Min, double? Max);

/// <summary>A range, rectangle, box or hyper-rectangle gate: every dimension within [min, max).</summary>
public sealed record RectangleGate(string Id, string? ParentId, IReadOnlyList<RectangleDimension> Dimensions) : Gate(Id, ParentId)
{
    /// <inheritdoc />
    public override string Kind => "RectangleGate";
}

/// <summary>A polygon in two dimensions; inside by the even–odd rule (a self-intersecting polygon's doubly covered parts are outside).</summary>
public sealed record PolygonGate(string Id, string? ParentId, GateDimension X, GateDimension Y, IReadOnlyList<(double X, double Y)> Vertices)
    : Gate(Id, ParentId)
{
    /// <inheritdoc />
    public override string Kind => "PolygonGate";
}

/// <summary>An ellipsoid: events with Mahalanobis distance² (x − μ)ᵀ Σ⁻¹ (x − μ) ≤ DistanceSquare.</summary>
public sealed record EllipsoidGate(
    string Id,
    string? ParentId,
    IReadOnlyList<GateDimension> Dimensions,
    IReadOnlyList<double> Mean,
    double[,] Covariance,
    double DistanceSquare) : Gate(Id, ParentId)
{
    /// <inheritdoc />
    public override string Kind => "EllipsoidGate";
}

/// <summary>A dimension cut at one or more values, splitting it into intervals [−∞, v₁), [v₁, v₂), …, [vₙ, ∞).</summary>
public sealed record QuadrantDivider(string Id, GateDimension Dimension, IReadOnlyList<double> Values);

/// <summary>A divider's interval named by any location inside it (a location equal to a cut names the interval above the cut).</summary>
public sealed record QuadrantPosition(string DividerId, double Location);

/// <summary>One cell of a quadrant gate, the intersection of the named intervals of its dividers; a population with its own id.</summary>
public sealed record Quadrant(string Id, IReadOnlyList<QuadrantPosition> Positions);

/// <summary>A quadrant gate: dividers and the quadrants they form. Only the quadrants are populations.</summary>
public sealed record QuadrantGate(string Id, string? ParentId, IReadOnlyList<QuadrantDivider> Dividers, IReadOnlyList<Quadrant> Quadrants)
    : Gate(Id, ParentId)
{
    /// <inheritdoc />
    public override string Kind => "QuadrantGate";
}

/// <summary>Boolean gate operators.</summary>
public enum BooleanOperator
{
    /// <summary>In every operand.</summary>
    And,

    /// <summary>In at least one operand.</summary>
    Or,

    /// <summary>Not in the single operand.</summary>
    Not,
}

/// <summary>An operand of a boolean gate: a gate id, used as is or as its complement.</summary>
public sealed record GateOperand(string GateId, bool Complement = false);

/// <summary>A boolean combination of other gates.</summary>
public sealed record BooleanGate(string Id, string? ParentId, BooleanOperator Operator, IReadOnlyList<GateOperand> Operands) : Gate(Id, ParentId)
{
    /// <inheritdoc />
    public override string Kind => "BooleanGate";
}

/// <summary>A whole Gating-ML 2.0 document: gates, transformations and spectrum matrices, validated.</summary>
public sealed class GatingDocument
{
    private readonly Dictionary<string, Gate> _gatesById;
    private readonly Dictionary<string, (QuadrantGate Gate, Quadrant Quadrant)> _quadrants;

    /// <summary>A document from its parts; <see cref="GatingMLReader"/> builds and validates these.</summary>
    public GatingDocument(
        IReadOnlyList<Gate> gates,
        IReadOnlyDictionary<string, GmlTransformation> transformations,
        IReadOnlyDictionary<string, SpilloverMatrix> spectrumMatrices,
        IReadOnlyList<string>? warnings = null,
        string? source = null)
    {
        Gates = gates;
        Transformations = transformations;
        SpectrumMatrices = spectrumMatrices;
        Warnings = warnings ?? [];
        Source = source;
        _gatesById = new Dictionary<string, Gate>(StringComparer.Ordinal);
        _quadrants = new Dictionary<string, (QuadrantGate, Quadrant)>(StringComparer.Ordinal);
        var populations = new List<string>();
        foreach (var gate in gates)
        {
            _gatesById[gate.Id] = gate;
            if (gate is QuadrantGate quadrantGate)
            {
                foreach (var quadrant in quadrantGate.Quadrants)
                {
                    _quadrants[quadrant.Id] = (quadrantGate, quadrant);
                    populations.Add(quadrant.Id);
                }
            }
            else
            {
                populations.Add(gate.Id);
            }
        }
        PopulationIds = populations;
    }

    /// <summary>The gates in document order.</summary>
    public IReadOnlyList<Gate> Gates { get; }

    /// <summary>Transformations by id.</summary>
    public IReadOnlyDictionary<string, GmlTransformation> Transformations { get; }

    /// <summary>Spectrum (spillover) matrices by id.</summary>
    public IReadOnlyDictionary<string, SpilloverMatrix> SpectrumMatrices { get; }

    /// <summary>Things read but not used (unknown wrapper elements and the like).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The file the document came from, if any.</summary>
    public string? Source { get; }

    /// <summary>The ids of every population in document order: each gate's id, except that a quadrant gate contributes its quadrants' ids.</summary>
    public IReadOnlyList<string> PopulationIds { get; }

    /// <summary>The gate with this id (quadrant gates included), or null.</summary>
    public Gate? FindGate(string id) => _gatesById.GetValueOrDefault(id);

    /// <summary>The quadrant with this id and its gate, or null.</summary>
    public (QuadrantGate Gate, Quadrant Quadrant)? FindQuadrant(string id) =>
        _quadrants.TryGetValue(id, out var found) ? found : null;

    /// <summary>The parent population of a population id (a gate's or a quadrant's), or null at the top.</summary>
    public string? ParentOf(string populationId) =>
        FindQuadrant(populationId) is { } q ? q.Gate.ParentId : FindGate(populationId)?.ParentId;
}
