using MilkCells.Core.Random;

namespace MilkCells.Core.Tests;

public class RandomStreamTests
{
    [Fact]
    public void Same_seed_and_path_give_the_same_sequence()
    {
        var a = RandomStream.Derive(42, 7, 3);
        var b = RandomStream.Derive(42, 7, 3);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }
    }

    [Fact]
    public void Different_paths_give_different_streams()
    {
        var seen = new HashSet<ulong>();
        for (ulong i = 0; i < 10_000; i++)
        {
            var s = RandomStream.Derive(1, i);
            Assert.True(seen.Add(s.NextUInt64()), $"stream {i} repeats another stream's first value");
        }
        Assert.NotEqual(RandomStream.DeriveSeed(1, [1]), RandomStream.DeriveSeed(1, [1, 0]));
        Assert.NotEqual(RandomStream.DeriveSeed(1, [1, 2]), RandomStream.DeriveSeed(1, [2, 1]));
    }

    [Fact]
    public void Xoshiro_matches_the_reference_implementation()
    {
        // The first outputs of the authors' reference C code (xoshiro256starstar.c), run here with state {1, 2, 3, 4}.
        var s = RandomStream.FromState(1, 2, 3, 4);
        Assert.Equal(11520UL, s.NextUInt64());
        Assert.Equal(0UL, s.NextUInt64());
        Assert.Equal(1509978240UL, s.NextUInt64());
        Assert.Equal(1215971899390074240UL, s.NextUInt64());
    }

    [Fact]
    public void Uniforms_stay_in_their_intervals()
    {
        var s = RandomStream.Derive(5, 0);
        for (var i = 0; i < 100_000; i++)
        {
            var u = s.NextDouble();
            Assert.InRange(u, 0.0, Math.BitDecrement(1.0));
            var v = s.NextDoubleNonZero();
            Assert.True(v > 0 && v <= 1);
            Assert.InRange(s.NextBelow(7), 0UL, 6UL);
        }
    }
}
