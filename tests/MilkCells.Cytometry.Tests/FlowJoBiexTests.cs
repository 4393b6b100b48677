using System.Globalization;
using MilkCells.Cytometry.Transforms;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>FlowJo's biexponential against the look-up table FlowJo itself wrote (shared/fcs/transforms, via FlowKit).</summary>
public class FlowJoBiexTests
{
    private const string LutFile = "fcs/transforms/tr_biex_l256_w-7.943282_n1.000000_m4.418540_r262144.000029.csv";

    /// <summary>The table's parameters, read from its file name: width basis w, negative decades n, positive decades m, maximum r.</summary>
    private static (FlowJoBiexTransform Biex, List<(int Channel, double Data)> Rows) Load()
    {
        var path = Shared.Require(LutFile);
        var name = Path.GetFileNameWithoutExtension(path);
        double Field(char key) => double.Parse(name.Split('_').Single(p => p.Length > 1 && p[0] == key && (char.IsDigit(p[1]) || p[1] == '-'))[1..], CultureInfo.InvariantCulture);
        var biex = new FlowJoBiexTransform(negative: Field('n'), widthBasis: Field('w'), positive: Field('m'), maxValue: Field('r'));
        var rows = File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
            .Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        return (biex, rows);
    }

    // Tolerance: the table prints 6 significant digits (rounding ≤ 5e-6 relative) and its parameters are rounded to
    // 6 decimals in the file name; 1e-5 relative covers both, with an absolute floor of half a printed unit near zero.
    private static double Tolerance(double value) => Math.Max(1e-5 * Math.Abs(value), 5e-7);

    [Fact]
    public void Data_value_at_every_channel_matches_flowjos_table()
    {
        var (biex, rows) = Load();
        Assert.Equal(4096, rows.Count);
        foreach (var (channel, data) in rows)
        {
            var ours = biex.DataAtChannel(channel);
            Assert.True(Math.Abs(ours - data) <= Tolerance(data), $"channel {channel}: FlowJo {data:R}, ours {ours:R}");
            Assert.Equal(ours, biex.Inverse(channel / (double)biex.ChannelRange), 9);
        }
    }

    [Fact]
    public void Transforming_the_tables_data_values_gives_back_their_channels()
    {
        var (biex, rows) = Load();
        foreach (var (channel, data) in rows.Skip(1).SkipLast(1))
        {
            // A data error of δ moves the channel by δ / slope; the slope is the table's local step per channel.
            var slope = Math.Min(biex.DataAtChannel(channel + 1) - biex.DataAtChannel(channel), biex.DataAtChannel(channel) - biex.DataAtChannel(channel - 1));
            var found = biex.Apply(data) * biex.ChannelRange;
            Assert.True(Math.Abs(found - channel) <= Tolerance(data) / slope + 1e-9, $"data {data:R}: channel {found:R}, FlowJo {channel}");
        }
    }

    [Fact]
    public void Values_beyond_the_table_pile_up_at_its_ends_as_in_flowjo()
    {
        var (biex, _) = Load();
        Assert.Equal(0, biex.Apply(biex.DataAtChannel(0) * 10));
        Assert.Equal(1, biex.Apply(biex.MaxValue * 10));
        Assert.Equal(biex.DataAtChannel(0), biex.Inverse(-0.5));
    }
}
