using System.Globalization;
using MilkCells.Cohorts;
using MilkCells.Cohorts.Reference;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>
/// The reference set shipped in data/reference/: its header names the one command that rebuilds it (the README's),
/// the model and scenario it was built from are the current ones, and the code still computes the same cohort
/// (the fingerprint of mothers 0–1, recomputed here, matches). When the model or the simulation changes, these fail
/// and the set must be rebuilt with that command.
/// </summary>
public sealed class ShippedReferenceSetTests : IDisposable
{
    private static readonly string[] Lines = File.ReadAllLines(Shared.InRepo("data/reference/reference.csv"));
    private readonly TempDir _dir = new("milkcells-shipped-reference");

    public void Dispose() => _dir.Dispose();

    private static string Header(string key) =>
        Lines.Where(l => l.StartsWith($"# {key}: ", StringComparison.Ordinal)).Select(l => l[$"# {key}: ".Length..]).Single();

    private static string Stale => "data/reference/reference.csv is stale: rebuild it with the command in its header (README, Cohorts)";

    private static string[] Commands => Header("rebuild").Split(" && ");

    private static string Option(string command, string name)
    {
        var tokens = command.Split(' ');
        return tokens[Array.IndexOf(tokens, name) + 1];
    }

    [Fact]
    public void The_rebuild_command_is_the_READMEs_and_every_part_of_it_parses()
    {
        Assert.Contains(Header("rebuild"), File.ReadAllText(Shared.InRepo("README.md")));
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, default));
        Assert.Equal(2, Commands.Length);
        foreach (var command in Commands)
        {
            Assert.StartsWith("milkcells ", command);
            Assert.Empty(root.Parse(command["milkcells ".Length..]).Errors);
        }
        Assert.Equal("data/reference", Option(Commands[1], "--out"));
        Assert.Equal(Option(Commands[0], "--store"), Option(Commands[1], "--store"));
    }

    [Fact]
    public void The_shipped_set_was_built_from_the_current_model_scenario_and_default_profile()
    {
        var scenario = ScenarioLoader.Load(Option(Commands[0], "--scenario"), MilkModel.Embedded);
        Assert.True(Header("cohort").Contains($"({scenario.Hash})", StringComparison.Ordinal), Stale + ": the scenario changed");
        Assert.True(Header("versions").StartsWith($"model {MilkModel.Embedded.Version},", StringComparison.Ordinal), Stale + ": the model data changed");
        Assert.Equal("default", Option(Commands[0], "--profile"));
        Assert.DoesNotContain(Lines, l => l.StartsWith("# calibration profile", StringComparison.Ordinal));
    }

    [Fact]
    public void The_code_still_computes_the_shipped_cohort()
    {
        // Mothers 0 and 1 of the shipped cohort, recomputed: mother j depends only on the seed and j, not on N.
        var run = Commands[0]["milkcells cohort run ".Length..].Split(' ').ToList();
        run[run.IndexOf("--mothers") + 1] = CohortFingerprint.DefaultMothers.ToString(CultureInfo.InvariantCulture);
        var uri = "sqlite:" + _dir.File("fingerprint.db");
        run[run.IndexOf("--store") + 1] = uri;
        CohortFiles.Run([.. run]);
        using var store = CohortStore.OpenForRead(uri);
        var expected = Header("fingerprint").Split(' ')[0];
        Assert.True(expected == CohortFingerprint.Of(store), Stale + ": the simulation now computes other rows");
    }

    [Fact]
    public void The_shipped_ranges_cover_every_measure_window_and_stage_and_never_decrease()
    {
        var header = Lines.First(l => !l.StartsWith('#')).Split(',');
        Assert.Equal(["measure", "unit", "stage", "first_day", "last_day", "n", "mothers", .. ReferenceOptions.DefaultPercentiles.Select(p => "p" + p.ToString(CultureInfo.InvariantCulture))], header);
        var rows = Lines.SkipWhile(l => l.StartsWith('#')).Skip(1).Select(l => l.Split(',')).ToArray();
        var mothers = int.Parse(Option(Commands[0], "--mothers"), CultureInfo.InvariantCulture);
        var days = int.Parse(Option(Commands[0], "--days"), CultureInfo.InvariantCulture);
        var measures = ReferenceMeasure.For(CohortColumns.Schema(MilkModel.Embedded)).Select(m => m.Column).ToArray();
        Assert.Equal(measures, rows.Select(r => r[0]).Distinct());
        foreach (var row in rows)
        {
            var values = row[7..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(values.Zip(values.Skip(1)).All(p => p.First <= p.Second), $"{string.Join(',', row[..5])}: percentiles decrease");
            Assert.InRange(int.Parse(row[6], CultureInfo.InvariantCulture), 1, mothers);
        }
        foreach (var measure in new[] { "cells_per_ml_total", "milk_ml" })
        {
            // Every day of the run falls in exactly one row's window, and every mother-day is counted once.
            var windows = rows.Where(r => r[0] == measure).Select(r => (First: int.Parse(r[3], CultureInfo.InvariantCulture), Last: int.Parse(r[4], CultureInfo.InvariantCulture))).Distinct().ToArray();
            Assert.Equal(Enumerable.Range(0, days), windows.SelectMany(w => Enumerable.Range(w.First, w.Last - w.First + 1)).Where(d => d < days).Order());
            Assert.Equal((long)mothers * days, rows.Where(r => r[0] == measure).Sum(r => long.Parse(r[5], CultureInfo.InvariantCulture)));
        }
        Assert.Equal(["colostrum", "transitional", "mature"], rows.Select(r => r[2]).Distinct());
    }
}
