using System.Runtime.InteropServices;
using MilkCells.Core.Errors;
using MilkCells.Engine.Expressions;
using MilkCells.Engine.Model;

namespace MilkCells.Engine.Compilation;

/// <summary>A validated network compiled to flat arrays: immutable, shared by every simulator and thread.</summary>
/// <remarks>
/// All values live in one array of slots: slot 0 is the constant 1, slot 1 is time, then species amounts (counts),
/// compartment sizes, parameters and drivers. Propensities are product-form kernels or bytecode; firing reaction j
/// adds its net stoichiometry and recomputes exactly the propensities in its dependency list (Gibson &amp; Bruck 2000,
/// J Phys Chem A 104:1876, doi:10.1021/jp993732q), including those reached through assignment rules.
/// </remarks>
public sealed partial class CompiledNetwork
{
    internal const int OneSlot = 0;
    internal const int TimeSlot = 1;
    internal const int FirstSpeciesSlot = 2;

    private CompiledNetwork(Network network)
    {
        Network = network;
    }

    /// <summary>The source network.</summary>
    public Network Network { get; }

    /// <summary>Species ids in slot order (the order of outputs).</summary>
    public IReadOnlyList<string> SpeciesIds { get; private set; } = [];

    /// <summary>Number of species.</summary>
    public int SpeciesCount => SpeciesIds.Count;

    /// <summary>Number of reactions.</summary>
    public int ReactionCount { get; private set; }

    /// <summary>Reaction ids in order.</summary>
    public IReadOnlyList<string> ReactionIds { get; private set; } = [];

    /// <summary>Whether the network has events or drivers (scheduled or state-triggered discontinuities).</summary>
    public bool HasDiscontinuities => Events.Length > 0 || DriverSteps.Length > 0;

    internal int SlotCount { get; private set; }

    internal double[] InitialValues { get; private set; } = [];

    internal Dictionary<string, int> SlotById { get; } = new(StringComparer.Ordinal);

    internal string[] SlotNames { get; private set; } = [];

    internal SlotKind[] SlotKinds { get; private set; } = [];

    /// <summary>Per species: the compartment slot.</summary>
    internal int[] SpeciesCompartment { get; private set; } = [];

    /// <summary>Per species: whether it holds an integer count (not defined by a rule).</summary>
    internal bool[] SpeciesCounted { get; private set; } = [];

    internal Kernel[] InitialKernels { get; private set; } = [];

    /// <summary><see cref="InitialKernels"/> flattened (see <see cref="FlatKernel"/>).</summary>
    internal FlatKernel[] InitialFlatKernels { get; private set; } = [];

    /// <summary>Whether some product-form rate has three factors (otherwise the exact loop multiplies two).</summary>
    internal bool AnyThreeFactorRate { get; private set; }

    internal CompiledExpr?[] GeneralRates { get; private set; } = [];

    internal CoefficientTask[] CoefficientTasks { get; private set; } = [];

    /// <summary>Indices into <see cref="CoefficientTasks"/> that read a slot events or drivers can change.</summary>
    internal int[] DynamicCoefficientTasks { get; private set; } = [];

    internal int[] ChangeStart { get; private set; } = [];

    internal int[] ChangeSlot { get; private set; } = [];

    internal double[] ChangeDelta { get; private set; } = [];

    internal int[] ConsumeStart { get; private set; } = [];

    internal int[] ConsumeSlot { get; private set; } = [];

    internal double[] ConsumeCount { get; private set; } = [];

    internal int[] DependentStart { get; private set; } = [];

    internal int[] Dependents { get; private set; } = [];

    internal int[] HotRuleStart { get; private set; } = [];

    internal int[] HotRuleIndex { get; private set; } = [];

    internal bool[] TouchesTrigger { get; private set; } = [];

    /// <summary>Per reaction: its ranges in <see cref="Changes"/> and <see cref="Dependents"/> and its flags, in
    /// one record (what the exact steppers read per firing).</summary>
    internal FiringPlan[] FiringPlans { get; private set; } = [];

    /// <summary><see cref="ChangeSlot"/> and <see cref="ChangeDelta"/> side by side.</summary>
    internal StateChange[] Changes { get; private set; } = [];

    /// <summary>Whether any reaction must re-evaluate rules when it fires.</summary>
    internal bool HasHotRules { get; private set; }

    /// <summary>Reactions whose rate reads time directly (always bytecode).</summary>
    internal int[] TimeDependentReactions { get; private set; } = [];

    /// <summary>Whether any rate changes with time between firings, which every algorithm then handles by
    /// integrating the total propensity (see <see cref="Simulation.Simulator"/>).</summary>
    public bool HasTimeDependentRates => TimeDependentReactions.Length > 0;

    internal CompiledRule[] Rules { get; private set; } = [];

