using MilkCells.Core.Errors;

namespace MilkCells.Cytometry.Compensation;

/// <summary>The per-channel statistic that summarises a single-stain control.</summary>
public enum ControlStatistic
{
    /// <summary>The median (the traditional choice; robust to outliers).</summary>
    Median,

    /// <summary>The mean.</summary>
    Mean,

    /// <summary>The mode of a Gaussian kernel density estimate, as R's <c>density()</c> finds it (flowCore's <c>method = "mode"</c>).</summary>
    Mode,
}

/// <summary>A single-stain compensation control: its events and, if known, the channel its fluorochrome is read in.</summary>
/// <param name="Events">The control's events (scaled, uncompensated).</param>
/// <param name="Channel">The primary channel ($PnN) of the stain, or null to take the channel where the control is brightest.</param>
/// <param name="Name">A name for messages (usually the file name).</param>
public sealed record SingleStainControl(EventMatrix Events, string? Channel = null, string? Name = null);

/// <summary>Estimates a spillover matrix from single-stain controls and an unstained control.</summary>
/// <remarks>
/// Bagwell &amp; Adams 1993, "Fluorescence spectral overlap compensation for any number of flow cytometry parameters",
/// Ann N Y Acad Sci 677:167; computed as flowCore's <c>spillover()</c> does (Ellis et al., Bioconductor flowCore):
/// for each control the statistic of every channel, minus the unstained control's, floored at 0, divided by the
/// largest of the row. The row belongs to the control's channel, given or (when not given) the channel with the largest
/// value; rows are returned in the order of <c>channels</c>. No scatter pre-gating is done: gate the controls first
/// if debris matters.
/// </remarks>
public static class SpilloverEstimation
{
    /// <summary>The spillover matrix over <paramref name="channels"/> from one control per channel.</summary>
    /// <exception cref="InputException">A control lacks a channel, two controls claim one channel, or the counts differ.</exception>
    public static SpilloverMatrix FromControls(
        EventMatrix unstained,
        IReadOnlyList<SingleStainControl> controls,
        IReadOnlyList<string> channels,
        ControlStatistic statistic = ControlStatistic.Median)
    {
        ArgumentNullException.ThrowIfNull(unstained);
        ArgumentNullException.ThrowIfNull(controls);
        ArgumentNullException.ThrowIfNull(channels);
        var where = new InputLocation(Element: "single-stain controls");
        if (controls.Count != channels.Count)
        {
            throw new InputException(where, $"{controls.Count} single-stain controls for {channels.Count} channels; give one control per channel");
        }
        var n = channels.Count;
        var background = Statistics(unstained, channels, statistic, "the unstained control");
        var rows = new double[n][];
        var owner = new int[n];
        var claimed = new Dictionary<int, string>();
        for (var r = 0; r < n; r++)
        {
            var control = controls[r];
            var label = control.Name ?? $"control {r + 1}";
            var row = Statistics(control.Events, channels, statistic, label);
            var max = 0.0;
            for (var j = 0; j < n; j++)
            {
                row[j] = Math.Max(row[j] - background[j], 0);
                max = Math.Max(max, row[j]);
            }
            if (!(max > 0))
            {
                throw new InputException(where, $"{label} is no brighter than the unstained control in any channel");
            }
            for (var j = 0; j < n; j++)
            {
                row[j] /= max;
            }
            int channel;
            if (control.Channel is { } named)
            {
                channel = ChannelNames.IndexOf(channels, named);
                if (channel < 0)
                {
                    throw new InputException(where, $"{label} is assigned channel '{named}', which is not among {string.Join(", ", channels)}");
                }
            }
            else
            {
                channel = ArgMax(row);
            }
            if (!claimed.TryAdd(channel, label))
            {
                throw new InputException(where, $"{label} and {claimed[channel]} both match channel '{channels[channel]}'" +
                    (control.Channel is null ? " (by brightest channel); assign their channels explicitly" : ""));
            }
            rows[r] = row;
            owner[r] = channel;
        }
        var matrix = new double[n, n];
        for (var r = 0; r < n; r++)
        {
            for (var j = 0; j < n; j++)
            {
                matrix[owner[r], j] = rows[r][j];
            }
        }
        return new SpilloverMatrix(channels, channels, matrix, "single-stain controls");
    }

