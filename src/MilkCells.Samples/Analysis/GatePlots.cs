using System.Collections.Immutable;
using MilkCells.Cytometry;
using MilkCells.Cytometry.Compensation;
using MilkCells.Cytometry.Gating;

namespace MilkCells.Samples.Analysis;

/// <summary>A gate drawn on a density plot of its parent population.</summary>
/// <param name="GateId">The gate.</param>
/// <param name="ParentLabel">What is plotted: the parent population's id, or "all events".</param>
/// <param name="XLabel">The x dimension (channel, compensation, scale).</param>
/// <param name="YLabel">The y dimension.</param>
/// <param name="XRange">The x axis range.</param>
/// <param name="YRange">The y axis range.</param>
/// <param name="Bins">Bins per axis.</param>
/// <param name="Counts">Events per bin, row-major from the bottom row (y) then x.</param>
/// <param name="Outline">The gate's outline as a closed polygon in axis units.</param>
/// <param name="ParentEvents">Events plotted.</param>
/// <param name="GateEvents">Events in the gate.</param>
public sealed record GatePlot(string GateId, string ParentLabel, string XLabel, string YLabel, (double Min, double Max) XRange, (double Min, double Max) YRange,
    int Bins, ImmutableArray<int> Counts, ImmutableArray<(double X, double Y)> Outline, int ParentEvents, int GateEvents);

/// <summary>Builds <see cref="GatePlot"/>s: each gate's dimensions computed as the Gating-ML evaluator does, binned over the parent's events.</summary>
/// <remarks>
/// One-dimensional gates are drawn against side scatter (on the panel's first scale transformation, as cytometrists
/// plot them); rectangles with more than two dimensions show their first two. Quadrant, boolean and ratio gates are not drawn.
/// </remarks>
public static class GatePlots
{
    /// <summary>Bins per axis.</summary>
    public const int DefaultBins = 96;

    /// <summary>The plots of every drawable gate of <paramref name="document"/>.</summary>
    public static ImmutableArray<GatePlot> Build(GatingDocument document, GatingResult result, EventMatrix events, SpilloverMatrix? spillover, int bins = DefaultBins)
    {
        var columns = new Columns(document, events, spillover, result);
        var plots = ImmutableArray.CreateBuilder<GatePlot>();
        foreach (var gate in document.Gates)
        {
            (GateDimension X, GateDimension Y, ImmutableArray<(double, double)>? Shape)? view = gate switch
            {
                RectangleGate { Dimensions.Count: >= 2 } r => (r.Dimensions[0].Dimension, r.Dimensions[1].Dimension, Box(r.Dimensions[0], r.Dimensions[1])),
                RectangleGate { Dimensions.Count: 1 } r when columns.SideScatter(r.Dimensions[0].Dimension) is { } ssc => (r.Dimensions[0].Dimension, ssc, Box(r.Dimensions[0], null)),
                PolygonGate p => (p.X, p.Y, [.. p.Vertices]),
                EllipsoidGate e => (e.Dimensions[0], e.Dimensions[1], Ellipse(e)),
                _ => null,
            };
            if (view is not { } v || columns.Values(v.X) is not { } xs || columns.Values(v.Y) is not { } ys)
            {
                continue;
            }
            var parent = gate.ParentId is { } pid ? result.Membership(pid) : default;
            var inside = result.Membership(gate.Id);
            var (xr, yr) = (Range(xs, parent), Range(ys, parent));
            var shape = v.Shape!.Value;
            xr = Extend(xr, shape.Select(p => p.Item1));
            yr = Extend(yr, shape.Select(p => p.Item2));
            var counts = new int[bins * bins];
            var plotted = 0;
            var gated = 0;
            for (var i = 0; i < xs.Length; i++)
            {
                if (!parent.IsEmpty && !parent[i])
                {
                    continue;
                }
                plotted++;
                gated += inside[i] ? 1 : 0;
                var bx = Bin(xs[i], xr, bins);
                var by = Bin(ys[i], yr, bins);
                if (bx >= 0 && by >= 0)
                {
                    counts[by * bins + bx]++;
                }
            }
            var outline = shape.Select(p => (Clamp(p.Item1, xr), Clamp(p.Item2, yr))).ToImmutableArray();
            plots.Add(new GatePlot(gate.Id, gate.ParentId ?? "all events", v.X.Describe(), v.Y.Describe(), xr, yr, bins, [.. counts], outline, plotted, gated));
        }
        return plots.ToImmutable();
    }

    private static ImmutableArray<(double, double)> Box(RectangleDimension x, RectangleDimension? y)
    {
        var (x0, x1) = (x.Min ?? double.NegativeInfinity, x.Max ?? double.PositiveInfinity);
        var (y0, y1) = (y?.Min ?? double.NegativeInfinity, y?.Max ?? double.PositiveInfinity);
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
    }

    private static ImmutableArray<(double, double)> Ellipse(EllipsoidGate e)
    {
        // The ellipse (p − μ)ᵀ Σ⁻¹ (p − μ) = d² in the first two dimensions: μ + d·L·(cos θ, sin θ), L the Cholesky factor of Σ.
        var (a, b, c) = (e.Covariance[0, 0], e.Covariance[0, 1], e.Covariance[1, 1]);
        var l11 = Math.Sqrt(a);
        var l21 = b / l11;
        var l22 = Math.Sqrt(Math.Max(c - l21 * l21, 0));
        var d = Math.Sqrt(e.DistanceSquare);
        return [.. Enumerable.Range(0, 64).Select(k =>
        {
            var t = 2 * Math.PI * k / 64;
            var (u, w) = (Math.Cos(t), Math.Sin(t));
            return (e.Mean[0] + d * l11 * u, e.Mean[1] + d * (l21 * u + l22 * w));
        })];
    }

