using System.Numerics;
using System.Runtime.CompilerServices;
using MilkCells.Core.Errors;
using MilkCells.Cytometry.Compensation;
using MilkCells.Cytometry.Numerics;
using MilkCells.Cytometry.Transforms;

namespace MilkCells.Cytometry.Gating;

/// <summary>Which events fall in each population of a gating document.</summary>
public sealed class GatingResult
{
    private readonly Dictionary<string, bool[]> _membership;
    private readonly Func<GateDimension, double[]?> _dimensions;

    internal GatingResult(GatingDocument document, int eventCount, Dictionary<string, bool[]> membership, IReadOnlyList<string> warnings,
        Func<GateDimension, double[]?> dimensions)
    {
        Document = document;
        EventCount = eventCount;
        _membership = membership;
        Warnings = warnings;
        _dimensions = dimensions;
    }

    /// <summary>A gate dimension's values as the evaluation computes them (compensated, transformed), or null if no gate used it.</summary>
    /// <remarks>
    /// For drawing gates on their data without compensating again. A column the gates decided on raw data alone
    /// (a rectangle on a logicle scale) is transformed on first request; not thread-safe.
    /// </remarks>
    public ReadOnlyMemory<double>? DimensionValues(GateDimension dimension) =>
        _dimensions(dimension) is { } values ? values : (ReadOnlyMemory<double>?)null; // (a null array would convert to an empty memory)

    /// <summary>The document evaluated.</summary>
    public GatingDocument Document { get; }

    /// <summary>Number of events gated.</summary>
    public int EventCount { get; }

    /// <summary>The population ids in document order (quadrants in place of their quadrant gate).</summary>
    public IReadOnlyList<string> PopulationIds => Document.PopulationIds;

    /// <summary>What the evaluation had to assume (for example "FCS" compensation of a file without a spillover keyword).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>For each event, whether it is in the population (its own region and every ancestor's).</summary>
    public ReadOnlySpan<bool> Membership(string populationId) =>
        _membership.TryGetValue(populationId, out var m) ? m : throw new KeyNotFoundException($"no population '{populationId}'");

    /// <summary>The number of events in the population.</summary>
    public int Count(string populationId)
    {
        var count = 0;
        foreach (var inside in Membership(populationId))
        {
            count += inside ? 1 : 0;
        }
        return count;
    }
}

/// <summary>Evaluates a Gating-ML 2.0 document on events: compensation, transformation, then each gate, column by column.</summary>
/// <remarks>
/// Semantics of Gating-ML 2.0 (Spidlen et al. 2015, Cytometry A 87:683, doi:10.1002/cyto.a.22690):
/// rectangle (and quadrant) intervals are half-open [min, max); polygons contain the points inside by the even–odd
/// rule (<see cref="Geometry"/>); ellipsoids the points with Mahalanobis distance² ≤ distanceSquare; a gate with a parent holds only the
/// parent's events; a boolean operand used as complement is negated before combining. Values that are undefined
/// after a transformation (NaN, e.g. flog of a non-positive value) are in no gate.
/// Each distinct (dimension, compensation, transformation) column is computed once and shared by all gates.
/// </remarks>
public sealed class GateEvaluator
{
    private readonly GatingDocument _document;
    private readonly EventMatrix _events;
    private readonly SpilloverMatrix? _fcsSpillover;
    private readonly Dictionary<GateDimension, double[]> _dimensions = [];
    private readonly HashSet<GateDimension> _used = [];
    private readonly Dictionary<string, Dictionary<string, double[]>> _compensated = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool[]> _membership = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    private GateEvaluator(GatingDocument document, EventMatrix events, SpilloverMatrix? fcsSpillover)
    {
        _document = document;
        _events = events;
        _fcsSpillover = fcsSpillover;
    }

    /// <summary>Evaluates every population of <paramref name="document"/> on <paramref name="events"/>.</summary>
    /// <param name="document">The gates.</param>
    /// <param name="events">The events, channels named by $PnN, already scaled ($PnE, $PnG) but not compensated.</param>
    /// <param name="fcsSpillover">The FCS file's spillover matrix, used where a dimension says compensation-ref="FCS".</param>
    /// <exception cref="InputException">A gate names a channel the events lack.</exception>
    public static GatingResult Evaluate(GatingDocument document, EventMatrix events, SpilloverMatrix? fcsSpillover = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(events);
        var evaluator = new GateEvaluator(document, events, fcsSpillover);
        foreach (var id in document.PopulationIds)
        {
            evaluator.Population(id);
        }
        return new GatingResult(document, events.EventCount, evaluator._membership, evaluator._warnings,
            d => evaluator._used.Contains(d) ? evaluator.Values(d) : null);
    }