    internal CompiledEvent[] Events { get; private set; } = [];

    internal DriverStep[] DriverSteps { get; private set; } = [];

    /// <summary>Species slots any propensity reads, for tau selection, with the data for CGP2006's gᵢ.</summary>
    internal TauSpecies[] TauSpeciesInfo { get; private set; } = [];

    /// <summary>The slot of a species, compartment, parameter or driver id; throws when unknown.</summary>
    public int SlotOf(string id) => SlotById.TryGetValue(id, out var slot)
        ? slot
        : throw new InputException(InputLocation.AtElement(Network.Source, $"'{id}'"), "no species, compartment, parameter or driver has this id");

    /// <summary>The index (0-based, output order) of species <paramref name="id"/>; throws when unknown.</summary>
    public int SpeciesIndex(string id)
    {
        var slot = SlotOf(id);
        return SlotKinds[slot] == SlotKind.Species
            ? slot - FirstSpeciesSlot
            : throw new InputException(InputLocation.AtElement(Network.Source, $"'{id}'"), "is not a species");
    }

    /// <summary>The initial value of a slot's element (after initial assignments and rules).</summary>
    public double InitialValue(string id) => InitialValues[SlotOf(id)];

    /// <summary>The propensity of reaction <paramref name="id"/> in the initial state.</summary>
    public double InitialPropensity(string id)
    {
        var j = Array.IndexOf((string[])ReactionIds, id);
        if (j < 0)
        {
            throw new InputException(InputLocation.AtElement(Network.Source, $"'{id}'"), "is not a reaction");
        }
        var kernel = InitialKernels[j];
        return kernel.General < 0 ? kernel.Product(InitialValues) : GeneralRates[j]!.Evaluate(InitialValues);
    }

    internal string SlotName(int slot) => SlotNames[slot];

    internal bool IsSpeciesSlot(int slot) => slot >= FirstSpeciesSlot && slot < FirstSpeciesSlot + SpeciesCount;
}

internal enum SlotKind : byte
{
    One,
    Time,
    Species,
    Compartment,
    Parameter,
    Driver,
}

/// <summary>Recomputes one field of one reaction's kernel (c, or an α or β) from a state-free expression.</summary>
internal sealed record CoefficientTask(int Reaction, int Field, CompiledExpr Program);

/// <summary>An assignment rule: target slot, expression, and the compartment slot when the target is a
/// concentration (−1 otherwise).</summary>
internal sealed record CompiledRule(string Variable, int Target, CompiledExpr Program, int ConcentrationOf, bool Dynamic);

/// <summary>An event assignment compiled.</summary>
internal sealed record CompiledAssignment(string Variable, int Target, CompiledExpr Program, int ConcentrationOf);

/// <summary>A time at which a trigger may change because it compares <c>time</c> with a state-free threshold.</summary>
internal sealed record Breakpoint(CompiledExpr Threshold, bool AfterThreshold);

/// <summary>An event compiled: trigger, assignments and the breakpoints of its time comparisons.</summary>
internal sealed record CompiledEvent(string Id, CompiledExpr Trigger, CompiledAssignment[] Assignments, bool InitialValue, Breakpoint[] Breakpoints);

/// <summary>Reaction j's state changes [<see cref="ChangeStart"/>, <see cref="ChangeEnd"/>) in
/// <see cref="CompiledNetwork.Changes"/>, its dependents [<see cref="DependentStart"/>, <see cref="DependentEnd"/>) in
/// <see cref="CompiledNetwork.Dependents"/>, and what else a firing must do (<see cref="Flags"/>).</summary>
/// <remarks>Packed into 32 bytes so a firing reads one cache line for all of it.</remarks>
[StructLayout(LayoutKind.Sequential, Size = 32)]
internal readonly record struct FiringPlan(int ChangeStart, int ChangeEnd, int DependentStart, int DependentEnd, int Flags)
{
    /// <summary>A change of this reaction can turn a trigger.</summary>
    public const int TouchesTrigger = 1;

    /// <summary>This reaction's changes must be propagated through assignment rules.</summary>
    public const int HotRules = 2;

    /// <summary>A dependent's rate is bytecode (not product form).</summary>
    public const int BytecodeDependent = 4;
}

/// <summary>One species change of a firing: add <see cref="Delta"/> to slot <see cref="Slot"/>.</summary>
internal readonly record struct StateChange(double Delta, int Slot);

/// <summary>A driver's value change, time-ordered.</summary>
internal readonly record struct DriverStep(double Time, int Slot, double Value);

/// <summary>A species that propensities read, with the highest reaction order it takes part in and its
/// multiplicity there (for the gᵢ of Cao, Gillespie &amp; Petzold 2006).</summary>
internal readonly record struct TauSpecies(int Slot, int Order, int Multiplicity);
