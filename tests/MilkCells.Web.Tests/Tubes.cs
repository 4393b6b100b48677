using System.Globalization;
using System.Text.RegularExpressions;

namespace MilkCells.Web.Tests;

/// <summary>FCS tubes made by <c>milkcells sample synthesize</c> (once per test run), and what <c>milkcells fcs gate</c> counts in them.</summary>
public static partial class Tubes
{
    private static readonly Lazy<string> Made = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"milkcells-serve-tubes-{Environment.ProcessId}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, true);
        }
        var error = new StringWriter();
        var code = Cli.CliApp.Run(["sample", "synthesize", "-s", "healthy", "--seed", "1", "--days", "30", "--events", "5000", "-o", folder], TextWriter.Null, error);
        return code == 0 ? folder : throw new InvalidOperationException("sample synthesize failed: " + error);
    });

    /// <summary>The folder with the FCS files, manifest.csv and panel.xml.</summary>
    public static string Folder => Made.Value;

    public static string Fcs => Directory.GetFiles(Folder, "*.fcs").Order(StringComparer.Ordinal).First();

    public static string Manifest => Path.Combine(Folder, "manifest.csv");

    /// <summary>Events per gate, as <c>milkcells fcs gate FILE --gates panel.xml</c> prints them.</summary>
    public static Dictionary<string, int> GateCounts(string fcs)
    {
        var output = new StringWriter();
        Assert.Equal(0, Cli.CliApp.Run(["fcs", "gate", fcs, "--gates", Path.Combine(Folder, "panel.xml")], output, TextWriter.Null));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in output.ToString().Split('\n').Skip(2))
        {
            var m = Row().Match(line);
            if (m.Success)
            {
                counts[m.Groups[1].Value] = int.Parse(m.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            }
        }
        return counts;
    }

    [GeneratedRegex(@"^\s+(\S+)\s+\S+\s+([\d,]+)\s")]
    private static partial Regex Row();
}
