using System.Text.RegularExpressions;
using MilkCells.Core.Errors;
using MilkCells.Core.Provenance;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using MilkCells.TestSupport;

namespace MilkCells.Model.Tests;

public class ModelLoadingTests
{
    private static MilkModel Model => MilkModel.Embedded;

    [Fact]
    public void The_embedded_model_loads_and_validates()
    {
        Assert.StartsWith("model-", Model.Version);
        Assert.Equal(17, Model.CellTypes.Length);
        Assert.Equal(["colostrum", "transitional", "mature", "extended", "involution"], Model.Stages.Select(s => s.Id));
        Assert.Equal(["nipple-trauma", "blocked-duct", "mastitis", "infectious-mastitis", "abscess", "maternal-infection", "infant-infection"], Model.HealthStates.Select(h => h.Id));
    }

    [Fact]
    public void Cell_types_cover_issue_3_with_markers_and_valid_cell_ontology_ids()
    {
        string[] required =
        [
            "lactocyte-lc1", "lactocyte-lc2", "myoepithelial", "luminal-progenitor", "stem-nestin", "stem-cd49f-basal", "stem-mesenchymal",
            "stem-pluripotent", "stem-cd34", "stem-cd133", "macrophage", "neutrophil", "t-cd4", "t-cd8", "b-cell", "nk-cell", "eosinophil",
        ];
        Assert.Equal(required.Order(), Model.CellTypes.Select(c => c.Id).Order());
        foreach (var t in Model.CellTypes)
        {
            Assert.NotEmpty(t.ProteinMarkers);
            Assert.NotEmpty(t.GeneMarkers);
            Assert.NotNull(t.CellOntology);
            Assert.Matches(new Regex("^CL:[0-9]{7}$"), t.CellOntology!.Id);
        }
        Assert.Equal("CL:0000235", Model.CellType("macrophage").CellOntology!.Id);
        Assert.All(Model.OfClass(CellClass.Leucocyte), t => Assert.Equal(OntologyMatch.Exact, t.CellOntology!.Match));
        Assert.All(Model.OfClass(CellClass.Leucocyte), t => Assert.Contains("CD45", t.ProteinMarkers));
    }

    [Fact]
    public void Every_parameter_has_value_unit_condition_source_confidence_and_era()
    {
        var all = Model.Parameters.Values
            .Concat(Model.Profiles.SelectMany(p => p.Overrides.Values))
            .Concat(Model.Profiles.SelectMany(p => DerivedParameters.From(Model.Calibrate(p.Id)).All.Values));
        foreach (var p in all)
        {
            Assert.True(!p.Problems().Any(), $"{p.Id}: {string.Join("; ", p.Problems())}");
            Assert.False(string.IsNullOrWhiteSpace(p.UnitText), p.Id);
            Assert.NotEmpty(p.AllValues());
            Assert.All(p.AllValues(), v => Assert.True(double.IsFinite(v), p.Id));
        }
    }

    [Fact]
    public void Every_network_constant_carries_provenance()
    {
        foreach (var profile in Model.Profiles)
        {
            var network = NetworkBuilder.Build(Model.Calibrate(profile.Id), ScenarioLoader.BuiltIn("donor-milk", Model));
            foreach (var p in network.Parameters)
            {
                Assert.Empty(p.Provenance.Problems());
                Assert.True(Model.Parameters.ContainsKey(p.ParameterId) || p.ParameterId.StartsWith("derived.", StringComparison.Ordinal), p.Id);
            }
        }
    }

    [Fact]
    public void Infant_parameters_are_all_labelled_animal_derived()
    {
        // Evidence table §5: no human transfer data. The one human infant measurement is gut permeability (sugar probes, gut
        // closure), which scales the animal transfer rate and is labelled as human physiology.
        var infant = Model.Parameters.Values.Where(p => p.Id.StartsWith("infant.", StringComparison.Ordinal) && p.Id != ModelParameters.GutPermeability).ToArray();
        Assert.NotEmpty(infant);
        Assert.All(infant, p => Assert.Equal(MeasurementEra.Animal, p.Provenance.Era));
        Assert.Equal(MeasurementEra.Physiology, Model.Parameters[ModelParameters.GutPermeability].Provenance.Era);
    }

    [Fact]
    public void Profiles_are_default_microscopy_era_and_lay_claims_each_marked()
    {
        Assert.Equal(["default", "microscopy-era", "lay-claims"], Model.Profiles.Select(p => p.Id));
        Assert.Equal("default", Model.DefaultProfile.Id);
        Assert.Equal(MeasurementEra.FlowCytometry, Model.DefaultProfile.Era);
        Assert.Contains("MICROSCOPY-ERA", Model.Calibrate("microscopy-era").Profile.Marking);
        Assert.Contains("LAY-CLAIMS", Model.Calibrate("lay-claims").Profile.Marking);
        Assert.Equal(3, Model.Profiles.Select(p => p.Marking).Distinct().Count());
    }

    [Fact]
    public void Lay_claims_profile_gives_the_popular_figures()
    {
        // Evidence table §9: "perhaps 260,000 leucocytes" per mL; "up to 6 % of milk cells are stem cells".
        var lay = Model.Calibrate("lay-claims");
        var leucocytes = lay.Value(ModelParameters.Composition("mature", "total_cells")) * lay.Value(ModelParameters.Composition("mature", "leucocyte_fraction"));
        Assert.Equal(260_000, leucocytes, 1e-6);
        Assert.Equal(0.06, lay[ModelParameters.Composition("mature", "stem_fractions")].Table.Values.Sum(), 1e-9);
        Assert.All(lay.Profile.Overrides.Values, p => Assert.Equal(MeasurementEra.LayClaim, p.Provenance.Era));
    }

    [Fact]
    public void Microscopy_era_profile_uses_the_microscope_counts()
    {
        // Evidence table §1: Ho 1979 colostrum leucocytes mean 3,190 /mm³ (microscopy); the eras differ by 1–2 orders of magnitude.
        var micro = Model.Calibrate("microscopy-era");
        var flow = Model.Calibrate();
        double Leucocytes(CalibratedModel m, string stage) =>
            m.Value(ModelParameters.Composition(stage, "total_cells")) * m.Value(ModelParameters.Composition(stage, "leucocyte_fraction"));
        var ratio = Leucocytes(micro, "colostrum") / Leucocytes(flow, "colostrum");
        Assert.InRange(ratio, 10, 1000);
        Assert.InRange(Leucocytes(micro, "colostrum"), 1e6, 1e7); // Ho 1979: 3,190 /mm³ = 3.19×10⁶ /mL
        Assert.Equal(MeasurementEra.Microscopy, micro[ModelParameters.Composition("colostrum", "total_cells")].Provenance.Era);
    }

    [Fact]
    public void Conflicting_sources_are_kept_with_an_explicit_choice()
    {
        var withAlternatives = Model.Parameters.Values.Where(p => !p.Alternatives.IsDefaultOrEmpty).ToArray();
        Assert.Contains(withAlternatives, p => p.Id == ModelParameters.StorageCapacity);
        Assert.Contains(withAlternatives, p => p.Id == ModelParameters.FreezerViability); // 78 % vs the earlier 19 %
        Assert.All(withAlternatives, p => Assert.False(string.IsNullOrWhiteSpace(p.Choice), p.Id));
    }

    [Fact]
    public void Unknown_profile_is_an_input_error_with_a_hint()
    {
        var ex = Assert.Throws<InputException>(() => Model.Calibrate("lay-claim"));
        Assert.Equal("did you mean 'lay-claims'?", ex.Hint);
    }
}
