using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>A host action at a fixed time: it may read and change counts and values, and draw random numbers.</summary>
/// <param name="Time">When it happens; every algorithm stops exactly here.</param>
/// <param name="Action">What it does.</param>
/// <param name="Name">For error messages.</param>
public sealed record Intervention(double Time, Action<InterventionContext> Action, string? Name = null);

/// <summary>What an intervention sees: the time, the trajectory's random stream, and read/write access to the state.</summary>
/// <remarks>
/// Slots come from <see cref="CompiledNetwork.SlotOf"/> (resolve them once, outside the callback). Species must stay
/// whole numbers ≥ 0; constant parameters cannot be set. After the callback every propensity is recomputed, and
/// coefficients too when a non-species value changed, so the next step sees the new state exactly.
/// <code>
/// var lc = network.SlotOf("LC_left");
/// var infant = network.SlotOf("LC_infant");
/// new Intervention(t, ctx =>
/// {
///     var removed = Samplers.Binomial(ref ctx.Random, (long)ctx[lc], 0.3);
///     ctx[lc] -= removed;
///     ctx[infant] += removed;
/// });
/// </code>
/// </remarks>
public sealed class InterventionContext
{
    private readonly TrajectoryState _s;
    private readonly Action<double, Action<InterventionContext>, string?> _schedule;

    internal InterventionContext(TrajectoryState s, Action<double, Action<InterventionContext>, string?> schedule)
    {
        _s = s;
        _schedule = schedule;
    }

    internal string Who { get; set; } = "intervention";

    internal bool ParametersChanged { get; set; }

    internal bool SpeciesChanged { get; set; }

    /// <summary>The current time.</summary>
    public double Time => _s.T;

    /// <summary>The trajectory's random stream; draws advance it.</summary>
    public ref RandomStream Random => ref _s.Rng;

    /// <summary>The compiled network.</summary>
    public CompiledNetwork Network => _s.Net;

    /// <summary>The value in <paramref name="slot"/> (a species count, parameter, driver or compartment size).</summary>
    public double this[int slot]
    {
        get
        {
            _s.Touch(slot, _s.T);
            return _s.V[slot];
        }
        set => Set(slot, value);
    }

    /// <summary>The value of the element with id <paramref name="id"/> (slower than a slot).</summary>
    public double this[string id]
    {
        get => this[_s.Net.SlotOf(id)];
        set => Set(_s.Net.SlotOf(id), value);
    }

    /// <summary>Species amounts in <see cref="CompiledNetwork.SpeciesIds"/> order (read-only view).</summary>
    public ReadOnlySpan<double> Species
    {
        get
        {
            _s.TouchAll(_s.T);
            return new(_s.V, CompiledNetwork.FirstSpeciesSlot, _s.SpeciesCount);
        }
    }

    /// <summary>Schedules another intervention at <paramref name="time"/> (≥ now), e.g. the next feed.</summary>
    public void Schedule(double time, Action<InterventionContext> action, string? name = null)
    {
        if (!(time >= _s.T))
        {
            throw new InputException(InputLocation.AtElement(_s.Net.Network.Source, Who), $"schedules an intervention at {time}, before the current time {_s.T}");
        }
        _schedule(time, action, name);
    }

    private void Set(int slot, double value)
    {
        var net = _s.Net;
        if (slot < CompiledNetwork.FirstSpeciesSlot || slot >= net.SlotCount)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} is not a settable value");
        }
        if (net.IsSpeciesSlot(slot))
        {
            _s.Touch(slot, _s.T);
            _s.CheckCount(slot, value, Who);
            SpeciesChanged = true;
        }
        else
        {
            if (net.SlotKinds[slot] == SlotKind.Parameter && net.Network.Parameters.First(p => p.Id == net.SlotName(slot)).Constant)
            {
                throw new InputException(InputLocation.AtElement(net.Network.Source, Who), $"sets parameter '{net.SlotName(slot)}', which is constant",
                    "declare it with constant: false, or make it a driver");
            }
            _s.CheckParameter(slot, value, Who);
            _s.TouchAll(_s.T); // rate constants may read it: sample what they governed up to now
            ParametersChanged = true;
        }
        _s.V[slot] = value;
    }
}
