using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.Cytometry.Numerics;

namespace MilkCells.Cytometry.Compensation;

/// <summary>A spillover (spectrum) matrix: how much of each fluorochrome's light each detector sees.</summary>
/// <remarks>
/// Row i is fluorochrome i's spectrum over the detectors; with measured detector values r and true fluorochrome
/// abundances c, r = c·S (Bagwell &amp; Adams 1993, "Fluorescence spectral overlap compensation for any number of flow cytometry parameters", Ann N Y Acad Sci 677:167).
/// Compensation solves for c: c = r·S⁻¹ for a square matrix, and the least-squares unmixing c = r·Sᵀ(S·Sᵀ)⁻¹ when
/// there are more detectors than fluorochromes (spectral cytometry). FCS spillover keywords ($SPILLOVER in FCS 3.1,
/// $SPILL and SPILL before it) are square with fluorochromes named by their detectors. A Gating-ML 2.0
/// <c>spectrumMatrix</c> may name fluorochromes apart, or hold the compensation matrix already inverted.
/// </remarks>
public sealed class SpilloverMatrix
{
    private readonly double[,] _coefficients;

    /// <summary>A spillover matrix with one row per fluorochrome and one column per detector (the array is copied).</summary>
    public SpilloverMatrix(IReadOnlyList<string> fluorochromes, IReadOnlyList<string> detectors, double[,] coefficients,
        string? id = null, bool invertedAlready = false)
    {
        ArgumentNullException.ThrowIfNull(fluorochromes);
        ArgumentNullException.ThrowIfNull(detectors);
        ArgumentNullException.ThrowIfNull(coefficients);
        if (coefficients.GetLength(0) != fluorochromes.Count || coefficients.GetLength(1) != detectors.Count)
        {
            throw new ArgumentException(
                $"a {coefficients.GetLength(0)}×{coefficients.GetLength(1)} matrix for {fluorochromes.Count} fluorochromes and {detectors.Count} detectors",
                nameof(coefficients));
        }
        if (fluorochromes.Count == 0)
        {
            throw new ArgumentException("a spillover matrix needs at least one fluorochrome", nameof(fluorochromes));
        }
        if (fluorochromes.Count > detectors.Count)
        {
            throw new ArgumentException($"{fluorochromes.Count} fluorochromes cannot be unmixed from {detectors.Count} detectors", nameof(fluorochromes));
        }
        if (invertedAlready && fluorochromes.Count != detectors.Count)
        {
            throw new ArgumentException("an already inverted (compensation) matrix must be square", nameof(invertedAlready));
        }
        Fluorochromes = fluorochromes.ToArray();
        Detectors = detectors.ToArray();
        _coefficients = (double[,])coefficients.Clone();
        Id = id;
        InvertedAlready = invertedAlready;
    }

    /// <summary>The matrix's id (a Gating-ML <c>spectrumMatrix</c> id, or the FCS keyword it came from).</summary>
    public string? Id { get; }

    /// <summary>Names of the compensated dimensions, one per row.</summary>
    public IReadOnlyList<string> Fluorochromes { get; }

    /// <summary>Names of the measured channels ($PnN), one per column.</summary>
    public IReadOnlyList<string> Detectors { get; }

    /// <summary>Whether the coefficients are already the compensation matrix (the inverse of the spillover).</summary>
    public bool InvertedAlready { get; }

    /// <summary>Whether fluorochromes are named by their detectors (the FCS convention).</summary>
    public bool NamedByDetectors => Fluorochromes.SequenceEqual(Detectors, StringComparer.Ordinal);

    /// <summary>The coefficient in row <paramref name="fluorochrome"/>, column <paramref name="detector"/>.</summary>
    public double this[int fluorochrome, int detector] => _coefficients[fluorochrome, detector];

    /// <summary>A copy of the coefficients.</summary>
    public double[,] ToArray() => (double[,])_coefficients.Clone();

