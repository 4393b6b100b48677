using System.Diagnostics;
using System.Runtime.InteropServices;
using MilkCells.Simulation;
using MilkCells.Storage.Runs;

namespace MilkCells.Cli.Tests;

/// <summary><c>milkcells simulate</c> end to end: files, columns, determinism, the run store, bad input.</summary>
public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("milkcells-simulate-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private (int Code, string Output, string Error) Simulate(string outDir, params string[] extra) =>
        CliHarness.Run(["simulate", "--out", outDir, "--store", Path.Combine(_dir, "runs.db"), .. extra]);

    [Fact]
    public void Simulate_writes_every_file_with_the_exact_columns_and_records_the_run()
    {
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, output) = Simulate(outDir, "--days", "20", "--seed", "7");
        Assert.True(code == 0, output);
        Assert.Equal("", stdout); // the summary is for people: standard error
        Assert.Equal([".milkcells-output", "breasts.csv", "daily.csv", "feeds.csv", "infant.csv", "report.html", "run.json"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("colostrum", output);
        Assert.Contains("% leucocytes", output);

        var daily = File.ReadAllLines(Path.Combine(outDir, "daily.csv"));
        Assert.StartsWith(string.Join(',', DailyTable.Required) + ",", daily[0]);
        Assert.Equal(21, daily.Length);
        Assert.All(daily.Skip(1), line => Assert.Equal(daily[0].Split(',').Length, line.Split(',').Length));
        var feeds = File.ReadAllLines(Path.Combine(outDir, "feeds.csv"));
        Assert.StartsWith("day,time_h,breast,volume_ml,cells_per_ml_total,cells_per_ml_leucocyte,pct_leucocyte,cells_per_ml_before,cells_per_ml_after_30min,", feeds[0]);
        Assert.Contains("n_macrophage_alive", feeds[0]);
        Assert.Contains("n_macrophage_dead", feeds[0]);
        Assert.StartsWith("day,time_h,gut_viable,", File.ReadLines(Path.Combine(outDir, "infant.csv")).First());
        var breasts = File.ReadAllLines(Path.Combine(outDir, "breasts.csv"));
        Assert.Equal("day,time_h,breast,volume_ml,cells_per_ml_total,cells_per_ml_leucocyte,pct_leucocyte", breasts[0]);
        Assert.Equal(1 + 2 * (20 * 24 + 1), breasts.Length); // healthy: resolutionHours 1, both breasts, hours 0–480
        Assert.Equal(["19,479,left,", "19,479,right,", "20,480,left,", "20,480,right,"], breasts[^4..].Select(l => string.Join(',', l.Split(',')[..3]) + ","));
        var json = File.ReadAllText(Path.Combine(outDir, "run.json"));
        Assert.Contains("\"seed\": 7,", json);
        Assert.Contains("\"sha256\"", json);
        Assert.Contains("\"model_version\"", json);
        Assert.Contains("\"code_version\"", json);
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Within-feed dynamics", html);
        Assert.Contains("Parameters and their sources", html.Replace("Every constant of the network", "Parameters and their sources"));

        using var store = RunStore.Open(Path.Combine(_dir, "runs.db"));
        var run = Assert.Single(store.List());
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(7UL, run.Start.Seed);
        Assert.Equal(outDir, run.Start.OutputFolder);
    }

    [Fact]
    public void Two_runs_with_the_same_seed_write_identical_bytes_except_the_times_in_run_json()
    {
        string[] args = ["--scenario", "donor-milk", "--days", "5", "--seed", "11"];
        var a = Path.Combine(_dir, "a");
        var b = Path.Combine(_dir, "b");
        Assert.Equal(0, Simulate(a, args).Code);
        Assert.Equal(0, Simulate(b, args).Code);
        foreach (var file in Directory.GetFiles(a).Select(Path.GetFileName))
        {
            var (x, y) = (File.ReadAllText(Path.Combine(a, file!)), File.ReadAllText(Path.Combine(b, file!)));
            if (file == "run.json")
            {
                (x, y) = (x[..x.IndexOf("\"times\"", StringComparison.Ordinal)], y[..y.IndexOf("\"times\"", StringComparison.Ordinal)]);
            }
            Assert.True(x == y, $"{file} differs between identical runs");
        }
        Assert.True(File.Exists(Path.Combine(a, "expressed.csv")));
        Assert.Equal("container,process,time_h,temperature_c,cells_total,viable_fraction,volume_ml", File.ReadLines(Path.Combine(a, "expressed.csv")).First());
        Assert.NotEqual(File.ReadAllText(Path.Combine(a, "daily.csv")), File.ReadAllText(Path.Combine(Simulate(Path.Combine(_dir, "c"), "--days", "5", "--seed", "12").Code == 0 ? Path.Combine(_dir, "c") : a, "daily.csv")));
    }

    [Fact]
    public void A_non_default_profile_is_marked_in_every_output()
    {
        var outDir = Path.Combine(_dir, "lay");
        var (code, _, output) = Simulate(outDir, "--days", "3", "--profile", "lay-claims");
        Assert.Equal(0, code);
        Assert.Contains("LAY-CLAIMS CALIBRATION", output);
        foreach (var csv in Directory.GetFiles(outDir, "*.csv"))
        {
            Assert.StartsWith("# calibration profile 'lay-claims': LAY-CLAIMS CALIBRATION", File.ReadLines(csv).First());
        }
        Assert.Contains("LAY-CLAIMS CALIBRATION", File.ReadAllText(Path.Combine(outDir, "run.json")));
        Assert.Contains("NOT the default", File.ReadAllText(Path.Combine(outDir, "report.html")));
    }

    [Fact]
    public void A_typo_in_a_scenario_exits_2_naming_file_line_and_key_and_leaves_no_folder()
    {
        var file = Path.Combine(_dir, "typo.yaml");
        File.WriteAllText(file, "name: typo\ndurationDays: 3\nfeding:\n  mode: on-demand\n");
        var outDir = Path.Combine(_dir, "never");
        var (code, _, error) = Simulate(outDir, "--scenario", file);
        Assert.Equal(2, code);
        Assert.Contains("typo.yaml:3", error);
        Assert.Contains("feding", error);
        Assert.Contains("did you mean 'feeding'?", error);
        Assert.False(Directory.Exists(outDir));
        Assert.Empty(Directory.GetDirectories(_dir));
    }

    [Theory]
    [InlineData("cell type", "mother:\n  mode: fixed\n  cellTypeFactors: { macrophag: 2 }\n", "macrophag")]
    [InlineData("negative rate", "parameters:\n  breast.retention_rate: -1\n", "breast.retention_rate")]
    [InlineData("outside lactation", "startDay: 1500\n", "startDay")]
    public void Bad_scenarios_exit_2_and_leave_no_folder(string what, string yaml, string key)
    {
        var file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, "name: bad\ndurationDays: 3\n" + yaml);
        var outDir = Path.Combine(_dir, "never");
        var (code, _, error) = Simulate(outDir, "--scenario", file);
        Assert.True(code == 2, $"{what}: exit {code}: {error}");
        Assert.Contains("bad.yaml:", error);
        Assert.Contains(key, error);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Days_past_the_end_of_lactation_and_an_unknown_profile_exit_2_without_a_folder()
    {
        var outDir = Path.Combine(_dir, "never");
        var (code, _, error) = Simulate(outDir, "--days", "2000");
        Assert.Equal(2, code);
        Assert.Contains("past the end of lactation", error);
        (code, _, error) = Simulate(outDir, "--profile", "microscopy");
        Assert.Equal(2, code);
        Assert.Contains("microscopy-era", error);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Ctrl_C_exits_130_keeps_the_previous_output_and_records_the_run_as_interrupted()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("SIGINT is a POSIX signal");
        }
        var outDir = Path.Combine(_dir, "out");
        var store = Path.Combine(_dir, "runs.db");
        var (code, _, error) = Simulate(outDir, "--days", "3", "--seed", "5");
        Assert.True(code == 0, error);
        var before = Directory.GetFiles(outDir).Order().Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();

        // A long run into the same folder, interrupted once it has shown progress (redirected: plain "day" lines).
        // Through `env --default-signal=INT` (GNU coreutils): a test run started in the background inherits SIGINT as
        // ignored, and .NET, like a shell, leaves an ignored SIGINT ignored; a user's terminal never does.
        var progressed = new ManualResetEventSlim();
        using var run = MilkcellsProcess.StartProgram("env",
            ["--default-signal=INT", "dotnet", MilkcellsProcess.Dll, "simulate", "--scenario", "extended-lactation", "--out", outDir, "--store", store],
            new Dictionary<string, string> { ["MILKCELLS_DEBUG"] = "0" }, // as a user runs it: no stack traces
            onError: line =>
            {
                if (line.TrimStart().StartsWith("day ", StringComparison.Ordinal))
                {
                    progressed.Set(); // progress is on standard error
                }
            });
        Assert.True(progressed.Wait(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken), "the run showed no progress");
        Assert.Equal(0, Kill(run.Id, SigInt));
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(1)), "the run did not stop after SIGINT");
        run.WaitForExit();

        Assert.True(run.ExitCode == 130, $"exit {run.ExitCode}: {MilkcellsProcess.ErrorOf(run)}");
        Assert.DoesNotContain("   at ", MilkcellsProcess.ErrorOf(run));
        Assert.Equal(before.Select(f => f.Item1), Directory.GetFiles(outDir).Order().Select(Path.GetFileName));
        Assert.All(before, f => Assert.Equal(f.Item2, File.ReadAllBytes(Path.Combine(outDir, f.Item1))));
        Assert.Equal(["out"], Directory.GetDirectories(_dir).Select(Path.GetFileName)); // no half-written sibling
        using var runs = RunStore.Open(store);
        var last = runs.List().MaxBy(r => r.Id)!;
        Assert.Equal(RunStatus.Interrupted, last.Status);
        Assert.Equal("builtin:extended-lactation", last.Start.Scenario);
    }

    private const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [Fact]
    public void Export_sbml_writes_a_model_libsbml_accepts_with_sources_as_annotations()
    {
        var path = Path.Combine(_dir, "mastitis.xml");
        var (code, output, error) = CliHarness.Run("model", "export-sbml", "-s", "mastitis", "-o", path);
        Assert.True(code == 0, error);
        Assert.Equal("", output);
        Assert.Contains("no errors", error);
        var xml = File.ReadAllText(path);
        Assert.Contains("level=\"3\" version=\"2\"", xml);
        Assert.Contains("doi:10.1371/journal.pone.0078232", xml);
        Assert.DoesNotContain(MilkCells.Sbml.SbmlExporter.Validate(xml), i => i.IsError);
        Assert.Equal(MilkCells.Model.ModelRun.Plan("mastitis", null, 1).Network.Reactions.Length, System.Text.RegularExpressions.Regex.Count(xml, "<reaction "));
    }
}
