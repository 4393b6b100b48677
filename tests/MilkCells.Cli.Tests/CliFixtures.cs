using System.Security.Cryptography;
using MilkCells.Engine.Model;
using MilkCells.Fcs;
using MilkCells.Sbml;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>Small inputs every command can read, made in a temporary folder (no ../shared needed).</summary>
internal sealed class CliFixtures : IDisposable
{
    private readonly TempDir _dir = new("milkcells-fixtures");

    public CliFixtures()
    {
        Fcs = _dir.File("sample.fcs");
        var values = new double[3 * 200];
        for (var e = 0; e < 200; e++)
        {
            values[3 * e] = e;
            values[3 * e + 1] = 200 - e;
            values[3 * e + 2] = e % 7;
        }
        FcsWriter.Write(Fcs, [new FcsWriteParameter("FSC-A"), new FcsWriteParameter("SSC-A"), new FcsWriteParameter("CD45-A")], values);
        Gates = _dir.File("gates.xml");
        File.WriteAllText(Gates, GatingMl(
            """<gating:RectangleGate gating:id="Cells"><gating:dimension gating:compensation-ref="uncompensated" gating:min="50" gating:max="150"><data-type:fcs-dimension data-type:name="FSC-A"/></gating:dimension></gating:RectangleGate>"""));
        NoGates = _dir.File("no-gates.xml");
        File.WriteAllText(NoGates, GatingMl(""));
        EmptyFile = _dir.File("empty.xml");
        File.WriteAllText(EmptyFile, "");
        TextFile = _dir.File("notes.txt");
        File.WriteAllText(TextFile, "just some text\n");
        Sbml = _dir.File("model.xml");
        if (SbmlSupport.Available)
        {
            File.WriteAllText(Sbml, SbmlExporter.Write(new NetworkBuilder("decay").Species("X", 100).MassAction("decay", "X ->", "0.1").ToNetwork()));
        }
        else
        {
            File.WriteAllText(Sbml, "<sbml/>"); // commands then fail with exit 2 naming libsbml5-cil, which the tests accept
        }
        Store = "sqlite:" + _dir.File("cohort.db");
        var (code, _, error) = CliHarness.Run("cohort", "run", "--mothers", "4", "--days", "3", "--threads", "1", "--store", Store);
        Assert.True(code == 0, error);
    }

    public string Fcs { get; }

    public string Gates { get; }

    public string NoGates { get; }

    public string EmptyFile { get; }

    public string TextFile { get; }

    public string Sbml { get; }

    /// <summary>A complete cohort store (4 mothers × 3 days).</summary>
    public string Store { get; }

    /// <summary>A small synthesized single-cell sample (.h5ad, 150 cells), made on first use.</summary>
    public string Scrna
    {
        get
        {
            if (_scrna is null)
            {
                var folder = _dir.File("scrna-sample");
                var (code, _, error) = CliHarness.Run("scrna", "synthesize", "--lactation-day", "30", "--cells", "150", "--genes", "200", "--threads", "1", "-o", folder);
                Assert.True(code == 0, error);
                _scrna = Path.Combine(folder, "sample.h5ad");
            }
            return _scrna;
        }
    }

    private string? _scrna;

    public static string GatingMl(string gates) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gating:Gating-ML xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\" " +
        "xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\">" + gates + "</gating:Gating-ML>\n";

    public void Dispose() => _dir.Dispose();
}

/// <summary>A snapshot of every file and folder under a root, with each file's SHA-256.</summary>
internal sealed record TreeSnapshot(IReadOnlyDictionary<string, string> Entries)
{
    public static TreeSnapshot Of(string root) => new(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .ToDictionary(p => Path.GetRelativePath(root, p), p => Directory.Exists(p) ? "folder" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p)))));

    /// <summary>Entries of <paramref name="before"/> missing or changed in this snapshot (other than <paramref name="mayChange"/>).</summary>
    public IEnumerable<string> LostFrom(TreeSnapshot before, Func<string, bool>? mayChange = null) => before.Entries
        .Where(e => !(mayChange?.Invoke(e.Key) ?? false) && (!Entries.TryGetValue(e.Key, out var now) || now != e.Value))
        .Select(e => e.Key);

    /// <summary>Entries of this snapshot that <paramref name="before"/> did not have.</summary>
    public IEnumerable<string> AddedTo(TreeSnapshot before) => Entries.Keys.Where(k => !before.Entries.ContainsKey(k)).Order(StringComparer.Ordinal);
}
