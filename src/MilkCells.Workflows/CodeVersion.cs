using System.Reflection;

namespace MilkCells.Workflows;

/// <summary>The version of the running MilkCells code, recorded in every output.</summary>
public static class CodeVersion
{
    /// <summary>The informational version (version plus source revision when built from git).</summary>
    public static string Current { get; } =
        typeof(CodeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
