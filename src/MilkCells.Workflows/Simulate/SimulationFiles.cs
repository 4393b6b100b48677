using System.Globalization;
using System.Text;
using System.Text.Json;
using MilkCells.Engine.Algorithms;
using MilkCells.Model.Structure;
using MilkCells.Simulation;

namespace MilkCells.Workflows.Simulate;

/// <summary>Writes a finished run's CSV files and run.json: pure formatting of <see cref="SimulationResult"/>.</summary>
/// <remarks>
/// Numbers are the shortest text that round-trips (invariant culture); NaN is an empty field. Same result → same bytes.
/// Under a non-default calibration profile every CSV starts with a comment line <c># MARKING</c> before its header.
/// </remarks>
public static class SimulationFiles
{
    public const string Daily = "daily.csv";
    public const string Feeds = "feeds.csv";
    public const string Infant = "infant.csv";
    public const string Expressed = "expressed.csv";
    public const string Breasts = "breasts.csv";
    public const string RunJson = "run.json";
    public const string ReportHtml = "report.html";

    /// <summary>feeds.csv's leading columns (issue 3's), before the counts by cell type and viability.</summary>
    public static readonly string[] FeedColumns =
        ["day", "time_h", "breast", "volume_ml", "cells_per_ml_total", "cells_per_ml_leucocyte", "pct_leucocyte", "cells_per_ml_before", "cells_per_ml_after_30min"];

    /// <summary>feeds.csv's milk chemistry columns (named as daily.csv's), after the issue-3 and meal columns.</summary>
    public static readonly string[] ChemistryColumns = [DailyTable.BacteriaColumn, DailyTable.SodiumColumn, DailyTable.PotassiumColumn, DailyTable.NaKColumn];

    /// <summary>expressed.csv's columns.</summary>
    public static readonly string[] BreastColumns = ["day", "time_h", "breast", "volume_ml", "cells_per_ml_total", "cells_per_ml_leucocyte", "pct_leucocyte"];
    public static readonly string[] ExpressedColumns = ["container", "process", "time_h", "temperature_c", "cells_total", "viable_fraction", "volume_ml"];

    /// <summary>Writes every file of the run into <paramref name="folder"/>; returns the file names written.</summary>
    public static IReadOnlyList<string> WriteAll(SimulationResult r, string folder)
    {
        var written = new List<string>();
        void Write(string name, Action<TextWriter> body)
        {
            using var w = new StreamWriter(Path.Combine(folder, name), false, new UTF8Encoding(false)) { NewLine = "\n" };
            Marking(w, r);
            body(w);
            written.Add(name);
        }
        Write(Daily, w => WriteDaily(w, r));
        Write(Feeds, w => WriteFeeds(w, r));
        Write(Infant, w => WriteInfant(w, r));
        Write(Breasts, w => WriteBreasts(w, r));
        if (r.Expressed.Length > 0)
        {
            Write(Expressed, w => WriteExpressed(w, r));
        }
        return written;
    }

    private static void Marking(TextWriter w, SimulationResult r)
    {
        if (r.Plan.Network.ProfileId != "default")
        {
            w.Write("# calibration profile '");
            w.Write(r.Plan.Network.ProfileId);
            w.Write("': ");
            w.Write(r.Plan.Network.ProfileMarking);
            w.Write('\n');
        }
    }

    public static void WriteDaily(TextWriter w, SimulationResult r)
    {
        w.Write(string.Join(',', DailyTable.Columns(r.CellTypes).Select(c => c.Name)));
        w.Write('\n');
        foreach (var row in r.Daily)
        {
            var values = DailyTable.Values(row);
            for (var i = 0; i < values.Length; i++)
            {
                if (i > 0)
                {
                    w.Write(',');
                }
                var v = values[i];
                w.Write(v.Kind switch
                {
                    DailyValueKind.Integer => v.Integer.ToString(CultureInfo.InvariantCulture),
                    DailyValueKind.Real => Num(v.Real),
                    _ => Text(v.Text ?? ""),
                });
            }
            w.Write('\n');
        }
    }

