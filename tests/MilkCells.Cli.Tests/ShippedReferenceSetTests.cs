using System.Globalization;
using MilkCells.Cohorts;
using MilkCells.Cohorts.Reference;
using MilkCells.Model.Catalogue;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>
/// The reference set shipped in data/reference/: its header names the one command that rebuilds it (docs/cohorts.md shows it),
/// and running that command now reproduces the file byte for byte (all but the code version it names). A change to
/// the model, the scenario or the simulation fails here until the set is rebuilt with that command.
/// </summary>
public sealed class ShippedReferenceSetTests : IDisposable
{
    private const string Path_ = "data/reference/reference.csv";
    private static readonly string[] Lines = File.ReadAllLines(Shared.InRepo(Path_));
    private readonly TempDir _dir = new("milkcells-shipped-reference");

    public void Dispose() => _dir.Dispose();

    private static string Header(string key) =>
        Lines.Where(l => l.StartsWith($"# {key}: ", StringComparison.Ordinal)).Select(l => l[$"# {key}: ".Length..]).Single();

    private static string[] Commands => Header("rebuild").Split(" && ");

    private static string Option(string command, string name)
    {
        var tokens = command.Split(' ');
        return tokens[Array.IndexOf(tokens, name) + 1];
    }

    [Fact]
    public void The_rebuild_command_is_the_one_docs_cohorts_md_shows_and_every_part_of_it_parses()
    {
        Assert.Contains(Header("rebuild"), File.ReadAllText(Shared.InRepo("docs/cohorts.md")));
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, default));
        Assert.Equal(2, Commands.Length);
        foreach (var command in Commands)
        {
            Assert.StartsWith("milkcells ", command);
            Assert.Empty(root.Parse(command["milkcells ".Length..]).Errors);
        }
        Assert.Equal("data/reference", Option(Commands[1], "--out"));
        Assert.Equal(Option(Commands[0], "--store"), Option(Commands[1], "--store"));
        Assert.Equal("default", Option(Commands[0], "--profile"));
        Assert.Matches(@"^model model-[0-9a-f]{12}, code \S+$", Header("versions"));
    }

    [Fact]
    public void Running_the_rebuild_command_now_reproduces_the_shipped_file()
    {
        // The cohort part through the command line as written (the store moved to a temporary file), the reference
        // part through the same builder and writer `reference build` uses, with the command's --out as the label.
        var run = Commands[0]["milkcells ".Length..].Split(' ').ToList();
        var uri = "sqlite:" + _dir.File("reference.db");
        run[run.IndexOf("--store") + 1] = uri;
        var (code, _, error) = CliHarness.Run([.. run]);
        Assert.True(code == 0, error);
        var build = Commands[1].Split(' ');
        var options = new ReferenceOptions { Windows = build.Contains("--windows") ? DayWindows.Parse(Option(Commands[1], "--windows")) : DayWindows.Default };
        using var store = CohortStore.OpenForRead(uri);
        var set = ReferenceBuilder.Build(store, options, cancellation: TestContext.Current.CancellationToken);
        var text = new StringWriter { NewLine = "\n" };
        ReferenceFiles.WriteCsv(set, Option(Commands[1], "--out"), text);
        static string WithoutCode(string line) => line.StartsWith("# versions: ", StringComparison.Ordinal) ? line[..line.IndexOf(", code ", StringComparison.Ordinal)] : line;
        var rebuilt = text.ToString().TrimEnd('\n').Split('\n').Select(WithoutCode).ToArray();
        var shipped = Lines.Select(WithoutCode).ToArray();
        var first = Enumerable.Range(0, Math.Min(rebuilt.Length, shipped.Length)).FirstOrDefault(i => rebuilt[i] != shipped[i], -1);
        Assert.True(first < 0 && rebuilt.Length == shipped.Length,
            $"{Path_} is stale: rebuild it with the command in its header (docs/cohorts.md, Reference ranges). First difference, line {first + 1}:\n  shipped: {(first >= 0 ? shipped[first] : "")}\n  now:     {(first >= 0 ? rebuilt[first] : "")}");
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
        // Every day of the run falls in exactly one window, and every mother-day is counted once.
        var milk = rows.Where(r => r[0] == "milk_ml").Select(r => (First: int.Parse(r[3], CultureInfo.InvariantCulture), Last: int.Parse(r[4], CultureInfo.InvariantCulture), N: long.Parse(r[5], CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(Enumerable.Range(0, days), milk.Select(w => (w.First, w.Last)).Distinct().SelectMany(w => Enumerable.Range(w.First, w.Last - w.First + 1)).Where(d => d < days).Order());
        Assert.Equal((long)mothers * days, milk.Sum(w => w.N));
        Assert.Equal(["colostrum", "transitional", "mature"], rows.Select(r => r[2]).Distinct());
    }
}
