using System.Text.RegularExpressions;
using MilkCells.Model.Catalogue;
using MilkCells.TestSupport;

namespace MilkCells.Model.Tests;

/// <summary>Every number's source is either a row of the shared evidence table or a documented extra source.</summary>
public class SourceTests
{
    private static MilkModel Model => MilkModel.Embedded;

    private static string Evidence() => File.ReadAllText(Shared.Require("evidence/milk-cells.md"));

    private static string ExtraSourcesSection()
    {
        var doc = File.ReadAllText(Shared.InRepo("docs/model.md"));
        var start = doc.IndexOf("## Sources beyond the evidence table", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/model.md has no 'Sources beyond the evidence table' section");
        var end = doc.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        return end < 0 ? doc[start..] : doc[start..end];
    }

    [Fact]
    public void Every_evidence_table_source_is_found_in_the_table()
    {
        var evidence = Evidence();
        foreach (var s in Model.Sources.Where(s => s.Evidence is not null))
        {
            Assert.True(evidence.Contains(s.Match!, StringComparison.Ordinal), $"source '{s.Id}': '{s.Match}' not in the evidence table");
            if (s.Doi is not null)
            {
                Assert.Contains($"doi:{s.Doi}", evidence);
            }
        }
    }

    [Fact]
    public void Every_other_source_is_documented_with_what_was_taken_from_it()
    {
        var section = ExtraSourcesSection();
        foreach (var s in Model.Sources.Where(s => s.Found is not null))
        {
            Assert.True(section.Contains($"`{s.Id}`", StringComparison.Ordinal), $"docs/model.md does not list extra source '{s.Id}'");
            if (s.Doi is not null)
            {
                Assert.Contains(s.Doi, section);
            }
        }
    }

    [Fact]
    public void Every_doi_in_the_data_is_in_the_evidence_table_or_the_documented_extra_sources()
    {
        var evidence = Evidence();
        var section = ExtraSourcesSection();
        var data = string.Concat(Directory.GetFiles(Shared.InRepo("data"), "*.yaml").Select(File.ReadAllText));
        var dois = Regex.Matches(data, @"10\.\d{4,9}/[^\s""',)]+").Select(m => m.Value.TrimEnd('.')).Distinct().ToArray();
        Assert.NotEmpty(dois);
        foreach (var doi in dois)
        {
            Assert.True(evidence.Contains(doi, StringComparison.Ordinal) || section.Contains(doi, StringComparison.Ordinal),
                $"DOI {doi} is cited in data/ but neither in the evidence table nor in docs/model.md's extra sources");
        }
    }

    [Fact]
    public void Every_parameter_cites_only_declared_sources()
    {
        var ids = Model.Sources.Select(s => s.Id).Append(Sources.Assumption).Append(Sources.Derived).ToHashSet();
        foreach (var p in Model.Parameters.Values.Concat(Model.Profiles.SelectMany(pr => pr.Overrides.Values)))
        {
            Assert.All(p.SourceIds, id => Assert.Contains(id, ids));
            Assert.All(p.Points, point => Assert.Contains(point.SourceId, ids));
        }
    }

    [Fact]
    public void Evidence_checks_quote_their_rows_verbatim()
    {
        var evidence = Evidence();
        Assert.NotEmpty(Model.Checks);
        foreach (var check in Model.Checks)
        {
            Assert.True(evidence.Contains(check.Row, StringComparison.Ordinal), $"check '{check.Id}': row text '{check.Row}' is not in the evidence table");
            Assert.Contains(check.Scenario, Scenarios.ScenarioLoader.BuiltInNames);
        }
    }
}
