namespace MilkCells.Fcs;

/// <summary>Puts raw values on the linear scale: $PnE log decoding, $PnG gain, and $TIMESTEP for the time parameter.</summary>
/// <remarks>
/// FCS 3.1 (Spidlen et al. 2010, Cytometry A 77:97):
/// <list type="bullet">
/// <item>$PnE/f1,f2/ with f1 &gt; 0 (§3.3.36): x ↦ 10^(f1·x/$PnR)·f2. f2 = 0 is invalid there; like FlowIO and
/// flowCore this uses f2 = 1 and warns.</item>
/// <item>$PnG (§3.3.37): linear parameters are divided by the gain. The standard says gain does not apply to log
/// amplification, so it is ignored (with a warning) when $PnE is logarithmic.</item>
/// <item>$TIMESTEP (§3.3.58): the time parameter ($PnTYPE "Time" in FCS 3.2, else $PnN "Time") is multiplied by it,
/// giving seconds.</item>
/// </list>
/// Compensation and display transforms are not applied here.
/// </remarks>
public sealed class FcsPreprocessor
{
    private readonly Column[] _columns;

    private readonly record struct Column(bool Log, double Decades, double Offset, double Range, double Divisor, double TimeScale);

    /// <summary>Reads the scaling keywords of <paramref name="set"/> once.</summary>
    public FcsPreprocessor(FcsDataSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var warnings = new List<FcsWarning>();
        var timeStep = set.TimeStep is { } ts && ts > 0 && double.IsFinite(ts) ? ts : (double?)null;
        _columns = new Column[set.ParameterCount];
        for (var i = 0; i < _columns.Length; i++)
        {
            var p = set.Parameters[i];
            var log = p.Amplification.IsLogarithmic;
            var offset = p.Amplification.Offset;
            var range = p.Range ?? 0;
            if (log && !(offset > 0))
            {
                warnings.Add(new(FcsWarningKind.KeywordValue, null, $"$P{p.Number}E is {p.Amplification}: f2 must be > 0 for log amplification; used f2 = 1"));
                offset = 1;
            }
            if (log && !(range > 0))
            {
                warnings.Add(new(FcsWarningKind.KeywordValue, null, $"$P{p.Number}E is logarithmic but $P{p.Number}R is not a positive number; values left raw"));
                log = false;
            }
            var divisor = 1.0;
            if (p.Gain != 1 && p.Gain != 0 && double.IsFinite(p.Gain))
            {
                if (log)
                {
                    warnings.Add(new(FcsWarningKind.KeywordValue, null, $"$P{p.Number}G = {p.Gain} ignored: gain does not apply to log amplification"));
                }
                else
                {
                    divisor = p.Gain;
                }
            }
            var timeScale = p.IsTime && timeStep is { } step ? step : 1.0;
            _columns[i] = new Column(log, p.Amplification.Decades, offset, range, divisor, timeScale);
        }
        Warnings = warnings;
    }

    /// <summary>What the keywords made the preprocessor assume.</summary>
    public IReadOnlyList<FcsWarning> Warnings { get; }

    /// <summary>Scales one raw value of the parameter at column <paramref name="index"/>.</summary>
    public double Apply(int index, double raw)
    {
        var c = _columns[index];
        var x = c.Log ? Math.Pow(10, c.Decades * raw / c.Range) * c.Offset : raw / c.Divisor;
        return x * c.TimeScale;
    }

    /// <summary>Scales row-major events in place.</summary>
    public void Apply(Span<double> events)
    {
        var p = _columns.Length;
        for (var j = 0; j < p; j++)
        {
            var c = _columns[j];
            if (!c.Log && c.Divisor == 1 && c.TimeScale == 1)
            {
                continue;
            }
            for (var i = j; i < events.Length; i += p)
            {
                var x = c.Log ? Math.Pow(10, c.Decades * events[i] / c.Range) * c.Offset : events[i] / c.Divisor;
                events[i] = x * c.TimeScale;
            }
        }
    }
}
