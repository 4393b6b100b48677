using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MilkCells.Fcs;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Cytometer;
using MilkCells.Samples.Findings;
using MilkCells.Samples.Input;

namespace MilkCells.Samples.Output;

/// <summary>The files <c>sample analyze</c> and <c>sample synthesize</c> write, from their results (pure writers over TextWriters and streams).</summary>
/// <remarks>Numbers are written as the shortest text that reads back to the same double; the same result gives the same bytes.</remarks>
public static class SampleOutputs
{
    /// <summary>samples.csv: one row per sample; info, counting, model measures, populations, then each measure's percentile and flag.</summary>
    public static void WriteSamplesCsv(AnalysisResult result, TextWriter w)
    {
        var measures = Measures.All(result.Model).Select(m => m.Name).Where(m => result.Samples.Any(s => s.Sample.Values.ContainsKey(m))).ToList();
        var populations = result.Samples.Where(s => s.Sample.Fcs is not null).SelectMany(s => s.Sample.Fcs!.Populations.Select(p => p.Population.Id)).Distinct().ToList();
        var placed = measures.Where(m => result.Samples.Any(s => s.Placements.ContainsKey(m))).ToList();
        var header = new List<string> { "sample_id", "mother_id", "lactation_day", "breast", "collected_at", "source", "panel", "events", "count_route", "aggregate_factor" };
        header.AddRange(measures);
        foreach (var p in populations)
        {
            var symbol = Parameter.ToSymbol(p);
            header.Add($"{symbol}_events");
            header.Add($"{symbol}_cells_per_ml");
        }
        foreach (var m in placed)
        {
            header.Add($"{m}_percentile");
            header.Add($"{m}_flag");
        }
        WriteRow(w, header);
        foreach (var r in result.Samples)
        {
            var s = r.Sample;
            var fcs = s.Fcs;
            var row = new List<string>
            {
                s.Info.SampleId, s.Info.MotherId ?? "", Int(s.Info.LactationDay), s.Info.Breast ?? "", s.Info.CollectedAt ?? "", s.Source,
                fcs?.Panel ?? "", fcs is null ? "" : Int(fcs.Events), fcs?.CountRoute ?? "", fcs is null ? "" : Number(fcs.AggregateFactor),
            };
            row.AddRange(measures.Select(m => s.Value(m) is { } v ? Number(v) : ""));
            foreach (var p in populations)
            {
                var pop = fcs?.Populations.FirstOrDefault(x => x.Population.Id == p);
                row.Add(pop is null ? "" : Int(pop.Events));
                row.Add(pop?.CellsPerMl is { } c ? Number(c) : "");
            }
            foreach (var m in placed)
            {
                var placement = r.Placements.GetValueOrDefault(m);
                row.Add(placement is null ? "" : Number(Math.Round(placement.Percentile, 2)));
                row.Add(placement?.Flag ?? "");
            }
            WriteRow(w, row);
        }
    }

    /// <summary>states.csv: <c>mother_id, day, state, probability</c> — each state's probability of being under way on each sample day.</summary>
    public static void WriteStatesCsv(AnalysisResult result, TextWriter w)
    {
        WriteRow(w, ["mother_id", "day", "state", "probability"]);
        foreach (var m in result.Mothers.Where(m => m.States is not null))
        {
            var s = m.States!;
            for (var d = 0; d < s.Days.Length; d++)
            {
                for (var k = 0; k < s.States.Length; k++)
                {
                    WriteRow(w, [m.MotherId, Int(s.Days[d]), s.States[k], Number(Math.Round(s.Daily[d][k], 6))]);
                }
            }
        }
    }

