using MilkCells.Core.Errors;
using MilkCells.Cytometry.Compensation;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>Compensation from FCS keywords and matrix files, checked on the shared FlowKit and flowCore data.</summary>
public class CompensationTests
{
    private static EventMatrix Events(string relative) => CytometrySample.Read(Shared.Require(relative)).Events;

    [Fact]
    public void Flowkit_example_spill_keyword_names_the_channels_of_its_matrix_file()
    {
        var sample = CytometrySample.Read(Shared.Require("fcs/compensation/flowkit/test_comp_example.fcs"));
        var csv = SpilloverFile.Read(Shared.Require("fcs/compensation/flowkit/comp_complete_example.csv"));
        Assert.NotNull(sample.Spillover);
        Assert.Equal(csv.Detectors, sample.Spillover!.Detectors);
        Assert.True(csv.NamedByDetectors);
        Assert.All(csv.Detectors, d => Assert.True(sample.Events.IndexOf(d) >= 0, $"{d} is a channel of the file"));
    }

    [Fact]
    public void Compensating_with_the_files_own_identity_spill_changes_nothing()
    {
        var sample = CytometrySample.Read(Shared.Require("fcs/compensation/flowkit/test_comp_example.fcs"));
        var spill = sample.Spillover!;
        var identity = Enumerable.Range(0, spill.Detectors.Count).All(i => Enumerable.Range(0, spill.Detectors.Count).All(j => spill[i, j] == (i == j ? 1 : 0)));
        Assert.True(identity, "the example's SPILL keyword holds the identity");
        var compensated = new Compensator(spill).Apply(sample.Events);
        foreach (var name in spill.Detectors)
        {
            Assert.True(compensated.Column(name).SequenceEqual(sample.Events.Column(name)), name);
        }
    }

    [Fact]
    public void Compensated_events_times_the_spillover_give_back_the_measured_events()
    {
        // FlowKit's own check for this pair of files: compensation, then re-applying the spillover, restores the raw events.
        var events = Events("fcs/compensation/flowkit/test_comp_example.fcs");
        var spill = SpilloverFile.Read(Shared.Require("fcs/compensation/flowkit/comp_complete_example.csv"));
        var compensator = new Compensator(spill);
        var compensated = compensator.Apply(events);
        var restored = compensator.Reverse(compensated);
        var changed = 0;
        foreach (var name in spill.Detectors)
        {
            var raw = events.Column(name);
            var back = restored.Column(name);
            var comp = compensated.Column(name);
            for (var i = 0; i < raw.Length; i++)
            {
                // Two products with a 14×14 matrix of condition ~1.5: ~30ε relative error; 1e-12 leaves margin.
                Assert.True(Math.Abs(back[i] - raw[i]) <= 1e-12 * Math.Max(Math.Abs(raw[i]), 1), $"{name}[{i}]: {raw[i]:R} -> {back[i]:R}");
                changed += comp[i] != raw[i] ? 1 : 0;
            }
        }
        Assert.True(changed > 0, "the matrix is not the identity, so compensation must change values");
    }

    [Fact]
    public void Flowjo_matrix_file_with_classic_mac_line_ends_compensates_and_decompensates_a_flowcore_control()
    {
        // flowCore's decompensate() example: compensate 060909.001 with compmatrix, decompensate, compare.
        var spill = SpilloverFile.Read(Shared.Require("fcs/compensation/flowcore-compdata/compmatrix"));
        Assert.Equal(["FL1-H", "FL2-H", "FL3-H", "FL4-H"], spill.Detectors);
        var events = Events("fcs/compensation/flowcore-compdata/060909.001.fcs");
        var compensator = new Compensator(spill);
        var restored = compensator.Reverse(compensator.Apply(events));
        foreach (var name in spill.Detectors)
        {
            var raw = events.Column(name);
            var back = restored.Column(name);
            for (var i = 0; i < raw.Length; i++)
            {
                Assert.True(Math.Abs(back[i] - raw[i]) <= 1e-12 * Math.Max(Math.Abs(raw[i]), 1), $"{name}[{i}]");
            }
        }
    }

