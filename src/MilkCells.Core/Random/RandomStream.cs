using System.Runtime.CompilerServices;

namespace MilkCells.Core.Random;

/// <summary>A deterministic pseudo-random stream (xoshiro256**), derived from a root seed and a path.</summary>
/// <remarks>
/// Generator: xoshiro256** 1.0, Blackman &amp; Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 47(4):36 (2021), doi:10.1145/3460772. State is seeded with SplitMix64 (Steele, Lea &amp; Flood 2014,
/// doi:10.1145/2714064.2660195), the seeding the authors recommend.
/// <para>
/// There is never a global generator. <see cref="Derive(ulong, ReadOnlySpan{ulong})"/> hashes a root seed and a path
/// (for example cohort, mother, trajectory, replicate) into an independent stream, so a result depends only on
/// the seed and the path, never on the thread count, the order of work or the sharding.
/// </para>
/// It is a mutable struct for speed in inner loops: pass it by <c>ref</c>, never copy it by accident.
/// </remarks>
public struct RandomStream
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds a stream directly from one 64-bit value.</summary>
    public RandomStream(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            _s0 = 0x9E3779B97F4A7C15UL; // the all-zero state is the one xoshiro forbids
        }
    }

    /// <summary>A stream with an explicit internal state (for checkpoints and reference tests); not all zero.</summary>
    public static RandomStream FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("the all-zero state is not allowed");
        }
        var r = default(RandomStream);
        r._s0 = s0;
        r._s1 = s1;
        r._s2 = s2;
        r._s3 = s3;
        return r;
    }

    /// <summary>The stream for <paramref name="path"/> under <paramref name="rootSeed"/>.</summary>
    public static RandomStream Derive(ulong rootSeed, ReadOnlySpan<ulong> path) => new(DeriveSeed(rootSeed, path));

    /// <summary>The stream for one path element under <paramref name="rootSeed"/>.</summary>
    public static RandomStream Derive(ulong rootSeed, ulong a) => Derive(rootSeed, [a]);

    /// <summary>The stream for a two-element path under <paramref name="rootSeed"/>.</summary>
    public static RandomStream Derive(ulong rootSeed, ulong a, ulong b) => Derive(rootSeed, [a, b]);

    /// <summary>The stream for a three-element path under <paramref name="rootSeed"/>.</summary>
    public static RandomStream Derive(ulong rootSeed, ulong a, ulong b, ulong c) => Derive(rootSeed, [a, b, c]);

    /// <summary>Hashes a root seed and a path into a 64-bit seed; distinct paths give unrelated seeds.</summary>
    /// <remarks>Each element is folded in with the SplitMix64 finaliser and the path length is included, so
    /// <c>[1]</c> and <c>[1, 0]</c> differ.</remarks>
    public static ulong DeriveSeed(ulong rootSeed, ReadOnlySpan<ulong> path)
    {
        var h = Mix(rootSeed ^ 0x6A09E667F3BCC908UL);
        for (var i = 0; i < path.Length; i++)
        {
            h = Mix(h + 0x9E3779B97F4A7C15UL * (ulong)(i + 1) ^ Mix(path[i] + 0xBB67AE8584CAA73BUL));
        }
        return Mix(h ^ (ulong)path.Length);
    }

    /// <summary>A stable 64-bit label for a text path element (FNV-1a), for deriving streams by name.</summary>
    public static ulong Label(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var ch in text)
        {
            h ^= ch;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        var result = BitRotate(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitRotate(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    /// <remarks>The 53-bit integer is converted as a signed one (the same value): one instruction, where an
    /// unsigned 64-bit conversion costs a branch or a fix-up sequence on x64.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (long)(NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform on (0, 1]: safe to take the logarithm of.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDoubleNonZero() => ((long)(NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform integer on [0, <paramref name="n"/>), unbiased (Lemire 2019, doi:10.1145/3230636).</summary>
    public ulong NextBelow(ulong n)
    {
        if (n == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "n must be positive");
        }
        var x = NextUInt64();
        var m = Math.BigMul(x, n, out var low);
        if (low < n)
        {
            var threshold = (0 - n) % n;
            while (low < threshold)
            {
                x = NextUInt64();
                m = Math.BigMul(x, n, out low);
            }
        }
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BitRotate(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
