using System.IO.Compression;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Formats;

namespace MilkCells.SingleCell.Tests;

/// <summary>The Matrix Market entries parsed in blocks on several threads give the matrix and the errors of one pass.</summary>
public sealed class MtxBlockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("milkcells-mtx-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A 40-cell × 30-gene matrix with comments, blank lines, real values and a duplicate entry among its lines.</summary>
    private static string Text(int declaredExtra = 0, string? replaceLine = null, int at = -1, int dropLast = 0)
    {
        var lines = new List<string>();
        var random = new Random(7);
        for (var c = 1; c <= 40; c++)
        {
            for (var g = 1; g <= 30; g++)
            {
                if (random.NextDouble() < 0.3)
                {
                    lines.Add($"{g} {c} {random.Next(1, 500)}");
                }
            }
            if (c % 7 == 0)
            {
                lines.Add(c % 2 == 0 ? "% a comment between entries" : "");
            }
        }
        lines.Add("3 5 2");
        if (replaceLine is not null)
        {
            lines[at] = replaceLine;
        }
        lines.RemoveRange(lines.Count - dropLast, dropLast);
        var entries = lines.Count(l => l.Length > 0 && l[0] != '%') + declaredExtra;
        return $"%%MatrixMarket matrix coordinate integer general\n% written by a test\n30 40 {entries}\n" + string.Join("\n", lines) + "\n";
    }

    private string Write(string text, bool gzip)
    {
        var path = Path.Combine(_dir, gzip ? $"m{Guid.NewGuid():N}.mtx.gz" : $"m{Guid.NewGuid():N}.mtx");
        using var file = File.Create(path);
        using Stream s = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        s.Write(Encoding.ASCII.GetBytes(text));
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Blocks_on_threads_give_the_matrix_of_one_pass(bool gzip)
    {
        var path = Write(Text(), gzip);
        var whole = MtxReader.Read(path, 1);
        Assert.Equal(40, whole.Rows);
        Assert.Equal(30, whole.Columns);
        Assert.True(whole.NonZeros > 300);
        foreach (var (threads, block) in new[] { (1, 64), (3, 64), (2, 17), (4, 1000) })
        {
            var m = MtxReader.Read(path, threads, block);
            Assert.Equal(whole.RowStart, m.RowStart);
            Assert.Equal(whole.ColumnIndex, m.ColumnIndex);
            Assert.Equal(whole.Values, m.Values);
        }
    }

    public static TheoryData<string, int, string> Bad => new()
    {
        // text, line of the problem (1-based in the file; −1: not checked here), message part
        { Text(replaceLine: "4 x 1", at: 100), 104, "is not 'row column value'" },
        { Text(replaceLine: "31 2 1", at: 200), 204, "lies outside the 30 × 40 matrix" },
        { Text(replaceLine: "2 2 1.5", at: 250), 254, "in an 'integer' matrix" },
        { Text(replaceLine: "2 2 -3", at: 9), 13, "a negative count" },
        { Text(declaredExtra: -2), -1, "entries but the file holds more" },
        { Text(declaredExtra: 3), -1, "entries but the file holds" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Errors_name_the_same_line_whatever_the_blocks(string text, int line, string message)
    {
        var path = Write(text, gzip: false);
        var first = Assert.Throws<InputException>(() => MtxReader.Read(path, 1));
        Assert.Contains(message, first.Message, StringComparison.Ordinal);
        if (line > 0)
        {
            Assert.Equal(line, first.Location.Line);
        }
        foreach (var (threads, block) in new[] { (1, 32), (3, 32), (2, 100) })
        {
            var e = Assert.Throws<InputException>(() => MtxReader.Read(path, threads, block));
            Assert.Equal(first.Message, e.Message);
        }
    }

    [Fact]
    public void More_entries_than_declared_names_the_first_extra_line()
    {
        var text = Text(declaredExtra: -2);
        var lines = text.Split('\n');
        // the second-to-last entry line of the file is the first one past the declared count
        var entryLines = lines.Select((l, i) => (l, i)).Where(p => p.i >= 3 && p.l.Length > 0 && p.l[0] != '%').Select(p => p.i + 1).ToArray();
        var expected = entryLines[^2];
        var path = Write(text, gzip: false);
        foreach (var (threads, block) in new[] { (1, MtxEntries.DefaultBlockBytes), (1, 40), (3, 40) })
        {
            var e = Assert.Throws<InputException>(() => MtxReader.Read(path, threads, block));
            Assert.Equal(expected, e.Location.Line);
            Assert.Contains("entries but the file holds more", e.Message, StringComparison.Ordinal);
        }
    }
}
