using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Model.Loading;

namespace MilkCells.Model.Catalogue;

/// <summary>The milk model's data, loaded from data/*.yaml and validated: immutable once made.</summary>
/// <remarks>
/// Load with <see cref="Embedded"/> (the data built into the assembly) or <see cref="LoadFrom"/> (a folder, for
/// people editing the data). Loading validates everything and throws <see cref="InputProblemsException"/> with every
/// problem at once. <see cref="Calibrate"/> applies a calibration profile.
/// </remarks>
/// <param name="Version">"model-" plus the first 12 hex digits of the SHA-256 of the data files.</param>
/// <param name="Sources">Cited sources.</param>
/// <param name="CellTypes">Cell types, in file order.</param>
/// <param name="Stages">Lactation stages, in order.</param>
/// <param name="HealthStates">Health states.</param>
/// <param name="Organs">Infant organs where maternal cells engraft.</param>
/// <param name="Fates">Differentiated fates of engrafted stem cells.</param>
/// <param name="Parameters">Every parameter of the default calibration, by id.</param>
/// <param name="Profiles">Calibration profiles (exactly one default).</param>
/// <param name="Checks">What simulations must reproduce (evidence table rows).</param>
public sealed record MilkModel(
    string Version,
    ImmutableArray<Source> Sources,
    ImmutableArray<CellType> CellTypes,
    ImmutableArray<Stage> Stages,
    ImmutableArray<HealthState> HealthStates,
    ImmutableArray<string> Organs,
    ImmutableArray<InfantFate> Fates,
    ImmutableSortedDictionary<string, Parameter> Parameters,
    ImmutableArray<Profile> Profiles,
    ImmutableArray<EvidenceCheck> Checks)
{
    private static readonly Lazy<MilkModel> EmbeddedModel = new(() => ModelLoader.Load(ModelFiles.Embedded()));

    /// <summary>The model built into the assembly (loaded and validated once).</summary>
    public static MilkModel Embedded => EmbeddedModel.Value;

    /// <summary>Loads and validates the model from a folder holding the data/*.yaml files.</summary>
    public static MilkModel LoadFrom(string dataDirectory) => ModelLoader.Load(ModelFiles.FromDirectory(dataDirectory));

    /// <summary>The default profile.</summary>
    public Profile DefaultProfile => Profiles.Single(p => p.IsDefault);

    /// <summary>The model with <paramref name="profileId"/>'s overrides applied (null: the default).</summary>
    /// <exception cref="InputException">Unknown profile, with a hint.</exception>
    public CalibratedModel Calibrate(string? profileId = null)
    {
        var profile = profileId is null ? DefaultProfile : Profiles.FirstOrDefault(p => p.Id == profileId);
        if (profile is null)
        {
            var hint = Yaml.Spelling.Suggest(profileId!, Profiles.Select(p => p.Id));
            throw new InputException(InputLocation.AtElement(null, "--profile"), $"unknown calibration profile '{profileId}'",
                hint is null ? $"one of: {string.Join(", ", Profiles.Select(p => p.Id))}" : $"did you mean '{hint}'?");
        }
        return new CalibratedModel(this, profile, Parameters.SetItems(profile.Overrides));
    }

    /// <summary>A cell type by id.</summary>
    public CellType CellType(string id) => CellTypes.First(c => c.Id == id);

    /// <summary>Cell types of one class, in file order.</summary>
    public IEnumerable<CellType> OfClass(CellClass cls) => CellTypes.Where(c => c.Class == cls);

    /// <summary>A source by id.</summary>
    public Source Source(string id) => Sources.First(s => s.Id == id);

    /// <summary>The stage of lactation day <paramref name="day"/>, or null outside lactation (before day 0 or after 4 years).</summary>
    public Stage? StageOnDay(int day)
    {
        foreach (var s in Stages) // a loop, not LINQ: planning asks this for every day of every mother
        {
            if (!s.AfterWeaning && day >= s.FirstDay && day <= s.LastDay)
            {
                return s;
            }
        }
        return null;
    }

    /// <summary>The last lactation day the model covers.</summary>
    public int LastLactationDay => Stages.Where(s => s.LastDay is not null).Max(s => s.LastDay!.Value);

    /// <summary>The valid keys of a table key set (cell types by class, severities, organs, fates…).</summary>
    public IReadOnlyCollection<string> KeysOf(string keySet) => keySet switch
    {
        "stem" => OfClass(CellClass.Stem).Select(c => c.Id).ToArray(),
        "leucocyte" => OfClass(CellClass.Leucocyte).Select(c => c.Id).ToArray(),
        "epithelial" => OfClass(CellClass.Epithelial).Select(c => c.Id).ToArray(),
        "cell" => CellTypes.Select(c => c.Id).ToArray(),
        "class" => Enum.GetValues<CellClass>().Select(CatalogueCellClass).ToArray(),
        "severity" => Severity.Levels,
        "organ" => Organs,
        "fate" => Fates.Select(f => f.Id).ToArray(),
        "quantity" => ["production", "cells", "boost"],
        _ => [],
    };

    /// <summary>Every key set a table may use.</summary>
    public static readonly ImmutableArray<string> KeySets = ["stem", "leucocyte", "epithelial", "cell", "class", "severity", "organ", "fate", "quantity"];

    private static string CatalogueCellClass(CellClass c) => Catalogue.CellType.ClassKeyOf(c);
}

/// <summary>The model under one calibration profile: the parameters every output is computed from.</summary>
/// <param name="Model">The model data.</param>
/// <param name="Profile">The profile applied (its marking goes into every output).</param>
/// <param name="Parameters">Parameters with the profile's overrides.</param>
public sealed record CalibratedModel(MilkModel Model, Profile Profile, ImmutableSortedDictionary<string, Parameter> Parameters)
{
    /// <summary>A parameter by id.</summary>
    public Parameter this[string id] =>
        Parameters.TryGetValue(id, out var p) ? p : throw new KeyNotFoundException($"the model has no parameter '{id}'");

    /// <summary>A scalar parameter's canonical value.</summary>
    public double Value(string id) => this[id].Value;

    /// <summary>One entry of a table parameter.</summary>
    public double Value(string id, string key) => this[id][key];

    /// <summary>Whether the parameter was replaced by the profile.</summary>
    public bool IsOverridden(string id) => Profile.Overrides.ContainsKey(id);
}
