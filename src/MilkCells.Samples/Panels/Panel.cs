using System.Collections.Immutable;
using MilkCells.Cytometry.Gating;

namespace MilkCells.Samples.Panels;

/// <summary>What a population does in absolute counting, beyond holding cells of some types.</summary>
public enum PopulationRole
{
    /// <summary>An ordinary population (cells of its mapped types, if any).</summary>
    Population,

    /// <summary>All nucleated events: single cells and cell aggregates (the parent of <see cref="Singlets"/>).</summary>
    Nucleated,

    /// <summary>Nucleated single cells: every cell population lies inside it.</summary>
    Singlets,

    /// <summary>Counting beads (the standard ratio method).</summary>
    Beads,

    /// <summary>Viable singlets (dead-cell dye excluded).</summary>
    Viable,
}

/// <summary>One stain of a panel: a marker on a channel.</summary>
/// <param name="Channel">The channel ($PnN) that reads it.</param>
/// <param name="Marker">The marker (a protein of data/cell-types.yaml, or "DNA", "dead-cell dye").</param>
/// <param name="Fluorochrome">The fluorochrome.</param>
/// <param name="Role">"nuclear", "viability" or null for a surface marker.</param>
public sealed record PanelStain(string Channel, string Marker, string Fluorochrome, string? Role);

/// <summary>A population of a panel: a gate (or quadrant) id, with its role and the model cell types it holds.</summary>
/// <param name="Id">The gate or quadrant id.</param>
/// <param name="ParentId">Its parent population, or null.</param>
/// <param name="Label">A human label (the id when the panel gives none).</param>
/// <param name="Role">Its role in counting.</param>
/// <param name="CellTypes">The model cell-type ids whose cells it holds (empty: not mapped to the model).</param>
/// <param name="Source">Where the gate comes from, if given.</param>
public sealed record PanelPopulation(string Id, string? ParentId, string Label, PopulationRole Role, ImmutableArray<string> CellTypes, string? Source)
{
    /// <summary>Whether it is mapped to model cell types.</summary>
    public bool IsMapped => !CellTypes.IsEmpty;
}

/// <summary>A gating panel: a Gating-ML 2.0 document plus, for each population, its role and model cell types.</summary>
/// <remarks>
/// Built-in panels (<see cref="BuiltInPanels"/>) and user panels are read by <see cref="PanelReader"/>. The mapping lives
/// in each gate's Gating-ML <c>data-type:custom_info</c> (<c>&lt;mc:population role=… cellTypes=… source=…/&gt;</c>,
/// namespace <see cref="PanelReader.Namespace"/>); a gate without it is mapped by its id when that id is a model cell
/// type or class, and takes a role when its id is <c>nucleated</c>, <c>singlets</c>, <c>beads</c> or <c>viable</c>.
/// Anything else is reported as not mapped.
/// </remarks>
public sealed class Panel
{
    internal Panel(string name, string title, string origin, GatingDocument document, ImmutableArray<PanelStain> stains,
        ImmutableArray<string> sources, ImmutableArray<PanelPopulation> populations, string xml)
    {
        Name = name;
        Title = title;
        Origin = origin;
        Document = document;
        Stains = stains;
        Sources = sources;
        Populations = populations;
        Xml = xml;
    }

    /// <summary>The panel's name (built-in name, or the file name without extension).</summary>
    public string Name { get; }

    /// <summary>A one-line title.</summary>
    public string Title { get; }

    /// <summary>"builtin:NAME" or the file path.</summary>
    public string Origin { get; }

    /// <summary>The gates.</summary>
    public GatingDocument Document { get; }

    /// <summary>The stains, if the panel lists them.</summary>
    public ImmutableArray<PanelStain> Stains { get; }

    /// <summary>The panel's sources.</summary>
    public ImmutableArray<string> Sources { get; }

    /// <summary>Every population in document order.</summary>
    public ImmutableArray<PanelPopulation> Populations { get; }

    /// <summary>The Gating-ML text (written beside synthesized files).</summary>
    public string Xml { get; }

    /// <summary>Whether this is a built-in panel.</summary>
    public bool IsBuiltIn => Origin.StartsWith("builtin:", StringComparison.Ordinal);

    /// <summary>The population with this id.</summary>
    public PanelPopulation Population(string id) => Populations.First(p => p.Id == id);

    /// <summary>The first population with a role, or null.</summary>
    public PanelPopulation? WithRole(PopulationRole role) => Populations.FirstOrDefault(p => p.Role == role);

    /// <summary>The channels the gates read ($PnN names, or spectrum-matrix fluorochromes).</summary>
    public ImmutableArray<string> Channels =>
    [
        .. Document.Gates.SelectMany(GateChannels).Distinct(StringComparer.Ordinal),
    ];

    private IEnumerable<string> GateChannels(Gate gate)
    {
        IEnumerable<GateDimension> dimensions = gate switch
        {
            RectangleGate r => r.Dimensions.Select(d => d.Dimension),
            PolygonGate p => [p.X, p.Y],
            EllipsoidGate e => e.Dimensions,
            QuadrantGate q => q.Dividers.Select(d => d.Dimension),
            _ => [],
        };
        foreach (var d in dimensions)
        {
            if (d is ChannelDimension c)
            {
                yield return c.Name;
            }
            else if (d is RatioDimension ratio && Document.Transformations.TryGetValue(ratio.RatioId, out var t) && t.Ratio is { } def)
            {
                yield return def.Numerator;
                yield return def.Denominator;
            }
        }
    }
}
