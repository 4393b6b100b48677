using System.CommandLine;
using MilkCells.Web;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells serve</c>: the web dashboard over the same libraries (docs/serve.md).</summary>
internal static class ServeCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "serve";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Serve the web dashboard: simulate, runs, cohorts and reference ranges, samples and the model's evidence, with a JSON API (/openapi/v1.json).";

    public static Command Create(CliContext context)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (default http://127.0.0.1:5080: this machine only); beyond loopback a token is required.", DefaultValueFactory = _ => ServeSettings.DefaultUrls, HelpName = "URLS" };
        var store = CliOptions.Store("The run store, a SQLite file: PATH or sqlite:PATH (default: as 'milkcells simulate').");
        var data = new Option<string>("--data") { Description = "Folder for uploads, run outputs, cohort stores, reference sets and analyses (created if absent).", DefaultValueFactory = _ => Path.Combine("milkcells-out", "serve"), HelpName = "DIR" };
        var token = new Option<string?>("--token") { Description = "Access token every request must carry (default: none on loopback; generated and printed on any other address).", HelpName = "TOKEN" };
        var maxUpload = new Option<string>("--max-upload") { Description = "Largest upload accepted, e.g. 2GB, 500MB (default 2GB); larger ones get 413.", DefaultValueFactory = _ => "2GB", HelpName = "SIZE" };
        var threads = CliOptions.Threads();
        threads.Description = "Jobs running at once (default: all cores); more wait in a bounded queue, and a full queue answers 429.";
        var command = new Command(Name, Summary)
        {
            urls, store, data, token, maxUpload, threads,
        };
        command.SetAction(parsed =>
        {
            var settings = new ServeSettings(parsed.GetValue(urls)!, parsed.GetValue(store), parsed.GetValue(data)!, parsed.GetValue(token),
                ServeSettings.ParseSize(parsed.GetValue(maxUpload)!), parsed.GetValue(threads) ?? Environment.ProcessorCount, 64).Validate().WithRequiredToken(out var generated);
            Workflows.Simulate.SimulateWorkflow.RunStorePath(settings.Store);
            return Serve(settings, generated, context);
        });
        return command.WithExamples("milkcells serve", "milkcells serve --urls http://0.0.0.0:5080 --data lab-data --max-upload 500MB");
    }

    private static int Serve(ServeSettings settings, bool generated, CliContext context)
    {
        var app = ServeHost.Build(settings);
        try
        {
            app.StartAsync(context.Cancellation).GetAwaiter().GetResult();
        }
        catch (IOException ex)
        {
            throw new Core.Errors.InputException(Core.Errors.InputLocation.AtElement(null, "--urls"), $"cannot listen on {settings.Urls}: {ex.Message}", "choose another port, e.g. --urls http://127.0.0.1:5081");
        }
        var addresses = app.Urls.ToArray();
        var suffix = settings.Token is null ? "" : "/?token=" + settings.Token;
        foreach (var url in addresses)
        {
            context.Error.WriteLine($"milkcells serve: {url}{suffix}");
        }
        if (generated)
        {
            context.Error.WriteLine($"token (generated, as the address is reachable beyond this machine): {settings.Token}");
        }
        context.Error.WriteLine("Ctrl+C stops the server; running jobs are cancelled and recorded as interrupted.");
        context.Error.Flush();
        // Ctrl+C cancels the command's token; SIGTERM (kill, systemd, docker stop) reaches the host's console lifetime,
        // which only signals ApplicationStopping: either one stops the server the same way.
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation, app.Lifetime.ApplicationStopping))
        {
            try
            {
                Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }
        }
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            app.StopAsync(grace.Token).GetAwaiter().GetResult();
        }
        ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
        context.Error.WriteLine("milkcells serve: stopped");
        return CliApp.Ok;
    }
}
