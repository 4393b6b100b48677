using MilkCells.Fcs;

namespace MilkCells.Fcs.Tests.RealFiles;

/// <summary>What MilkCells must return for one real file, and why wherever that differs from fcsparser 0.2.8.</summary>
/// <param name="File">The file in ../shared/fcs/files.</param>
/// <param name="DataSets">Data sets to read; each must hash like fcsparser's data_set=K (K = 0, 1, ...) unless <paramref name="MatchKey"/> says otherwise.</param>
/// <param name="MatchKey">The reference entry our data set 0 must equal, when it is not fcsparser's.</param>
/// <param name="Rejected">The problem the reader must report instead of reading the file.</param>
/// <param name="Warnings">Warnings the reader must give (the known faults of the file).</param>
/// <param name="NamesDiffer">Why our $PnN names may differ from the references' names, when they do.</param>
/// <param name="Why">The reason for every deliberate difference from fcsparser.</param>
public sealed record Expectation(
    string File,
    int DataSets = 1,
    string? MatchKey = null,
    FcsProblem? Rejected = null,
    FcsWarningKind[]? Warnings = null,
    string? NamesDiffer = null,
    string? Why = null)
{
    public override string ToString() => File;

    private const string Fcsparser = "fcsparser-0.2.8/data_set=";

    /// <summary>The reference key data set <paramref name="k"/> must match.</summary>
    public string KeyFor(int k) => k == 0 && MatchKey is not null ? MatchKey : Fcsparser + k;

    private static readonly FcsWarningKind[] None = [];

    /// <summary>One row per file in ../shared/fcs/files; a test checks the table and the folder agree.</summary>
    public static readonly Expectation[] All =
    [
        new("FlowCal--Data001.fcs"),
        new("FlowCal--Data002.fcs"),
        new("FlowCal--Data003.fcs", Why: "24-bit integers: FlowIO fails (\"cannot reshape\"), fcsparser reads them; we match fcsparser"),
        new("FlowCal--Data004.fcs"),
        new("FlowCal--sample001.fcs", Why: "24-bit integers, as Data003"),
        new("FlowIO--100715.fcs"),
        new("FlowIO--3FITC_4PE_004.fcs"),
        new("FlowIO--B01_KC-A-W---91-US.fcs"),
        new("FlowIO--G11.fcs", Warnings: [FcsWarningKind.PaddedText]),
        new("FlowIO--coulter.lmd", DataSets: 2, Warnings: [FcsWarningKind.OffByOne, FcsWarningKind.BlankHeaderOffset],
            Why: "two data sets via $NEXTDATA: FlowIO refuses (MultipleDataSetsError), fcsparser reads both; the first's HEADER DATA end is one past its last byte"),
        new("FlowIO--data1.fcs", Warnings: [FcsWarningKind.EmptyValue]),
        new("FlowIO--data_start_offset_discrepancy_example.fcs", MatchKey: "flowio-1.4.0/raw,text-offsets",
            Warnings: [FcsWarningKind.OffsetDisagreement],
            Why: "HEADER DATA start 5555 lies inside the TEXT segment (74–6080); fcsparser follows it and returns TEXT bytes as events " +
                 "(12332 = 0x302C, the ASCII \",0\"). TEXT's $BEGINDATA/$ENDDATA 6081–6188 hold exactly $TOT × 54 bytes, so TEXT is trusted, as FlowIO does with its tolerance flags"),
        new("FlowIO--data_stop_offset_discrepancy_example.fcs", Warnings: [FcsWarningKind.OffsetDisagreement],
            Why: "HEADER DATA end 6944 is past the end of the file; TEXT's 6188 fits $TOT × 54 bytes exactly (fcsparser reads $TOT events and agrees)"),
        new("FlowIO--variable_int_example.fcs", Why: "mixed 16- and 32-bit integers"),
        new("FlowKit--data_set_simple_line_100.fcs"),
        new("FlowKit--index_sorted_example.fcs"),
        new("FlowKit--test_comp_example.fcs", Warnings: [FcsWarningKind.OffByOne, FcsWarningKind.PaddedText]),
        new("FlowKit--test_data_2d_01.fcs"),
        new("FlowKit--test_data_diamond_01.fcs"),
        new("fcsparser--Cytek_xP5.fcs", Why: "24-bit integers: FlowIO fails, fcsparser reads them; we match fcsparser"),
        new("fcsparser--EY_2013-07-19_PBS_FCS_2.0_Custom_Without_Add_Well_A1.001.fcs"),
        new("fcsparser--EY_2013-07-19_PBS_FCS_3.1_Custom_Add_Well_A1.001.fcs", Warnings: [FcsWarningKind.OffByOne, FcsWarningKind.PaddedText]),
        new("fcsparser--EY_2013-07-19_PBS_FCS_3.1_Custom_Without_Add_Well_A1.001.fcs", Warnings: [FcsWarningKind.OffByOne]),
        new("fcsparser--EY_2013-07-19_PBS_FCS_3.1_Well_A1.001.fcs", Warnings: [FcsWarningKind.OffByOne]),
        new("fcsparser--FCS3.0_Custom_Compatible.fcs"),
        new("fcsparser--FCS_3.0_Fortessa_PBS_Specimen_001_A1_A01.fcs"),
        new("fcsparser--HTS_BD_LSR_II_Mixed_Specimen_001_D6_D06.fcs"),
        new("fcsparser--SG_2014-09-26_Duplicate_Names.fcs", Warnings: [FcsWarningKind.DuplicateKeyword]),
        new("fcsparser--Sample_Well_A02.fcs"),
        new("fcsparser--corrupted.fcs", Rejected: FcsProblem.NotFcs,
            Why: "10 bytes of junk: no 58-byte HEADER; both references fail too"),
        new("fcsparser--cyflow_cube_8.fcs", Warnings: [FcsWarningKind.PaddedText, FcsWarningKind.SegmentIgnored],
            Why: "mixed 8-, 16- and 32-bit integers with $PnR masks; its supplemental TEXT is a ZIP archive, ignored with a warning"),
        new("fcsparser--facs_diva_test.fcs"),
        new("fcsparser--fake_large_fcs.fcs", Warnings: [FcsWarningKind.BlankHeaderOffset],
            Why: "blank HEADER DATA offsets: FlowIO fails (int of blanks), fcsparser and we take $BEGINDATA/$ENDDATA"),
        new("fcsparser--fcs1_cleaned.lmd", Warnings: [FcsWarningKind.HeaderFormat], Why: "16-bit integers with flag bits above $PnR = 1024, masked off"),
        new("fcsparser--sample_header.fcs", Rejected: FcsProblem.Truncated,
            Why: "truncated after 3931 bytes: TEXT says DATA runs to byte 2165911; both references fail too"),
        new("flowCore--0877408774.B08.fcs", Warnings: [FcsWarningKind.EmptyValue], NamesDiffer: FlowCoreNames, Why: FlowCoreSets),
        new("flowCore--0877408774.E07.fcs", Warnings: [FcsWarningKind.EmptyValue], NamesDiffer: FlowCoreNames, Why: FlowCoreSets),
        new("flowCore--0877408774.F06.fcs", Warnings: [FcsWarningKind.EmptyValue], NamesDiffer: FlowCoreNames, Why: FlowCoreSets),
    ];

    private const string FlowCoreSets =
        "$NEXTDATA is 0, so there is one data set; fcsparser's data_set=1 entry re-reads data set 0 (it restarts at offset 0)";

    private const string FlowCoreNames =
        "CellQuest writes empty $P3S, $P4S, $P5S, $P7S as doubled delimiters; read strictly as escapes they merge \"$P3S\\$P4S\\$P6N\" " +
        "into one keyword, so FlowIO loses $P6N (7 names for 8 parameters) and fcsparser shows '' for it. We read them as empty values and keep $P6N";
}