    public static void WriteFeeds(TextWriter w, SimulationResult r)
    {
        w.Write(string.Join(',', FeedColumns.Concat(["meal", "removal_fraction", "leucocytes_per_ml_before"]).Concat(ChemistryColumns)
            .Concat(r.CellColumns.Select(c => $"n_{Sym(c)}"))));
        w.Write('\n');
        var sb = new StringBuilder();
        foreach (var f in r.Feeds)
        {
            sb.Clear();
            sb.Append(f.Day.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Num(f.TimeHours)).Append(',').Append(Names.Of(f.Breast)).Append(',')
                .Append(Num(f.VolumeMl)).Append(',').Append(Num(f.CellsPerMlTotal)).Append(',').Append(Num(f.CellsPerMlLeucocyte)).Append(',')
                .Append(Num(f.PctLeucocyte)).Append(',').Append(Num(f.CellsPerMlBefore)).Append(',').Append(Num(f.CellsPerMlAfter30Min)).Append(',')
                .Append(f.Meal.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Num(f.RemovalFraction)).Append(',').Append(Num(f.LeucocytesPerMlBefore))
                .Append(',').Append(Num(f.Chemistry.BacteriaCfuPerMl)).Append(',').Append(Num(f.Chemistry.SodiumMmolL)).Append(',')
                .Append(Num(f.Chemistry.PotassiumMmolL)).Append(',').Append(Num(f.Chemistry.NaKRatio));
            foreach (var c in f.Counts)
            {
                sb.Append(',').Append(c.ToString(CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
            w.Write(sb);
        }
    }

    public static void WriteInfant(TextWriter w, SimulationResult r)
    {
        w.Write("day,time_h,");
        w.Write(string.Join(',', r.InfantColumns));
        w.Write(",animal_derived\n");
        foreach (var row in r.Infant)
        {
            w.Write(row.Day.ToString(CultureInfo.InvariantCulture));
            w.Write(',');
            w.Write(Num(row.TimeHours));
            foreach (var c in row.Counts)
            {
                w.Write(',');
                w.Write(c.ToString(CultureInfo.InvariantCulture));
            }
            w.Write(",true\n");
        }
    }

    /// <summary>breasts.csv: each breast's stored milk at the scenario's resolution (cells/mL empty while a breast is empty).</summary>
    public static void WriteBreasts(TextWriter w, SimulationResult r)
    {
        w.Write(string.Join(',', BreastColumns));
        w.Write('\n');
        static string Finite(double x) => double.IsFinite(x) ? Num(x) : "";
        var sb = new StringBuilder();
        foreach (var b in r.BreastSeries)
        {
            sb.Clear();
            sb.Append(((int)Math.Floor(b.TimeHours / 24)).ToString(CultureInfo.InvariantCulture)).Append(',').Append(Num(b.TimeHours)).Append(',')
                .Append(Names.Of(b.Breast)).Append(',').Append(Num(b.VolumeMl)).Append(',').Append(Finite(b.CellsPerMlTotal)).Append(',')
                .Append(Finite(b.CellsPerMlLeucocyte)).Append(',').Append(Finite(100 * b.CellsPerMlLeucocyte / b.CellsPerMlTotal)).Append('\n');
            w.Write(sb);
        }
    }

    public static void WriteExpressed(TextWriter w, SimulationResult r)
    {
        w.Write(string.Join(',', ExpressedColumns));
        w.Write('\n');
        foreach (var e in r.Expressed)
        {
            w.Write($"{Text(e.Container)},{e.Process},{Num(e.TimeHours)},{Num(e.TemperatureC)},{e.CellsTotal.ToString(CultureInfo.InvariantCulture)},{Num(e.ViableFraction)},{Num(e.VolumeMl)}\n");
        }
    }

    /// <summary>run.json: what ran, with what, and when (the times are the only part that differs between identical runs); schema docs/run.schema.json.</summary>
    public static void WriteRunJson(string path, SimulationResult r, RunInfo info)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var plan = r.Plan;
        json.WriteStartObject();
        json.WriteString("tool", "milkcells simulate");
        json.WriteNumber("seed", info.MotherId is null ? r.Seed : info.RootSeed);
        json.WriteStartObject("scenario");
        json.WriteString("name", plan.Scenario.Name);
        json.WriteString("origin", plan.Scenario.Origin);
        json.WriteString("sha256", plan.Scenario.Hash);
        json.WriteNumber("start_day", plan.Scenario.StartDay);
        json.WriteNumber("days", r.Daily.Length);
        json.WriteEndObject();
        json.WriteStartObject("profile");
        json.WriteString("id", plan.Network.ProfileId);
        json.WriteBoolean("default", plan.Network.ProfileId == "default");
        json.WriteString("marking", plan.Network.ProfileMarking);
        json.WriteEndObject();
        json.WriteString("model_version", plan.Network.ModelVersion);
        json.WriteString("code_version", info.CodeVersion);
        json.WriteStartObject("mother");
        json.WriteBoolean("sampled", plan.Mother.Sampled);
        if (info.MotherId is { } id)
        {
            json.WriteNumber("id", id);
            json.WriteNumber("plan_seed", r.Seed);
        }
        json.WriteNumber("production_factor", plan.Mother.ProductionFactor);
        json.WriteNumber("capacity_ml", plan.Mother.CapacityMl);
        json.WriteNumber("right_share", plan.Mother.RightShare);
        json.WriteNumber("feeds_factor", plan.Mother.FeedsFactor);
        json.WriteEndObject();
        json.WriteStartObject("engine");
        json.WritePropertyName("algorithm");
        WriteAlgorithm(json, info.Algorithm);
        json.WriteNumber("species", plan.Network.Species.Length);
        json.WriteNumber("reactions", plan.Network.Reactions.Length);
        json.WriteNumber("driver_changes", plan.DriverChanges.Length);
        json.WriteNumber("interventions", r.Stats.Interventions);
        json.WriteNumber("firings", r.Stats.Firings);
        json.WriteNumber("leaps", r.Stats.Leaps);
        json.WriteEndObject();
        json.WriteStartArray("files");
        foreach (var f in info.Files)
        {
            json.WriteStringValue(f);
        }
        json.WriteEndArray();
        json.WriteStartObject("times");
        json.WriteString("started", info.Started.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("finished", info.Finished.ToString("O", CultureInfo.InvariantCulture));
        json.WriteNumber("elapsed_s", Math.Round((info.Finished - info.Started).TotalSeconds, 3));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>An engine algorithm as a JSON object: its name, whether it is exact, its parameters and the paper it follows.</summary>
    public static void WriteAlgorithm(Utf8JsonWriter json, Algorithm algorithm)
    {
        json.WriteStartObject();
        json.WriteString("name", algorithm.Name);
        json.WriteBoolean("exact", algorithm.IsExact);
        switch (algorithm)
        {
            case TauLeaping tau:
                WriteTau(json, tau);
                break;
            case AutoAlgorithm auto:
                json.WriteNumber("exact_budget", auto.ExactBudget);
                json.WriteNumber("composition_rejection_above", auto.CompositionRejectionAbove);
                json.WriteNumber("check_every", auto.CheckEvery);
                json.WriteStartObject("leaping");
                WriteTau(json, auto.Leaping);
                json.WriteEndObject();
                break;
            case DirectMethod:
                json.WriteString("reference", "Gillespie 1977, J Phys Chem 81:2340, doi:10.1021/j100540a008");
                break;
            case CompositionRejection:
                json.WriteString("reference", "Slepoy, Thompson & Plimpton 2008, J Chem Phys 128:205101, doi:10.1063/1.2919546");
                break;
        }
        json.WriteEndObject();
    }

    private static void WriteTau(Utf8JsonWriter json, TauLeaping tau)
    {
        json.WriteNumber("epsilon", tau.Epsilon);
        json.WriteNumber("critical_threshold", tau.CriticalThreshold);
        json.WriteNumber("ssa_factor", tau.SsaFactor);
        json.WriteNumber("ssa_steps", tau.SsaSteps);
        json.WriteNumber("max_turnover", tau.MaxTurnover);
        json.WriteBoolean("exact_linear", tau.ExactLinear);
        json.WriteString("reference", tau.ExactLinear
            ? "Cao, Gillespie & Petzold 2006, J Chem Phys 124:044109, doi:10.1063/1.2159468; monomolecular part exact: Jahnke & Huisinga 2007, J Math Biol 54:1-26, doi:10.1007/s00285-006-0034-x"
            : "Cao, Gillespie & Petzold 2006, J Chem Phys 124:044109, doi:10.1063/1.2159468");
    }

    /// <summary>What run.json records besides the result.</summary>
    public sealed record RunInfo(string CodeVersion, Algorithm Algorithm, IReadOnlyList<string> Files, DateTimeOffset Started, DateTimeOffset Finished)
    {
        /// <summary>For a population mother: her id (the plan's seed is derived from the root seed and it, as for cohort mothers).</summary>
        public long? MotherId { get; init; }

        /// <summary>The root seed given (the plan's own seed differs for a population mother).</summary>
        public ulong RootSeed { get; init; }
    }

    public static string Num(double x) => double.IsNaN(x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);

    private static string Sym(string label) => Model.Catalogue.Parameter.ToSymbol(label);

    private static string Text(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : $"\"{s.Replace("\"", "\"\"")}\"";
}