    private bool[] Population(string id)
    {
        if (_membership.TryGetValue(id, out var done))
        {
            return done;
        }
        bool[] inside;
        bool[]? parentInside;
        if (_document.FindQuadrant(id) is { } quadrant)
        {
            parentInside = quadrant.Gate.ParentId is { } p ? Population(p) : null;
            inside = QuadrantRegion(quadrant.Gate, quadrant.Quadrant);
        }
        else
        {
            var gate = _document.FindGate(id) ?? throw new InvalidOperationException($"no population '{id}'");
            parentInside = gate.ParentId is { } p ? Population(p) : null;
            inside = Region(gate, parentInside);
        }
        if (parentInside is not null)
        {
            for (var i = 0; i < inside.Length; i++)
            {
                inside[i] &= parentInside[i];
            }
        }
        _membership[id] = inside;
        return inside;
    }

    /// <summary>The events in a gate's own region; those outside <paramref name="parent"/> (when given) may be left out, as the parent's events are all that count.</summary>
    private bool[] Region(Gate gate, bool[]? parent)
    {
        try
        {
            return gate switch
            {
                RectangleGate r => Rectangle(r, parent),
                PolygonGate p => Polygon(p, parent),
                EllipsoidGate e => Ellipsoid(e),
                BooleanGate b => Boolean(b),
                _ => throw new InvalidOperationException($"{gate.Kind} '{gate.Id}' is not a population"),
            };
        }
        catch (InputException ex) when (ex.Location.File is null)
        {
            // A missing channel or detector: say which gate needed it.
            throw new InputException((gate.Location ?? new InputLocation(File: _document.Source)) with { Element = $"{gate.Kind} '{gate.Id}'" }, ex.Problem, ex.Hint, ex);
        }
    }

    private bool[] Rectangle(RectangleGate gate, bool[]? parent)
    {
        var inside = new bool[_events.EventCount];
        if (parent is null)
        {
            Array.Fill(inside, true);
        }
        else
        {
            parent.CopyTo(inside);
        }
        foreach (var d in gate.Dimensions)
        {
            var min = d.Min ?? double.NegativeInfinity;
            var max = d.Max ?? double.PositiveInfinity;
            var maxUnbounded = d.Max is null; // then +∞ itself is inside too
            if (!_dimensions.ContainsKey(d.Dimension) && RawDecision(d.Dimension) is { } raw)
            {
                // Compare untransformed data with the cuts' decision bands; transform only the events inside a band.
                _used.Add(d.Dimension);
                var (scale, data) = raw;
                var (minBelow, minAbove) = d.Min is { } lo ? scale.DecisionBand(lo) ?? (double.NaN, double.NaN) : (double.NegativeInfinity, double.NegativeInfinity);
                var (maxBelow, maxAbove) = d.Max is { } hi ? scale.DecisionBand(hi) ?? (double.NaN, double.NaN) : (double.PositiveInfinity, double.PositiveInfinity);
                var band = new DecisionCut(scale, min, max, maxUnbounded, minBelow, minAbove, maxBelow, maxAbove);
                ColumnParallel.For(data.Length, (start, length) => band.Apply(data.AsSpan(start, length), inside.AsSpan(start, length)));
                continue;
            }
            var values = Values(d.Dimension);
            ColumnParallel.For(values.Length, (start, length) =>
            {
                var v = values.AsSpan(start, length);
                var flags = inside.AsSpan(start, length);
                for (var i = 0; i < v.Length; i++)
                {
                    var x = v[i];
                    flags[i] &= x >= min && (maxUnbounded || x < max);
                }
            });
        }
        return inside;
    }

    private bool[] Polygon(PolygonGate gate, bool[]? parent)
    {
        var xs = Values(gate.X);
        var ys = Values(gate.Y);
        var vx = gate.Vertices.Select(v => v.X).ToArray();
        var vy = gate.Vertices.Select(v => v.Y).ToArray();
        var inside = new bool[_events.EventCount];
        ColumnParallel.For(inside.Length, (start, length) =>
        {
            for (var i = start; i < start + length; i++)
            {
                inside[i] = (parent is null || parent[i]) && Geometry.EvenOdd(vx, vy, xs[i], ys[i]);
            }
        });
        return inside;
    }

