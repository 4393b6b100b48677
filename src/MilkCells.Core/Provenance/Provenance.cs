namespace MilkCells.Core.Provenance;

/// <summary>How much a value can be trusted, as graded in ../shared/evidence/milk-cells.md.</summary>
public enum Confidence
{
    /// <summary>A primary paper, read.</summary>
    High,

    /// <summary>An abstract or a review table.</summary>
    Medium,

    /// <summary>Lay text, a single case, or a value derived from other rows.</summary>
    Low,

    /// <summary>No source gives it; the model states its assumption.</summary>
    Assumption,
}

/// <summary>How a value was measured; the eras disagree by one to two orders of magnitude.</summary>
public enum MeasurementEra
{
    /// <summary>Modern flow cytometry (the default calibration).</summary>
    FlowCytometry,

    /// <summary>Microscope counts, 1979–1991.</summary>
    Microscopy,

    /// <summary>Single-cell RNA sequencing.</summary>
    SingleCellRnaSeq,

    /// <summary>Test weighing, volumetric and other physiological measurement.</summary>
    Physiology,

    /// <summary>Animal studies (mouse reporter models); never human transfer data.</summary>
    Animal,

    /// <summary>Cell culture and marker staining in vitro.</summary>
    InVitro,

    /// <summary>Popular or lay claims without a primary source.</summary>
    LayClaim,

    /// <summary>Derived from other values, or a modelling assumption.</summary>
    Derived,
}

/// <summary>Where a number comes from: the source, the condition it was measured in, and how far to trust it.</summary>
/// <param name="Source">A citation with DOI or PMID where one exists, or "assumption: …" with the reasoning.</param>
/// <param name="Condition">The population and circumstances (stage, method, n).</param>
/// <param name="Confidence">Grade of the evidence.</param>
/// <param name="Era">Measurement era or kind.</param>
public sealed record Provenance(string Source, string Condition, Confidence Confidence, MeasurementEra Era)
{
    /// <summary>Problems that make this provenance unusable (empty source or condition); empty when complete.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Source))
        {
            yield return "source is missing";
        }
        if (string.IsNullOrWhiteSpace(Condition))
        {
            yield return "condition is missing";
        }
    }
}
