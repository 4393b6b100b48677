using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Cytometer;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Panels;

namespace MilkCells.Samples.Tests;

/// <summary>The built-in panels and the sourced data files behind the virtual cytometer and the state priors.</summary>
public class PanelTests
{
    private static readonly MilkModel Model = MilkModel.Embedded;

    [Theory]
    [InlineData("milk-basic")]
    [InlineData("milk-leucocytes")]
    public void Built_in_panels_cite_a_source_for_every_gate_and_map_only_known_cell_types(string name)
    {
        var panel = BuiltInPanels.Load(name, Model);
        Assert.Equal(name, panel.Name);
        Assert.NotEmpty(panel.Sources);
        foreach (var p in panel.Populations)
        {
            Assert.False(string.IsNullOrWhiteSpace(p.Source), $"{name}: gate '{p.Id}' has no source");
            Assert.All(p.CellTypes, t => Assert.Contains(Model.CellTypes, c => c.Id == t));
        }
        Assert.Equal(PopulationRole.Singlets, panel.Population("singlets").Role);
        Assert.Equal("nucleated", panel.Population("singlets").ParentId);
        Assert.NotNull(panel.WithRole(PopulationRole.Beads));
    }

    [Theory]
    [InlineData("milk-basic")]
    [InlineData("milk-leucocytes")]
    public void Every_surface_marker_stained_is_a_protein_marker_of_some_model_cell_type(string name)
    {
        var panel = BuiltInPanels.Load(name, Model);
        foreach (var stain in panel.Stains.Where(s => s.Role is null))
        {
            Assert.Contains(Model.CellTypes, t => t.ProteinMarkers.Contains(stain.Marker, StringComparer.OrdinalIgnoreCase));
        }
        // Every gate reads a stained channel or a scatter channel.
        Assert.All(panel.Channels, c => Assert.True(c.StartsWith("FSC", StringComparison.Ordinal) || c.StartsWith("SSC", StringComparison.Ordinal)
            || panel.Stains.Any(s => s.Channel == c), $"{name} gates read unstained channel {c}"));
    }

    [Fact]
    public void Milk_basic_gates_partition_the_singlets_into_the_model_cell_types()
    {
        // leucocytes, luminal, basal and marker-negative together hold every cell type exactly once.
        var panel = BuiltInPanels.Load("milk-basic", Model);
        var held = new[] { "leucocytes", "luminal", "basal", "marker-negative" }.SelectMany(id => panel.Population(id).CellTypes).ToList();
        Assert.Equal(Model.CellTypes.Length, held.Count);
        Assert.Equal(Model.CellTypes.Select(t => t.Id).Order(), held.Order());
    }

    [Fact]
    public void Milk_basic_gates_match_the_cell_types_protein_markers()
    {
        // A type belongs in the gate its markers put it in: CD45+ leucocytes, EpCAM+ luminal, CD49f+ basal, none of them.
        var panel = BuiltInPanels.Load("milk-basic", Model);
        foreach (var type in Model.CellTypes)
        {
            var has = (string m) => type.ProteinMarkers.Contains(m, StringComparer.OrdinalIgnoreCase);
            var gate = has("CD45") ? "leucocytes" : has("EpCAM") ? "luminal" : has("CD49f") ? "basal" : "marker-negative";
            Assert.Contains(type.Id, panel.Population(gate).CellTypes);
        }
    }

    [Fact]
    public void Milk_leucocytes_resolves_every_leucocyte_type_but_splits_t_cells_only_as_a_pair()
    {
        var panel = BuiltInPanels.Load("milk-leucocytes", Model);
        var single = panel.Populations.Where(p => p.CellTypes.Length == 1).Select(p => p.CellTypes[0]).ToHashSet();
        foreach (var t in Model.OfClass(CellClass.Leucocyte).Select(t => t.Id).Where(t => t is not ("t-cd4" or "t-cd8")))
        {
            Assert.Contains(t, single);
        }
        Assert.Equal(["t-cd4", "t-cd8"], panel.Population("t-cells").CellTypes);
    }

