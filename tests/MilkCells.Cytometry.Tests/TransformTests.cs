using MilkCells.Cytometry.Gating;
using MilkCells.Cytometry.Transforms;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>Law tests for the scale transforms: the identities their definitions state, inverses, symmetry.</summary>
public class TransformTests
{
    // Parameter sets: the canonical ones of the papers' examples plus every scale the Gating-ML compliance suite uses.
    public static TheoryData<string> ScaleNames() => new(
        "logicle(262144,0.5,4.5,0)", "logicle(10000,1,4,0.5)", "logicle(1000,0,4,0)", "logicle(262144,2,4.5,-1)",
        "hyperlog(10000,1,4.5,0)", "hyperlog(262144,0.5,4.5,0)", "hyperlog(1000,0.25,4,0.5)",
        "fasinh(10000,4,1)", "flin(10000,500)", "flog(10000,5)", "arcsinh(150)", "arcsinh(5)");

    internal static ScaleTransform Make(string spec)
    {
        var name = spec[..spec.IndexOf('(')];
        var args = spec[(spec.IndexOf('(') + 1)..^1].Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return name switch
        {
            "logicle" => new LogicleTransform(args[0], args[1], args[2], args[3]),
            "hyperlog" => new HyperlogTransform(args[0], args[1], args[2], args[3]),
            "fasinh" => new AsinhTransform(args[0], args[1], args[2]),
            "flin" => new LinearTransform(args[0], args[1]),
            "flog" => new LogTransform(args[0], args[1]),
            "arcsinh" => new ArcsinhTransform(args[0]),
            _ => throw new ArgumentException(spec),
        };
    }

    /// <summary>Data values from −10⁴ to 10⁶ on a log grid, both signs, and zero.</summary>
    private static IEnumerable<double> DataGrid()
    {
        yield return 0;
        for (var e = -3.0; e <= 6.0; e += 0.125)
        {
            yield return Math.Pow(10, e);
            if (e <= 4)
            {
                yield return -Math.Pow(10, e);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ScaleNames))]
    public void Inverse_undoes_apply_on_the_scale(string spec)
    {
        var t = Make(spec);
        for (var y = -0.3; y <= 1.3; y += 0.001)
        {
            var x = t.Inverse(y);
            if (!double.IsFinite(x) || (t is LogTransform && x <= 0))
            {
                continue;
            }
            // Scale values are computed to ~1e-16; the Halley iteration stops within 3ε; 1e-12 leaves room for both.
            Assert.True(Math.Abs(t.Apply(x) - y) <= 1e-12, $"{spec}: Apply(Inverse({y})) = {t.Apply(x):R}");
        }
    }

    [Theory]
    [MemberData(nameof(ScaleNames))]
    public void Apply_then_inverse_returns_the_data_value(string spec)
    {
        var t = Make(spec);
        foreach (var x in DataGrid())
        {
            if (t is LogTransform && x <= 0)
            {
                Assert.True(double.IsNaN(t.Apply(x)), "flog is undefined at and below zero");
                continue;
            }
            var back = t.Inverse(t.Apply(x));
            // Relative 1e-10 for large values; near zero the absolute error is the slope at zero times ε-sized scale error.
            Assert.True(Math.Abs(back - x) <= 1e-10 * Math.Max(Math.Abs(x), 1), $"{spec}: {x:R} -> {back:R}");
        }
    }

    [Theory]
    [MemberData(nameof(ScaleNames))]
    public void Scales_increase_strictly(string spec)
    {
        var t = Make(spec);
        var previous = double.NegativeInfinity;
        foreach (var x in DataGrid().Where(x => t is not LogTransform || x > 0).Order())
        {
            var y = t.Apply(x);
            Assert.True(y > previous, $"{spec}: not increasing at {x:R}");
            previous = y;
        }
    }

    [Theory]
    [InlineData(262144, 0.5, 4.5, 0)]
    [InlineData(10000, 1, 4, 0.5)]
    [InlineData(1000, 2, 4, -1)]
    public void Logicle_puts_zero_at_x1_top_at_one_and_is_symmetric(double t, double w, double m, double a)
    {
        var logicle = new LogicleTransform(t, w, m, a);
        var x1 = (w + a) / (m + a); // data zero's scale position, by definition
        Assert.Equal(x1, logicle.Apply(0), 15);
        Assert.Equal(1, logicle.Apply(t), 13);
        Assert.Equal(t, logicle.Inverse(1), t * 1e-13);
        foreach (var x in DataGrid().Where(x => x > 0))
        {
            Assert.Equal(2 * x1 - logicle.Apply(x), logicle.Apply(-x), 12);
        }
    }

