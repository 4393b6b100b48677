using System.Diagnostics;
using System.Text.RegularExpressions;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;
using YamlDotNet.RepresentationModel;
using static MilkCells.Cli.Tests.MilkcellsProcess;

namespace MilkCells.Cli.Tests;

/// <summary>
/// docs/cluster's Kubernetes Indexed Job and Slurm job array, run here: their own commands, one local process per
/// index with the variables the scheduler would set (and a small cohort), must give the sequential run's bytes.
/// </summary>
public sealed partial class ClusterDocsTests : IDisposable
{
    private const string Mothers = "8", Days = "2";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly TempDir _dir = new("milkcells-cluster-docs");

    public void Dispose() => _dir.Dispose();

    /// <summary>The manifests' cohort (healthy, seed 1) run whole, in process.</summary>
    private byte[] Sequential()
    {
        var uri = "sqlite:" + _dir.File("sequential.db");
        CohortFiles.Run("--scenario", "healthy", "--mothers", Mothers, "--days", Days, "--seed", "1", "--store", uri, "--threads", "1");
        return CohortFiles.Export(_dir, uri);
    }

    private static void RunAll(IEnumerable<Process> processes)
    {
        foreach (var p in processes.ToArray())
        {
            WaitOk(p, Timeout);
            p.Dispose();
        }
    }

    [Fact]
    public void The_Kubernetes_Indexed_Job_runs_one_shard_per_completion_index_into_one_PostgreSQL_store()
    {
        using var pg = PostgresSchemas.Require();
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Shared.InRepo("docs/cluster/cohort-indexed-job.yaml"))));
        var job = (YamlMappingNode)yaml.Documents[0].RootNode;
        var spec = (YamlMappingNode)job["spec"];
        Assert.Equal("Indexed", spec["completionMode"].ToString());
        var k = int.Parse(spec["completions"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(k.ToString(System.Globalization.CultureInfo.InvariantCulture), spec["parallelism"].ToString());
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)spec["template"])["spec"])["containers"])[0];
        Assert.Equal(["/bin/sh", "-c"], ((YamlSequenceNode)container["command"]).Select(n => n.ToString()));
        var script = ((YamlSequenceNode)container["args"])[0].ToString();
        var env = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().Select(e => e["name"].ToString()).ToArray();
        Assert.Equal(["MOTHERS", "DAYS", "MILKCELLS_STORE"], env);
        Assert.Equal($"\"$JOB_COMPLETION_INDEX/{k}\"", ShardArgument().Match(script).Groups[1].Value);

        var uri = pg.NewUri("k8s");
        var path = WrapperFolder(_dir) + ":" + Environment.GetEnvironmentVariable("PATH");
        RunAll(Enumerable.Range(0, k).Select(i => StartProgram("/bin/sh", ["-c", script], new Dictionary<string, string>
        {
            ["PATH"] = path,
            ["JOB_COMPLETION_INDEX"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MOTHERS"] = Mothers,
            ["DAYS"] = Days,
            ["MILKCELLS_STORE"] = uri,
        })));
        using (var store = CohortStore.OpenForRead(uri))
        {
            Assert.Equal(Enumerable.Range(0, k).Select(i => new ShardSpec(i, k)), store.Shards);
        }
        Assert.Equal(Sequential(), CohortFiles.Export(_dir, uri));
    }

    [Fact]
    public void The_Slurm_job_array_runs_one_shard_per_task_into_SQLite_files_that_the_merge_job_merges()
    {
        var array = File.ReadAllText(Shared.InRepo("docs/cluster/cohort-array.slurm"));
        var range = ArrayDirective().Match(array);
        Assert.True(range.Success, "#SBATCH --array=0-N missing");
        var k = int.Parse(range.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1;
        Assert.Equal($"\"${{SLURM_ARRAY_TASK_ID}}/{k}\"", ShardArgument().Match(array).Groups[1].Value);
        var out_ = _dir.File("cohort");
        var env = new Dictionary<string, string>
        {
            ["PATH"] = WrapperFolder(_dir) + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["MILKCELLS_COHORT_DIR"] = out_,
            ["MOTHERS"] = Mothers,
            ["DAYS"] = Days,
            ["SLURM_CPUS_PER_TASK"] = "1",
        };
        RunAll(Enumerable.Range(0, k).Select(i => StartProgram("/bin/bash", [Shared.InRepo("docs/cluster/cohort-array.slurm")],
            new Dictionary<string, string>(env) { ["SLURM_ARRAY_TASK_ID"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })));
        Assert.Equal(k, Directory.GetFiles(out_, "shard-*.db").Length);
        RunAll([StartProgram("/bin/bash", [Shared.InRepo("docs/cluster/cohort-merge.slurm")], env)]);
        Assert.Equal(Sequential(), CohortFiles.Export(_dir, "sqlite:" + Path.Combine(out_, "cohort.db")));
        Assert.True(File.Exists(Path.Combine(out_, "reference", "reference.csv")));
    }

    [GeneratedRegex(@"--shard (""?\$\{?JOB_COMPLETION_INDEX\}?/\d+""?|""?\$\{?SLURM_ARRAY_TASK_ID\}?/\d+""?)")]
    private static partial Regex ShardArgument();

    [GeneratedRegex(@"^#SBATCH --array=0-(\d+)\s*$", RegexOptions.Multiline)]
    internal static partial Regex ArrayDirective();
}
