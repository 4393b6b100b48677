namespace MilkCells.Cytometry.Numerics;

/// <summary>LU factorisation with partial pivoting of a small dense square matrix, for inverses and solves.</summary>
/// <remarks>
/// Spillover matrices have tens of channels and covariance matrices a handful, so a plain Doolittle LU
/// (Golub &amp; Van Loan, Matrix Computations, 4th ed., alg. 3.4.1) is exact enough and needs no dependency.
/// Singularity is judged against the largest entry: a pivot below n·ε·max|a| counts as zero.
/// </remarks>
internal sealed class DenseLu
{
    private const double MachineEpsilon = 2.220446049250313e-16; // 2^-52

    private readonly double[,] _lu;
    private readonly int[] _pivot;

    private DenseLu(double[,] lu, int[] pivot)
    {
        _lu = lu;
        _pivot = pivot;
    }

    public int Size => _pivot.Length;

    /// <summary>Factorises <paramref name="a"/>; null when it is singular to working precision.</summary>
    public static DenseLu? TryFactor(double[,] a)
    {
        var n = a.GetLength(0);
        if (a.GetLength(1) != n)
        {
            throw new ArgumentException("matrix is not square", nameof(a));
        }
        var lu = (double[,])a.Clone();
        var pivot = new int[n];
        var scale = 0.0;
        foreach (var v in a)
        {
            if (!double.IsFinite(v))
            {
                return null;
            }
            scale = Math.Max(scale, Math.Abs(v));
        }
        var tiny = n * MachineEpsilon * scale;
        for (var k = 0; k < n; k++)
        {
            var p = k;
            var best = Math.Abs(lu[k, k]);
            for (var i = k + 1; i < n; i++)
            {
                var v = Math.Abs(lu[i, k]);
                if (v > best)
                {
                    best = v;
                    p = i;
                }
            }
            if (best <= tiny)
            {
                return null;
            }
            pivot[k] = p;
            if (p != k)
            {
                for (var j = 0; j < n; j++)
                {
                    (lu[k, j], lu[p, j]) = (lu[p, j], lu[k, j]);
                }
            }
            for (var i = k + 1; i < n; i++)
            {
                var factor = lu[i, k] /= lu[k, k];
                if (factor == 0)
                {
                    continue;
                }
                for (var j = k + 1; j < n; j++)
                {
                    lu[i, j] -= factor * lu[k, j];
                }
            }
        }
        return new DenseLu(lu, pivot);
    }

    /// <summary>Solves A·x = b in place.</summary>
    public void Solve(Span<double> b)
    {
        var n = Size;
        for (var k = 0; k < n; k++)
        {
            if (_pivot[k] != k)
            {
                (b[k], b[_pivot[k]]) = (b[_pivot[k]], b[k]);
            }
        }
        for (var i = 1; i < n; i++)
        {
            var sum = b[i];
            for (var j = 0; j < i; j++)
            {
                sum -= _lu[i, j] * b[j];
            }
            b[i] = sum;
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var j = i + 1; j < n; j++)
            {
                sum -= _lu[i, j] * b[j];
            }
            b[i] = sum / _lu[i, i];
        }
    }

    /// <summary>The inverse A⁻¹.</summary>
    public double[,] Inverse()
    {
        var n = Size;
        var inverse = new double[n, n];
        var column = new double[n];
        for (var j = 0; j < n; j++)
        {
            Array.Clear(column);
            column[j] = 1;
            Solve(column);
            for (var i = 0; i < n; i++)
            {
                inverse[i, j] = column[i];
            }
        }
        return inverse;
    }
}
