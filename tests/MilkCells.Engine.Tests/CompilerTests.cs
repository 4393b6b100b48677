using MilkCells.Core.Errors;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Model;

namespace MilkCells.Engine.Tests;

public class CompilerTests
{
    private static NetworkBuilder Base() => new NetworkBuilder("t")
        .Compartment("Cell", 2)
        .Parameter("Lambda", 0.1).Parameter("k1", 0.001).Parameter("Alpha", 3)
        .Species("X", 100, "Cell").Species("P", 100, "Cell").Species("P2", 0, "Cell")
        .Species("C", 40, "Cell", amountInExpressions: false);

    // Every rate the DSMTS writes, plus concentration semantics: all must compile to the branch-free product form
    // and agree with the bytecode of the whole expression on every state tried.
    [Theory]
    [InlineData("Lambda * X")]
    [InlineData("Lambda * X * 0.5 * 2")]
    [InlineData("(Lambda * X) / 2 / 0.5")]
    [InlineData("(Lambda * (X / 2)) / 0.5")]
    [InlineData("(Lambda * X) / (2 / 2)")]
    [InlineData("Cell * Lambda * X")]
    [InlineData("(k1 * P * (P - 1)) / 2")]
    [InlineData("k1 * (100 - 2 * P2) * (100 - 2 * P2 - 1) / 2")]
    [InlineData("0.5 * k1 * (100 - 2 * P2) * (99 - 2 * P2)")]
    [InlineData("Alpha")]
    [InlineData("Lambda * C")]
    [InlineData("-(-Lambda * X ^ 2)")]
    public void Mass_action_shapes_compile_to_the_product_form(string rate)
    {
        var compiled = CompiledNetwork.Compile(Base().Reaction("r", "-> X", rate).Build());
        Assert.True(compiled.InitialKernels[0].General < 0, "expected a product-form kernel");
        var whole = Expressions.CompiledExpr.Compile(Expressions.Expr.Parse(rate), name =>
            compiled.SlotById.TryGetValue(name, out var s)
                ? name == "C" ? Expressions.Binding.ForRatio(s, compiled.SlotOf("Cell")) : Expressions.Binding.ForSlot(s)
                : null, CompiledNetwork.TimeSlot);
        var v = (double[])compiled.InitialValues.Clone();
        for (var x = 0; x <= 60; x += 3)
        {
            v[compiled.SlotOf("X")] = x;
            v[compiled.SlotOf("P")] = 2 * x;
            v[compiled.SlotOf("P2")] = x / 2;
            v[compiled.SlotOf("C")] = x + 1;
            var expected = whole.Evaluate(v);
            Assert.Equal(expected, compiled.InitialKernels[0].Product(v), 12);
        }
    }

    [Fact]
    public void A_reactions_net_change_sums_both_sides_per_species_in_slot_order_and_drops_zeros()
    {
        // r1: P2 + X + X -> P + X: X -1, P +1, P2 -1 (listed out of slot order, X on both sides).
        // r2: P -> P: no net change at all. r3: -> 2 P2 + X.
        var compiled = CompiledNetwork.Compile(Base()
            .Reaction("r1", "P2 + 2 X -> P + X", "k1 * X * X * P2")
            .Reaction("r2", "P -> P", "Lambda * P")
            .Reaction("r3", "-> 2 P2 + X", "Alpha").Build());
        int x = compiled.SlotOf("X"), p = compiled.SlotOf("P"), p2 = compiled.SlotOf("P2");
        Assert.True(x < p && p < p2);
        (int Slot, double Delta)[] Changes(int j) =>
            [.. Enumerable.Range(compiled.ChangeStart[j], compiled.ChangeStart[j + 1] - compiled.ChangeStart[j]).Select(i => (compiled.ChangeSlot[i], compiled.ChangeDelta[i]))];
        Assert.Equal([(x, -1.0), (p, 1.0), (p2, -1.0)], Changes(0));
        Assert.Empty(Changes(1));
        Assert.Equal([(x, 1.0), (p2, 2.0)], Changes(2));
        Assert.Equal([x, p2], compiled.ConsumeSlot[compiled.ConsumeStart[0]..compiled.ConsumeStart[1]]);
        Assert.Equal(compiled.ChangeSlot.Length, compiled.Changes.Length);
        // Tau-leaping's highest order per species: X is a double factor of the third-order r1, P2 a single one; P is
        // first order through r2; the constant r3 has no species factor.
        Assert.Equal([new TauSpecies(x, 3, 2), new TauSpecies(p, 1, 1), new TauSpecies(p2, 3, 1)], compiled.TauSpeciesInfo);
    }

    [Theory]
    [InlineData("Lambda * X / (Alpha + X)")]
    [InlineData("Lambda * X * P * P2 * X")]
    [InlineData("piecewise(Lambda * X, X > 10, 0)")]
    public void Other_rates_run_as_bytecode(string rate)
    {
        var compiled = CompiledNetwork.Compile(Base().Reaction("r", "-> X", rate).Build());
        Assert.True(compiled.InitialKernels[0].General >= 0);
    }