    [Theory]
    [InlineData(262144, 0.5, 4.5, 0)]
    [InlineData(10000, 1, 4.5, 0)]
    [InlineData(1000, 0.25, 4, 0.5)]
    public void Hyperlog_puts_zero_at_x1_top_at_one_and_is_symmetric(double t, double w, double m, double a)
    {
        var hyperlog = new HyperlogTransform(t, w, m, a);
        var x1 = (w + a) / (m + a);
        Assert.Equal(x1, hyperlog.Apply(0), 15);
        Assert.Equal(1, hyperlog.Apply(t), 13);
        foreach (var x in DataGrid().Where(x => x > 0))
        {
            Assert.Equal(2 * x1 - hyperlog.Apply(x), hyperlog.Apply(-x), 12);
        }
    }

    [Theory]
    [InlineData(262144, 4.5)]
    [InlineData(10000, 4)]
    public void Logicle_with_zero_width_is_the_gatingml_arcsinh(double t, double m)
    {
        // W = 0, A = 0 gives d = b, x1 = 0, f = 0: B(y) = T·sinh(b·y)/sinh(b), which is fasinh(T, M, 0) inverted.
        var logicle = new LogicleTransform(t, 0, m, 0);
        var asinh = new AsinhTransform(t, m, 0);
        foreach (var x in DataGrid())
        {
            Assert.Equal(asinh.Apply(x), logicle.Apply(x), 12);
        }
    }

    [Theory]
    [InlineData(4.5 * 2.302585092994046, 0.5 / 4.5)]
    [InlineData(4 * 2.302585092994046, 0.25)]
    [InlineData(2 * 2.302585092994046, 1.0 / 3)]
    public void Logicle_d_solves_its_defining_equation(double b, double w)
    {
        var d = LogicleTransform.SolveD(b, w);
        Assert.InRange(d, double.Epsilon, b);
        Assert.Equal(0, 2 * (Math.Log(d) - Math.Log(b)) + w * (b + d), 13);
    }

    [Theory]
    [InlineData(262144, 0.5, 4.5, 0)]
    [InlineData(10000, 1, 4, 0.5)]
    [InlineData(1000, 2, 4, -1)]
    public void Taylor_series_near_zero_agrees_with_the_defining_formula(double t, double w, double m, double a)
    {
        // The series drops its quadratic term (B''(x1) = 0 holds only if d is right) and is used up to x1 + w/4;
        // the closed form there is exact up to cancellation, about 4ε times the magnitudes it adds.
        var logicle = new LogicleTransform(t, w, m, a);
        var hyperlog = new HyperlogTransform(t, Math.Max(w, 0.25), m, a);
        foreach (var (x1, width, series, closed, magnitude) in new (double, double, Func<double, double>, Func<double, double>, Func<double, double>)[]
        {
            (logicle.ZeroScale, w / (m + a), logicle.Series, logicle.ClosedForm, logicle.ClosedFormMagnitude),
            (hyperlog.ZeroScale, Math.Max(w, 0.25) / (m + a), hyperlog.Series, hyperlog.ClosedForm, hyperlog.ClosedFormMagnitude),
        })
        {
            for (var k = 1; k <= 50; k++)
            {
                var y = x1 + k / 50.0 * width / 4;
                var tolerance = 8 * 2.220446049250313e-16 * magnitude(y);
                Assert.True(Math.Abs(series(y) - closed(y)) <= tolerance, $"at {y:R}: series {series(y):R}, formula {closed(y):R}");
            }
        }
    }

    public static TheoryData<double, double, double, double, bool> InverseTableScales => new()
    {
        { 262144, 0.5, 4.5, 0, false }, { 10000, 1, 4.5, 1, false }, { 262144, 0, 4.5, 0, false }, { 1, 0.25, 10, 0, false },
        { 262144, 0.5, 4.5, 0, true }, { 10000, 1, 4, 0.5, true },
    };