    private bool[] Ellipsoid(EllipsoidGate gate)
    {
        var n = gate.Dimensions.Count;
        var columns = gate.Dimensions.Select(Values).ToArray();
        var precision = DenseLu.TryFactor(gate.Covariance)!.Inverse();
        var mean = gate.Mean.ToArray();
        var inside = new bool[_events.EventCount];
        ColumnParallel.For(inside.Length, (start, length) =>
        {
            Span<double> delta = stackalloc double[n];
            for (var e = start; e < start + length; e++)
            {
                for (var i = 0; i < n; i++)
                {
                    delta[i] = columns[i][e] - mean[i];
                }
                var distance = 0.0;
                for (var i = 0; i < n; i++)
                {
                    var row = 0.0;
                    for (var j = 0; j < n; j++)
                    {
                        row += precision[i, j] * delta[j];
                    }
                    distance += delta[i] * row;
                }
                inside[e] = distance <= gate.DistanceSquare;
            }
        });
        return inside;
    }

    private bool[] QuadrantRegion(QuadrantGate gate, Quadrant quadrant)
    {
        var inside = new bool[_events.EventCount];
        Array.Fill(inside, true);
        foreach (var position in quadrant.Positions)
        {
            var divider = gate.Dividers.First(d => d.Id == position.DividerId);
            // The interval [lo, hi) of the divider's cuts that holds the quadrant's location.
            var lo = double.NegativeInfinity;
            var hi = double.PositiveInfinity;
            foreach (var cut in divider.Values)
            {
                if (cut <= position.Location)
                {
                    lo = cut;
                }
                else
                {
                    hi = cut;
                    break;
                }
            }
            var values = Values(divider.Dimension);
            var top = double.IsPositiveInfinity(hi);
            for (var i = 0; i < inside.Length; i++)
            {
                var x = values[i];
                inside[i] &= x >= lo && (top || x < hi);
            }
        }
        return inside;
    }

    private bool[] Boolean(BooleanGate gate)
    {
        var operands = gate.Operands.Select(o => (Inside: Population(o.GateId), o.Complement)).ToArray();
        var result = new bool[_events.EventCount];
        for (var i = 0; i < result.Length; i++)
        {
            bool value;
            switch (gate.Operator)
            {
                case BooleanOperator.And:
                    value = true;
                    foreach (var (inside, complement) in operands)
                    {
                        value &= inside[i] != complement;
                    }
                    break;
                case BooleanOperator.Or:
                    value = false;
                    foreach (var (inside, complement) in operands)
                    {
                        value |= inside[i] != complement;
                    }
                    break;
                default:
                    value = !(operands[0].Inside[i] != operands[0].Complement);
                    break;
            }
            result[i] = value;
        }
        return result;
    }

    /// <summary>
    /// A channel dimension whose scale gives decision bands (<see cref="ScaleTransform.DecisionBand"/>) and has no bounds: its
    /// scale and untransformed values, for a rectangle gate to decide on; null for any other dimension.
    /// </summary>
    private (ScaleTransform Scale, double[] Data)? RawDecision(GateDimension dimension)
    {
        if (dimension is not ChannelDimension || dimension.TransformationRef is not { } id
            || _document.Transformations[id] is not { Scale: { HasDecisionBands: true } scale, BoundMin: null, BoundMax: null })
        {
            return null;
        }
        return (scale, Untransformed(dimension));
    }

