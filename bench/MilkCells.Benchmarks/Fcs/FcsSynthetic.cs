using MilkCells.Fcs;

namespace MilkCells.Benchmarks.Fcs;

/// <summary>Synthetic FCS files for the benchmarks: ~100 MB float, 16-bit and 24-bit files, and a 1 GB float file.</summary>
/// <remarks>
/// Big-endian like BD instruments; 12 parameters; 16-bit channels with $PnR = 1024 so the $PnR mask is exercised.
/// Values come from a seeded generator (deterministic files).
/// </remarks>
public static class FcsSynthetic
{
    public const int Parameters = 12;

    public static string Float100Mb(string dir) => Make(dir, "float-100MB.fcs", FcsDataType.Float, 32, 100_000_000);

    public static string Int16_100Mb(string dir) => Make(dir, "int16-100MB.fcs", FcsDataType.Integer, 16, 100_000_000);

    public static string Int24_100Mb(string dir) => Make(dir, "int24-100MB.fcs", FcsDataType.Integer, 24, 100_000_000);

    public static string Float1Gb(string dir) => Make(dir, "float-1GB.fcs", FcsDataType.Float, 32, 1_000_000_000);

    public static void WriteAll(string dir, bool includeGigabyte)
    {
        Directory.CreateDirectory(dir);
        Console.WriteLine(Float100Mb(dir));
        Console.WriteLine(Int16_100Mb(dir));
        Console.WriteLine(Int24_100Mb(dir));
        if (includeGigabyte)
        {
            Console.WriteLine(Float1Gb(dir));
        }
    }

    /// <summary>Writes the file unless it already exists with the right size; returns its path.</summary>
    public static string Make(string dir, string name, FcsDataType type, int bits, long approximateBytes)
    {
        var path = Path.Combine(dir, name);
        var rowBytes = Parameters * bits / 8;
        var events = approximateBytes / rowBytes;
        if (File.Exists(path) && new FileInfo(path).Length > events * rowBytes)
        {
            return path;
        }
        var parameters = Enumerable.Range(1, Parameters).Select(i => new FcsWriteParameter(
            i == Parameters ? "Time" : $"FL{i}-A", DataType: type, Bits: type == FcsDataType.Integer ? bits : null,
            Range: type == FcsDataType.Integer && bits == 16 ? "1024" : null)).ToList();
        var max = type == FcsDataType.Integer ? (bits == 16 ? 1024 : 1 << bits) : 262144.0;
        var rng = new Random(42);
        using var stream = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using (var writer = FcsWriter.Create(stream, parameters, events, new FcsWriteOptions { BigEndian = true, Cytometer = "synthetic" }))
        {
            var chunk = new double[Parameters * 65536];
            for (long e = 0; e < events; e += 65536)
            {
                var n = (int)Math.Min(65536, events - e);
                for (var i = 0; i < n * Parameters; i++)
                {
                    var x = rng.NextDouble() * max;
                    chunk[i] = type == FcsDataType.Integer ? Math.Floor(x) : (float)x;
                }
                writer.WriteEvents(chunk.AsSpan(0, n * Parameters));
            }
            writer.Complete();
        }
        stream.Close();
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }
}
