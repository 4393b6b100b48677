using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary><c>milkcells scrna</c> as users run it: info on every shared format, annotate and synthesize end to end, and bad input.</summary>
public sealed class ScrnaCommandTests
{
    private static string File10x => Shared.Require("scrna/files/scanpy-10x/3.0.0/filtered_feature_bc_matrix.h5");

    [Fact]
    public void Info_names_format_cells_genes_feature_types_and_genomes()
    {
        var (code, output, error) = CliHarness.Run("scrna", "info", Shared.Require("scrna/files/scanpy-10x/1.2.0/multiple_genomes.h5"), "--genome", "another_genome");
        Assert.True(code == 0, error);
        Assert.Contains("Cell Ranger 1.2/2", output);
        Assert.Contains("cells          12", output);
        Assert.Contains("features       343", output);
        Assert.Contains("genomes        another_genome, hg19_chr21 (read: another_genome)", output);
        (code, output, error) = CliHarness.Run("scrna", "info", Shared.Require("scrna/files/seurat-4.3.0/cr3.0"));
        Assert.True(code == 0, error);
        Assert.Contains("feature type   Antibody Capture", output);
        (code, output, error) = CliHarness.Run("scrna", "info", Shared.Require("scrna/files/anndata-archives/v0.11.4/adata.h5ad"));
        Assert.True(code == 0, error);
        Assert.Contains("matrix         none (the file has no X)", output);
    }

