using BenchmarkDotNet.Attributes;
using MilkCells.Fcs;

namespace MilkCells.Benchmarks.Fcs;

/// <summary>
/// In-process FCS reading: the whole event matrix into doubles, and a streaming min/max/mean pass (what
/// <c>fcs info --stats</c> does), on ~100 MB float, 16-bit and 24-bit files. MB/s = file size / mean time.
/// </summary>
[MemoryDiagnoser]
public class FcsReadBenchmarks
{
    private string _path = "";

    [Params("float32", "int16", "int24")]
    public string Layout { get; set; } = "float32";

    [GlobalSetup]
    public void Setup()
    {
        var dir = Path.Combine(Path.GetTempPath(), "milkcells-fcs-bench");
        Directory.CreateDirectory(dir);
        _path = Layout switch
        {
            "int16" => FcsSynthetic.Int16_100Mb(dir),
            "int24" => FcsSynthetic.Int24_100Mb(dir),
            _ => FcsSynthetic.Float100Mb(dir),
        };
    }

    /// <summary>The floor: the file's bytes through the same 256 KiB buffer, decoding nothing (page cache to memory).</summary>
    [Benchmark(Baseline = true)]
    public long ReadBytesOnly()
    {
        using var handle = File.OpenHandle(_path);
        var buffer = new byte[256 * 1024];
        long total = 0;
        int n;
        while ((n = RandomAccess.Read(handle, buffer, total)) > 0)
        {
            total += n;
        }
        return total;
    }

    [Benchmark]
    public int ReadAllEvents()
    {
        using var fcs = FcsFile.Open(_path);
        return fcs.First.ReadEvents().Values.Length;
    }

    [Benchmark]
    public double StreamStatistics()
    {
        using var fcs = FcsFile.Open(_path);
        return FcsStatistics.Compute(fcs.First)[0].Mean;
    }
}

/// <summary>Streaming statistics over a 1 GB float file: memory stays at the read buffer whatever the file size.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class FcsGigabyteBenchmarks
{
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        var dir = Path.Combine(Path.GetTempPath(), "milkcells-fcs-bench");
        Directory.CreateDirectory(dir);
        _path = FcsSynthetic.Float1Gb(dir);
    }

    [Benchmark]
    public double StreamStatistics1Gb()
    {
        using var fcs = FcsFile.Open(_path);
        return FcsStatistics.Compute(fcs.First)[0].Mean;
    }
}
