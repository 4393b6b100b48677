using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Tests;

/// <summary>
/// The derived constants reproduce the evidence in the mean field (the deterministic limit). Expected numbers come
/// from data/evidence-checks.yaml, whose rows quote the evidence table; each test names its row.
/// </summary>
public class DerivationTests
{
    private static readonly CalibratedModel Default = MilkModel.Embedded.Calibrate();

    private static EvidenceCheck Check(string id) => MilkModel.Embedded.Checks.Single(c => c.Id == id);

    private static double Composition(CalibratedModel m, string stage, string name) => m.Value(ModelParameters.Composition(stage, name));

    [Theory]
    [InlineData(36.0, 4.0)]
    [InlineData(400.0, 5.5)]
    [InlineData(100.0, 2.0)]
    public void The_feed_cycle_is_periodic_and_delivers_the_daily_volume(double dailyMl, double feedsPerDay)
    {
        var c = FeedCycle.Solve(dailyMl, feedsPerDay, 0.673, 179, 0.9);
        Assert.Equal(dailyMl, c.FeedMl * c.FeedsPerDay, 1e-9);
        Assert.Equal(c.PreFeedMl, c.VolumeAfter(c.IntervalHours), 1e-9); // back to the pre-feed volume after T
    }

    [Fact]
    public void A_small_storage_capacity_raises_the_feeding_frequency()
    {
        // Kent 2006: babies of mothers with smaller storage capacity feed more frequently.
        var c = FeedCycle.Solve(500, 4, 0.673, 74, 0.9);
        Assert.True(c.FrequencyRaised);
        Assert.Equal(0.9, c.PreFeedFill, 1e-12);
        Assert.Equal(500, c.FeedMl * c.FeedsPerDay, 1e-9);
    }

    [Fact]
    public void The_influx_scale_makes_the_pre_feed_concentration_equal_the_target()
    {
        var cycle = DerivedParameters.ReferenceCycle(Default);
        var k = Default.Value(RetentionRate) + Default.Value(BreastDeathRate);
        var steps = DerivedParameters.BoostSteps(Default);
        // One full cycle later the concentration is back to the target (ratio 1): the periodic solution is consistent.
        Assert.Equal(1.0, InfluxScale.PostFeedRatio(cycle, k, steps, Default.Value(BoostBin), cycle.IntervalHours), 1e-9);
    }

    [Fact]
    public void Post_feed_cell_content_peaks_within_1_to_12_times_and_falls_back_within_about_3_h()
    {
        var check = Check("post-feed-ratio"); // Hassiotou 2013 PLoS One: "up to 12-fold higher than before the feed"
        var d = DerivedParameters.From(Default);
        var at30 = d[DerivedParameters.ReferenceRatio30Min];
        var at3h = d[DerivedParameters.ReferenceRatio3H];
        Assert.InRange(at30, check.Min!.Value, check.Max!.Value);
        Assert.True(at30 > 2, $"the mean post-feed rise should be clear, was {at30:0.00}×");
        Assert.True(at3h < 1.5 && at3h < at30 / 2, $"at 3 h the content should be near the pre-feed value, was {at3h:0.00}×");
        var cycle = DerivedParameters.ReferenceCycle(Default);
        var k = d[DerivedParameters.LossRate];
        var steps = DerivedParameters.BoostSteps(Default);
        var bin = Default.Value(BoostBin);
        double Ratio(double h) => InfluxScale.PostFeedRatio(cycle, k, steps, bin, h);
        Assert.True(Ratio(0.5) > Ratio(0.25) && Ratio(0.5) > Ratio(1.5), "the peak is near 30 min");
    }

    [Fact]
    public void Entry_viability_gives_the_fresh_milk_viability()
    {
        // Indian J Pediatr 2024 (evidence §7): viable fraction 92 % (PI) in fresh mature milk.
        var target = Check("viability-fresh").Target!.Value;
        var d = DerivedParameters.From(Default);
        var (beta, death, v) = (Default.Value(RetentionRate), Default.Value(BreastDeathRate), d[DerivedParameters.EntryViable]);
        var alive = v / (beta + death);
        var dead = ((1 - v) + death * alive) / beta;
        Assert.Equal(target, alive / (alive + dead), 1e-9);
    }

