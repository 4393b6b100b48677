using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MilkCells.Web.Jobs;

namespace MilkCells.Web.Tests;

/// <summary>The dashboard in memory (WebApplicationFactory over the real Program), with its own data folder and run store.</summary>
public sealed class ServeFactory : WebApplicationFactory<ServeProgram>
{
    public ServeFactory(Func<ServeSettings, ServeSettings>? adjust = null)
    {
        Folder = Directory.CreateTempSubdirectory("milkcells-serve-").FullName;
        var settings = new ServeSettings("http://127.0.0.1:5080", "sqlite:" + Path.Combine(Folder, "runs.db"), Path.Combine(Folder, "data"), null, ServeSettings.DefaultMaxUpload, 2, 64);
        Settings = (adjust?.Invoke(settings) ?? settings).Validate().WithRequiredToken(out _);
    }

    public string Folder { get; }

    public ServeSettings Settings { get; }

    public JobQueue Queue => Services.GetRequiredService<JobQueue>();

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureTestServices(s => s.AddSingleton(Settings));

    /// <summary>A client with the token (if any) and the CSRF header of this server.</summary>
    public async Task<HttpClient> ClientAsync(bool csrf = true)
    {
        var client = CreateClient();
        if (Settings.Token is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        if (csrf)
        {
            var session = await client.GetFromJsonAsync<JsonElement>("/api/session");
            client.DefaultRequestHeaders.Add("X-MilkCells-Csrf", session.GetProperty("csrf").GetString());
        }
        return client;
    }

    /// <summary>Polls a job until it ends.</summary>
    public static async Task<JsonElement> FinishAsync(HttpClient client, string job, int seconds = 300)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            var view = await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}");
            if (view.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled" or "interrupted")
            {
                return view;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {job} did not end in {seconds} s");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(Folder, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
