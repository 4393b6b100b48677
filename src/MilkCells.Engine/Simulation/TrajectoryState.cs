using System.Runtime.CompilerServices;
using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>The mutable state of one trajectory, shared by the steppers of one simulator.</summary>
internal sealed class TrajectoryState
{
    public readonly CompiledNetwork Net;

    /// <summary>All values by slot (species amounts, compartments, parameters, drivers, time).</summary>
    public readonly double[] V;

    /// <summary>Current propensities.</summary>
    public readonly double[] A;

    /// <summary>This trajectory's kernels (coefficients change with parameters and drivers).</summary>
    public readonly Kernel[] K;

    /// <summary><see cref="K"/> in the form the exact loop evaluates.</summary>
    public readonly FlatKernel[] F;

    private readonly bool[] _triggerValue;
    private readonly bool[] _pending;

    public double T;
    public double EndTime;
    public RandomStream Rng;
    public Recorder Recorder = null!;
    public long Firings;
    public long Leaps;
    public long EventsFired;

    /// <summary>Set whenever propensities changed outside an exact stepper, which must then rebuild its sums.</summary>
    public bool ExactStale = true;

    /// <summary>The exactly sampled monomolecular part, or null. Its species in <see cref="V"/> hold the values at
    /// their component's last sample: whatever reads or writes one goes through <see cref="Touch"/> first, and
    /// anything that changes a rate constant brings the components that read it up to date before.</summary>
    public LinearSubsystem? Linear;

    /// <summary>Makes slot <paramref name="slot"/> current at <paramref name="time"/> (samples its linear component).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Touch(int slot, double time) => Linear?.Ensure(this, slot, time);

    /// <summary>Makes every slot current at <paramref name="time"/>.</summary>
    public void TouchAll(double time) => Linear?.EnsureAll(this, time);

    public TrajectoryState(CompiledNetwork net)
    {
        Net = net;
        V = new double[net.SlotCount];
        A = new double[net.ReactionCount];
        K = new Kernel[net.ReactionCount];
        F = new FlatKernel[net.ReactionCount];
        _triggerValue = new bool[net.Events.Length];
        _pending = new bool[net.Events.Length];
    }

    public int SpeciesCount => Net.SpeciesCount;

    public bool HasEvents => _triggerValue.Length > 0;

    public void Reset(double startTime)
    {
        Array.Copy(Net.InitialValues, V, V.Length);
        Array.Copy(Net.InitialKernels, K, K.Length);
        Array.Copy(Net.InitialFlatKernels, F, F.Length);
        T = startTime;
        V[CompiledNetwork.TimeSlot] = startTime;
        Firings = 0;
        Leaps = 0;
        EventsFired = 0;
        ExactStale = true;
        Array.Clear(_pending);
        Linear?.Reset(startTime);
    }

