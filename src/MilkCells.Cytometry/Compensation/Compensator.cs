using System.Numerics;
using System.Runtime.CompilerServices;
using MilkCells.Core.Errors;

namespace MilkCells.Cytometry.Compensation;

/// <summary>Compensates events with a spillover matrix: compensated = measured · M, M the (pseudo-)inverse, computed once.</summary>
/// <remarks>
/// Works a column at a time: each compensated column is a sum of detector columns scaled by one column of M, an
/// a·x + y loop in SIMD registers, split across cores for long columns. See <see cref="SpilloverMatrix"/> for the model.
/// </remarks>
public sealed class Compensator
{
    private readonly double[,] _matrix;

    /// <summary>A compensator for <paramref name="spillover"/>.</summary>
    /// <exception cref="InputException">The spillover matrix is singular.</exception>
    public Compensator(SpilloverMatrix spillover)
    {
        Spillover = spillover ?? throw new ArgumentNullException(nameof(spillover));
        _matrix = spillover.CompensationMatrix();
    }

    /// <summary>The spillover matrix compensated for.</summary>
    public SpilloverMatrix Spillover { get; }

    /// <summary>The compensation matrix M (detectors × fluorochromes).</summary>
    public double[,] Matrix => (double[,])_matrix.Clone();

    /// <summary>The compensated values, one column per fluorochrome in the matrix's order.</summary>
    /// <exception cref="InputException">A detector of the matrix is not a channel of <paramref name="events"/>.</exception>
    public double[][] CompensateColumns(EventMatrix events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var sources = DetectorColumns(events, Spillover.Detectors);
        return Multiply(sources, _matrix, events.EventCount);
    }

    /// <summary>The events with compensated values: detector channels replaced when fluorochromes are named by detectors, otherwise fluorochrome channels appended.</summary>
    public EventMatrix Apply(EventMatrix events)
    {
        var columns = CompensateColumns(events);
        var named = new List<(string, double[])>(columns.Length);
        for (var j = 0; j < columns.Length; j++)
        {
            named.Add((Spillover.Fluorochromes[j], columns[j]));
        }
        return events.With(named);
    }

    /// <summary>Undoes compensation: measured = compensated · S (square matrices named by detectors), for round-trip checks and simulation.</summary>
    public EventMatrix Reverse(EventMatrix compensated)
    {
        ArgumentNullException.ThrowIfNull(compensated);
        if (!Spillover.NamedByDetectors)
        {
            throw new InvalidOperationException("reversing needs fluorochromes named by their detectors");
        }
        var spill = Spillover.InvertedAlready
            ? (Numerics.DenseLu.TryFactor(_matrix) ?? throw new InvalidOperationException("singular compensation matrix")).Inverse()
            : Spillover.ToArray();
        var sources = DetectorColumns(compensated, Spillover.Fluorochromes);
        var columns = Multiply(sources, spill, compensated.EventCount);
        var named = new List<(string, double[])>(columns.Length);
        for (var j = 0; j < columns.Length; j++)
        {
            named.Add((Spillover.Detectors[j], columns[j]));
        }
        return compensated.With(named);
    }

    private static ReadOnlyMemory<double>[] DetectorColumns(EventMatrix events, IReadOnlyList<string> names)
    {
        var missing = names.Where(n => events.IndexOf(n) < 0).ToList();
        if (missing.Count > 0)
        {
            throw new InputException(new InputLocation(Element: "compensation"),
                $"the spillover matrix names channel(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} that the events lack; their channels are: {string.Join(", ", events.Names)}");
        }
        return names.Select(n => events.ColumnMemory(events.IndexOf(n))).ToArray();
    }

    /// <summary>out[j] = Σₖ source[k]·m[k, j], column by column.</summary>
    private static double[][] Multiply(ReadOnlyMemory<double>[] sources, double[,] m, int count)
    {
        var outputs = m.GetLength(1);
        var result = new double[outputs][];
        for (var j = 0; j < outputs; j++)
        {
            result[j] = new double[count];
        }
        Transforms.ColumnParallel.For(count, (start, length) =>
        {
            for (var j = 0; j < outputs; j++)
            {
                var target = result[j].AsSpan(start, length);
                for (var k = 0; k < sources.Length; k++)
                {
                    var factor = m[k, j];
                    if (factor != 0)
                    {
                        MultiplyAdd(sources[k].Span.Slice(start, length), factor, target);
                    }
                }
            }
        });
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a Vector<T> loop: no ReadyToRun code, so compiled optimised at once rather than at tier 0
    private static void MultiplyAdd(ReadOnlySpan<double> x, double factor, Span<double> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var f = new Vector<double>(factor);
            var last = x.Length - Vector<double>.Count;
            for (; i <= last; i += Vector<double>.Count)
            {
                var v = new Vector<double>(x.Slice(i)) * f + new Vector<double>(y.Slice(i));
                v.CopyTo(y.Slice(i));
            }
        }
        for (; i < x.Length; i++)
        {
            y[i] += x[i] * factor;
        }
    }
}
