namespace MilkCells.Cytometry.Transforms;

/// <summary>FlowJo's "biex" (biexponential) display scale, computed as FlowJo does: a channel look-up table, interpolated.</summary>
/// <remarks>
/// FlowJo's biexponential is Parks' logicle function B(y) = a·e^(b·y) − c·e^(−d·y) − f (Parks, Roederer &amp; Moore 2006,
/// Cytometry A 69:541, doi:10.1002/cyto.a.20258) in FlowJo's own parametrisation (negative decades, width basis,
/// positive decades, maximum value), tabulated at channels 0…R (R = 4096) and linearly interpolated. The construction
/// follows TreeStar's table generator as published in RGLab's cytolib and in FlowKit (Python): w = log10(−width basis);
/// D = positive − w/2 decades above and E = negative + w/2 below zero; the zero channel z = ⌊E·R/(E + D)⌋ (at most R/2),
/// after which D = E·R/z; the table is x(i) = min·(e^(i·p/(R+1)) − s·e^(−i·q/(R+1)) − k) for i ≥ z, mirrored below z,
/// with p = D·ln10, min = maximum·e^(−p), q the logicle "d" for (p, w/(2D)), s = e^((p + q)(w/(2D) + E/D)) and k chosen
/// so x(z) = 0. Values beyond the table pile up at its ends (scale 0 or 1), as in FlowJo.
/// Scale values are channel / R, so the full table spans [0, 1].
/// </remarks>
public sealed class FlowJoBiexTransform : ScaleTransform
{
    private readonly double[] _table;

    /// <summary>A FlowJo biex scale (FlowJo's defaults: negative 0, width basis −10, positive 4.418540, maximum 262144).</summary>
    public FlowJoBiexTransform(double negative = 0, double widthBasis = -10, double positive = 4.418540, double maxValue = 262144, int channelRange = 4096)
    {
        Negative = RequireFinite(negative, nameof(negative));
        WidthBasis = RequireFinite(widthBasis, nameof(widthBasis));
        Positive = RequirePositive(positive, nameof(positive));
        MaxValue = RequirePositive(maxValue, nameof(maxValue));
        if (!(WidthBasis <= -1))
        {
            throw new ArgumentOutOfRangeException(nameof(widthBasis), widthBasis, "the width basis must be −1 or below (FlowJo's width basis is negative)");
        }
        if (channelRange < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(channelRange), channelRange, "the channel range must be at least 16");
        }
        ChannelRange = channelRange;
        _table = BuildTable(Math.Max(Negative, 0), WidthBasis, Positive, MaxValue, channelRange);
        for (var i = 1; i < _table.Length; i++)
        {
            if (!(_table[i] > _table[i - 1]))
            {
                throw new ArgumentOutOfRangeException(nameof(positive), positive, $"these biex parameters give no increasing scale (channel {i})");
            }
        }
    }

    /// <summary>Extra negative decades.</summary>
    public double Negative { get; }

    /// <summary>FlowJo's width basis (negative; larger magnitude compresses more data into the linear region).</summary>
    public double WidthBasis { get; }

    /// <summary>Positive decades.</summary>
    public double Positive { get; }

    /// <summary>The data value at the top of the scale.</summary>
    public double MaxValue { get; }

    /// <summary>Number of channels of FlowJo's table (its last index).</summary>
    public int ChannelRange { get; }

    /// <summary>The data value at a table channel (0…<see cref="ChannelRange"/>).</summary>
    public double DataAtChannel(int channel) => _table[channel];

    /// <inheritdoc />
    public override double Apply(double value)
    {
        if (double.IsNaN(value))
        {
            return double.NaN;
        }
        var table = _table;
        if (value <= table[0])
        {
            return 0;
        }
        var last = table.Length - 1;
        if (value >= table[last])
        {
            return 1;
        }
        var lo = RootFinding.Bracket(table, value);
        var channel = lo + (value - table[lo]) / (table[lo + 1] - table[lo]);
        return channel / ChannelRange;
    }

    /// <inheritdoc />
    public override double Inverse(double scaled)
    {
        if (double.IsNaN(scaled))
        {
            return double.NaN;
        }
        var channel = Math.Clamp(scaled * ChannelRange, 0, ChannelRange);
        var i = Math.Min((int)channel, ChannelRange - 1);
        var fraction = channel - i;
        return _table[i] + fraction * (_table[i + 1] - _table[i]);
    }

    private static double[] BuildTable(double negative, double widthBasis, double positive, double maxValue, int range)
    {
        var ln10 = Math.Log(10);
        var w = Math.Log10(-widthBasis);
        var decades = positive - w / 2;
        var extra = negative + w / 2;
        var zero = (int)(extra * range / (extra + decades));
        zero = Math.Min(zero, range / 2);
        if (zero > 0)
        {
            decades = extra * range / zero;
        }
        var width = w / (2 * decades);
        var positiveRange = ln10 * decades;
        var minimum = maxValue / Math.Exp(positiveRange);
        var negativeRange = LogicleTransform.SolveD(positiveRange, width);
        var points = range + 1;
        var s = Math.Exp((positiveRange + negativeRange) * (width + extra / decades));

        double Raw(int i) => Math.Exp(i / (double)points * positiveRange) - s * Math.Exp(i / (double)points * -negativeRange);

        var offset = Raw(zero);
        var table = new double[points];
        for (var i = zero; i < points; i++)
        {
            table[i] = minimum * (Raw(i) - offset);
        }
        for (var i = 0; i < zero; i++)
        {
            table[i] = -table[2 * zero - i];
        }
        return table;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"flowjo-biex(negative={Negative:R}, width={WidthBasis:R}, positive={Positive:R}, max={MaxValue:R})";
}
