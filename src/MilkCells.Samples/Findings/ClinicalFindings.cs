using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Reference;

namespace MilkCells.Samples.Findings;

/// <summary>Whether a finding's criterion was met, not met, or could not be assessed.</summary>
public enum FindingStatus
{
    /// <summary>The criterion holds.</summary>
    Met,

    /// <summary>The criterion was checked and does not hold.</summary>
    NotMet,

    /// <summary>What the criterion needs was not measured.</summary>
    NotAssessed,
}

/// <summary>One finding about a sample: what a source associates with its values, in plain words, never a diagnosis.</summary>
/// <param name="Id">A stable id (e.g. <c>thomsen1983</c>, <c>reference-high:cells_per_ml_leucocyte</c>).</param>
/// <param name="Status">Met, not met, or not assessed.</param>
/// <param name="Text">The finding in plain words, or why it could not be assessed and what would allow it.</param>
/// <param name="Citation">The source.</param>
/// <param name="Category">For Thomsen 1983, the category: "stasis", "non-infectious inflammation" or "infectious mastitis".</param>
public sealed record Finding(string Id, FindingStatus Status, string Text, string Citation, string? Category = null);

/// <summary>The literature's readings of a milk sample: Thomsen 1983's categories, Pace 2022's SCC threshold, Furukawa 2022's Na:K cut-off, and reference flags.</summary>
/// <remarks>
/// Each is stated as what the literature associates with such values, never as a diagnosis. Thresholds (evidence table
/// §3): Thomsen et al. 1983 (Am J Obstet Gynecol 146:938, doi:10.1016/0002-9378(83)90969-9): leucocytes &lt; 10⁶/mL and
/// bacteria &lt; 10³/mL — normal milk or milk stasis (symptoms ~2.1 days); leucocytes &gt; 10⁶/mL and bacteria &lt; 10³/mL —
/// non-infectious inflammation (~5.3 days); leucocytes &gt; 10⁶/mL and bacteria &gt; 10³/mL — infectious mastitis.
/// Pace et al. 2022 (Nutrients 14:4708, doi:10.3390/nu14224708): somatic cell count &gt; 4.76×10⁵/mL, odds ratio 7.81 for
/// clinical mastitis in the next week, positive predictive value ≤ 0.34; sodium &gt; 12 mmol/L also linked. Furukawa et
/// al. 2022 (J Hum Lact, doi:10.1177/08903344221075050): Na:K 0.5 ± 0.1 without and 1.7 ± 1.2 with mastitis; cut-off
/// 0.60 (sensitivity 86.5 %, specificity 92.7 %).
/// </remarks>
public static class ClinicalFindings
{
    public const string Thomsen = "Thomsen AC et al. 1983. Am J Obstet Gynecol 146:938, doi:10.1016/0002-9378(83)90969-9";
    public const string Pace = "Pace et al. 2022. Nutrients 14:4708, doi:10.3390/nu14224708";
    public const string Furukawa = "Furukawa et al. 2022. J Hum Lact, doi:10.1177/08903344221075050";

    /// <summary>Thomsen's leucocyte threshold, cells/mL.</summary>
    public const double ThomsenLeucocytes = 1e6;

    /// <summary>Thomsen's bacteria threshold, CFU/mL.</summary>
    public const double ThomsenBacteria = 1e3;

    /// <summary>Pace 2022's somatic cell count threshold, cells/mL.</summary>
    public const double PaceScc = 4.76e5;

    /// <summary>Pace 2022's sodium threshold, mmol/L.</summary>
    public const double PaceSodium = 12;

    /// <summary>Furukawa 2022's Na:K cut-off.</summary>
    public const double FurukawaNaK = 0.60;

    /// <summary>Every finding for one sample, with its reference placements.</summary>
    public static ImmutableArray<Finding> For(AnalyzedSample sample, IReadOnlyDictionary<string, PercentilePlacement> placements, string referenceCitation)
    {
        var findings = ImmutableArray.CreateBuilder<Finding>();
        findings.Add(ThomsenCategory(sample.Value(Measures.Leucocyte), sample.Value(Measures.Bacteria)));
        findings.Add(PaceThreshold(sample.Value(Measures.Total), sample.Value(Measures.Sodium)));
        findings.Add(FurukawaRatio(sample.Value(Measures.NaK)));
        foreach (var (measure, placement) in placements.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (placement.Flag.Length == 0)
            {
                continue;
            }
            var r = placement.Range;
            var side = placement.Flag == "high" ? "above the 97.5th" : "below the 2.5th";
            findings.Add(new Finding($"reference-{placement.Flag}:{measure}", FindingStatus.Met,
                string.Create(CultureInfo.InvariantCulture,
                    $"{measure} {Number(sample.Values[measure])} {r.Unit} is {side} percentile of simulated healthy mothers on lactation days {r.FirstDay}-{r.LastDay} ({r.Stage}; band {Number(r.Low)}-{Number(r.High)}). One healthy sample in twenty falls outside the band by design."),
                referenceCitation));
        }
        if (sample.Info.LactationDay is null)
        {
            findings.Add(new Finding("reference", FindingStatus.NotAssessed, "no lactation day, so the sample could not be placed in the reference set (add lactation_day)", referenceCitation));
        }
        return findings.ToImmutable();
    }

