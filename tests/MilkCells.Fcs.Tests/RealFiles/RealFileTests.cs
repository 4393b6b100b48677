using MilkCells.Fcs;
using MilkCells.TestSupport;

namespace MilkCells.Fcs.Tests.RealFiles;

/// <summary>Every real file in ../shared/fcs/files against what fcsparser 0.2.8 and FlowIO 1.4.0 returned.</summary>
public class RealFileTests
{
    private const string FlowIo = "flowio-1.4.0/raw";

    public static TheoryData<string> Files => new(Expectation.All.Select(e => e.File));

    [Fact]
    public void The_expectation_table_covers_exactly_the_shared_files()
    {
        var dir = Shared.Require("fcs/files");
        var onDisk = Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(onDisk, Expectation.All.Select(e => e.File).Order(StringComparer.Ordinal).ToList());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Reads_like_the_references_or_fails_as_expected(string name)
    {
        var expectation = Expectation.All.Single(e => e.File == name);
        var path = Path.Combine(Shared.Require("fcs/files"), name);
        var references = ReferenceDump.Load(name);

        if (expectation.Rejected is { } problem)
        {
            var ex = Assert.Throws<FcsFormatException>(() => FcsFile.Open(path));
            Assert.Equal(problem, ex.Kind);
            Assert.StartsWith($"{path} @ byte {ex.ByteOffset}: ", ex.Message);
            Assert.All(references.Values, r => Assert.True(r.Failed, $"{r.Key} read this file; rejecting it needs a better reason"));
            Assert.False(string.IsNullOrEmpty(expectation.Why));
            return;
        }

        using var fcs = FcsFile.Open(path);
        Assert.Equal(expectation.DataSets, fcs.DataSets.Count);
        foreach (var set in fcs.DataSets)
        {
            var key = expectation.KeyFor(set.Index);
            var reference = references[key];
            Assert.False(reference.Failed, $"{key} failed: {reference.Error}");
            var events = set.ReadEvents();
            Assert.Equal(reference.Events, set.EventCount);
            Assert.Equal(reference.Parameters, set.ParameterCount);
            var sha = ReferenceDump.Sha256(events.Values);
            Assert.True(reference.Sha256 == sha,
                $"data set {set.Index}: SHA-256 {sha} differs from {key}'s {reference.Sha256}; first row ours " +
                $"[{string.Join(", ", events.Row(0).ToArray())}] vs [{string.Join(", ", reference.FirstRows[0])}]");

            var names = set.Parameters.Select(p => p.Name).ToList();
            if (expectation.NamesDiffer is null)
            {
                if (set.Index == 0 && references.TryGetValue(FlowIo, out var flowio) && !flowio.Failed)
                {
                    Assert.Equal(flowio.Channels, names);
                }
                if (key.StartsWith("fcsparser", StringComparison.Ordinal))
                {
                    Assert.Equal(reference.Channels, ReferenceDump.FcsparserNames(set));
                }
            }
            else
            {
                // FlowIO lost names to the escaped-delimiter reading: its list is ours with some left out.
                var flowio = references[FlowIo];
                Assert.True(flowio.Channels.Count < names.Count);
                Assert.Equal(flowio.Channels, names.Where(flowio.Channels.Contains).ToList());
            }
        }

        // Every difference from fcsparser is explained.
        foreach (var (key, reference) in references.Where(r => r.Key.StartsWith("fcsparser", StringComparison.Ordinal)))
        {
            var k = int.Parse(key[(key.IndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var differs = reference.Failed || k >= fcs.DataSets.Count || expectation.KeyFor(k) != key;
            if (differs)
            {
                Assert.False(string.IsNullOrEmpty(expectation.Why), $"{name}: we differ from {key} without a reason in the table");
            }
        }

        var kinds = fcs.DataSets.SelectMany(s => s.Warnings).Concat(fcs.Warnings).Select(w => w.Kind).ToHashSet();
        foreach (var kind in expectation.Warnings ?? [])
        {
            Assert.Contains(kind, kinds);
        }
    }

    [Fact]
    public void Every_warning_on_a_real_file_points_inside_it()
    {
        var dir = Shared.Require("fcs/files");
        foreach (var e in Expectation.All.Where(e => e.Rejected is null))
        {
            using var fcs = FcsFile.Open(Path.Combine(dir, e.File));
            foreach (var w in fcs.DataSets.SelectMany(s => s.Warnings))
            {
                Assert.NotNull(w.ByteOffset);
                Assert.InRange(w.ByteOffset!.Value, 0, fcs.Length - 1);
            }
        }
    }

    [Fact]
    public void FlowIO_truth_raw_events_of_data1_match()
    {
        var path = Path.Combine(Shared.Require("fcs/files"), "FlowIO--data1.fcs");
        var truth = ReadCsv(Path.Combine(Shared.Require("fcs/reference"), "flowio-truth--data1_original_events.csv"));
        using var fcs = FcsFile.Open(path);
        Assert.Equal(truth, fcs.First.ReadEvents().Values);
    }

    [Theory]
    [InlineData("FlowIO--data1.fcs", "flowio-truth--data1_preprocessed.csv")]
    [InlineData("FlowIO--B01_KC-A-W---91-US.fcs", "flowio-truth--B01_KC-A-W---91-US_preprocessed_events.csv")]
    public void Scaled_values_match_FlowIO_preprocessing(string file, string truthFile)
    {
        // FlowIO's preprocessing: $PnE decoding (f2 = 0 read as 1), division by $PnG, time × $TIMESTEP.
        var path = Path.Combine(Shared.Require("fcs/files"), file);
        var truth = ReadCsv(Path.Combine(Shared.Require("fcs/reference"), truthFile));
        using var fcs = FcsFile.Open(path);
        var scaled = fcs.First.ReadEvents(FcsValues.Scaled).Values;
        Assert.Equal(truth.Length, scaled.Length);
        for (var i = 0; i < truth.Length; i++)
        {
            // pow() may differ in its last bits between C libraries: a relative 1e-14 (about 50 ulps) is allowed.
            Assert.True(Math.Abs(truth[i] - scaled[i]) <= 1e-14 * Math.Abs(truth[i]),
                $"value {i}: {scaled[i]} vs FlowIO {truth[i]}");
        }
    }

    internal static double[] ReadCsv(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0)
            .SelectMany(l => l.Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
}
