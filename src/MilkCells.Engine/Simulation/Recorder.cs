using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>A view of one trajectory's state at an output time, valid only during the observer call.</summary>
public readonly ref struct Observation
{
    private readonly double[] _values;
    private readonly TrajectoryState _state;
    private readonly int _speciesCount;

    internal Observation(double time, int index, TrajectoryState state)
    {
        Time = time;
        Index = index;
        _state = state;
        _values = state.V;
        _speciesCount = state.SpeciesCount;
    }

    /// <summary>The output time.</summary>
    public double Time { get; }

    /// <summary>Which output time this is (0-based).</summary>
    public int Index { get; }

    /// <summary>Species amounts (counts) in <see cref="CompiledNetwork.SpeciesIds"/> order.</summary>
    public ReadOnlySpan<double> Species
    {
        get
        {
            _state.TouchAll(Time);
            return new ReadOnlySpan<double>(_values, CompiledNetwork.FirstSpeciesSlot, _speciesCount);
        }
    }

    /// <summary>The value of any slot (see <see cref="CompiledNetwork.SlotOf"/>): a parameter, driver or compartment.</summary>
    public double Value(int slot)
    {
        _state.Touch(slot, Time);
        return _values[slot];
    }
}

/// <summary>Receives a trajectory's state at each output time.</summary>
public delegate void TrajectoryObserver(in Observation observation);

/// <summary>Writes the state at output times: species amounts into a series buffer and/or to an observer.</summary>
/// <remarks>
/// Paths are right-continuous: a time that coincides with an event or driver change sees the state after it; a
/// time between firings sees the state the last firing left.
/// </remarks>
internal sealed class Recorder
{
    private readonly TrajectoryState _s;
    private double[] _times = [];
    private double[]? _series;
    private int _offset;
    private TrajectoryObserver? _observer;
    private int _next;

    public Recorder(TrajectoryState s) => _s = s;

    /// <summary>The next output time not yet recorded (+∞ when all are).</summary>
    public double NextTime;

    public void Reset(double[] times, double[]? series, int offset, TrajectoryObserver? observer)
    {
        _times = times;
        _series = series;
        _offset = offset;
        _observer = observer;
        _next = 0;
        NextTime = times.Length > 0 ? times[0] : double.PositiveInfinity;
    }

    /// <summary>Records every pending output time strictly before <paramref name="t"/> with the current state.</summary>
    public void RecordBefore(double t)
    {
        while (NextTime < t)
        {
            RecordOne();
        }
    }

    /// <summary>Records every pending output time at or before <paramref name="t"/> with the current state.</summary>
    public void RecordThrough(double t)
    {
        while (NextTime <= t)
        {
            RecordOne();
        }
    }

    private void RecordOne()
    {
        var time = _times[_next];
        var v = _s.V;
        if (_s.Net.Rules.Length > 0)
        {
            _s.ApplyAllRules(time);
        }
        var n = _s.SpeciesCount;
        if (_series is not null)
        {
            _s.TouchAll(time);
            Array.Copy(v, CompiledNetwork.FirstSpeciesSlot, _series, _offset + _next * n, n);
        }
        _observer?.Invoke(new Observation(time, _next, _s));
        _next++;
        NextTime = _next < _times.Length ? _times[_next] : double.PositiveInfinity;
    }
}
