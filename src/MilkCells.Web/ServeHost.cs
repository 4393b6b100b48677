using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using MilkCells.Web.Api;
using MilkCells.Web.Jobs;

namespace MilkCells.Web;

/// <summary>Builds the dashboard's web application: settings, the job queue, safety middleware, the JSON API, the page and the OpenAPI document.</summary>
/// <remarks>
/// Design: minimal APIs over the libraries the command line calls (MilkCells.Workflows and below); the page is one
/// static HTML/JS app embedded in the assembly (docs/serve.md says why). Middleware order: problem details outermost,
/// then the access token, request body limits and cross-site request forgery checks, then the endpoints.
/// </remarks>
public static class ServeHost
{
    /// <summary>The web application for <paramref name="settings"/> (already validated and with its token decided).</summary>
    public static WebApplication Build(ServeSettings settings, string[]? args = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null); // set per request by BodyLimits
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new ServerSecrets(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobQueue>());
        builder.Services.AddSingleton<DataFolder>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "MilkCells dashboard API";
            doc.Info.Description = "The JSON API behind `milkcells serve` (docs/serve.md). State-changing requests carry X-MilkCells-Csrf from GET /api/session; beyond loopback every request carries the token (Authorization: Bearer TOKEN).";
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStatusCodePages();
        app.UseMiddleware<TokenMiddleware>();
        app.UseMiddleware<BodyLimitMiddleware>();
        app.UseMiddleware<CsrfMiddleware>();
        app.MapOpenApi();
        PageApi.Map(app);
        SessionApi.Map(app);
        ScenarioApi.Map(app);
        JobApi.Map(app);
        RunApi.Map(app);
        CohortApi.Map(app);
        UploadApi.Map(app);
        SampleApi.Map(app);
        ModelApi.Map(app);
        return app;
    }
}

/// <summary>Secrets of this server process: the cross-site request forgery token the page echoes in a header.</summary>
public sealed record ServerSecrets(string Csrf);
