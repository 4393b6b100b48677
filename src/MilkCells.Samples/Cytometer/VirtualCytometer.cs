using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Panels;

namespace MilkCells.Samples.Cytometer;

/// <summary>What a counting tube holds: cells by type and viability, non-nucleated debris and counting beads.</summary>
/// <param name="Alive">Viable cells by cell type (model order).</param>
/// <param name="Dead">Dead cells by cell type.</param>
/// <param name="Debris">Non-nucleated particles (fat globules, cytoplasmic fragments).</param>
/// <param name="Beads">Counting beads.</param>
public sealed record TubeContents(ImmutableArray<long> Alive, ImmutableArray<long> Dead, long Debris, long Beads)
{
    /// <summary>All cells.</summary>
    public long Cells => Alive.Sum() + Dead.Sum();
}

/// <summary>The events a virtual acquisition produced, row-major, with the channels and keywords of the file to write.</summary>
/// <param name="Channels">$PnN names.</param>
/// <param name="Labels">$PnS labels (marker and fluorochrome), null for scatter.</param>
/// <param name="Events">Row-major values, <c>Events.Length / Channels.Length</c> events.</param>
/// <param name="SpilloverKeyword">The $SPILLOVER value over the fluorescence channels.</param>
/// <param name="Aggregates">Two-cell aggregates among the events.</param>
public sealed record Acquisition(ImmutableArray<string> Channels, ImmutableArray<string?> Labels, double[] Events, string SpilloverKeyword, long Aggregates)
{
    /// <summary>Number of events.</summary>
    public int EventCount => Events.Length / Channels.Length;
}

/// <summary>A virtual flow cytometer: every particle of a tube becomes an event with scatter, stains, autofluorescence, spillover and noise.</summary>
/// <remarks>
/// Physics kept deliberately simple and stated: a cell carries a panel marker when the model lists that protein among its
/// markers (data/cell-types.yaml); positive and negative levels are log-normal; autofluorescence is one log-normal
/// amount per particle added to every fluorescence detector; each fluorochrome's light reaches other detectors by the
/// spillover matrix (written as $SPILLOVER, so the gating compensates it exactly); detectors add photon (variance
/// ∝ signal) and electronic noise and saturate at the range. Aggregates: each cell joins an aggregate with probability
/// q and partners are drawn at random, so aggregation does not depend on cell type; an aggregate's pulse has the
/// summed area and the larger partner's height, which is what the singlet gate (FSC-H vs FSC-A) sees. Events are in
/// random acquisition order. Everything is drawn from the one <see cref="RandomStream"/> passed in.
/// </remarks>
public sealed class VirtualCytometer
{
    private readonly VirtualCytometerSettings _settings;
    private readonly MilkModel _model;
    private readonly Panel _panel;
    private readonly PanelStain[] _stains;
    private readonly double[,] _spill; // [fluorochrome, detector] over the stains
    private readonly bool[][] _positive; // [type][stain]
    private readonly string[] _afKey; // by type
    private readonly bool[] _beadBright; // by stain

