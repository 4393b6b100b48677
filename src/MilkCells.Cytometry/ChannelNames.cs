namespace MilkCells.Cytometry;

/// <summary>Channel-name lookups shared by compensation and gating ($PnN names compare exactly, ordinal).</summary>
internal static class ChannelNames
{
    /// <summary>The first index of <paramref name="name"/> in <paramref name="names"/>, or -1.</summary>
    public static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}
