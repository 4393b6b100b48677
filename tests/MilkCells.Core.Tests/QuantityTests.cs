using MilkCells.Core.Errors;
using MilkCells.Core.Quantities;

namespace MilkCells.Core.Tests;

public class QuantityTests
{
    [Fact]
    public void Per_cubic_millimetre_is_a_thousand_per_millilitre() =>
        Assert.Equal(3.19e6, Concentration.PerCubicMillimetre(3190).CellsPerMillilitre, 6);

    [Fact]
    public void Impossible_quantities_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Concentration.PerMillilitre(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Volume.FromMillilitres(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fraction.Of(1.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rate.PerHour(-0.1));
    }

    [Fact]
    public void Grams_of_milk_convert_with_milk_density() =>
        Assert.Equal(100.0, Volume.FromGramsOfMilk(103).Millilitres, 9);

    [Fact]
    public void Half_life_round_trips() => Assert.Equal(3.0, Rate.FromHalfLifeHours(3).HalfLifeHours, 12);

    [Fact]
    public void Input_errors_name_the_place_and_the_hint()
    {
        var e = new InputException(InputLocation.AtLine("scenarios/x.yaml", 12, 3), "unknown key 'feds'", "did you mean 'feeds'?");
        Assert.Equal("scenarios/x.yaml:12:3: unknown key 'feds' (hint: did you mean 'feeds'?)", e.Message);
        Assert.Equal("a.fcs @ byte 58: bad offset", new InputException(InputLocation.AtByte("a.fcs", 58), "bad offset").Message);
    }
}
