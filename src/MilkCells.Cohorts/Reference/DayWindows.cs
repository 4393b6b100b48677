using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Errors;

namespace MilkCells.Cohorts.Reference;

/// <summary>A window of lactation days, both ends included.</summary>
/// <param name="First">The first lactation day.</param>
/// <param name="Last">The last lactation day.</param>
public sealed record DayWindow(int First, int Last)
{
    /// <summary>The window as <c>FIRST-LAST</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}

/// <summary>Lactation-day windows for reference ranges: parsing, the defaults, and the window of a day.</summary>
public static class DayWindows
{
    /// <summary>The default windows as text: finer where milk changes fast (colostrum, transition), then monthly, then by season.</summary>
    /// <remarks>Aligned with the model's stage boundaries (colostrum 0–5, transitional 6–14, mature 15–364, extended from 365: data/stages.yaml), so a window rarely spans two stages.</remarks>
    public const string DefaultText = "0-1,2-3,4-5,6-9,10-14,15-21,22-30,31-45,46-60,61-90,91-120,121-150,151-180,181-240,241-300,301-364,365-545,546-730,731-1095,1096-1460";

    /// <summary>The default windows.</summary>
    public static readonly ImmutableArray<DayWindow> Default = Parse(DefaultText);

    /// <summary>Parses <c>A-B,C-D,…</c>: ascending, non-overlapping windows of lactation days.</summary>
    /// <exception cref="InputException">Malformed, empty, reversed or overlapping windows.</exception>
    public static ImmutableArray<DayWindow> Parse(string text, string option = "--windows")
    {
        var where = InputLocation.AtElement(null, option);
        var windows = ImmutableArray.CreateBuilder<DayWindow>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', 1);
            if (dash < 0
                || !int.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                throw new InputException(where, $"'{part}' is not a window of lactation days FIRST-LAST", "for example --windows 0-5,6-14,15-30");
            }
            if (last < first)
            {
                throw new InputException(where, $"window '{part}' ends before it starts", "write the first day first");
            }
            if (windows.Count > 0 && first <= windows[^1].Last)
            {
                throw new InputException(where, $"window '{part}' overlaps or precedes '{windows[^1]}'", "list windows in ascending order without overlap");
            }
            windows.Add(new DayWindow(first, last));
        }
        return windows.Count > 0 ? windows.ToImmutable() : throw new InputException(where, "no windows given", "for example --windows 0-5,6-14,15-30");
    }

    /// <summary>The windows as <see cref="Parse"/> reads them.</summary>
    public static string Format(IEnumerable<DayWindow> windows) => string.Join(',', windows);

    /// <summary>A table from lactation day to window index (−1 for days in no window).</summary>
    public static int[] IndexByDay(IReadOnlyList<DayWindow> windows)
    {
        var table = new int[windows[^1].Last + 1];
        Array.Fill(table, -1);
        for (var w = 0; w < windows.Count; w++)
        {
            for (var d = windows[w].First; d <= windows[w].Last; d++)
            {
                table[d] = w;
            }
        }
        return table;
    }
}
