using System.Globalization;
using System.Text;
using MilkCells.Fcs;
using MilkCells.Fcs.Tests.RealFiles;
using MilkCells.TestSupport;

namespace MilkCells.Fcs.Tests.Robustness;

/// <summary>
/// Thousands of seeded mutations of the real files (truncation, damaged offsets and keywords, huge $PAR/$TOT, junk):
/// the reader must finish, throw nothing but <see cref="FcsFormatException"/>, and allocate no more than the bytes
/// it was given allow.
/// </summary>
public class MutationTests
{
    private const int Mutations = 4000;
    private const int Seed = 20240611;

    // Allocation bound: events as doubles take at most 8 bytes per DATA byte (8-bit integers); the TEXT copy, its
    // UTF-16 strings and the keyword table a few more per TEXT byte; plus 2 MiB for pooled read buffers and fixed
    // overhead. Observed worst case over these mutations: under 2 bytes per input byte above the allowance.
    private const long BytesPerInputByte = 16;
    private const long FixedAllowance = 2 << 20;

    private static readonly string[] Keys =
    [
        "$TOT", "$PAR", "$P1B", "$P2B", "$P1R", "$BEGINDATA", "$ENDDATA", "$NEXTDATA", "$BYTEORD", "$DATATYPE", "$MODE",
        "$BEGINSTEXT", "$ENDSTEXT", "$BEGINANALYSIS", "$ENDANALYSIS", "$P1E", "$P1DATATYPE", "$P1N",
    ];

    private static readonly string[] Values =
    [
        "999999999999999999", "2147483647", "4294967296", "-1", "0", "", "abc", "1e300", "NaN", "  7  ", "99999999",
        "3,4,1,2", "1,1", "*", "12", "A", "D", "C", "1,2,3,4,5,6,7,8,9", "000000000000",
    ];

    [Fact]
    public async Task Mutated_real_files_fail_cleanly_without_hanging_or_over_allocating()
    {
        var dir = Shared.Require("fcs/files");
        var originals = Expectation.All.Select(e => File.ReadAllBytes(Path.Combine(dir, e.File))).ToArray();
        var current = "";
        var worst = 0.0;
        var outcomes = new Dictionary<string, int>();
        var work = Task.Run(() =>
        {
            var rng = new Random(Seed);
            var buffer = new double[1 << 15];
            for (var i = 0; i < Mutations; i++)
            {
                var source = originals[rng.Next(originals.Length)];
                var (bytes, description) = Mutate(source, rng);
                current = $"mutation {i} (seed {Seed}): {description}";
                var before = GC.GetAllocatedBytesForCurrentThread();
                string outcome;
                try
                {
                    using var fcs = FcsFile.Parse(bytes, "mutant.fcs");
                    foreach (var set in fcs.DataSets)
                    {
                        using var reader = set.OpenEvents();
                        while (reader.Read(buffer) > 0)
                        {
                        }
                        if (set.EventCount * set.ParameterCount < 4_000_000)
                        {
                            set.ReadEvents();
                        }
                    }
                    outcome = "read";
                }
                catch (FcsFormatException ex)
                {
                    Assert.True(ex.ByteOffset >= 0 && ex.ByteOffset <= bytes.Length, $"{current}: offset {ex.ByteOffset} outside the {bytes.Length}-byte input: {ex.Message}");
                    outcome = ex.Kind.ToString();
                }
                catch (Exception ex)
                {
                    Assert.Fail($"{current}: {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
                    return;
                }
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                var allowed = BytesPerInputByte * bytes.Length + FixedAllowance;
                Assert.True(allocated <= allowed, $"{current}: allocated {allocated} bytes for a {bytes.Length}-byte input");
                worst = Math.Max(worst, (allocated - FixedAllowance) / (double)Math.Max(1, bytes.Length));
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }, TestContext.Current.CancellationToken);
        // A generous watchdog: the whole run takes seconds; a hang shows which mutation hung.
        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromMinutes(10), TestContext.Current.CancellationToken));
        Assert.True(finished == work, $"the reader hung on {current}");
        await work;
        // Both outcomes must occur, or the mutations are not exercising anything.
        Assert.True(outcomes.GetValueOrDefault("read") > 0 && outcomes.Count > 3, string.Join(", ", outcomes));
        TestContext.Current.SendDiagnosticMessage($"outcomes: {string.Join(", ", outcomes.OrderBy(o => o.Key))}; worst allocation above the fixed allowance {worst:F1} bytes per input byte");
    }