    [Fact]
    public void Storage_rates_reproduce_the_viabilities_after_storage()
    {
        var d = DerivedParameters.From(Default);
        var fresh = Check("viability-fresh").Target!.Value;
        // "after 3 days at 4 °C": 83 % (PI).
        Assert.Equal(Check("viability-fridge-3d").Target!.Value, fresh * Math.Exp(-d[DerivedParameters.FridgeDeathRate] * 72), 1e-9);
        // "after 3 months at −20 °C": 78 % (PI).
        // −20 °C: held for the first 3 h, then falling while frozen (θ = 0 of the loss at thawing): 78 % after 3 months.
        var frozen = Default.Value(FreezerObserved) - Default.Value(RoomHold);
        Assert.Equal(Check("viability-freezer-3mo").Target!.Value,
            fresh * Math.Exp(-d[DerivedParameters.FreezerDeathRate] * frozen) * d[DerivedParameters.FreezeThawSurvival], 1e-9);
        // "no viable cells expected" after Holder pasteurisation.
        Assert.Equal(Check("viability-pasteurised").Target!.Value, Default.Value(HolderSurvival));
    }

    [Fact]
    public void Colostrum_and_mature_leucocyte_shares_are_in_the_evidence_ranges()
    {
        foreach (var profile in MilkModel.Embedded.Profiles)
        {
            var m = MilkModel.Embedded.Calibrate(profile.Id);
            var colostrum = Check("leucocyte-fraction-colostrum"); // Hassiotou 2013 CTI: 13–70 % in colostrum
            Assert.InRange(Composition(m, "colostrum", "leucocyte_fraction"), colostrum.Min!.Value, colostrum.Max!.Value);
        }
        var mature = Check("leucocyte-fraction-mature"); // 0–2 %, reached within 1–2 weeks
        Assert.InRange(Composition(Default, "mature", "leucocyte_fraction"), mature.Min!.Value, mature.Max!.Value);
    }

    [Fact]
    public void Mature_milk_targets_are_in_the_flow_cytometry_ranges()
    {
        var total = Composition(Default, "mature", "total_cells");
        var leucocytes = total * Composition(Default, "mature", "leucocyte_fraction");
        var perMl = Check("leucocytes-per-ml-mature"); // Hassiotou 2012: 0–1,365 /mL
        var totals = Check("total-cells-mature"); // derived row: about 10⁴–10⁵ /mL
        Assert.InRange(leucocytes, perMl.Min!.Value, perMl.Max!.Value);
        Assert.InRange(total, totals.Min!.Value, totals.Max!.Value);
    }

    [Fact]
    public void Intake_curve_meets_the_lower_limit_from_day_11_and_the_1_to_6_month_range()
    {
        var intake = Default[Intake];
        var limit = Check("intake-from-day-11"); // Kent 2016: 440 mL/day, expected by day 11
        for (var day = limit.FirstDay!.Value; day <= limit.LastDay!.Value; day++)
        {
            Assert.True(intake.At(day) >= limit.Min!.Value, $"day {day}: {intake.At(day):0} mL");
        }
        var range = Check("intake-1-6-months"); // Kent 2006: 798 mL/24 h (478–1,298)
        for (var day = range.FirstDay!.Value; day <= range.LastDay!.Value; day++)
        {
            Assert.InRange(intake.At(day), range.Min!.Value, range.Max!.Value);
        }
    }

    [Fact]
    public void Breastfeeds_per_day_are_in_the_observed_range()
    {
        var check = Check("feeds-per-day"); // Kent 2006: 11 ± 3 (range 6–18)
        var curve = Default[BreastfeedsPerDay];
        for (var day = check.FirstDay!.Value; day <= check.LastDay!.Value; day++)
        {
            Assert.InRange(curve.At(day), check.Min!.Value, check.Max!.Value);
        }
    }

    [Fact]
    public void Moderate_mastitis_targets_more_than_a_million_leucocytes_per_ml()
    {
        var check = Check("mastitis-peak"); // Thomsen 1983: leucocytes >10⁶/mL in inflammation
        var peak = Default.Value("health.mastitis.peak_leucocytes", "moderate")
                   + Composition(Default, "mature", "total_cells") * Composition(Default, "mature", "leucocyte_fraction");
        Assert.True(peak > check.Min!.Value);
        // Severity matters: a febrile infant raises leucocytes far less than mastitis.
        Assert.True(Default.Value("health.infant-infection.peak_leucocytes", "moderate") * 100 < Default.Value("health.mastitis.peak_leucocytes", "moderate"));
    }

    [Fact]
    public void Only_severe_mastitis_reaches_the_94_percent_extreme()
    {
        // Hassiotou 2013 CTI: "up to 94 %" leucocytes is the extreme (evidence §3), not every illness.
        double PeakShare(string severity)
        {
            var leucocytes = Default.Value("health.mastitis.peak_leucocytes", severity);
            var others = Composition(Default, "mature", "total_cells") * (1 - Composition(Default, "mature", "leucocyte_fraction"))
                         * Default.Value("health.mastitis.epithelial_factor", severity);
            return leucocytes / (leucocytes + others);
        }
        Assert.InRange(PeakShare("severe"), 0.93, 0.96);
        Assert.True(PeakShare("moderate") < 0.93, $"moderate mastitis reaches {PeakShare("moderate"):P1}: the 94 % extreme is for the worst cases");
        Assert.True(PeakShare("mild") < PeakShare("moderate") && PeakShare("moderate") < PeakShare("severe"));
    }

