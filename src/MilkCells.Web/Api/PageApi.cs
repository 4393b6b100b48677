using System.Reflection;

namespace MilkCells.Web.Api;

/// <summary>The page: one HTML/JS app embedded in this assembly, and the chart library embedded in MilkCells.Reports (no CDN: it works offline).</summary>
internal static class PageApi
{
    private static readonly Dictionary<string, (Assembly Assembly, string Resource, string Type)> Assets = new(StringComparer.Ordinal)
    {
        ["app.js"] = (typeof(PageApi).Assembly, "MilkCells.Web.wwwroot.app.js", "text/javascript; charset=utf-8"),
        ["app.css"] = (typeof(PageApi).Assembly, "MilkCells.Web.wwwroot.app.css", "text/css; charset=utf-8"),
        ["chartjs-plugin-zoom.js"] = (typeof(PageApi).Assembly, "MilkCells.Web.wwwroot.chartjs-plugin-zoom.js", "text/javascript; charset=utf-8"),
        ["hammer.js"] = (typeof(PageApi).Assembly, "MilkCells.Web.wwwroot.hammer.js", "text/javascript; charset=utf-8"),
        ["chart.js"] = (typeof(Reports.ReportHtml).Assembly, "MilkCells.Reports.chart.js", "text/javascript; charset=utf-8"),
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Resource(typeof(PageApi).Assembly, "MilkCells.Web.wwwroot.index.html", "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/assets/{name}", (string name) => Assets.TryGetValue(name, out var a)
            ? Resource(a.Assembly, a.Resource, a.Type)
            : throw new NotFoundException($"no asset '{(name.Length > 40 ? name[..40] : name)}'")).ExcludeFromDescription();
    }

    private static IResult Resource(Assembly assembly, string name, string type)
    {
        var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"resource {name} is missing from {assembly.GetName().Name}");
        return Results.Stream(stream, type);
    }
}