    /// <summary>findings.json: per sample its measures, percentiles, findings and notes; per mother her series, baseline and states; every citation.</summary>
    public static void WriteFindingsJson(AnalysisResult result, Stream stream)
    {
        using var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        j.WriteString("what", "MilkCells sample findings: what the literature associates with each sample's values, never a diagnosis");
        j.WriteString("panel", result.Options.Panel.Name);
        j.WriteString("reference", SampleAnalysis.ReferenceCitation(result.Options.Reference));
        j.WriteStartArray("samples");
        foreach (var r in result.Samples)
        {
            var s = r.Sample;
            j.WriteStartObject();
            j.WriteString("sample_id", s.Info.SampleId);
            Optional(j, "mother_id", s.Info.MotherId);
            if (s.Info.LactationDay is { } day)
            {
                j.WriteNumber("lactation_day", day);
            }
            Optional(j, "breast", s.Info.Breast);
            j.WriteString("source", s.Source);
            j.WriteStartObject("values");
            foreach (var (k, v) in s.Values)
            {
                j.WriteNumber(k, v);
            }
            j.WriteEndObject();
            j.WriteStartObject("percentiles");
            foreach (var (k, p) in r.Placements)
            {
                j.WriteStartObject(k);
                j.WriteNumber("percentile", Math.Round(p.Percentile, 2));
                j.WriteString("flag", p.Flag);
                j.WriteString("stage", p.Range.Stage);
                j.WriteString("window", $"{p.Range.FirstDay}-{p.Range.LastDay}");
                j.WriteNumber("p2.5", p.Range.Low);
                j.WriteNumber("p50", p.Range.Median);
                j.WriteNumber("p97.5", p.Range.High);
                j.WriteEndObject();
            }
            j.WriteEndObject();
            j.WriteStartArray("findings");
            foreach (var f in r.Findings)
            {
                j.WriteStartObject();
                j.WriteString("id", f.Id);
                j.WriteString("status", f.Status switch { FindingStatus.Met => "met", FindingStatus.NotMet => "not met", _ => "not assessed" });
                Optional(j, "category", f.Category);
                j.WriteString("text", f.Text);
                j.WriteString("citation", f.Citation);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteStartArray("notes");
            foreach (var n in s.Notes)
            {
                j.WriteStringValue(n);
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("mothers");
        foreach (var m in result.Mothers)
        {
            j.WriteStartObject();
            j.WriteString("mother_id", m.MotherId);
            j.WriteStartArray("samples");
            foreach (var s in m.Samples)
            {
                j.WriteStringValue(s.Sample.Info.SampleId);
            }
            j.WriteEndArray();
            j.WriteStartObject("baseline");
            foreach (var (k, v) in m.Baseline)
            {
                j.WriteNumber(k, v);
            }
            j.WriteEndObject();
            j.WriteString("states_note", m.StatesNote);
            if (m.States is { } st)
            {
                j.WriteStartObject("states");
                j.WriteString("method", "synthetic likelihood from the model's simulated cohorts (docs/sample.md, States)");
                j.WriteStartObject("prior");
                for (var k = 0; k < st.States.Length; k++)
                {
                    j.WriteNumber(st.States[k], Math.Round(st.Prior[k], 6));
                }
                j.WriteEndObject();
                j.WriteStartObject("posterior");
                for (var k = 0; k < st.States.Length; k++)
                {
                    j.WriteNumber(st.States[k], Math.Round(st.Probability[k], 6));
                }
                j.WriteEndObject();
                j.WriteString("most_probable", st.Map);
                j.WriteEndObject();
            }
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("citations");
        foreach (var c in Citations(result))
        {
            j.WriteStringValue(c);
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }

    /// <summary>Every source the results cite.</summary>
    public static IEnumerable<string> Citations(AnalysisResult result) =>
        result.Samples.SelectMany(s => s.Findings.Select(f => f.Citation))
            .Concat(result.Options.Panel.Sources)
            .Concat(result.Mothers.Any(m => m.States is not null)
                ? ["Wood SN 2010. Statistical inference for noisy nonlinear ecological dynamic systems. Nature 466:1102, doi:10.1038/nature09319",
                   "Cranmer K, Brehmer J, Louppe G 2020. The frontier of simulation-based inference. PNAS 117:30055, doi:10.1073/pnas.1912789117"]
                : [])
            .Concat(result.Options.Priors.Sources.Select(s => s.Citation))
            .Distinct(StringComparer.Ordinal);

    /// <summary>manifest.csv of synthesized samples (every <see cref="Manifest.Columns"/> column).</summary>
    public static void WriteManifest(IReadOnlyList<SynthesizedSample> samples, TextWriter w)
    {
        WriteRow(w, Manifest.Columns);
        foreach (var s in samples)
        {
            var c = s.Counting;
            WriteRow(w,
            [
                s.FileName, s.Info.SampleId, s.Info.MotherId ?? "", Int(s.Info.LactationDay), s.Info.Breast ?? "", s.Info.CollectedAt ?? "",
                c.BeadsPerTest is { } b ? Number(b) : "", c.TestVolumeUl is { } t ? Number(t) : "", c.AcquiredVolumeUl is { } a ? Number(a) : "", Number(c.Dilution),
                .. Manifest.LabMeasures.Select(m => c.LabMeasures.TryGetValue(m, out var v) ? Number(v) : ""),
            ]);
        }
    }

    /// <summary>truth.csv: what each synthesized tube truly held: cells/mL of the sampled milk (alive and dead) by total, class and type, % leucocytes, viable fraction, the model's bacteria, sodium, potassium and Na:K, and the milk volume behind the test.</summary>
    public static void WriteTruth(IReadOnlyList<SynthesizedSample> samples, MilkModel model, TextWriter w)
    {
        var measures = Measures.All(model).Select(m => m.Name).Where(m => samples.Any(s => s.Truth.ContainsKey(m))).ToList();
        WriteRow(w, ["sample_id", "mother_id", "lactation_day", "breast", "milk_ul", "events", "aggregates", .. measures]);
        foreach (var s in samples)
        {
            WriteRow(w,
            [
                s.Info.SampleId, s.Info.MotherId ?? "", Int(s.Info.LactationDay), s.Info.Breast ?? "", Number(s.MilkUl),
                Int(s.Acquisition.EventCount), Int((int)s.Acquisition.Aggregates),
                .. measures.Select(m => s.Truth.TryGetValue(m, out var v) ? Number(v) : ""),
            ]);
        }
    }

    /// <summary>Writes what <c>sample synthesize</c> writes into <paramref name="folder"/>: the FCS files, manifest.csv, truth.csv and panel.xml.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> WriteSynthesis(IReadOnlyList<SynthesizedSample> samples, Panels.Panel panel, MilkModel model, string folder,
        IReadOnlyList<KeyValuePair<string, string>> extraKeywords, CancellationToken cancellation = default)
    {
        var files = new List<string>();
        foreach (var s in samples)
        {
            cancellation.ThrowIfCancellationRequested();
            using var stream = new FileStream(Path.Combine(folder, s.FileName), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            WriteFcs(s, panel.Name, stream, extraKeywords);
            files.Add(s.FileName);
        }
        Text(Path.Combine(folder, "manifest.csv"), w => WriteManifest(samples, w));
        Text(Path.Combine(folder, "truth.csv"), w => WriteTruth(samples, model, w));
        File.WriteAllText(Path.Combine(folder, "panel.xml"), panel.Xml, new UTF8Encoding(false));
        files.AddRange(["manifest.csv", "truth.csv", "panel.xml"]);
        return files;
    }

    /// <summary>Writes a text file as UTF-8 without a byte-order mark, lines ending in \n.</summary>
    public static void Text(string path, Action<TextWriter> write)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        write(w);
    }

    /// <summary>Writes a synthesized sample as an FCS 3.1 file: float events, $PnS labels, $SPILLOVER, $VOL (nL), $SRC, $FIL and the panel's name.</summary>
    public static void WriteFcs(SynthesizedSample sample, string panel, Stream output, IEnumerable<KeyValuePair<string, string>> extraKeywords)
    {
        var a = sample.Acquisition;
        var parameters = a.Channels.Select((c, i) => new FcsWriteParameter(c, a.Labels[i], FcsDataType.Float, Range: "262144")).ToList();
        var keywords = new List<KeyValuePair<string, string>>
        {
            new("$SPILLOVER", a.SpilloverKeyword),
            new("$VOL", Number(sample.Counting.TestVolumeUl!.Value * 1000)),
            new("$SRC", sample.Info.SampleId),
            new("$FIL", sample.FileName),
            new("MILKCELLS_PANEL", panel),
        };
        keywords.AddRange(extraKeywords);
        FcsWriter.Write(output, parameters, a.Events, new FcsWriteOptions { Cytometer = "MilkCells virtual cytometer", Keywords = keywords, RoundToFloat = true });
    }

    /// <summary>The shortest round-trip text of a number.</summary>
    public static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Int(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static void Optional(Utf8JsonWriter j, string name, string? value)
    {
        if (value is not null)
        {
            j.WriteString(name, value);
        }
    }

    private static void WriteRow(TextWriter w, IEnumerable<string> fields)
    {
        var sb = new StringBuilder();
        var first = true;
        foreach (var f in fields)
        {
            if (!first)
            {
                sb.Append(',');
            }
            sb.Append(CsvTable.Field(f));
            first = false;
        }
        sb.Append('\n');
        w.Write(sb);
    }
}