    /// <summary>The values of a dimension for every event: compensated, ratioed if a new dimension, transformed, bounded.</summary>
    private double[] Values(GateDimension dimension)
    {
        if (_dimensions.TryGetValue(dimension, out var cached))
        {
            return cached;
        }
        _used.Add(dimension);
        var values = Untransformed(dimension);
        if (dimension.TransformationRef is { } transformationId)
        {
            var transformation = _document.Transformations[transformationId];
            values = transformation.Scale!.ApplyColumn(values);
            if (transformation.BoundMin is not null || transformation.BoundMax is not null)
            {
                var lo = transformation.BoundMin ?? double.NegativeInfinity;
                var hi = transformation.BoundMax ?? double.PositiveInfinity;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = Math.Clamp(values[i], lo, hi); // NaN stays NaN
                }
            }
        }
        _dimensions[dimension] = values;
        return values;
    }

    /// <summary>A dimension's values compensated (and ratioed, for a ratio dimension) but not transformed.</summary>
    private double[] Untransformed(GateDimension dimension)
    {
        double[] values;
        if (dimension is ChannelDimension channel)
        {
            values = Channel(channel.Name, dimension.CompensationRef);
        }
        else
        {
            var ratio = _document.Transformations[((RatioDimension)dimension).RatioId].Ratio!;
            var numerator = Channel(ratio.Numerator, dimension.CompensationRef);
            var denominator = Channel(ratio.Denominator, dimension.CompensationRef);
            values = new double[numerator.Length];
            ratio.Transform.Apply(numerator, denominator, values);
        }
        return values;
    }

    /// <summary>A channel's values under a compensation reference.</summary>
    private double[] Channel(string name, string compensationRef)
    {
        SpilloverMatrix? matrix;
        switch (compensationRef)
        {
            case CompensationRef.Uncompensated:
                matrix = null;
                break;
            case CompensationRef.Fcs:
                matrix = _fcsSpillover;
                if (matrix is null)
                {
                    Warn($"compensation-ref=\"FCS\" but the events carry no spillover matrix ($SPILLOVER, $SPILL or SPILL): those dimensions are used uncompensated");
                }
                break;
            default:
                matrix = _document.SpectrumMatrices[compensationRef];
                break;
        }
        if (matrix is not null)
        {
            var compensated = Compensated(compensationRef, matrix);
            if (compensated.TryGetValue(name, out var values))
            {
                return values;
            }
            var detector = ChannelNames.IndexOf(matrix.Detectors, name);
            if (detector >= 0)
            {
                // A detector of a square matrix stands for its own fluorochrome (the row of the same index).
                if (matrix.Fluorochromes.Count == matrix.Detectors.Count)
                {
                    return compensated[matrix.Fluorochromes[detector]];
                }
                throw new InputException(new InputLocation(Element: $"channel '{name}'"),
                    $"'{name}' is a detector of spectrum matrix '{compensationRef}', which unmixes it into {string.Join(", ", matrix.Fluorochromes)}; refer to one of those");
            }
        }
        return _events.ColumnArray(_events.RequireIndex(name)); // read only: never written to
    }

    private Dictionary<string, double[]> Compensated(string key, SpilloverMatrix matrix)
    {
        if (_compensated.TryGetValue(key, out var done))
        {
            return done;
        }
        var columns = new Compensator(matrix).CompensateColumns(_events);
        var byName = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (var j = 0; j < columns.Length; j++)
        {
            byName[matrix.Fluorochromes[j]] = columns[j];
        }
        _compensated[key] = byName;
        return byName;
    }

    private void Warn(string message)
    {
        if (!_warnings.Contains(message))
        {
            _warnings.Add(message);
        }
    }
}

/// <summary>A rectangle dimension's cuts decided on untransformed data: surely in, surely out, or transform and compare.</summary>
/// <remarks>
/// Between <c>MinAbove</c> and <c>MaxBelow</c> an event is surely inside; below <c>MinBelow</c> or above
/// <c>MaxAbove</c> surely outside (<see cref="ScaleTransform.DecisionBand"/>); any other event (within a band, or NaN)
/// is transformed and compared as <see cref="GateEvaluator"/> compares every transformed value, so the outcome is the same.
/// </remarks>
internal readonly record struct DecisionCut(ScaleTransform Scale, double Min, double Max, bool MaxUnbounded,
    double MinBelow, double MinAbove, double MaxBelow, double MaxAbove)
{
    /// <summary>Clears the flag of every event outside the cuts (flags already clear stay clear).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a Vector<T> loop: no ReadyToRun code, so compiled optimised at once rather than at tier 0
    public void Apply(ReadOnlySpan<double> data, Span<bool> flags)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<double>.Count)
        {
            var minBelow = new Vector<double>(MinBelow);
            var minAbove = new Vector<double>(MinAbove);
            var maxBelow = new Vector<double>(MaxBelow);
            var maxAbove = new Vector<double>(MaxAbove);
            var last = data.Length - Vector<double>.Count;
            for (; i <= last; i += Vector<double>.Count)
            {
                var y = new Vector<double>(data.Slice(i));
                var surelyIn = Vector.GreaterThan(y, minAbove) & Vector.LessThan(y, maxBelow);
                var surelyOut = Vector.LessThan(y, minBelow) | Vector.GreaterThan(y, maxAbove);
                if (Vector.EqualsAll(surelyIn | surelyOut, new Vector<long>(-1)))
                {
                    for (var l = 0; l < Vector<double>.Count; l++)
                    {
                        flags[i + l] &= surelyIn[l] != 0;
                    }
                }
                else
                {
                    for (var l = 0; l < Vector<double>.Count; l++)
                    {
                        flags[i + l] &= Inside(data[i + l]);
                    }
                }
            }
        }
        for (; i < data.Length; i++)
        {
            flags[i] &= Inside(data[i]);
        }
    }

    private bool Inside(double y)
    {
        if (y > MinAbove && y < MaxBelow)
        {
            return true;
        }
        if (y < MinBelow || y > MaxAbove)
        {
            return false;
        }
        var x = Scale.Apply(y);
        return x >= Min && (MaxUnbounded || x < Max);
    }
}
