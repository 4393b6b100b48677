using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using MilkCells.Web.Jobs;

namespace MilkCells.Web.Api;

/// <summary>Background jobs: list, state, live progress as server-sent events, cancel.</summary>
internal static class JobApi
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/jobs", (JobQueue q) => TypedResults.Ok(q.All.Select(j => j.View()).ToArray())).WithSummary("Every job, newest first.");
        app.MapGet("/api/jobs/{id}", (string id, JobQueue q) => TypedResults.Ok(Get(q, id).View())).WithSummary("One job's state and progress.");
        app.MapDelete("/api/jobs/{id}", (string id, JobQueue q) =>
        {
            var job = Get(q, id);
            job.Cancel();
            return TypedResults.Accepted($"/api/jobs/{id}", job.View());
        }).WithSummary("Cancel a job (a simulate run is recorded as interrupted).");
        app.MapGet("/api/jobs/{id}/events", Events).WithSummary("Live progress as server-sent events (text/event-stream): one 'job' event per change, the last when it ends.");
    }

    internal static Job Get(JobQueue q, string id) => q.Get(id) ?? throw new NotFoundException($"no job '{(id.Length > 40 ? id[..40] : id)}'");

    private static async Task Events(string id, JobQueue q, HttpContext context, IOptions<JsonOptions> json)
    {
        var job = Get(q, id);
        using var watching = q.Watch();
        var abort = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        while (!abort.IsCancellationRequested)
        {
            var changed = job.Changed;
            var view = job.View();
            await context.Response.WriteAsync($"event: job\ndata: {JsonSerializer.Serialize(view, json.Value.SerializerOptions)}\n\n", abort);
            await context.Response.Body.FlushAsync(abort);
            if (job.IsFinished)
            {
                return;
            }
            // at most four events a second; a comment every 15 s keeps proxies from closing a quiet stream
            await Task.WhenAll(Task.Delay(250, abort), Task.WhenAny(changed, Task.Delay(15_000, abort)));
        }
    }
}
