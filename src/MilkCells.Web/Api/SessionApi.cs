using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Samples.Panels;
using MilkCells.Workflows;

namespace MilkCells.Web.Api;

/// <summary>What the page needs first: the CSRF token, the version, limits and the choices (scenarios, profiles, panels).</summary>
public sealed record Session(string Csrf, string Version, int Threads, long MaxUpload, string[] Scenarios, string DefaultScenario, string[] Profiles, string[] Panels);

internal static class SessionApi
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/session", (ServerSecrets secrets, ServeSettings settings) => TypedResults.Ok(new Session(secrets.Csrf, CodeVersion.Current, settings.Threads,
            settings.MaxUpload, [.. ScenarioLoader.BuiltInNames], ScenarioLoader.DefaultName, [.. MilkModel.Embedded.Profiles.Select(p => p.Id)], [.. BuiltInPanels.Names])))
            .WithSummary("The session: CSRF token for state-changing requests, version, limits, built-in scenarios, profiles and panels.");
    }
}
