using MilkCells.Core.Errors;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>One run's driver values on a time grid, replacing the network's own driver schedules: one compiled network, many input histories.</summary>
/// <remarks>
/// From <c>times[k]</c> on, driver i of <c>drivers</c> has <c>values[k · drivers.Count + i]</c>; drivers not listed keep
/// their initial values, and the network's own schedules are not applied. Times are ascending; as with the network's
/// schedules, every algorithm stops exactly at each time and refreshes the propensities. Use it where inputs differ by
/// trajectory (a cohort of mothers, each with her own days) and compiling a network per trajectory would cost more
/// than simulating it. The arrays are kept, not copied: do not change them while a run uses the schedule.
/// <code>
/// var schedule = new DriverSchedule(compiled, ["stage"], [0, 10], [0, 1]);
/// sim.Run(ref rng, new RunOptions { EndTime = 20, Drivers = schedule });
/// </code>
/// </remarks>
public sealed class DriverSchedule
{
    /// <summary>A schedule for <paramref name="network"/>; throws <see cref="InputException"/> on an unknown driver, unordered times or a non-finite value.</summary>
    /// <param name="network">The network it is for.</param>
    /// <param name="drivers">Driver ids (columns).</param>
    /// <param name="times">Times (rows), ascending.</param>
    /// <param name="values">Row-major values: <c>times.Length × drivers.Count</c>.</param>
    public DriverSchedule(CompiledNetwork network, IReadOnlyList<string> drivers, double[] times, double[] values)
    {
        var where = InputLocation.AtElement(network.Network.Source, "driver schedule");
        Network = network;
        Slots = new int[drivers.Count];
        for (var i = 0; i < drivers.Count; i++)
        {
            if (!network.SlotById.TryGetValue(drivers[i], out var slot) || network.SlotKinds[slot] != SlotKind.Driver)
            {
                throw new InputException(where, $"'{drivers[i]}' is not a driver of the network");
            }
            Slots[i] = slot;
        }
        if (values.Length != times.Length * drivers.Count)
        {
            throw new InputException(where, $"{values.Length} values for {times.Length} times × {drivers.Count} drivers");
        }
        for (var k = 0; k < times.Length; k++)
        {
            if (!double.IsFinite(times[k]) || (k > 0 && times[k] < times[k - 1]))
            {
                throw new InputException(where, $"time {times[k]} is not finite or not in order");
            }
        }
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                throw new InputException(where, $"value {v} is not finite");
            }
        }
        Times = times;
        Values = values;
    }

    /// <summary>The network it is for.</summary>
    public CompiledNetwork Network { get; }

    internal int[] Slots { get; }

    internal double[] Times { get; }

    internal double[] Values { get; }
}
