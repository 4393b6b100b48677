namespace MilkCells.Fcs;

/// <summary>The FCS version a data set's HEADER declares.</summary>
public enum FcsVersion
{
    /// <summary>Not one of the published versions; read as FCS 3.2.</summary>
    Unknown,

    /// <summary>FCS 1.0 (Murphy &amp; Chused 1984); read with the FCS 2.0 rules.</summary>
    Fcs1_0,

    /// <summary>FCS 2.0 (1990).</summary>
    Fcs2_0,

    /// <summary>FCS 3.0 (Seamer et al. 1997).</summary>
    Fcs3_0,

    /// <summary>FCS 3.1 (Spidlen et al. 2010, Cytometry A 77:97).</summary>
    Fcs3_1,

    /// <summary>FCS 3.2 (ISAC Data Standards Task Force 2020; Spidlen et al. 2021, Cytometry A 99:100).</summary>
    Fcs3_2,
}