    /// <summary>A cytometer staining with <paramref name="panel"/>'s stains.</summary>
    /// <exception cref="InputException">The panel lists no stains (a user panel without MilkCells metadata cannot be synthesized).</exception>
    public VirtualCytometer(Panel panel, VirtualCytometerSettings settings, MilkModel model)
    {
        _panel = panel;
        _settings = settings;
        _model = model;
        _stains = [.. panel.Stains];
        if (_stains.Length == 0)
        {
            throw new InputException(new InputLocation(File: panel.Origin, Element: "--panel"), "the panel lists no stains, so the virtual cytometer cannot stain cells for it",
                "use a built-in panel, or add <mc:stain channel=… marker=…/> elements to its custom_info");
        }
        if (!_stains.Any(s => s.Role == "nuclear"))
        {
            throw new InputException(new InputLocation(File: panel.Origin, Element: "--panel"), "the panel has no nuclear stain (role=\"nuclear\")");
        }
        var n = _stains.Length;
        _spill = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            _spill[i, i] = 1;
        }
        foreach (var e in settings.Spillover)
        {
            var from = Array.FindIndex(_stains, s => s.Channel == e.From);
            var into = Array.FindIndex(_stains, s => s.Channel == e.Into);
            if (from >= 0 && into >= 0)
            {
                _spill[from, into] = e.Value;
            }
        }
        _positive = [.. model.CellTypes.Select(t => _stains.Select(s => s.Role is null && t.ProteinMarkers.Contains(s.Marker, StringComparer.OrdinalIgnoreCase)).ToArray())];
        _afKey = [.. model.CellTypes.Select(t => t.ClassKey)];
        _beadBright = [.. _stains.Select(s => settings.BeadChannels.Contains(s.Channel))];
    }

    /// <summary>The channels written: FSC-A, FSC-H, SSC-A, then the stains' channels.</summary>
    public ImmutableArray<string> Channels => ["FSC-A", "FSC-H", "SSC-A", .. _stains.Select(s => s.Channel)];

    /// <summary>The $SPILLOVER keyword value over the stains' channels.</summary>
    public string SpilloverKeyword()
    {
        var n = _stains.Length;
        var sb = new StringBuilder();
        sb.Append(n.ToString(CultureInfo.InvariantCulture));
        foreach (var s in _stains)
        {
            sb.Append(',').Append(s.Channel);
        }
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                sb.Append(',').Append(_spill[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    /// <summary>Acquires every particle of <paramref name="tube"/> as events.</summary>
    public Acquisition Acquire(TubeContents tube, ref RandomStream rng)
    {
        var types = _model.CellTypes.Length;
        var cells = checked((int)tube.Cells);
        var cellType = new int[cells];
        var dead = new bool[cells];
        var at = 0;
        for (var t = 0; t < types; t++)
        {
            for (var k = 0L; k < tube.Alive[t]; k++)
            {
                cellType[at++] = t;
            }
            for (var k = 0L; k < tube.Dead[t]; k++)
            {
                cellType[at] = t;
                dead[at++] = true;
            }
        }
        // Aggregates: each cell joins with probability q; the joiners are shuffled and paired (an odd one stays single).
        var joiners = new List<int>();
        var single = new List<int>(cells);
        for (var c = 0; c < cells; c++)
        {
            if (rng.NextDouble() < _settings.Aggregation)
            {
                joiners.Add(c);
            }
            else
            {
                single.Add(c);
            }
        }
        Shuffle(joiners, ref rng);
        if (joiners.Count % 2 == 1)
        {
            single.Add(joiners[^1]);
            joiners.RemoveAt(joiners.Count - 1);
        }
        var pairs = joiners.Count / 2;
        // Event descriptors: kind 0 cell, 1 aggregate, 2 debris, 3 bead; a and b index cells.
        var total = checked(single.Count + pairs + (int)tube.Debris + (int)tube.Beads);
        var kinds = new byte[total];
        var first = new int[total];
        var second = new int[total];
        var e = 0;
        foreach (var c in single)
        {
            kinds[e] = 0;
            first[e++] = c;
        }
        for (var p = 0; p < pairs; p++)
        {
            kinds[e] = 1;
            first[e] = joiners[2 * p];
            second[e++] = joiners[2 * p + 1];
        }
        for (var d = 0L; d < tube.Debris; d++)
        {
            kinds[e++] = 2;
        }
        for (var b = 0L; b < tube.Beads; b++)
        {
            kinds[e++] = 3;
        }
        // Acquisition order.
        for (var i = total - 1; i > 0; i--)
        {
            var j = (int)rng.NextBelow((ulong)(i + 1));
            (kinds[i], kinds[j]) = (kinds[j], kinds[i]);
            (first[i], first[j]) = (first[j], first[i]);
            (second[i], second[j]) = (second[j], second[i]);
        }
        var stains = _stains.Length;
        var width = 3 + stains;
        var events = new double[(long)total * width];
        Span<double> fluor = stackalloc double[stains];
        Span<double> other = stackalloc double[stains];
        for (var i = 0; i < total; i++)
        {
            var row = events.AsSpan(i * width, width);
            double area, height, side, af;
            switch (kinds[i])
            {
                case 0:
                    Cell(cellType[first[i]], dead[first[i]], ref rng, fluor, out area, out height, out side, out af);
                    break;
                case 1:
                    Cell(cellType[first[i]], dead[first[i]], ref rng, fluor, out var a1, out var h1, out var s1, out var af1);
                    Cell(cellType[second[i]], dead[second[i]], ref rng, other, out var a2, out var h2, out var s2, out var af2);
                    for (var s = 0; s < stains; s++)
                    {
                        fluor[s] += other[s];
                    }
                    area = a1 + a2;
                    height = Math.Max(h1, h2);
                    side = s1 + s2;
                    af = af1 + af2;
                    break;
                case 2:
                    Debris(ref rng, fluor, out area, out height, out side, out af);
                    break;
                default:
                    Bead(ref rng, fluor, out area, out height, out side, out af);
                    break;
            }
            row[0] = Clip(area);
            row[1] = Clip(height);
            row[2] = Clip(side);
            for (var d = 0; d < stains; d++)
            {
                var mean = af;
                for (var f = 0; f < stains; f++)
                {
                    mean += _spill[f, d] * fluor[f];
                }
                var sd = Math.Sqrt(_settings.PhotonNoise * Math.Max(mean, 0) + _settings.ElectronicNoiseSd * _settings.ElectronicNoiseSd);
                row[3 + d] = Clip(mean + sd * Samplers.StandardNormal(ref rng));
            }
        }
        return new Acquisition(Channels, [null, null, null, .. _stains.Select(s => (string?)$"{s.Marker} {s.Fluorochrome}")],
            events, SpilloverKeyword(), pairs);
    }

    private void Cell(int type, bool isDead, ref RandomStream rng, Span<double> fluor, out double area, out double height, out double side, out double af)
    {
        var scatter = _settings.Scatter[_model.CellTypes[type].Id];
        var sd = _settings.ScatterLog10Sd.Cells;
        area = LogNormal10(ref rng, scatter.Fsc, sd);
        side = LogNormal10(ref rng, scatter.Ssc, sd);
        height = area * Samplers.Normal(ref rng, _settings.HeightToArea.Mean, _settings.HeightToArea.Sd);
        af = LogNormal10(ref rng, _settings.Autofluorescence[_afKey[type]], _settings.AutofluorescenceLog10Sd);
        var positive = _positive[type];
        for (var s = 0; s < _stains.Length; s++)
        {
            fluor[s] = _stains[s].Role switch
            {
                "nuclear" => LogNormal10(ref rng, _settings.Nuclear.Median, _settings.Nuclear.Log10Sd),
                "viability" => isDead ? LogNormal10(ref rng, _settings.Dead.Median, _settings.Dead.Log10Sd) : 0,
                _ => positive[s] ? LogNormal10(ref rng, _settings.Positive.Median, _settings.Positive.Log10Sd) : 0,
            };
        }
    }

    private void Debris(ref RandomStream rng, Span<double> fluor, out double area, out double height, out double side, out double af)
    {
        var scatter = _settings.Scatter["debris"];
        area = LogNormal10(ref rng, scatter.Fsc, _settings.ScatterLog10Sd.Debris);
        side = LogNormal10(ref rng, scatter.Ssc, _settings.ScatterLog10Sd.Debris);
        height = area * Samplers.Normal(ref rng, _settings.HeightToArea.Mean, _settings.HeightToArea.Sd);
        af = LogNormal10(ref rng, _settings.Autofluorescence["debris"], _settings.AutofluorescenceLog10Sd);
        fluor.Clear();
    }

    private void Bead(ref RandomStream rng, Span<double> fluor, out double area, out double height, out double side, out double af)
    {
        var scatter = _settings.Scatter["bead"];
        var sd = _settings.ScatterLog10Sd.Cells / 4;
        area = LogNormal10(ref rng, scatter.Fsc, sd);
        side = LogNormal10(ref rng, scatter.Ssc, sd);
        height = area * Samplers.Normal(ref rng, _settings.HeightToArea.Mean, _settings.HeightToArea.Sd);
        af = LogNormal10(ref rng, _settings.Autofluorescence["bead"], _settings.AutofluorescenceLog10Sd);
        for (var s = 0; s < _stains.Length; s++)
        {
            fluor[s] = _beadBright[s] ? LogNormal10(ref rng, _settings.BeadBrightness.Median, _settings.BeadBrightness.Log10Sd) : 0;
        }
    }

    private double Clip(double value) => Math.Min(value, _settings.Range - 1);

    private static double LogNormal10(ref RandomStream rng, double median, double log10Sd) =>
        median * Math.Exp(Math.Log(10) * log10Sd * Samplers.StandardNormal(ref rng));

    private static void Shuffle(List<int> items, ref RandomStream rng)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = (int)rng.NextBelow((ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