    [Fact]
    public void A_file_with_two_genomes_asks_which()
    {
        var (code, _, error) = CliHarness.Run("scrna", "info", Shared.Require("scrna/files/scanpy-10x/1.2.0/multiple_genomes.h5"));
        Assert.Equal(2, code);
        Assert.Contains("2 genomes (another_genome, hg19_chr21)", error);
        Assert.Contains("--genome", error);
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "truncated.h5", "truncated-h5", "truncated or damaged" },
        { "not-hdf5.h5", "text-h5", "not an HDF5 file" },
        { "header", "mtx-header", "says 5 entries but the file holds 3" },
        { "features", "mismatched-features", "lists 3 features but matrix.mtx has 4 rows" },
        { "barcodes", "mismatched-barcodes", "lists 2 barcodes but matrix.mtx has 3 columns" },
        { "negative", "negative", "a negative count (-2)" },
        { "empty", "empty", "the matrix is empty" },
        { "table.tsv", "negative-table", "a negative count (-1) for gene B, cell c2" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_exit_2_naming_the_problem(string name, string kind, string expected)
    {
        using var temp = new TempDir();
        var path = temp.File(name);
        switch (kind)
        {
            case "truncated-h5":
                var bytes = File.ReadAllBytes(File10x);
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "text-h5":
                File.WriteAllText(path, "gene,cell1\nA,1\n");
                break;
            case "mtx-header":
                Folder(path, "%%MatrixMarket matrix coordinate integer general\n3 2 5\n1 1 1\n2 2 3\n3 1 1\n", 3, 2);
                break;
            case "mismatched-features":
                Folder(path, "%%MatrixMarket matrix coordinate integer general\n4 2 1\n1 1 1\n", 3, 2);
                break;
            case "mismatched-barcodes":
                Folder(path, "%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 1\n", 3, 2);
                break;
            case "negative":
                Folder(path, "%%MatrixMarket matrix coordinate integer general\n3 2 2\n1 1 4\n2 2 -2\n", 3, 2);
                break;
            case "empty":
                Folder(path, "%%MatrixMarket matrix coordinate integer general\n3 2 0\n", 3, 2);
                break;
            case "negative-table":
                File.WriteAllText(path, "gene\tc1\tc2\nA\t1\t2\nB\t3\t-1\n");
                break;
        }
        var verb = kind == "empty" ? "annotate" : "info";
        var args = verb == "annotate" ? new[] { "scrna", "annotate", path, "-o", temp.File("out") } : new[] { "scrna", "info", path };
        var (code, _, error) = CliHarness.Run(args);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("Exception", error);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    /// <summary>A 10x folder with the given matrix.mtx text and that many features and barcodes.</summary>
    private static void Folder(string dir, string mtx, int features, int barcodes)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "matrix.mtx"), mtx);
        File.WriteAllLines(Path.Combine(dir, "features.tsv"), Enumerable.Range(1, features).Select(i => $"ENSG{i}\tGENE{i}\tGene Expression"));
        File.WriteAllLines(Path.Combine(dir, "barcodes.tsv"), Enumerable.Range(1, barcodes).Select(i => $"BC{i}-1"));
    }

    [Fact]
    public void A_marker_file_naming_no_known_gene_is_exit_2_with_the_closest_names()
    {
        using var temp = new TempDir();
        var markers = temp.File("markers.yaml");
        File.WriteAllText(markers, "cellTypes:\n  - id: b-cell\n    geneMarkers: [MS4A1, CD79A]\n  - id: typo-cell\n    geneMarkers: [CD3EE, LYZZ]\n");
        var (code, _, error) = CliHarness.Run("scrna", "annotate", Shared.Require("scrna/files/seurat-4.3.0"), "--markers", markers, "-o", temp.File("out"));
        Assert.True(code == 2, error);
        Assert.Contains("typo-cell: none of its marker genes is in the matrix: CD3EE (closest: CD3E", error);
        Assert.Contains("LYZZ (closest: LYZ", error);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public void Synthesize_then_annotate_is_byte_identical_whatever_the_thread_count_and_anndata_reads_it_back()
    {
        using var temp = new TempDir();
        var (code, _, error) = CliHarness.Run("scrna", "synthesize", "-s", "healthy", "--lactation-day", "5", "--cells", "600", "--genes", "400", "--seed", "3", "--threads", "1", "-o", temp.File("s1"));
        Assert.True(code == 0, error);
        (code, _, error) = CliHarness.Run("scrna", "synthesize", "-s", "healthy", "--lactation-day", "5", "--cells", "600", "--genes", "400", "--seed", "3", "--threads", "2", "-o", temp.File("s2"));
        Assert.True(code == 0, error);
        Assert.Equal(Hashes(temp.File("s1")), Hashes(temp.File("s2")));
        (code, _, error) = CliHarness.Run("scrna", "annotate", temp.File("s1/sample.h5ad"), "--lactation-day", "5", "--seed", "3", "--threads", "1", "-o", temp.File("a1"));
        Assert.True(code == 0, error);
        (code, _, error) = CliHarness.Run("scrna", "annotate", temp.File("s1/filtered_feature_bc_matrix"), "--lactation-day", "5", "--seed", "3", "--threads", "2", "-o", temp.File("a2"));
        Assert.True(code == 0, error);
        (code, _, error) = CliHarness.Run("scrna", "annotate", temp.File("s1/sample.h5ad"), "--lactation-day", "5", "--seed", "3", "--threads", "2", "-o", temp.File("a3"));
        Assert.True(code == 0, error);
        var h1 = Hashes(temp.File("a1"));
        Assert.Equal(h1, Hashes(temp.File("a3")));
        // the .h5ad and the 10x folder hold the same matrix: every file but those naming the input path is equal
        var h2 = Hashes(temp.File("a2"));
        foreach (var named in new[] { "run.json", "report.html" })
        {
            h1.Remove(named);
            h2.Remove(named);
        }
        Assert.Equal(h1, h2);
        var cells = File.ReadAllLines(temp.File("a1/cells.csv"));
        Assert.Equal(601, cells.Length);
        Assert.Contains(File.ReadAllLines(temp.File("a1/composition.csv")), l => l.StartsWith("class,epithelial,epithelial,", StringComparison.Ordinal));
        AnndataReadsBack(temp.File("a1/annotated.h5ad"), temp.File("a1/cells.csv"), temp.File("s1"));
    }

    [Fact]
    public void An_existing_folder_milkcells_did_not_write_is_refused_and_left_alone()
    {
        using var temp = new TempDir();
        var target = temp.File("mine");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "keep me");
        var (code, _, error) = CliHarness.Run("scrna", "synthesize", "--lactation-day", "5", "--cells", "50", "--genes", "100", "-o", target);
        Assert.Equal(2, code);
        Assert.Contains("files MilkCells did not write", error);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
        (code, _, error) = CliHarness.Run("scrna", "synthesize", "--lactation-day", "5", "--cells", "50", "--genes", "100", "--force", "-o", target);
        Assert.True(code == 0, error);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(target, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(target, "truth.csv")));
    }

    private static Dictionary<string, string> Hashes(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>Debian's python3-anndata reads the .h5ad: its obs and X agree with cells.csv.</summary>
    /// <remarks>
    /// With <paramref name="sample"/> (a synthesize folder) it also checks the written files hold the same numbers: the
    /// sample's .h5ad X equals its 10x matrix.mtx.gz as SciPy reads it, entry for entry, with the same barcodes, genes
    /// and truth; the annotated .h5ad's X is the sample's X for the cells that passed QC.
    /// </remarks>
    internal static void AnndataReadsBack(string h5ad, string cellsCsv, string? sample = null)
    {
        const string python = "/usr/bin/python3";
        var probe = Process.Start(new ProcessStartInfo(python, ["-c", "import anndata"]) { RedirectStandardError = true });
        probe?.WaitForExit();
        if (probe is null || probe.ExitCode != 0)
        {
            var message = "Debian's python3-anndata is not installed (./test.sh installs it)";
            if (Shared.Required)
            {
                Assert.Fail(message);
            }
            Assert.Skip(message);
        }
        const string script = """
            import sys, csv, anndata, numpy as np
            a = anndata.read_h5ad(sys.argv[1])
            rows = [r for r in csv.DictReader(open(sys.argv[2])) if r['qc_pass'] == 'true']
            assert list(a.obs_names) == [r['barcode'] for r in rows], 'barcodes'
            assert list(a.obs['cell_type'].astype(str)) == [r['cell_type'] for r in rows], 'cell types'
            assert list(a.obs['cluster'].astype(str)) == [r['cluster'] for r in rows], 'clusters'
            totals = np.asarray(a.X.sum(axis=1)).ravel()
            assert np.allclose(totals, [float(r['total_counts']) for r in rows]), 'totals'
            assert a.obsm['X_umap'].shape == (len(rows), 2)
            assert np.allclose(a.obsm['X_umap'][:, 0], [float(r['umap_1']) for r in rows], atol=1e-3), 'umap'
            if len(sys.argv) > 3:
                import gzip, scipy.io, scipy.sparse as sp
                d = sys.argv[3]
                s = anndata.read_h5ad(d + '/sample.h5ad')
                m = sp.csr_matrix(scipy.io.mmread(gzip.open(d + '/filtered_feature_bc_matrix/matrix.mtx.gz')).T)
                x = sp.csr_matrix(s.X)
                assert x.shape == m.shape and (x != m).nnz == 0, 'sample X differs from matrix.mtx.gz'
                assert list(s.obs_names) == [l.strip() for l in gzip.open(d + '/filtered_feature_bc_matrix/barcodes.tsv.gz', 'rt')], 'sample barcodes'
                assert list(s.var_names) == [l.split('\t')[1] for l in gzip.open(d + '/filtered_feature_bc_matrix/features.tsv.gz', 'rt')], 'sample genes'
                truth = list(csv.DictReader(open(d + '/truth.csv')))
                assert list(s.obs['truth_type'].astype(str)) == [r['cell_type'] for r in truth], 'truth types'
                assert list(s.obs['truth_class'].astype(str)) == [r['class'] for r in truth], 'truth classes'
                y = sp.csr_matrix(a.X)
                assert list(a.var_names) == list(s.var_names), 'annotated genes'
                assert (y != x[[s.obs_names.get_loc(b) for b in a.obs_names]]).nnz == 0, 'annotated X differs from the input'
            print('ok', a.n_obs, a.n_vars)
            """;
        var info = new ProcessStartInfo(python, sample is null ? ["-c", script, h5ad, cellsCsv] : ["-c", script, h5ad, cellsCsv, sample]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        Assert.StartsWith("ok", stdout);
    }
}