    private static double[] Statistics(EventMatrix events, IReadOnlyList<string> channels, ControlStatistic statistic, string label)
    {
        var result = new double[channels.Count];
        for (var j = 0; j < channels.Count; j++)
        {
            var index = events.IndexOf(channels[j]);
            if (index < 0)
            {
                throw new InputException(new InputLocation(Element: label), $"{label} has no channel '{channels[j]}'");
            }
            var column = events.Column(index);
            if (column.Length == 0)
            {
                throw new InputException(new InputLocation(Element: label), $"{label} has no events");
            }
            result[j] = statistic switch
            {
                ControlStatistic.Median => Median(column),
                ControlStatistic.Mean => Mean(column),
                ControlStatistic.Mode => KernelDensityMode(column),
                _ => throw new ArgumentOutOfRangeException(nameof(statistic)),
            };
        }
        return result;
    }

    /// <summary>The median: the middle value, or the mean of the two middle values of an even count.</summary>
    internal static double Median(ReadOnlySpan<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The highest point of a Gaussian kernel density estimate on R's <c>density()</c> grid.</summary>
    /// <remarks>
    /// Bandwidth by Silverman's rule of thumb, 0.9·min(sd, IQR/1.34)·n^(−1/5) (Silverman 1986, Density Estimation,
    /// eq. 3.31; R's <c>bw.nrd0</c>, IQR from type-7 quartiles). As R does: the data are linearly binned onto 512 points
    /// spanning [min − 7h, max + 7h], convolved with the kernel, interpolated onto 512 points spanning
    /// [min − 3h, max + 3h], and the first highest of those is the mode. The grid makes the mode coarse (a 511th of
    /// the data range) but reproducible, which is what flowCore's reference spillover matrices need.
    /// </remarks>
    internal static double KernelDensityMode(ReadOnlySpan<double> values)
    {
        const int n = 512;
        var count = values.Length;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var mean = Mean(values);
        var squares = 0.0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }
        var sd = count > 1 ? Math.Sqrt(squares / (count - 1)) : 0;
        double Quartile(double p)
        {
            var h = (count - 1) * p;
            var lo = (int)Math.Floor(h);
            return lo + 1 < count ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
        }
        var spread = Math.Min(sd, (Quartile(0.75) - Quartile(0.25)) / 1.34);
        if (!(spread > 0))
        {
            spread = sd > 0 ? sd : Math.Abs(values[0]) > 0 ? Math.Abs(values[0]) : 1;
        }
        var h = 0.9 * spread * Math.Pow(count, -0.2);
        var from = sorted[0] - 3 * h;
        var to = sorted[^1] + 3 * h;
        var lowest = from - 4 * h;
        var highest = to + 4 * h;
        var step = (highest - lowest) / (n - 1);

        // Linear binning: each value splits its weight between the two nearest grid points.
        var bins = new double[n];
        var weight = 1.0 / count;
        foreach (var v in values)
        {
            var position = (v - lowest) / step;
            var i = (int)Math.Floor(position);
            var fraction = position - i;
            if (i >= 0 && i <= n - 2)
            {
                bins[i] += weight * (1 - fraction);
                bins[i + 1] += weight * fraction;
            }
        }

        // Convolution with the Gaussian kernel at grid spacing.
        var kernel = new double[n];
        for (var m = 0; m < n; m++)
        {
            var z = m * step / h;
            kernel[m] = Math.Exp(-0.5 * z * z) / (h * Math.Sqrt(2 * Math.PI));
        }
        var density = new double[n];
        for (var k = 0; k < n; k++)
        {
            var sum = 0.0;
            for (var j = 0; j < n; j++)
            {
                if (bins[j] != 0)
                {
                    sum += bins[j] * kernel[Math.Abs(j - k)];
                }
            }
            density[k] = sum;
        }

        // Interpolate onto the reported grid and take the first maximum.
        var best = double.NegativeInfinity;
        var mode = from;
        for (var i = 0; i < n; i++)
        {
            var x = i == n - 1 ? to : from + i * (to - from) / (n - 1);
            var position = (x - lowest) / step;
            var a = Math.Clamp((int)Math.Floor(position), 0, n - 2);
            var y = density[a] + (density[a + 1] - density[a]) * (position - a);
            if (y > best)
            {
                best = y;
                mode = x;
            }
        }
        return mode;
    }

    private static double Mean(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }
        return sum / values.Length;
    }

    private static int ArgMax(double[] row)
    {
        var best = 0;
        for (var j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
            {
                best = j;
            }
        }
        return best;
    }
}