    [Fact]
    public void A_user_panel_is_mapped_by_gate_ids_and_unknown_cell_types_are_refused_with_the_line()
    {
        const string Gates = """
            <gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating" xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">
              <gating:RectangleGate gating:id="singlets"><gating:dimension gating:compensation-ref="uncompensated" gating:min="1"><data-type:fcs-dimension data-type:name="FSC-A"/></gating:dimension></gating:RectangleGate>
              <gating:RectangleGate gating:id="neutrophil" gating:parent_id="singlets"><gating:dimension gating:compensation-ref="uncompensated" gating:min="1"><data-type:fcs-dimension data-type:name="SSC-A"/></gating:dimension></gating:RectangleGate>
              <gating:RectangleGate gating:id="odd" gating:parent_id="singlets"><gating:dimension gating:compensation-ref="uncompensated" gating:max="1"><data-type:fcs-dimension data-type:name="SSC-A"/></gating:dimension></gating:RectangleGate>
            </gating:Gating-ML>
            """;
        var panel = PanelReader.Parse(Gates, "user.xml", "user.xml", "user", Model);
        Assert.Equal(PopulationRole.Singlets, panel.Population("singlets").Role);
        Assert.Equal(["neutrophil"], panel.Population("neutrophil").CellTypes);
        Assert.False(panel.Population("odd").IsMapped);

        var bad = Gates.Replace("<gating:RectangleGate gating:id=\"odd\" gating:parent_id=\"singlets\">",
            "<gating:RectangleGate gating:id=\"odd\" gating:parent_id=\"singlets\"><data-type:custom_info><mc:population xmlns:mc=\"urn:milkcells:panel:1\" cellTypes=\"macrofage\"/></data-type:custom_info>", StringComparison.Ordinal);
        var ex = Assert.Throws<InputException>(() => PanelReader.Parse(bad, "user.xml", "user.xml", "user", Model));
        Assert.Contains("user.xml:4", ex.Message);
        Assert.Contains("unknown cell type 'macrofage'", ex.Message);
    }

    [Fact]
    public void Unknown_panel_names_list_the_built_in_panels()
    {
        var ex = Assert.Throws<InputException>(() => BuiltInPanels.Load("milk-basci", Model));
        Assert.Contains("milk-basic, milk-leucocytes", ex.Message);
    }

    [Fact]
    public void The_virtual_cytometer_and_the_state_priors_load_with_every_value_sourced()
    {
        var settings = VirtualCytometerSettings.Default;
        Assert.NotEmpty(settings.Sourced);
        Assert.All(settings.Sourced, s => Assert.False(string.IsNullOrEmpty(s.Value.Unit)));
        Assert.All(Model.CellTypes, t => Assert.True(settings.Scatter.ContainsKey(t.Id)));
        var priors = StatePriors.Default;
        Assert.Equal(Model.HealthStates.Length, priors.RatePerDay.Count);
        Assert.Equal(1.0, priors.Severity.Sum(s => s.P), 9);
        Assert.Contains(priors.Sourced, s => s.Value.Source == "wilson2020");
    }

    [Fact]
    public void A_value_without_a_source_is_refused_with_its_line()
    {
        var text = System.Text.Encoding.UTF8.GetString(typeof(VirtualCytometerSettings).Assembly.GetManifestResourceStream("MilkCells.Samples.virtual-cytometer.yaml")!.ReadAllBytes())
            .Replace("range: { value: 262144, unit: channels, source: assumption,", "range: { value: 262144, unit: channels,", StringComparison.Ordinal);
        var ex = Assert.Throws<InputException>(() => VirtualCytometerSettings.Parse("cyt.yaml", text, Model));
        Assert.Contains("cyt.yaml:", ex.Message);
        Assert.Contains("'range' has no source", ex.Message);
    }
}

internal static class StreamExtensions
{
    public static byte[] ReadAllBytes(this Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
