using System.Diagnostics;
using System.Globalization;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;
using static MilkCells.Cli.Tests.MilkcellsProcess;

namespace MilkCells.Cli.Tests;

/// <summary>
/// docs/cluster's Slurm job array and merge job submitted to a real Slurm cluster with <c>sbatch</c>: the one-node
/// cluster ./test.sh starts (.ci/slurm-local.sh; SLURM_CONF names it). The export must equal a sequential run's bytes.
/// </summary>
/// <remarks>
/// Skipped without a cluster (SLURM_CONF unset or sbatch missing); a failure instead under CI=true or
/// MILKCELLS_REQUIRE_SHARED=1, so CI proves the scripts on a real scheduler. <see cref="ClusterDocsTests"/> runs the
/// same scripts as plain local processes everywhere.
/// </remarks>
public sealed class SlurmClusterTests : IDisposable
{
    private const string Mothers = "8", Days = "2";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);
    private readonly TempDir _dir = new("milkcells-slurm");

    public void Dispose() => _dir.Dispose();

    private static void RequireCluster()
    {
        var conf = Environment.GetEnvironmentVariable("SLURM_CONF");
        string? problem = string.IsNullOrEmpty(conf) ? "SLURM_CONF is not set"
            : !File.Exists(conf) ? $"SLURM_CONF names {conf}, which does not exist"
            : !File.Exists("/usr/bin/sbatch") ? "/usr/bin/sbatch is absent"
            : null;
        if (problem is null)
        {
            return;
        }
        var message = problem + " (./test.sh installs slurm-wlm and munge and starts a one-node cluster)";
        if (Shared.Required || Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(message + "; CI=true or MILKCELLS_REQUIRE_SHARED=1 makes this a failure");
        }
        Assert.Skip(message);
    }

    [Fact]
    public void The_Slurm_job_array_and_its_merge_job_run_on_a_real_cluster_and_export_the_sequential_bytes()
    {
        RequireCluster();
        var work = _dir.File("submit");
        var cohort = _dir.File("cohort");
        Directory.CreateDirectory(work);
        var env = new Dictionary<string, string>
        {
            // sbatch exports the submitting environment to the job (--export=ALL): the scripts find this build's milkcells.
            ["PATH"] = WrapperFolder(_dir) + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["MILKCELLS_COHORT_DIR"] = cohort,
            ["MOTHERS"] = Mothers,
            ["DAYS"] = Days,
        };
        var array = Shared.InRepo("docs/cluster/cohort-array.slurm");
        var merge = Shared.InRepo("docs/cluster/cohort-merge.slurm");

        var (jobId, _) = Sbatch(env, "--parsable", "--chdir", work, array);
        Assert.Matches("^[0-9]+$", jobId);
        string mergeOutput;
        try
        {
            // Waits for the array (afterok) and then the merge; kill_invalid_depend in the cluster's slurm.conf ends the
            // merge job if a task failed, so the wait cannot hang.
            (_, mergeOutput) = Sbatch(env, "--wait", "--parsable", "--chdir", work, $"--dependency=afterok:{jobId}", merge);
        }
        catch
        {
            Scancel(jobId);
            throw;
        }

        var k = int.Parse(ClusterDocsTests.ArrayDirective().Match(File.ReadAllText(array)).Groups[1].Value, CultureInfo.InvariantCulture) + 1;
        Assert.Equal(k, Directory.GetFiles(cohort, "shard-*.db").Length);
        // Slurm wrote one output file per array task (slurm-JOB_TASK.out): every task ran under the scheduler.
        Assert.Equal(k, Directory.GetFiles(work, $"slurm-{jobId}_*.out").Length);
        using (var store = CohortStore.OpenForRead("sqlite:" + Path.Combine(cohort, "cohort.db")))
        {
            Assert.Equal(Enumerable.Range(0, k).Select(i => new ShardSpec(i, k)), store.Shards);
        }
        var sequential = "sqlite:" + _dir.File("sequential.db");
        CohortFiles.Run("--scenario", "healthy", "--mothers", Mothers, "--days", Days, "--seed", "1", "--store", sequential, "--threads", "1");
        Assert.Equal(CohortFiles.Export(_dir, sequential), CohortFiles.Export(_dir, "sqlite:" + Path.Combine(cohort, "cohort.db")));
        Assert.True(File.Exists(Path.Combine(cohort, "reference", "reference.csv")), "the merge job builds the reference set: " + mergeOutput);
    }

    /// <summary>Runs sbatch; fails with its output and the jobs' Slurm output files unless it exits 0.</summary>
    private (string Stdout, string All) Sbatch(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var stdout = new List<string>();
        using var process = StartProgram("sbatch", args, env, line =>
        {
            lock (stdout)
            {
                stdout.Add(line);
            }
        });
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            Assert.Fail($"sbatch {string.Join(' ', args)} did not return within {Timeout.TotalMinutes} min{JobOutputs()}");
        }
        process.WaitForExit();
        string text;
        lock (stdout)
        {
            text = string.Join('\n', stdout).Trim();
        }
        Assert.True(process.ExitCode == 0, $"sbatch {string.Join(' ', args)} exited {process.ExitCode}: {text} {ErrorOf(process)}{JobOutputs()}");
        return (text.Split(';')[0], text + ErrorOf(process));
    }

    private string JobOutputs()
    {
        var work = _dir.File("submit");
        return Directory.Exists(work)
            ? string.Concat(Directory.GetFiles(work, "slurm-*.out").Order(StringComparer.Ordinal).Select(f => $"\n--- {Path.GetFileName(f)}:\n{File.ReadAllText(f)}"))
            : "";
    }

    private static void Scancel(string jobId)
    {
        using var p = Process.Start(new ProcessStartInfo("scancel", jobId) { UseShellExecute = false });
        p?.WaitForExit(10_000);
    }
}