    /// <summary>Thomsen 1983's category from leucocytes and bacteria per mL.</summary>
    public static Finding ThomsenCategory(double? leucocytes, double? bacteria)
    {
        if (leucocytes is not { } l)
        {
            return new Finding("thomsen1983", FindingStatus.NotAssessed, "Thomsen 1983's categories need leucocytes/mL, which this sample does not give", Thomsen);
        }
        if (bacteria is not { } b)
        {
            var side = l > ThomsenLeucocytes ? "above" : "below";
            return new Finding("thomsen1983", FindingStatus.NotAssessed,
                $"leucocytes {Number(l)}/mL are {side} Thomsen 1983's 10^6/mL, but the category needs a bacteria count too (add bacteria_cfu_per_ml to the manifest or counts CSV)", Thomsen);
        }
        var (category, text) = (l > ThomsenLeucocytes, b > ThomsenBacteria) switch
        {
            (false, false) => ("stasis", "leucocytes below 10^6/mL and bacteria below 10^3/mL: Thomsen 1983 found this in normal milk and in milk stasis (symptoms about 2.1 days)"),
            (true, false) => ("non-infectious inflammation", "leucocytes above 10^6/mL with bacteria below 10^3/mL: Thomsen 1983 associated this with non-infectious inflammation of the breast (symptoms about 5.3 days)"),
            (true, true) => ("infectious mastitis", "leucocytes above 10^6/mL and bacteria above 10^3/mL: Thomsen 1983 associated this with infectious mastitis"),
            _ => ("none", "bacteria above 10^3/mL with leucocytes below 10^6/mL: none of Thomsen 1983's three categories"),
        };
        return new Finding("thomsen1983", category == "none" ? FindingStatus.NotMet : FindingStatus.Met,
            string.Create(CultureInfo.InvariantCulture, $"{text} (leucocytes {Number(l)}/mL, bacteria {Number(b)} CFU/mL)."), Thomsen, category == "none" ? null : category);
    }

    /// <summary>Pace 2022: somatic cell count above 4.76×10⁵/mL (and sodium above 12 mmol/L).</summary>
    public static Finding PaceThreshold(double? scc, double? sodium)
    {
        if (scc is not { } s)
        {
            return new Finding("pace2022", FindingStatus.NotAssessed, "Pace 2022's threshold needs the somatic cell count (all cells/mL), which this sample does not give", Pace);
        }
        var sodiumText = sodium is { } na
            ? string.Create(CultureInfo.InvariantCulture, $"; sodium {Number(na)} mmol/L is {(na > PaceSodium ? "above" : "not above")} the 12 mmol/L Pace 2022 also linked to mastitis")
            : "";
        return s > PaceScc
            ? new Finding("pace2022", FindingStatus.Met, string.Create(CultureInfo.InvariantCulture,
                $"somatic cells {Number(s)}/mL exceed 4.76x10^5/mL, which Pace 2022 associated with 7.81 times the odds of clinical mastitis in the following week (positive predictive value at most 0.34){sodiumText}."), Pace)
            : new Finding("pace2022", FindingStatus.NotMet, string.Create(CultureInfo.InvariantCulture,
                $"somatic cells {Number(s)}/mL are below Pace 2022's 4.76x10^5/mL{sodiumText}."), Pace);
    }

    /// <summary>Furukawa 2022: Na:K above 0.60.</summary>
    public static Finding FurukawaRatio(double? naK) => naK switch
    {
        null => new Finding("furukawa2022", FindingStatus.NotAssessed, "Furukawa 2022's Na:K cut-off needs sodium and potassium (add sodium_mmol_l and potassium_mmol_l, or na_k_ratio)", Furukawa),
        > FurukawaNaK => new Finding("furukawa2022", FindingStatus.Met, string.Create(CultureInfo.InvariantCulture,
            $"Na:K {naK:0.###} is above 0.60, the cut-off Furukawa 2022 found to separate milk of mastitis (1.7 ± 1.2) from milk without it (0.5 ± 0.1) with sensitivity 86.5 % and specificity 92.7 %."), Furukawa),
        _ => new Finding("furukawa2022", FindingStatus.NotMet, string.Create(CultureInfo.InvariantCulture, $"Na:K {naK:0.###} is not above Furukawa 2022's 0.60."), Furukawa),
    };

    private static string Number(double v) => v.ToString(Math.Abs(v) >= 1e4 ? "0.00e+0" : "0.###", CultureInfo.InvariantCulture);
}
