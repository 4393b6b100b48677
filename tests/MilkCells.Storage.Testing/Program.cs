using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;

// The writer process of the kill test: writes mothers 0 … N−1 into a store, one transaction per mother, printing
// "committed K" after each, so a test can SIGKILL it mid-run and check that only complete mothers remain.
// Usage: MilkCells.Storage.Testing URI MOTHERS DAYS [--resume] [--pause-ms P]
// --pause-ms waits between mothers, so that a test reading the output can kill it before it finishes.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: MilkCells.Storage.Testing URI MOTHERS DAYS [--resume]");
    return 2;
}
var mothers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var days = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var pause = Array.IndexOf(args, "--pause-ms") is var at and >= 0 ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 0;
using var store = CohortStore.OpenForWrite(args[0]);
store.StartRun(SyntheticCohort.Metadata(mothers, days), SyntheticCohort.Daily, ShardSpec.Whole, resume: args.Contains("--resume"));
var done = store.CompletedMothers();
var rows = new MotherRows(SyntheticCohort.Daily, 0, days);
var committed = done.Count;
for (var id = 0L; id < mothers; id++)
{
    if (done.Contains(id))
    {
        continue;
    }
    rows.Reset(id);
    store.WriteMothers([SyntheticCohort.Fill(rows, days)]);
    Console.Out.WriteLine($"committed {++committed}");
    Console.Out.Flush();
    if (pause > 0)
    {
        Thread.Sleep(pause);
    }
}
return 0;
