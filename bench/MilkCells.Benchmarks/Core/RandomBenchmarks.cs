using BenchmarkDotNet.Attributes;
using MilkCells.Core.Random;

namespace MilkCells.Benchmarks.Core;

/// <summary>Cost of the random primitives every simulation leans on.</summary>
[MemoryDiagnoser]
public class RandomBenchmarks
{
    private RandomStream _rng = RandomStream.Derive(1, 1);

    [Benchmark(OperationsPerInvoke = 1000)]
    public ulong NextUInt64()
    {
        ulong acc = 0;
        for (var i = 0; i < 1000; i++)
        {
            acc ^= _rng.NextUInt64();
        }
        return acc;
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public long PoissonMean50()
    {
        long acc = 0;
        for (var i = 0; i < 1000; i++)
        {
            acc += Samplers.Poisson(ref _rng, 50);
        }
        return acc;
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public long BinomialLarge()
    {
        long acc = 0;
        for (var i = 0; i < 1000; i++)
        {
            acc += Samplers.Binomial(ref _rng, 1_000_000, 0.673);
        }
        return acc;
    }
}