    /// <summary>The propensity of reaction <paramref name="j"/> from the current values; a negative or NaN rate throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Propensity(int j)
    {
        ref readonly var k = ref K[j];
        var a = k.General < 0 ? k.Product(V) : Net.GeneralRates[j]!.Evaluate(V);
        if (!(a >= 0 && a < double.PositiveInfinity))
        {
            ThrowBadRate(j, a);
        }
        return a;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void ThrowBadRate(int j, double a)
    {
        var what = double.IsNaN(a) ? "is not a number" : double.IsPositiveInfinity(a) ? "is infinite" : $"turned negative ({a.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
        throw new InputException(InputLocation.AtElement(Net.Network.Source, $"reaction '{Net.ReactionIds[j]}'"),
            $"rate {what} at time {T.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            "a propensity must stay ≥ 0 for every reachable state; check the rate law against the counts it reads");
    }

    /// <summary>Re-evaluates the rules reaction <paramref name="j"/> affects that propensities or triggers read.</summary>
    public void UpdateHotRules(int j)
    {
        var net = Net;
        for (var i = net.HotRuleStart[j]; i < net.HotRuleStart[j + 1]; i++)
        {
            ApplyRule(net.Rules[net.HotRuleIndex[i]]);
        }
    }

    private void ApplyRule(CompiledRule r)
    {
        var value = r.Program.Evaluate(V);
        V[r.Target] = r.ConcentrationOf >= 0 ? value * V[r.ConcentrationOf] : value;
    }

    /// <summary>Evaluates every rule in dependency order at time <paramref name="time"/>.</summary>
    public void ApplyAllRules(double time)
    {
        V[CompiledNetwork.TimeSlot] = time;
        foreach (var r in Net.Rules)
        {
            ApplyRule(r);
        }
    }

    /// <summary>Brings rules, (optionally) coefficients and all propensities up to date after a discontinuity.</summary>
    public void Refresh(bool parametersChanged)
    {
        ApplyAllRules(T);
        if (parametersChanged)
        {
            var tasks = Net.CoefficientTasks;
            foreach (var i in Net.DynamicCoefficientTasks)
            {
                var task = tasks[i];
                K[task.Reaction].Set(task.Field, task.Program.Evaluate(V));
            }
            foreach (var i in Net.DynamicCoefficientTasks)
            {
                var j = tasks[i].Reaction;
                F[j] = FlatKernel.From(K[j]);
            }
        }
        for (var j = 0; j < A.Length; j++)
        {
            A[j] = Propensity(j);
        }
        ExactStale = true;
    }

    /// <summary>Sets the trigger values at the start; events whose trigger holds against an initial value of false fire.</summary>
    public bool InitialiseTriggers()
    {
        var any = false;
        V[CompiledNetwork.TimeSlot] = T;
        var events = Net.Events;
        for (var e = 0; e < events.Length; e++)
        {
            var now = events[e].Trigger.Evaluate(V) != 0;
            _pending[e] = now && !events[e].InitialValue;
            any |= _pending[e];
            _triggerValue[e] = now;
        }
        return any;
    }

    /// <summary>Evaluates every trigger at time <paramref name="time"/>; marks and reports false→true transitions.</summary>
    public bool CheckTriggers(double time)
    {
        var any = false;
        V[CompiledNetwork.TimeSlot] = time;
        var events = Net.Events;
        for (var e = 0; e < events.Length; e++)
        {
            var now = events[e].Trigger.Evaluate(V) != 0;
            if (now && !_triggerValue[e])
            {
                _pending[e] = true;
                any = true;
            }
            _triggerValue[e] = now;
        }
        return any;
    }

    /// <summary>Whether any trigger would turn from false to true in the current values, without recording it.</summary>
    public bool WouldTrigger(double time)
    {
        V[CompiledNetwork.TimeSlot] = time;
        var events = Net.Events;
        for (var e = 0; e < events.Length; e++)
        {
            if (!_triggerValue[e] && events[e].Trigger.Evaluate(V) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Fires pending events in definition order, cascading; returns whether a non-species value changed.</summary>
    public bool FirePendingEvents()
    {
        var parametersChanged = false;
        var events = Net.Events;
        for (var round = 0; round < 10_000; round++)
        {
            var fired = false;
            for (var e = 0; e < events.Length; e++)
            {
                if (!_pending[e])
                {
                    continue;
                }
                _pending[e] = false;
                fired = true;
                EventsFired++;
                var ev = events[e];
                V[CompiledNetwork.TimeSlot] = T;
                var computed = new double[ev.Assignments.Length];
                for (var i = 0; i < computed.Length; i++)
                {
                    computed[i] = ev.Assignments[i].Program.Evaluate(V);
                }
                for (var i = 0; i < computed.Length; i++)
                {
                    var a = ev.Assignments[i];
                    var value = a.ConcentrationOf >= 0 ? computed[i] * V[a.ConcentrationOf] : computed[i];
                    if (Net.IsSpeciesSlot(a.Target))
                    {
                        CheckCount(a.Target, value, $"event '{ev.Id}'");
                    }
                    else
                    {
                        parametersChanged = true;
                        CheckParameter(a.Target, value, $"event '{ev.Id}'");
                    }
                    V[a.Target] = value;
                }
                ApplyAllRules(T);
            }
            if (!fired)
            {
                return parametersChanged;
            }
            CheckTriggers(T);
        }
        throw new InputException(InputLocation.AtElement(Net.Network.Source, "events"),
            $"events keep triggering each other at time {T}", "an event's assignments must not make its own or another trigger turn true forever");
    }

    /// <summary>Throws unless <paramref name="value"/> is a valid count for the species in <paramref name="slot"/>.</summary>
    public void CheckCount(int slot, double value, string who)
    {
        var i = slot - CompiledNetwork.FirstSpeciesSlot;
        if (Net.SpeciesCounted[i] && (!(value >= 0) || value != Math.Floor(value) || double.IsInfinity(value)))
        {
            throw new InputException(InputLocation.AtElement(Net.Network.Source, who),
                $"sets species '{Net.SpeciesIds[i]}' to {value} at time {T}, which is not a whole number ≥ 0",
                "species hold counts; round the value (e.g. floor(...)) or draw it from a binomial");
        }
    }

    /// <summary>Throws when a compartment size would not be positive or a value not finite.</summary>
    public void CheckParameter(int slot, double value, string who)
    {
        if (double.IsNaN(value) || (Net.SlotKinds[slot] == SlotKind.Compartment && !(value > 0)))
        {
            throw new InputException(InputLocation.AtElement(Net.Network.Source, who),
                $"sets '{Net.SlotName(slot)}' to {value} at time {T}, which is not a valid value");
        }
    }
}