    private static (byte[] Bytes, string Description) Mutate(byte[] original, Random rng)
    {
        var bytes = (byte[])original.Clone();
        var textEnd = (int)Math.Min(bytes.Length, TextEnd(original) + 1);
        switch (rng.Next(8))
        {
            case 0:
            {
                var keep = rng.Next(bytes.Length + 1);
                return (bytes[..keep], $"truncated to {keep} bytes");
            }
            case 1:
            {
                if (bytes.Length < 58)
                {
                    return (bytes, "short file unchanged");
                }
                var field = rng.Next(6);
                string[] junk = ["        ", "99999999", "       0", "-0000001", "abcdefgh", "   1e3  ", RandomDigits(rng, 8)];
                var text = junk[rng.Next(junk.Length)];
                Encoding.ASCII.GetBytes(text).CopyTo(bytes, 10 + 8 * field);
                return (bytes, $"HEADER field {field} = \"{text}\"");
            }
            case 2:
            case 3:
            {
                var key = Keys[rng.Next(Keys.Length)];
                var value = Values[rng.Next(Values.Length)];
                return (ReplaceValue(bytes, textEnd, key, value), $"{key} = \"{value}\"");
            }
            case 4:
            {
                var flips = rng.Next(1, 20);
                for (var k = 0; k < flips; k++)
                {
                    bytes[rng.Next(Math.Max(1, textEnd))] = (byte)rng.Next(256);
                }
                return (bytes, $"{flips} random bytes in HEADER/TEXT");
            }
            case 5:
            {
                var at = rng.Next(Math.Max(1, textEnd));
                var count = rng.Next(1, 64);
                var insert = rng.Next(2) == 0;
                var list = bytes.ToList();
                if (insert)
                {
                    list.InsertRange(Math.Min(at, list.Count), Enumerable.Range(0, count).Select(_ => (byte)rng.Next(256)));
                }
                else
                {
                    list.RemoveRange(Math.Min(at, list.Count), Math.Min(count, list.Count - Math.Min(at, list.Count)));
                }
                return (list.ToArray(), $"{(insert ? "inserted" : "deleted")} {count} bytes at {at}");
            }
            case 6:
            {
                var huge = rng.Next(2) == 0 ? "$TOT" : "$PAR";
                var value = rng.Next(3) switch { 0 => "9223372036854775807", 1 => "100000000000", _ => "2000000000" };
                return (ReplaceValue(bytes, textEnd, huge, value), $"huge {huge} = {value}");
            }
            default:
            {
                var length = rng.Next(0, 4096);
                var junk = new byte[length];
                rng.NextBytes(junk);
                if (length >= 10 && rng.Next(2) == 0)
                {
                    Encoding.ASCII.GetBytes("FCS3.1    ").CopyTo(junk, 0);
                }
                return (junk, $"{length} bytes of junk");
            }
        }
    }

    private static long TextEnd(byte[] bytes) =>
        bytes.Length >= 26 && long.TryParse(Encoding.ASCII.GetString(bytes, 18, 8).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var te)
            ? te : Math.Min(bytes.Length, 4096);

    /// <summary>Rewrites the value after "KEY&lt;delimiter&gt;" inside TEXT (lengths may change, so offsets may break too).</summary>
    private static byte[] ReplaceValue(byte[] bytes, int textEnd, string key, string value)
    {
        var head = bytes.AsSpan(0, Math.Min(textEnd, bytes.Length));
        var at = IndexOfIgnoreCase(head, Encoding.ASCII.GetBytes(key));
        if (at < 1)
        {
            return bytes;
        }
        var delimiter = bytes[at + key.Length];
        var start = at + key.Length + 1;
        var end = start;
        while (end < head.Length && bytes[end] != delimiter)
        {
            end++;
        }
        return [.. bytes.AsSpan(0, start), .. Encoding.ASCII.GetBytes(value), .. bytes.AsSpan(end)];
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length < haystack.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = char.ToUpperInvariant((char)haystack[i + j]) == (char)needle[j];
            }
            if (match && haystack[i + needle.Length] is < (byte)'0' or > (byte)'9')
            {
                return i;
            }
        }
        return -1;
    }

    private static string RandomDigits(Random rng, int n) => string.Concat(Enumerable.Range(0, n).Select(_ => (char)('0' + rng.Next(10))));
}
