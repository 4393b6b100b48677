using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.Core.Provenance;
using MilkCells.Core.Random;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Data;
using MilkCells.Simulation;

namespace MilkCells.SingleCell.Synthesis;

/// <summary>One parameter of the synthetic count model, with its unit and provenance.</summary>
public sealed record SynthesisParameter(string Name, double Value, string Unit, Provenance Source);

/// <summary>The synthetic count model's parameters.</summary>
/// <remarks>Each value says where it comes from; most are stated assumptions within the ranges single-cell studies report.</remarks>
public sealed record SynthesisParameters
{
    public SynthesisParameter MedianUmis { get; init; } = new("median_umis_per_cell", 3000, "UMIs/cell",
        new("assumption: within the 1,000–10,000 median UMIs per cell of 10x Chromium v3 libraries of primary cells; Twigger 2022 and Nyquist 2022 milk libraries fall in this range (their QC floors 200–500 genes/cell)", "10x Chromium 3' v3, milk cells", Confidence.Assumption, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter LibrarySizeSdLog { get; init; } = new("library_size_sdlog", 0.5, "ln UMIs",
        new("assumption: cell-to-cell spread of library size (log-normal), a ~2.7-fold interquartile span as seen in droplet data", "10x droplet libraries", Confidence.Assumption, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter Dispersion { get; init; } = new("negative_binomial_theta", 10, "1 (size)",
        new("Svensson 2020, Nat Biotechnol 38:147, doi:10.1038/s41587-019-0379-5: droplet UMI counts are negative binomial, not zero-inflated; Hafemeister & Satija 2019, Genome Biol 20:296 (sctransform) fit θ per gene, typically 1–100 — 10 assumed for all genes", "UMI counts, one cell type", Confidence.Medium, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter MarkerFoldChange { get; init; } = new("marker_fold_change", 20, "ratio",
        new("assumption: marker genes 20-fold (log2 4.3) above their level in other types, within the log2 fold changes of 2–8 that marker tables report (Twigger 2022 heatmaps; Seurat FindAllMarkers tables)", "marker genes of a type vs other types", Confidence.Assumption, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter ProgrammeGenes { get; init; } = new("programme_genes_per_type", 40, "genes",
        new("assumption: besides its named markers each type up-regulates a programme of unnamed background genes (real types differ in hundreds to thousands of genes: Twigger 2022 reports 1,640 and 1,782 DE genes for LC1 and LC2)", "per cell type", Confidence.Assumption, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter ProgrammeFoldChange { get; init; } = new("programme_fold_change", 4, "ratio",
        new("assumption: the unnamed programme genes 4-fold up (median; log-normal spread sdlog 0.5)", "per cell type", Confidence.Assumption, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter ExpressionSdLog { get; init; } = new("background_expression_sdlog", 1.5, "ln relative abundance",
        new("assumption: relative gene abundances log-normal with sdlog 1.5, spreading mean expression over about three orders of magnitude as in droplet data (Svensson 2020 Fig. 1)", "all genes", Confidence.Assumption, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter MitochondrialShare { get; init; } = new("mitochondrial_share", 0.03, "fraction of UMIs",
        new("Osorio & Cai 2021, Bioinformatics 37:963, doi:10.1093/bioinformatics/btaa751: healthy human cells mostly below 10 % mitochondrial reads; 3 % assumed", "healthy human cells, 10x", Confidence.Medium, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter DoubletRatePerThousand { get; init; } = new("doublet_rate_per_1000_cells", 0.008, "fraction per 1,000 cells recovered",
        new("10x Genomics Chromium Single Cell 3' v3 user guide (CG000183), multiplet rate table: ~0.8 % per 1,000 cells recovered; at most 10,000 cells per channel assumed", "10x Chromium 3' v3", Confidence.Medium, MeasurementEra.SingleCellRnaSeq));

    public SynthesisParameter AmbientFraction { get; init; } = new("ambient_rna_fraction", 0.05, "fraction of UMIs",
        new("Young & Behjati 2020, GigaScience 9:giaa151, doi:10.1093/gigascience/giaa151 (SoupX): contamination from ambient RNA is typically a few per cent to over 20 %; 5 % mean assumed, per cell Beta(2, 38)", "droplet libraries", Confidence.Medium, MeasurementEra.SingleCellRnaSeq));

    public IEnumerable<SynthesisParameter> All =>
        [MedianUmis, LibrarySizeSdLog, Dispersion, MarkerFoldChange, ProgrammeGenes, ProgrammeFoldChange, ExpressionSdLog, MitochondrialShare, DoubletRatePerThousand, AmbientFraction];
}

/// <summary>The truth about one synthetic cell.</summary>
/// <param name="Barcode">Its barcode.</param>
/// <param name="Type">Its cell type id (the first one, for a doublet).</param>
/// <param name="Class">Its class.</param>
/// <param name="SecondType">The other cell type of a doublet, or null.</param>
/// <param name="LibrarySize">Its expected UMIs.</param>
/// <param name="AmbientFraction">Its share of ambient RNA.</param>
public sealed record SyntheticCell(string Barcode, string Type, string Class, string? SecondType, double LibrarySize, double AmbientFraction)
{
    public bool IsDoublet => SecondType is not null;
}

/// <summary>A synthetic matrix, its truth and the composition it was drawn from.</summary>
public sealed record SyntheticSample(CellMatrix Matrix, ImmutableArray<SyntheticCell> Cells, ImmutableArray<(string Type, string Class, double Share, int Cells)> Composition,
    int LactationDay, string Stage, string Scenario, ulong Seed, SynthesisParameters Parameters);

/// <summary>Draws single-cell count matrices from the model's cell composition on a lactation day.</summary>
/// <remarks>
/// One mother is drawn from the scenario's population (mother 0 of the seed, at daily resolution) and her milk's cell
/// composition on the day is read from the model. N cells are drawn from it (multinomial). Each type has an expression
/// profile over all genes: log-normal background abundances, its <c>geneMarkers</c> raised 20-fold and a programme of
/// unnamed genes raised about 4-fold (types of one class share half their programme); the 13 mitochondrial genes take
/// 3 % of every profile. Each cell's counts are negative binomial (gamma–Poisson) around its library size times a mix of
/// its profile and the ambient profile (the sample's mean profile, SoupX's "soup"); doublets (10x's rate) mix two cells'
/// profiles and add their library sizes. Every cell's counts come from a stream derived from the seed and the cell's
/// index, so any thread count gives the same matrix.
/// </remarks>
public static class Synthesizer
{
    /// <summary>The 13 protein-coding genes of human mitochondrial DNA (HGNC symbols).</summary>
    public static readonly ImmutableArray<string> MitochondrialGenes =
        ["MT-ND1", "MT-ND2", "MT-CO1", "MT-CO2", "MT-ATP8", "MT-ATP6", "MT-CO3", "MT-ND3", "MT-ND4L", "MT-ND4", "MT-ND5", "MT-ND6", "MT-CYB"];

    public const int DefaultBackgroundGenes = 2000;

    public static SyntheticSample Synthesize(CalibratedModel calibrated, Scenario scenario, int lactationDay, int cells, ulong seed,
        int backgroundGenes, Work work, SynthesisParameters? parameters = null)
    {
        parameters ??= new SynthesisParameters();
        var model = calibrated.Model;
        if (cells < 1)
        {
            throw new InputException(InputLocation.AtElement(null, "--cells"), $"{cells} cells", "ask for at least one cell");
        }
        if (lactationDay < scenario.StartDay || lactationDay > model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(scenario.Origin, "--lactation-day"),
                $"lactation day {lactationDay} is outside the scenario '{scenario.Name}' (days {scenario.StartDay}–{model.LastLactationDay})",
                $"give a day from {scenario.StartDay} to {model.LastLactationDay}");
        }
        var rows = MotherSimulation.Run(calibrated, scenario, seed, 0, lactationDay - scenario.StartDay + 1, work.Cancellation);
        var row = rows.First(r => r.LactationDay == lactationDay);
        var types = model.CellTypes;
        var total = row.CellsPerMlByType.Sum();
        if (!(total > 0))
        {
            throw new InputException(InputLocation.AtElement(scenario.Origin, "--lactation-day"), $"the mother drank no milk on day {lactationDay}", "choose another day");
        }
        var shares = row.CellsPerMlByType.Select(c => c / total).ToArray();

        // genes: markers (model order), mitochondrial, background
        var markerGenes = types.SelectMany(t => t.GeneMarkers).Distinct().ToList();
        var names = markerGenes.Concat(MitochondrialGenes).Concat(Enumerable.Range(1, backgroundGenes).Select(i => $"SYN{i:D5}")).ToList();
        var g = names.Count;
        var geneIndex = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var rng = RandomStream.Derive(seed, RandomStream.Label("synthesize"), RandomStream.Label("profiles"));
        var baseline = new double[g];
        for (var j = 0; j < g; j++)
        {
            baseline[j] = Math.Exp(parameters.ExpressionSdLog.Value * Samplers.StandardNormal(ref rng));
        }
        var firstBackground = markerGenes.Count + MitochondrialGenes.Length;
        // class programmes: shared by the types of a class
        var classProgramme = Enum.GetValues<CellClass>().ToDictionary(c => c, _ => Programme(ref rng));
        var profiles = new double[types.Length][];
        for (var t = 0; t < types.Length; t++)
        {
            var p = (double[])baseline.Clone();
            foreach (var m in types[t].GeneMarkers)
            {
                p[geneIndex[m]] *= parameters.MarkerFoldChange.Value;
            }
            foreach (var (j, fold) in classProgramme[types[t].Class].Concat(Programme(ref rng)))
            {
                p[j] *= fold;
            }
            Normalise(p, firstBackground - MitochondrialGenes.Length, MitochondrialGenes.Length, parameters.MitochondrialShare.Value);
            profiles[t] = p;
        }

        // cell types: multinomial counts, then a seeded shuffle
        var typeOf = new List<int>(cells);
        var remaining = cells;
        var rest = 1.0;
        for (var t = 0; t < types.Length; t++)
        {
            var k = t == types.Length - 1 ? remaining : (int)Samplers.Binomial(ref rng, remaining, rest > 0 ? Math.Clamp(shares[t] / rest, 0, 1) : 0);
            for (var i = 0; i < k; i++)
            {
                typeOf.Add(t);
            }
            remaining -= k;
            rest -= shares[t];
        }
        var drawn = types.Select((_, t) => typeOf.Count(x => x == t)).ToArray();
        var order = typeOf.ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)rng.NextBelow((ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        var doubletRate = Math.Min(0.5, parameters.DoubletRatePerThousand.Value * Math.Min(cells, 10_000) / 1000.0);
        var soup = new double[g];
        for (var t = 0; t < types.Length; t++)
        {
            for (var j = 0; j < g; j++)
            {
                soup[j] += shares[t] * profiles[t][j];
            }
        }
        var barcodes = Barcodes(cells, ref rng);
        var truth = new SyntheticCell[cells];
        var cellRows = new (int[] Idx, float[] Val)[cells];
        var theta = parameters.Dispersion.Value;
        var median = parameters.MedianUmis.Value;
        var sdlog = parameters.LibrarySizeSdLog.Value;
        work.ForRange(cells, 256, (a, b) =>
        {
            var mu = new double[g];
            var idx = new List<int>();
            var val = new List<float>();
            for (var i = a; i < b; i++)
            {
                var r = RandomStream.Derive(seed, RandomStream.Label("synthesize"), RandomStream.Label("cell"), (ulong)i);
                var t1 = order[i];
                var library = median * Math.Exp(sdlog * Samplers.StandardNormal(ref r));
                int? t2 = null;
                if (r.NextDouble() < doubletRate)
                {
                    t2 = order[(int)r.NextBelow((ulong)cells)];
                    library += median * Math.Exp(sdlog * Samplers.StandardNormal(ref r));
                }
                var ambient = Beta(ref r, 2, 38) * parameters.AmbientFraction.Value / 0.05;
                ambient = Math.Clamp(ambient, 0, 1);
                for (var j = 0; j < g; j++)
                {
                    var own = t2 is { } second ? 0.5 * (profiles[t1][j] + profiles[second][j]) : profiles[t1][j];
                    mu[j] = library * ((1 - ambient) * own + ambient * soup[j]);
                }
                idx.Clear();
                val.Clear();
                for (var j = 0; j < g; j++)
                {
                    var lambda = Samplers.Gamma(ref r, theta, mu[j] / theta);
                    var count = lambda > 0 ? Samplers.Poisson(ref r, lambda) : 0;
                    if (count > 0)
                    {
                        idx.Add(j);
                        val.Add(count);
                    }
                }
                cellRows[i] = (idx.ToArray(), val.ToArray());
                truth[i] = new SyntheticCell(barcodes[i], types[t1].Id, types[t1].ClassKey, t2 is { } s2 ? types[s2].Id : null, library, ambient);
            }
        });
        var start = new int[cells + 1];
        for (var i = 0; i < cells; i++)
        {
            start[i + 1] = start[i] + cellRows[i].Idx.Length;
        }
        var columnIndex = new int[start[cells]];
        var values = new float[start[cells]];
        for (var i = 0; i < cells; i++)
        {
            cellRows[i].Idx.CopyTo(columnIndex, start[i]);
            cellRows[i].Val.CopyTo(values, start[i]);
        }
        var matrix = new SparseMatrix(cells, g, start, columnIndex, values, ValueKind.Integer);
        var annotations = ImmutableArray.Create(
            new AnnotationColumn("truth_type", [.. truth.Select(c => c.Type)], [.. types.Select(t => t.Id)]),
            new AnnotationColumn("truth_class", [.. truth.Select(c => c.Class)], [.. Enum.GetValues<CellClass>().Select(CellType.ClassKeyOf)]),
            new AnnotationColumn("doublet", [.. truth.Select(c => c.IsDoublet ? "true" : "false")], ["false", "true"]));
        var cellMatrix = new CellMatrix(matrix, [.. barcodes], [.. names.Select(n => new Feature(n, n))], "synthetic (MilkCells model)", "synthesize")
        {
            CellAnnotations = annotations,
        };
        var composition = types.Select((t, i) => (t.Id, t.ClassKey, shares[i], drawn[i])).ToImmutableArray();
        return new SyntheticSample(cellMatrix, [.. truth], composition, lactationDay, row.Stage, scenario.Name, seed, parameters);

        List<(int Gene, double Fold)> Programme(ref RandomStream s)
        {
            var list = new List<(int, double)>();
            var n = (int)parameters.ProgrammeGenes.Value;
            for (var k = 0; k < n && backgroundGenes > 0; k++)
            {
                var j = firstBackground + (int)s.NextBelow((ulong)backgroundGenes);
                list.Add((j, parameters.ProgrammeFoldChange.Value * Math.Exp(0.5 * Samplers.StandardNormal(ref s))));
            }
            return list;
        }
    }

    /// <summary>Scales a profile to sum 1 with the mitochondrial genes (a block) holding <paramref name="mitoShare"/>.</summary>
    private static void Normalise(double[] p, int mitoStart, int mitoCount, double mitoShare)
    {
        double mito = 0, other = 0;
        for (var j = 0; j < p.Length; j++)
        {
            if (j >= mitoStart && j < mitoStart + mitoCount)
            {
                mito += p[j];
            }
            else
            {
                other += p[j];
            }
        }
        for (var j = 0; j < p.Length; j++)
        {
            p[j] = j >= mitoStart && j < mitoStart + mitoCount ? p[j] / mito * mitoShare : p[j] / other * (1 - mitoShare);
        }
    }

    private static double Beta(ref RandomStream r, double a, double b)
    {
        var x = Samplers.Gamma(ref r, a, 1);
        var y = Samplers.Gamma(ref r, b, 1);
        return x / (x + y);
    }

    private static string[] Barcodes(int n, ref RandomStream rng)
    {
        var seen = new HashSet<string>();
        var result = new string[n];
        Span<char> s = stackalloc char[16];
        for (var i = 0; i < n; i++)
        {
            string code;
            do
            {
                for (var k = 0; k < 16; k++)
                {
                    s[k] = "ACGT"[(int)rng.NextBelow(4)];
                }
                code = new string(s) + "-1";
            }
            while (!seen.Add(code));
            result[i] = code;
        }
        return result;
    }

    /// <summary>truth.csv: one row per cell.</summary>
    public static void WriteTruth(SyntheticSample sample, TextWriter w)
    {
        w.WriteLine("barcode,cell_type,class,doublet,second_type,library_size,ambient_fraction");
        foreach (var c in sample.Cells)
        {
            w.WriteLine(string.Join(',', c.Barcode, c.Type, c.Class, c.IsDoublet ? "true" : "false", c.SecondType ?? "",
                c.LibrarySize.ToString("0.#", CultureInfo.InvariantCulture), c.AmbientFraction.ToString("0.#####", CultureInfo.InvariantCulture)));
        }
    }
}