    [Fact]
    public void Illness_shape_rises_plateaus_and_returns_to_zero()
    {
        Assert.Equal(0, RunPlanner.IllnessShape(-1, 240, 24, 72));
        Assert.Equal(0.5, RunPlanner.IllnessShape(12, 240, 24, 72), 1e-12);
        Assert.Equal(1, RunPlanner.IllnessShape(100, 240, 24, 72));
        Assert.Equal(0.5, RunPlanner.IllnessShape(204, 240, 24, 72), 1e-12);
        Assert.Equal(0, RunPlanner.IllnessShape(240, 240, 24, 72));
        Assert.True(RunPlanner.IllnessShape(30, 48, 24, 72) <= 1); // shorter than onset + recovery: squeezed
    }

    [Fact]
    public void Between_mother_spreads_are_derived_from_the_observed_ranges()
    {
        var d = DerivedParameters.From(Default);
        // The expected range of n normal draws (Tippett 1925), in SD: the control-chart constant d₂ is 1.128 for n = 2
        // and 3.078 for n = 10 (ASTM tables); Kent's 71 mothers span 4.77 SD.
        Assert.Equal(1.128, Formulas.ExpectedRange(2), 3);
        Assert.Equal(3.078, Formulas.ExpectedRange(10), 3);
        Assert.InRange(Formulas.ExpectedRange(71), 4.76, 4.78);
        // Kent 2006: intake 478–1,298 mL over 71 mothers, one 24-h weighing each: between mothers once the day-to-day spread is out.
        var intake = Default[IntakeReference];
        var observed = Math.Log(intake.Range!.Value.Max / intake.Range.Value.Min) / Formulas.ExpectedRange(71);
        var day = Default.Value(DayLogSd, "production");
        Assert.Equal(Math.Sqrt(observed * observed - day * day), d[DerivedParameters.ProductionLogSd], 1e-12);
        Assert.Equal(0.375, d[DerivedParameters.PairedFraction], 1e-12); // 11 breastfeeds as 8 meals
        var (a, b) = (d[DerivedParameters.RemovalBetaAlpha], d[DerivedParameters.RemovalBetaBeta]);
        Assert.Equal(Default.Value(RemovalFraction), a / (a + b), 1e-12);
        Assert.Equal(Default.Value(RemovalFractionSd), Math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))), 1e-12);
    }

    [Fact]
    public void Planned_synthesis_and_cell_targets_follow_the_curves_for_the_median_mother()
    {
        const string yaml = """
            name: quiet
            durationDays: 40
            parameters:
              variability.day_log_sd: { production: 0, cells: 0, boost: 0 }
            """;
        var scenario = ScenarioLoader.Parse("quiet.yaml", yaml, "test", MilkModel.Embedded);
        var plan = RunPlanner.Plan(Default, scenario, 7);
        var f = Default.Value(RemovalFraction);
        foreach (var b in new[] { Breast.Left, Breast.Right })
        {
            var share = b == Breast.Right ? plan.Mother.RightShare : 1 - plan.Mother.RightShare;
            var expected = FeedCycle.Solve(Default[Intake].At(30) * share, Default[BreastfeedsPerDay].At(30) / 2, f,
                Default.Value(StorageCapacity), Default.Value(MaxFill));
            var change = plan.DriverChanges.Single(c => c.Hours == 30 * 24 && c.Driver == Structure.Names.SynthMax(b));
            Assert.Equal(expected.MaxSynthesisMlPerHour, change.Value, 1e-9);
            // Per breast, daily synthesis at the derived rate equals the curve's share of the intake.
            Assert.Equal(Default[Intake].At(30) * share, expected.FeedMl * expected.FeedsPerDay, 1e-9);
        }
        // Mature leucocytes: the day-30 targets add up to total × leucocyte fraction.
        var leucocytes = MilkModel.Embedded.OfClass(CellClass.Leucocyte)
            .Sum(t => plan.DriverChanges.Last(c => c.Hours <= 30 * 24 && c.Driver == Structure.Names.Conc(t)).Value);
        // (What is left of the colostral output by day 30 is below 10⁻⁵ of it: docs/model.md §4c.)
        var mature = Composition(Default, "mature", "total_cells") * Composition(Default, "mature", "leucocyte_fraction");
        Assert.InRange(leucocytes / mature, 1, 1 + 1e-5);
    }
}
