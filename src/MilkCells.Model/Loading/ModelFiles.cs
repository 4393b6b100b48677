using System.Reflection;

namespace MilkCells.Model.Loading;

/// <summary>One model data file: its name (e.g. "milk.yaml"), the path shown in messages, and its text.</summary>
/// <param name="Name">File name.</param>
/// <param name="DisplayPath">Path used in error messages.</param>
/// <param name="Text">File contents; null when the file is missing.</param>
public sealed record ModelFile(string Name, string DisplayPath, string? Text);

/// <summary>Where the model's data files come from: the assembly's embedded copy or a folder.</summary>
public static class ModelFiles
{
    /// <summary>The files making up the model, in load order.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "sources.yaml", "cell-types.yaml", "stages.yaml", "health-states.yaml", "infant.yaml", "milk.yaml",
        "composition.yaml", "chemistry.yaml", "breast.yaml", "health.yaml", "storage.yaml", "variability.yaml", "profiles.yaml",
        "evidence-checks.yaml",
    ];

    /// <summary>The model files embedded in the assembly (data/*.yaml at build time).</summary>
    public static IReadOnlyList<ModelFile> Embedded() =>
        Names.Select(n => new ModelFile(n, $"data/{n}", EmbeddedText($"MilkCells.Model.data.{n}"))).ToArray();

    /// <summary>The model files in <paramref name="directory"/>.</summary>
    public static IReadOnlyList<ModelFile> FromDirectory(string directory) =>
        Names.Select(n =>
        {
            var path = Path.Combine(directory, n);
            return new ModelFile(n, path, File.Exists(path) ? File.ReadAllText(path) : null);
        }).ToArray();

    /// <summary>The text of an embedded resource, or null.</summary>
    internal static string? EmbeddedText(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource);
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