    [Fact]
    public void R_write_table_matrices_read_with_row_names_in_header_order()
    {
        var compref1 = SpilloverFile.Read(Shared.Require("fcs/compensation/flowcore-compdata/compref1"));
        var compref2 = SpilloverFile.Read(Shared.Require("fcs/compensation/flowcore-compdata/compref2"));
        Assert.Equal(["FL1-H", "FL2-H", "FL3-H", "FL4-H"], compref1.Detectors);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(1, compref1[i, i]); // each detector's own fluorochrome row has 1 on the diagonal
        }
        // compref2 is flowCore's "ordered" result, whose rows named FL3-H and FL4-H hold each other's spectra.
        Assert.Equal(compref1[3, 0], compref2[2, 0]);
        Assert.Equal(compref1[2, 3], compref2[3, 3]);
    }

    [Fact]
    public void Fcs_keyword_round_trips_through_text()
    {
        var spill = SpilloverFile.Read(Shared.Require("fcs/compensation/flowkit/comp_complete_example.csv"));
        var again = SpilloverMatrix.ParseFcsKeyword(spill.ToFcsKeyword());
        Assert.Equal(spill.Detectors, again.Detectors);
        Assert.Equal(spill.ToArray(), again.ToArray());
    }

    [Theory]
    [InlineData("2,A,B,1,0,0", "need 7 comma-separated fields")]
    [InlineData("x,A,1", "must start with the channel count")]
    [InlineData("2,A,A,1,0,0,1", "named twice")]
    [InlineData("2,A,B,1,zero,0,1", "row 1, column 2")]
    public void Malformed_spillover_keywords_are_input_errors_that_say_why(string value, string expected)
    {
        var ex = Assert.Throws<InputException>(() => SpilloverMatrix.ParseFcsKeyword(value, "$SPILLOVER", "x.fcs"));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("x.fcs", ex.Message);
    }

    [Fact]
    public void A_singular_matrix_is_an_input_error()
    {
        var spill = SpilloverMatrix.ParseFcsKeyword("2,A,B,1,1,1,1");
        var ex = Assert.Throws<InputException>(() => new Compensator(spill));
        Assert.Contains("singular", ex.Message);
    }

    [Fact]
    public void Missing_detector_channels_are_named()
    {
        var spill = SpilloverMatrix.ParseFcsKeyword("2,A,Q,1,0.1,0.2,1");
        var events = new EventMatrix(["A", "B"], [[1.0], [2.0]]);
        var ex = Assert.Throws<InputException>(() => new Compensator(spill).Apply(events));
        Assert.Contains("'Q'", ex.Message);
    }

    [Fact]
    public void Matrix_files_name_the_offending_line()
    {
        var ex = Assert.Throws<InputException>(() => SpilloverFile.Parse("A,B\n1,0.1\n0.2\n", "m.csv"));
        Assert.Contains("m.csv:3", ex.Message);
    }

    [Fact]
    public void Spectral_unmixing_recovers_abundances_with_more_detectors_than_fluorochromes()
    {
        // Measured = abundances · S for a 2-fluorochrome, 3-detector spectrum; least squares must recover them.
        double[,] spectrum = { { 1, 0.3, 0.05 }, { 0.1, 1, 0.4 } };
        var spill = new SpilloverMatrix(["F1", "F2"], ["D1", "D2", "D3"], spectrum);
        var rng = new Random(7);
        var abundances = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 1000).Select(_ => rng.NextDouble() * 1e4 - 500).ToArray()).ToArray();
        var detectors = Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, 1000).Select(e => abundances[0][e] * spectrum[0, k] + abundances[1][e] * spectrum[1, k]).ToArray()).ToArray();
        var events = new EventMatrix(["D1", "D2", "D3"], detectors);
        var unmixed = new Compensator(spill).Apply(events);
        for (var f = 0; f < 2; f++)
        {
            var column = unmixed.Column(f == 0 ? "F1" : "F2");
            for (var e = 0; e < 1000; e++)
            {
                Assert.Equal(abundances[f][e], column[e], 1e-9 * 1e4);
            }
        }
    }
}
