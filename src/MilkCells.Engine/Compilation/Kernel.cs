using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MilkCells.Engine.Compilation;

/// <summary>One reaction's propensity in product form, c·Π(αᵢ·v[sᵢ] + βᵢ), or a pointer to its bytecode.</summary>
/// <remarks>Unused factors read the constant-one slot with α = 1, β = 0, so evaluation is branch-free.</remarks>
[StructLayout(LayoutKind.Sequential)]
internal struct Kernel
{
    public double C;
    public double A0;
    public double B0;
    public double A1;
    public double B1;
    public double A2;
    public double B2;
    public int S0;
    public int S1;
    public int S2;

    /// <summary>Index of the bytecode rate in <see cref="CompiledNetwork.GeneralRates"/>, or −1 for product form.</summary>
    public int General;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Product(double[] v) =>
        C * (A0 * v[S0] + B0) * (A1 * v[S1] + B1) * (A2 * v[S2] + B2);

    /// <summary><see cref="Product(double[])"/> without bounds checks; slots were validated at compile time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Product(ref double v0) =>
        C * (A0 * Unsafe.Add(ref v0, S0) + B0) * (A1 * Unsafe.Add(ref v0, S1) + B1) * (A2 * Unsafe.Add(ref v0, S2) + B2);

    public static Kernel Unit => new() { C = 1, A0 = 1, A1 = 1, A2 = 1, General = -1 };

    public void Set(int field, double value)
    {
        switch (field)
        {
            case 0: C = value; break;
            case 1: A0 = value; break;
            case 2: B0 = value; break;
            case 3: A1 = value; break;
            case 4: B1 = value; break;
            case 5: A2 = value; break;
            case 6: B2 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }
}

/// <summary>A product-form kernel in the shape the exact loop evaluates: c·Π(v[sᵢ] + bᵢ), with each αᵢ folded
/// into c and each constant factor (α = 0) into c as well.</summary>
/// <remarks>
/// c·Π(αᵢ·xᵢ + βᵢ) = (c·Πα)·Π(xᵢ + βᵢ/αᵢ): three multiplications and three loads fewer per evaluation. For mass
/// action (α = 1) every number is the same as in <see cref="Kernel"/>, so propensities are bit-identical; for other
/// product forms they agree to rounding. Rebuilt from the <see cref="Kernel"/> whenever its coefficients change.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal struct FlatKernel
{
    public double C;
    public double B0;
    public double B1;
    public double B2;
    public int S0;
    public int S1;
    public int S2;

    /// <summary>The flat form of <paramref name="k"/> (a bytecode kernel gives a NaN coefficient, never evaluated).</summary>
    public static FlatKernel From(in Kernel k)
    {
        if (k.General >= 0)
        {
            return new FlatKernel { C = double.NaN };
        }
        var f = new FlatKernel { C = k.C };
        Fold(ref f.C, k.A0, k.B0, k.S0, out f.B0, out f.S0);
        Fold(ref f.C, k.A1, k.B1, k.S1, out f.B1, out f.S1);
        Fold(ref f.C, k.A2, k.B2, k.S2, out f.B2, out f.S2);
        return f;

        static void Fold(ref double c, double alpha, double beta, int slot, out double b, out int s)
        {
            if (alpha == 0)
            {
                c *= beta;
                (b, s) = (0, CompiledNetwork.OneSlot);
            }
            else
            {
                c *= alpha;
                (b, s) = (alpha == 1 ? beta : beta / alpha, slot);
            }
        }
    }

    /// <summary>The propensity, two factors or three (when <paramref name="third"/>); slots were validated at compile time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Product(ref double v0, bool third)
    {
        var p = C * (Unsafe.Add(ref v0, S0) + B0) * (Unsafe.Add(ref v0, S1) + B1);
        return third ? p * (Unsafe.Add(ref v0, S2) + B2) : p;
    }
}

