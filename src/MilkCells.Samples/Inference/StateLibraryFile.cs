using System.Collections.Immutable;
using System.Text;
using MilkCells.Model.Catalogue;

namespace MilkCells.Samples.Inference;

/// <summary>The state library's cache file: a small little-endian binary, written beside and renamed into place.</summary>
/// <remarks>
/// Layout: magic "MCSL", format version, key, last day, mothers, the two cell mean curves and their covariances, the two
/// chemistry mean curves and their covariances, then each template. The same library always writes the same bytes. A file that does not match (another key or version, or
/// truncated) is ignored and the library rebuilt.
/// </remarks>
internal static class StateLibraryFile
{
    private const string Magic = "MCSL";

    public static void Write(StateLibrary library, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Environment.ProcessId}.partial";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var w = new BinaryWriter(stream, Encoding.UTF8))
            {
                w.Write(Encoding.ASCII.GetBytes(Magic));
                w.Write(StateLibrary.FormatVersion);
                w.Write(library.Key);
                w.Write(library.LastDay);
                w.Write(library.Mothers);
                Doubles(w, library.MeanL);
                Doubles(w, library.MeanN);
                Doubles(w, [.. library.Between]);
                Doubles(w, [.. library.Within]);
                Doubles(w, library.MeanB);
                Doubles(w, library.MeanR);
                Doubles(w, [.. library.ChemistryBetween]);
                Doubles(w, [.. library.ChemistryWithin]);
                w.Write(library.Templates.Length);
                foreach (var t in library.Templates)
                {
                    w.Write(t.State);
                    w.Write((int)t.Scope);
                    w.Write(t.Severity);
                    w.Write(t.DurationFactor);
                    w.Write(t.OnsetHour);
                    w.Write(t.LengthDays);
                    foreach (var b in new[] { t.Affected, t.Other })
                    {
                        Doubles(w, b.DeltaLeucocytes);
                        Doubles(w, b.LogRatioOthers);
                        Doubles(w, b.VarLogDelta);
                        Doubles(w, b.VarLogRatio);
                        Doubles(w, b.Log10Bacteria);
                        Doubles(w, b.LogNaK);
                        Doubles(w, b.VarLog10Bacteria);
                        Doubles(w, b.VarLogNaK);
                    }
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs a rebuild next time.
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static StateLibrary? TryRead(string path, string key)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            if (Encoding.ASCII.GetString(r.ReadBytes(4)) != Magic || r.ReadInt32() != StateLibrary.FormatVersion || r.ReadString() != key)
            {
                return null;
            }
            var lastDay = r.ReadInt32();
            var mothers = r.ReadInt32();
            var meanL = Doubles(r);
            var meanN = Doubles(r);
            var between = Doubles(r).ToArray();
            var within = Doubles(r).ToArray();
            var meanB = Doubles(r);
            var meanR = Doubles(r);
            var chemistryBetween = Doubles(r).ToArray();
            var chemistryWithin = Doubles(r).ToArray();
            var count = r.ReadInt32();
            var templates = ImmutableArray.CreateBuilder<StateTemplate>(count);
            for (var i = 0; i < count; i++)
            {
                var state = r.ReadString();
                var scope = (HealthScope)r.ReadInt32();
                var severity = r.ReadString();
                var factor = r.ReadDouble();
                var hour = r.ReadDouble();
                var length = r.ReadDouble();
                var affected = Increment(r);
                var other = Increment(r);
                templates.Add(new StateTemplate(state, scope, severity, factor, hour, length, affected, other));
            }
            return stream.Position == stream.Length ? new StateLibrary(key, lastDay, meanL, meanN, between, within, meanB, meanR, chemistryBetween, chemistryWithin, templates.ToImmutable(), mothers) : null;
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static BreastIncrement Increment(BinaryReader r) => new(Doubles(r), Doubles(r), Doubles(r), Doubles(r), Doubles(r), Doubles(r), Doubles(r), Doubles(r));

    private static void Doubles(BinaryWriter w, ImmutableArray<double> values)
    {
        w.Write(values.Length);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static ImmutableArray<double> Doubles(BinaryReader r)
    {
        var n = r.ReadInt32();
        if (n < 0 || n > 1 << 20)
        {
            throw new EndOfStreamException("bad length");
        }
        var values = ImmutableArray.CreateBuilder<double>(n);
        for (var i = 0; i < n; i++)
        {
            values.Add(r.ReadDouble());
        }
        return values.MoveToImmutable();
    }
}