    /// <summary>The 0.1–99.9 % range of the parent's values (from at most ~20,000 of them, evenly strided), padded by 5 %.</summary>
    private static (double, double) Range(double[] values, ReadOnlySpan<bool> parent)
    {
        var stride = Math.Max(1, values.Length / 20_000);
        var kept = new List<double>(Math.Min(values.Length, 20_001));
        for (var i = 0; i < values.Length; i += stride)
        {
            if ((parent.IsEmpty || parent[i]) && double.IsFinite(values[i]))
            {
                kept.Add(values[i]);
            }
        }
        if (kept.Count == 0)
        {
            return (0, 1);
        }
        kept.Sort();
        var lo = kept[(int)(0.001 * (kept.Count - 1))];
        var hi = kept[(int)Math.Ceiling(0.999 * (kept.Count - 1))];
        var pad = (hi - lo) * 0.05 + 1e-9;
        return (lo - pad, hi + pad);
    }

    private static (double, double) Extend((double Min, double Max) range, IEnumerable<double> points)
    {
        var (lo, hi) = range;
        foreach (var p in points.Where(double.IsFinite))
        {
            lo = Math.Min(lo, p);
            hi = Math.Max(hi, p);
        }
        var pad = (hi - lo) * 0.02;
        return (Math.Min(range.Min, lo - pad), Math.Max(range.Max, hi + pad));
    }

    private static int Bin(double value, (double Min, double Max) range, int bins)
    {
        if (!double.IsFinite(value) || value < range.Min || value >= range.Max)
        {
            return -1;
        }
        return Math.Min(bins - 1, (int)((value - range.Min) / (range.Max - range.Min) * bins));
    }

    private static double Clamp(double value, (double Min, double Max) range) => Math.Clamp(value, range.Min, range.Max);

    /// <summary>Dimension values computed as <see cref="GateEvaluator"/> does (compensation reference, then transformation).</summary>
    private sealed class Columns(GatingDocument document, EventMatrix events, SpilloverMatrix? spillover, GatingResult result)
    {
        private readonly Dictionary<string, double[][]> _compensated = new(StringComparer.Ordinal);
        private readonly Dictionary<GateDimension, double[]?> _cache = [];

        public double[]? Values(GateDimension dimension)
        {
            if (_cache.TryGetValue(dimension, out var done))
            {
                return done;
            }
            if (result.DimensionValues(dimension) is { } computed && computed.Length == events.EventCount
                && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(computed, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length)
            {
                return _cache[dimension] = segment.Array;
            }
            double[]? values = null;
            if (dimension is ChannelDimension channel && Raw(channel.Name, channel.CompensationRef) is { } raw)
            {
                values = raw;
                if (channel.TransformationRef is { } t && document.Transformations.TryGetValue(t, out var transformation) && transformation.Scale is { } scale)
                {
                    values = scale.ApplyColumn(raw);
                    if (transformation.BoundMin is not null || transformation.BoundMax is not null)
                    {
                        for (var i = 0; i < values.Length; i++)
                        {
                            values[i] = Math.Clamp(values[i], transformation.BoundMin ?? double.NegativeInfinity, transformation.BoundMax ?? double.PositiveInfinity);
                        }
                    }
                }
                else if (channel.TransformationRef is not null)
                {
                    values = null;
                }
            }
            _cache[dimension] = values;
            return values;
        }

        /// <summary>Side scatter on the scale of the panel's first one-channel transformation, if the events have SSC-A.</summary>
        public GateDimension? SideScatter(GateDimension near)
        {
            var name = events.Names.FirstOrDefault(n => n is "SSC-A" or "SSC-H" or "SSC");
            if (name is null || (near is ChannelDimension c && c.Name == name))
            {
                return null;
            }
            var scale = document.Transformations.Values.FirstOrDefault(t => t.Scale is not null)?.Id;
            return new ChannelDimension(name, CompensationRef.Uncompensated, scale);
        }

        private double[]? Raw(string name, string compensationRef)
        {
            var matrix = compensationRef switch
            {
                CompensationRef.Uncompensated => null,
                CompensationRef.Fcs => spillover,
                _ => document.SpectrumMatrices.GetValueOrDefault(compensationRef),
            };
            if (matrix is not null)
            {
                if (!_compensated.TryGetValue(compensationRef, out var columns))
                {
                    columns = new Compensator(matrix).CompensateColumns(events);
                    _compensated[compensationRef] = columns;
                }
                var f = matrix.Fluorochromes.ToList().IndexOf(name);
                if (f < 0 && matrix.Fluorochromes.Count == matrix.Detectors.Count)
                {
                    f = matrix.Detectors.ToList().IndexOf(name);
                }
                if (f >= 0)
                {
                    return columns[f];
                }
            }
            var index = events.IndexOf(name);
            return index < 0 ? null : events.Column(index).ToArray();
        }
    }
}