    [Fact]
    public void Firing_a_reaction_recomputes_exactly_the_propensities_that_read_what_it_changes()
    {
        // A → B → C → ∅, and D's rate reads rule y = 2·B.
        var compiled = CompiledNetwork.Compile(new NetworkBuilder("chain")
            .Parameter("k", 1).Parameter("y", 0, constant: false)
            .Species("A", 5).Species("B", 0).Species("C", 0).Species("D", 0)
            .MassAction("ab", "A -> B", "k")
            .MassAction("bc", "B -> C", "k")
            .MassAction("c0", "C ->", "k")
            .Reaction("d", "-> D", "k * y")
            .Rule("y", "2 * B")
            .Build());
        int[] Deps(int j) => compiled.Dependents[compiled.DependentStart[j]..compiled.DependentStart[j + 1]];
        Assert.Equal([0, 1, 3], Deps(0));
        Assert.Equal([1, 2, 3], Deps(1));
        Assert.Equal([2], Deps(2));
        Assert.Empty(Deps(3));
        Assert.True(compiled.HasHotRules);
    }

    [Fact]
    public void Every_problem_is_reported_with_its_element()
    {
        var network = new NetworkBuilder("bad")
            .Compartment("Cell", 1)
            .Parameter("k", 1)
            .Parameter("k", 2)
            .Species("X", 2.5, "Cell")
            .Species("Y", -1, "Nowhere")
            .Reaction("r1", "X -> Z", "k * q")
            .Reaction("r2", "X ->", "k * X * ramp").Parameter("ramp", 0, constant: false).Rule("ramp", "time / 10")
            .Rule("a", "b").Parameter("a", 0, constant: false).Parameter("b", 0, constant: false).Rule("b", "a")
            .Event("e", "X > 3", [("k", "1"), ("nothing", "2")])
            .ToNetwork();
        var ex = Assert.Throws<InputProblemsException>(() => CompiledNetwork.Compile(network));
        var messages = ex.Problems.Select(p => p.Message).ToArray();
        void Has(string element, string fragment) => Assert.Contains(messages, m => m.Contains(element) && m.Contains(fragment));
        Has("parameter 'k'", "duplicates");
        Has("species 'Y'", "'Nowhere', which is not defined");
        Has("species 'Y'", "-1");
        Has("reaction 'r1'", "'Z', which is not defined");
        Has("reaction 'r1'", "undefined identifier 'q'");
        Has("reaction 'r2'", "rule that depends on time");
        Has("rule for", "cycle");
        Has("event 'e'", "'nothing', which is not defined");
        Assert.DoesNotContain(messages, m => m.Contains("species 'X'")); // reported only once everything else compiles
    }

    [Fact]
    public void Fractional_counts_and_unknown_functions_are_rejected()
    {
        var fractional = Assert.Throws<InputProblemsException>(() => new NetworkBuilder("f").Species("X", 2.5).Build());
        Assert.Contains("species 'X'", fractional.Message);
        Assert.Contains("whole number", fractional.Message);
        var unknown = Assert.Throws<InputProblemsException>(() => new NetworkBuilder("g").Species("X", 1).Reaction("r", "X ->", "hill(X)").Build());
        Assert.Contains("undefined function 'hill'", unknown.Message);
    }

    [Fact]
    public void User_functions_are_inlined_and_checked()
    {
        var compiled = CompiledNetwork.Compile(new NetworkBuilder("fn")
            .Function("hill", ["x", "k", "n"], "x^n / (k^n + x^n)")
            .Parameter("K", 10).Species("X", 20)
            .Reaction("r", "X ->", "3 * hill(X, K, 2)")
            .Build());
        var v = (double[])compiled.InitialValues.Clone();
        Assert.Equal(3 * 400.0 / (100 + 400), compiled.GeneralRates[0]!.Evaluate(v), 12);
        var bad = Assert.Throws<InputProblemsException>(() => new NetworkBuilder("fn2")
            .Function("f", ["x"], "x + y").Species("X", 1).Reaction("r", "X ->", "f(X)").Build());
        Assert.Contains("function 'f'", bad.Message);
        Assert.Contains("'y'", bad.Message);
    }

    [Fact]
    public void Bad_equations_and_expressions_name_the_reaction()
    {
        var ex = Assert.Throws<InputException>(() => new NetworkBuilder("e").Species("X", 1).Reaction("grow", "X => 2 X", "X"));
        Assert.Contains("reaction 'grow'", ex.Message);
        var syntax = Assert.Throws<InputException>(() => new NetworkBuilder("e").Species("X", 1).Reaction("grow", "X -> 2 X", "k *"));
        Assert.Contains("reaction 'grow': rate", syntax.Message);
        Assert.Contains("column", syntax.Message);
    }
}