    [Theory]
    [MemberData(nameof(InverseTableScales))]
    public void The_inverse_tables_indexed_step_is_the_binary_searchs(double t, double w, double m, double a, bool hyperlog)
    {
        BiexponentialScale scale = hyperlog ? new HyperlogTransform(t, w, m, a) : new LogicleTransform(t, w, m, a);
        var table = new InverseTable(scale.Inverse, scale.ZeroScale, 1);
        var step = (1 - scale.ZeroScale) / 1024;
        var data = Enumerable.Range(0, 1025).Select(k => scale.Inverse(scale.ZeroScale + k * step)).ToArray();
        var targets = new List<double>();
        foreach (var v in data[..^1])
        {
            var (down, up) = (v, v);
            targets.Add(v);
            for (var k = 0; k < 3; k++)
            {
                targets.Add(down = Math.BitDecrement(down));
                targets.Add(up = Math.BitIncrement(up));
            }
        }
        var rng = new Random(5);
        targets.AddRange(Enumerable.Range(0, 20_000).Select(_ => Math.Pow(10, rng.NextDouble() * 14 - 8) * t));
        foreach (var target in targets.Where(x => x >= data[0] && x < data[^1]))
        {
            Assert.Equal(RootFinding.Bracket(data, target), table.Step(target));
        }
    }

    [Fact]
    public void Logicle_width_for_a_negative_reference_follows_parks_2006()
    {
        const double t = 262144, m = 4.5;
        foreach (var w0 in new[] { 0.25, 0.5, 1.0, 1.75 })
        {
            var r = -t * Math.Pow(10, -(m - 2 * w0)); // |r| chosen so log10(T/|r|) = M − 2W₀
            Assert.Equal(w0, LogicleTransform.WidthFor(t, m, r), 12);
        }
        Assert.Equal(0, LogicleTransform.WidthFor(t, m, 5));
    }

    [Fact]
    public void Simple_scales_map_their_anchor_points_as_defined()
    {
        var flin = new LinearTransform(10000, 500);
        Assert.Equal(0, flin.Apply(-500));
        Assert.Equal(1, flin.Apply(10000));
        var flog = new LogTransform(10000, 5);
        Assert.Equal(1, flog.Apply(10000));
        Assert.Equal(0, flog.Apply(10000 * Math.Pow(10, -5)), 14);
        var fasinh = new AsinhTransform(10000, 4, 1);
        Assert.Equal(1.0 / 5, fasinh.Apply(0), 15); // A/(M+A)
        Assert.Equal(1, fasinh.Apply(10000), 13);
        var arcsinh = new ArcsinhTransform(150);
        Assert.Equal(1, arcsinh.Apply(150 * Math.Sinh(1)), 15);
    }

    [Theory]
    [InlineData("logicle", 1000, 3, 4, 0)] // W > M/2
    [InlineData("logicle", 1000, 1, 4, -2)] // A < −W
    [InlineData("logicle", -1, 1, 4, 0)] // T ≤ 0
    [InlineData("hyperlog", 1000, 0, 4, 0)] // W must be > 0
    [InlineData("fasinh", 1000, 4, 5, 0)] // A > M
    public void Parameters_outside_the_definition_are_rejected(string kind, double t, double p1, double p2, double p3)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => kind switch
        {
            "logicle" => (ScaleTransform)new LogicleTransform(t, p1, p2, p3),
            "hyperlog" => new HyperlogTransform(t, p1, p2, p3),
            _ => new AsinhTransform(t, p1, p2),
        });
    }

    [Fact]
    public void Every_scale_of_the_compliance_suite_round_trips()
    {
        var dir = Shared.Require("conformance/gatingml/gml");
        var scales = Directory.GetFiles(dir, "*.xml")
            .SelectMany(f => GatingMLReader.ReadFile(f).Transformations.Values)
            .Where(t => t.Scale is not null)
            .Select(t => t.Scale!)
            .DistinctBy(s => s.ToString())
            .ToList();
        Assert.True(scales.Count >= 5, "the suite defines flin, flog, fasinh, logicle and hyperlog scales");
        foreach (var scale in scales)
        {
            foreach (var x in DataGrid().Where(x => scale is not LogTransform || x > 0))
            {
                var back = scale.Inverse(scale.Apply(x));
                Assert.True(Math.Abs(back - x) <= 1e-10 * Math.Max(Math.Abs(x), 1), $"{scale}: {x:R} -> {back:R}");
            }
        }
    }

    [Fact]
    public void Column_transform_equals_value_by_value_transform_across_threads()
    {
        var logicle = new LogicleTransform(262144, 0.5, 4.5, 0);
        var values = Enumerable.Range(0, 200_000).Select(i => (i - 20_000) * 1.37).ToArray();
        var column = logicle.ApplyColumn(values);
        for (var i = 0; i < values.Length; i += 997)
        {
            Assert.Equal(logicle.Apply(values[i]), column[i]);
        }
    }
}
