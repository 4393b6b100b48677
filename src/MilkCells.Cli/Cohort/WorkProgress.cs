using System.Globalization;
using Spectre.Console;

namespace MilkCells.Cli.Cohort;

/// <summary>Shows the progress of a long multi-threaded job on standard error: a bar with ETA on a terminal, plain lines when redirected.</summary>
/// <remarks>
/// The job runs on a background thread and reports (done, total) from any thread; this thread polls four times a
/// second. Plain lines come at each tenth of the work or every 30 s, whichever is first, each with the rate and ETA.
/// </remarks>
internal static class WorkProgress
{
    public static T Run<T>(CliContext context, string label, string unit, Func<Action<long, long>, T> job)
    {
        long done = 0, total = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var work = Task.Factory.StartNew(() => job((d, t) =>
        {
            Interlocked.Exchange(ref total, t);
            long seen;
            while ((seen = Interlocked.Read(ref done)) < d && Interlocked.CompareExchange(ref done, d, seen) != seen)
            {
            }
        }), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (context.ProgressConsole() is { } console)
        {
            console.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(label), maxValue: 1);
                    while (!Finished(work))
                    {
                        var t = Interlocked.Read(ref total);
                        task.MaxValue = Math.Max(1, t);
                        task.Value = Interlocked.Read(ref done);
                        task.Description = Markup.Escape($"{label}: {task.Value:N0}/{t:N0} {unit}");
                    }
                });
        }
        else
        {
            var lastTenth = 0L;
            var lastLine = TimeSpan.Zero;
            while (!Finished(work))
            {
                var (d, t) = (Interlocked.Read(ref done), Interlocked.Read(ref total));
                var tenth = t > 0 ? 10 * d / t : 0;
                if (d > 0 && (tenth > lastTenth || clock.Elapsed - lastLine >= TimeSpan.FromSeconds(30)))
                {
                    lastTenth = tenth;
                    lastLine = clock.Elapsed;
                    context.Error.WriteLine(Line(d, t, unit, clock.Elapsed));
                    context.Error.Flush();
                }
            }
        }
        return work.GetAwaiter().GetResult();
    }

    /// <summary>Waits up to 250 ms for the job; true when it has ended (a failure is rethrown by the caller, unwrapped).</summary>
    private static bool Finished(Task work) => ((IAsyncResult)work).AsyncWaitHandle.WaitOne(250) || work.IsCompleted;

    /// <summary>One plain progress line: <c>  120/1,000 mothers (12 %), 3.4 mothers/s, ETA 4m18s</c>.</summary>
    internal static string Line(long done, long total, string unit, TimeSpan elapsed)
    {
        var rate = done / Math.Max(elapsed.TotalSeconds, 1e-9);
        var eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        var rateText = rate.ToString(rate >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"  {done:N0}/{total:N0} {unit} ({100.0 * done / Math.Max(total, 1):0} %), {rateText} {unit}/s, ETA {Duration(eta)}");
    }

    /// <summary>A duration as <c>1h02m</c>, <c>4m18s</c> or <c>12.3s</c>.</summary>
    internal static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m")
        : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:00}s") : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0}s");
}
