using MilkCells.Core.Errors;

namespace MilkCells.Cytometry.Tests;

public class EventMatrixTests
{
    [Fact]
    public void Row_major_values_become_columns()
    {
        var m = EventMatrix.FromRowMajor(["A", "B", "C"], new double[] { 1, 2, 3, 4, 5, 6 });
        Assert.Equal(2, m.EventCount);
        Assert.Equal([1.0, 4.0], m.Column("A").ToArray());
        Assert.Equal([3.0, 6.0], m.Column("C").ToArray());
    }

    [Fact]
    public void A_missing_channel_lists_the_channels_there_are()
    {
        var m = new EventMatrix(["FSC-A", "SSC-A"], [[1.0], [2.0]]);
        var ex = Assert.Throws<InputException>(() => m.Column("CD45"));
        Assert.Contains("no channel named 'CD45'; the channels are: FSC-A, SSC-A", ex.Message);
    }

    [Fact]
    public void A_repeated_channel_name_cannot_be_looked_up()
    {
        var m = new EventMatrix(["FL1", "FL1"], [[1.0], [2.0]]);
        var ex = Assert.Throws<InputException>(() => m.IndexOf("FL1"));
        Assert.Contains("appears more than once (columns 1 and 2)", ex.Message);
    }

    [Fact]
    public void With_replaces_named_columns_and_appends_new_ones()
    {
        var m = new EventMatrix(["A", "B"], [[1.0], [2.0]]).With([("B", new[] { 20.0 }), ("C", new[] { 30.0 })]);
        Assert.Equal(["A", "B", "C"], m.Names);
        Assert.Equal(20.0, m.Column("B")[0]);
        Assert.Equal(30.0, m.Column("C")[0]);
    }
}