    /// <summary>The matrix M with compensated = measured·M (detectors × fluorochromes).</summary>
    /// <exception cref="InputException">The spillover matrix is singular, so nothing can be compensated with it.</exception>
    public double[,] CompensationMatrix()
    {
        var f = Fluorochromes.Count;
        var d = Detectors.Count;
        if (InvertedAlready)
        {
            return (double[,])_coefficients.Clone();
        }
        if (f == d)
        {
            var lu = DenseLu.TryFactor(_coefficients) ?? throw Singular();
            return lu.Inverse();
        }
        // Least squares: M = Sᵀ (S Sᵀ)⁻¹.
        var gram = new double[f, f];
        for (var i = 0; i < f; i++)
        {
            for (var j = 0; j < f; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < d; k++)
                {
                    sum += _coefficients[i, k] * _coefficients[j, k];
                }
                gram[i, j] = sum;
            }
        }
        var gramInverse = (DenseLu.TryFactor(gram) ?? throw Singular()).Inverse();
        var m = new double[d, f];
        for (var k = 0; k < d; k++)
        {
            for (var j = 0; j < f; j++)
            {
                var sum = 0.0;
                for (var i = 0; i < f; i++)
                {
                    sum += _coefficients[i, k] * gramInverse[i, j];
                }
                m[k, j] = sum;
            }
        }
        return m;
    }

    private InputException Singular() =>
        new(new InputLocation(Element: Id is null ? "spillover matrix" : $"spillover matrix '{Id}'"),
            "the spillover matrix is singular (some fluorochromes cannot be told apart), so events cannot be compensated with it");

    /// <summary>Reads the FCS spillover keyword value "n,name₁,…,nameₙ,s₁₁,s₁₂,…,sₙₙ" (row-major, rows = fluorochromes).</summary>
    /// <remarks>FCS 3.1 (Spidlen et al. 2010, Cytometry A 77:97, doi:10.1002/cyto.a.20825), keyword $SPILLOVER.</remarks>
    /// <exception cref="InputException">The value is not a well-formed spillover matrix.</exception>
    public static SpilloverMatrix ParseFcsKeyword(string value, string keyword = "$SPILLOVER", string? file = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var location = new InputLocation(File: file, Element: $"keyword {keyword}");
        var parts = value.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = parts[i].Trim();
        }
        if (parts.Length == 0 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            throw new InputException(location, $"the value must start with the channel count, found '{Shorten(parts.Length > 0 ? parts[0] : "")}'");
        }
        var expected = 1 + n + n * n;
        if (parts.Length != expected)
        {
            throw new InputException(location, $"{n} channels need {expected} comma-separated fields (count, {n} names, {n * n} coefficients), found {parts.Length}");
        }
        var names = parts.AsSpan(1, n).ToArray();
        CheckNames(names, location);
        var matrix = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var text = parts[1 + n + i * n + j];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                {
                    throw new InputException(location, $"coefficient row {i + 1}, column {j + 1} ('{Shorten(text)}') is not a number");
                }
                matrix[i, j] = v;
            }
        }
        return new SpilloverMatrix(names, names, matrix, keyword);
    }

    /// <summary>The spillover matrix in FCS keywords ($SPILLOVER, else $SPILL, else SPILL; names compared case-insensitively), or null.</summary>
    /// <remarks>A keyword holding only "0" (some instruments' way of saying "none") counts as absent.</remarks>
    public static SpilloverMatrix? FromFcsKeywords(IEnumerable<KeyValuePair<string, string>> keywords, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        var byName = new Dictionary<string, KeyValuePair<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in keywords)
        {
            byName.TryAdd(pair.Key, pair);
        }
        foreach (var name in SpilloverKeywords)
        {
            if (byName.TryGetValue(name, out var pair) && pair.Value.Trim() is { Length: > 0 } value && value != "0")
            {
                return ParseFcsKeyword(value, pair.Key, file);
            }
        }
        return null;
    }

    /// <summary>The FCS keywords that may hold a spillover matrix, most standard first.</summary>
    public static IReadOnlyList<string> SpilloverKeywords { get; } = ["$SPILLOVER", "$SPILL", "SPILL"];

    /// <summary>This matrix written as an FCS spillover keyword value (square matrices named by detectors only).</summary>
    public string ToFcsKeyword()
    {
        if (!NamedByDetectors || InvertedAlready)
        {
            throw new InvalidOperationException("only a square spillover matrix with fluorochromes named by detectors fits an FCS keyword");
        }
        var n = Detectors.Count;
        var fields = new List<string>(1 + n + n * n) { n.ToString(CultureInfo.InvariantCulture) };
        fields.AddRange(Detectors);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                fields.Add(_coefficients[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
        }
        return string.Join(',', fields);
    }

    internal static void CheckNames(IReadOnlyList<string> names, InputLocation location)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (name.Length == 0)
            {
                throw new InputException(location, "a channel name is empty");
            }
            if (!seen.Add(name))
            {
                throw new InputException(location, $"channel '{name}' is named twice");
            }
        }
    }

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
