using System.Runtime.CompilerServices;
using MilkCells.Core.Random;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>The part of a network that is monomolecular and acts on nothing else, advanced exactly between stops.</summary>
/// <remarks>
/// A reaction is linear when its propensity is c·x for its single consumed reactant x (conversion x → y or
/// degradation x → ∅) or a constant c (inflow ∅ → y), with c read from parameters and drivers only. A species is
/// linear when only linear reactions change it and no other reaction's propensity reads it; the linear reactions
/// are those whose species are all linear. Between two stops (driver changes, interventions, output times) every c
/// is constant, and the linear species then follow the monomolecular chemical master equation, whose solution is
/// known exactly (Jahnke &amp; Huisinga 2007, "Solving the chemical master equation for monomolecular reaction
/// systems analytically", J Math Biol 54:1–26, doi:10.1007/s00285-006-0034-x): each molecule moves independently
/// as a continuous-time Markov chain with generator Q, so the x_i molecules of species i at t are spread over
/// the species (and "gone") multinomially with the probabilities of row i of e^{QΔ}; and the molecules that an
/// inflow of rate λ into species d adds over (t, t + Δ] are, at t + Δ, independent Poisson counts with means
/// λ·(∫₀^Δ e^{Qu} du)_{d,k}. Both come from one matrix exponential of the generator augmented by a source state
/// (Van Loan 1978, IEEE Trans Autom Control 23:395, doi:10.1109/TAC.1978.1101743), per weakly connected component.
/// The result is an exact sample, whatever Δ: these species no longer bound τ and cost no Poisson draw per leap.
/// </remarks>
internal sealed class LinearSubsystem
{
    private readonly Component[] _components;
    private readonly int[] _componentOf; // by slot: the component index, or −1

    private LinearSubsystem(CompiledNetwork net, bool[] linearReaction, Component[] components)
    {
        IsLinearReaction = linearReaction;
        _components = components;
        LeapReactions = [.. Enumerable.Range(0, linearReaction.Length).Where(j => !linearReaction[j])];
        _componentOf = new int[net.SlotCount];
        Array.Fill(_componentOf, -1);
        for (var c = 0; c < components.Length; c++)
        {
            foreach (var slot in components[c].Slots)
            {
                _componentOf[slot] = c;
            }
        }
    }

    /// <summary>Per reaction: whether this subsystem advances it.</summary>
    public bool[] IsLinearReaction { get; }

    /// <summary>The reactions left to the stepper.</summary>
    public int[] LeapReactions { get; }

    /// <summary>Whether the species in <paramref name="slot"/> is advanced here.</summary>
    public bool IsLinearSlot(int slot) => _componentOf[slot] >= 0;

    /// <summary>Starts a run: every component holds its state at <paramref name="time"/>.</summary>
    public void Reset(double time)
    {
        foreach (var c in _components)
        {
            c.SyncedTo = time;
        }
    }

    /// <summary>Brings the component of <paramref name="slot"/> (if any) to <paramref name="time"/>.</summary>
    public void Ensure(TrajectoryState s, int slot, double time)
    {
        var c = _componentOf[slot];
        if (c >= 0)
        {
            Bring(s, _components[c], time);
        }
    }

    /// <summary>Brings every component to <paramref name="time"/>.</summary>
    public void EnsureAll(TrajectoryState s, double time)
    {
        foreach (var c in _components)
        {
            Bring(s, c, time);
        }
    }

    /// <summary>Brings every component whose rates read one of <paramref name="slots"/> to <paramref name="time"/>, before those values change.</summary>
    public void EnsureReading(TrajectoryState s, List<int> slots, double time)
    {
        foreach (var c in _components)
        {
            foreach (var slot in slots)
            {
                if (c.Reads.Contains(slot))
                {
                    Bring(s, c, time);
                    break;
                }
            }
        }
    }

    private static void Bring(TrajectoryState s, Component c, double time)
    {
        if (time > c.SyncedTo)
        {
            s.Firings += c.Advance(s, time - c.SyncedTo);
            c.SyncedTo = time;
        }
    }

    /// <summary>The linear part of <paramref name="net"/>, or null when it has none (or has rules or events, which may read any species).</summary>
    public static LinearSubsystem? Find(CompiledNetwork net)
    {
        if (net.Rules.Length > 0 || net.Events.Length > 0 || net.HasTimeDependentRates)
        {
            return null;
        }
        var m = net.ReactionCount;
        var first = CompiledNetwork.FirstSpeciesSlot;
        var dynamicFields = new HashSet<(int Reaction, int Field)>(net.DynamicCoefficientTasks.Select(i => (net.CoefficientTasks[i].Reaction, net.CoefficientTasks[i].Field)));
        // Shape of each reaction: (reactant slot or −1, product slot or −1), or null when not monomolecular.
        var shape = new (int From, int To)?[m];
        for (var j = 0; j < m; j++)
        {
            shape[j] = Shape(net, j, dynamicFields);
        }
        var linearSpecies = new bool[net.SpeciesCount];
        for (var i = 0; i < linearSpecies.Length; i++)
        {
            linearSpecies[i] = net.SpeciesCounted[i];
        }
        var linear = new bool[m];
        for (var j = 0; j < m; j++)
        {
            linear[j] = shape[j] is not null;
        }
        // Remove species that non-linear reactions change or read, then reactions that touch a removed species, to a fixed point.
        var changed = true;
        while (changed)
        {
            changed = false;
            for (var j = 0; j < m; j++)
            {
                if (linear[j])
                {
                    var (from, to) = shape[j]!.Value;
                    if ((from >= 0 && !linearSpecies[from - first]) || (to >= 0 && !linearSpecies[to - first]))
                    {
                        linear[j] = false;
                        changed = true;
                    }
                    continue;
                }
                for (var c = net.ChangeStart[j]; c < net.ChangeStart[j + 1]; c++)
                {
                    changed |= Remove(net.ChangeSlot[c]);
                }
                foreach (var slot in Reads(net, j))
                {
                    changed |= Remove(slot);
                }
            }
        }
        bool Remove(int slot)
        {
            if (!net.IsSpeciesSlot(slot) || !linearSpecies[slot - first])
            {
                return false;
            }
            linearSpecies[slot - first] = false;
            return true;
        }
        if (!linear.Any(x => x))
        {
            return null;
        }
        // Components: union–find over the linear species joined by conversions.
        var parent = Enumerable.Range(0, net.SpeciesCount).ToArray();
        int Root(int i) => parent[i] == i ? i : parent[i] = Root(parent[i]);
        for (var j = 0; j < m; j++)
        {
            if (linear[j] && shape[j]!.Value is { From: >= 0, To: >= 0 } s)
            {
                parent[Root(s.From - first)] = Root(s.To - first);
            }
        }
        var groups = new Dictionary<int, List<int>>();
        for (var i = 0; i < net.SpeciesCount; i++)
        {
            if (linearSpecies[i] && (Touched(i)))
            {
                var r = Root(i);
                if (!groups.TryGetValue(r, out var list))
                {
                    groups[r] = list = [];
                }
                list.Add(first + i);
            }
        }
        bool Touched(int i)
        {
            for (var j = 0; j < m; j++)
            {
                if (linear[j] && (shape[j]!.Value.From == first + i || shape[j]!.Value.To == first + i))
                {
                    return true;
                }
            }
            return false;
        }
        var components = new List<Component>();
        foreach (var slots in groups.Values.OrderBy(g => g[0]))
        {
            var local = slots.Select((slot, k) => (slot, k)).ToDictionary(x => x.slot, x => x.k);
            var transitions = new List<(int Reaction, int From, int To)>();
            var inflows = new List<(int Reaction, int To)>();
            for (var j = 0; j < m; j++)
            {
                if (!linear[j])
                {
                    continue;
                }
                var (from, to) = shape[j]!.Value;
                if (from >= 0 && local.TryGetValue(from, out var lf))
                {
                    transitions.Add((j, lf, to >= 0 ? local[to] : -1));
                }
                else if (from < 0 && local.TryGetValue(to, out var lt))
                {
                    inflows.Add((j, lt));
                }
            }
            var reactions = transitions.Select(t => t.Reaction).Concat(inflows.Select(f => f.Reaction)).ToHashSet();
            var reads = reactions.SelectMany(j => Reads(net, j)).Where(slot => !net.IsSpeciesSlot(slot))
                .Concat(net.CoefficientTasks.Where(t => reactions.Contains(t.Reaction)).SelectMany(t => t.Program.Reads))
                .ToHashSet();
            components.Add(new Component([.. slots], [.. transitions], [.. inflows]) { Reads = reads });
        }
        return new LinearSubsystem(net, linear, [.. components]);
    }

    /// <summary>(reactant, product) of a monomolecular reaction with a state-free rate constant, else null.</summary>
    private static (int From, int To)? Shape(CompiledNetwork net, int j, HashSet<(int, int)> dynamicFields)
    {
        var k = net.InitialKernels[j];
        if (k.General >= 0)
        {
            return null;
        }
        var from = -1;
        var to = -1;
        for (var c = net.ChangeStart[j]; c < net.ChangeStart[j + 1]; c++)
        {
            var delta = net.ChangeDelta[c];
            if (delta == -1 && from < 0)
            {
                from = net.ChangeSlot[c];
            }
            else if (delta == 1 && to < 0)
            {
                to = net.ChangeSlot[c];
            }
            else
            {
                return null;
            }
        }
        // The propensity's species factors: none (inflow) or exactly the consumed reactant with α·x (β = 0, fixed).
        var factors = 0;
        for (var f = 0; f < 3; f++)
        {
            var (slot, alpha, beta) = f switch { 0 => (k.S0, k.A0, k.B0), 1 => (k.S1, k.A1, k.B1), _ => (k.S2, k.A2, k.B2) };
            if (!net.IsSpeciesSlot(slot))
            {
                continue;
            }
            factors++;
            if (slot != from || beta != 0 || !(alpha > 0) || dynamicFields.Contains((j, 1 + 2 * f)) || dynamicFields.Contains((j, 2 + 2 * f)))
            {
                return null;
            }
        }
        if (from >= 0 ? factors != 1 : factors != 0 || to < 0)
        {
            return null;
        }
        return (from, to);
    }

    private static IEnumerable<int> Reads(CompiledNetwork net, int j)
    {
        var k = net.InitialKernels[j];
        return k.General >= 0 ? net.GeneralRates[j]!.Reads : [k.S0, k.S1, k.S2];
    }

    /// <summary>The rate constant of linear reaction <paramref name="j"/> now: per molecule (conversion, degradation) or per hour (inflow).</summary>
    private static double Coefficient(TrajectoryState s, int j)
    {
        ref readonly var k = ref s.K[j];
        var v = s.V;
        var net = s.Net;
        var c = k.C;
        c *= net.IsSpeciesSlot(k.S0) ? k.A0 : k.A0 * v[k.S0] + k.B0;
        c *= net.IsSpeciesSlot(k.S1) ? k.A1 : k.A1 * v[k.S1] + k.B1;
        c *= net.IsSpeciesSlot(k.S2) ? k.A2 : k.A2 * v[k.S2] + k.B2;
        if (!(c >= 0 && c < double.PositiveInfinity))
        {
            s.ThrowBadRate(j, c);
        }
        return c;
    }

    /// <summary>One weakly connected component: its species, conversions/degradations and inflows, and scratch space.</summary>
    /// <remarks>
    /// When the conversions form no cycle, the species are kept in topological order, so the generator Q is upper
    /// triangular and its eigenvalues are its diagonal (minus each species' total exit rate). If no two coupled
    /// species share an eigenvalue, Q = V·Λ·V⁻¹ with V unit upper triangular (eigenvectors by back substitution), and
    /// e^{QΔ} = V·e^{ΛΔ}·V⁻¹, ∫₀^Δ e^{Qu} du = V·φ(Λ)·V⁻¹ with φ(λ) = (e^{λΔ} − 1)/λ: V and V⁻¹ are computed once per
    /// set of rate constants and each sample costs O(n²) per occupied species. Otherwise (a cycle, a shared eigenvalue
    /// or ‖V‖·‖V⁻¹‖ above 10⁶, where rounding could reach 10⁻¹⁰ of a probability) the augmented generator goes through
    /// <see cref="MatrixExponential"/>.
    /// </remarks>
    private sealed class Component
    {
        private const double MaxCondition = 1e6;
        private readonly (int Reaction, int From, int To)[] _transitions;
        private readonly (int Reaction, int To)[] _inflows;
        private readonly bool _acyclic;
        private readonly int _n;
        private readonly double[] _rates;
        private readonly double[] _lastRates;
        private bool _haveRates;
        private bool _diagonal; // V, W and the eigenvalues are valid for the current rate constants
        private readonly double[] _q, _v, _w, _eigen, _e, _phi, _u, _row;
        private double _lastDt = double.NaN;
        private readonly double[] _x; // Padé path: e^{MΔ}, (n+1)², row-major; row 0 the source
        private readonly MatrixExponential _expm;
        private readonly long[] _next;
        private double _scale;

        public Component(int[] slots, (int Reaction, int From, int To)[] transitions, (int Reaction, int To)[] inflows)
        {
            var n = _n = slots.Length;
            // Topological order of the conversions (Kahn); a cycle keeps the given order.
            var indegree = new int[n];
            foreach (var t in transitions)
            {
                if (t.To >= 0 && t.To != t.From)
                {
                    indegree[t.To]++;
                }
            }
            var order = new List<int>();
            var ready = new PriorityQueue<int, int>();
            for (var i = 0; i < n; i++)
            {
                if (indegree[i] == 0)
                {
                    ready.Enqueue(i, i);
                }
            }
            while (ready.TryDequeue(out var i, out _))
            {
                order.Add(i);
                foreach (var t in transitions)
                {
                    if (t.From == i && t.To >= 0 && t.To != i && --indegree[t.To] == 0)
                    {
                        ready.Enqueue(t.To, t.To);
                    }
                }
            }
            _acyclic = order.Count == n;
            if (!_acyclic)
            {
                order = [.. Enumerable.Range(0, n)];
            }
            var position = new int[n];
            for (var k = 0; k < n; k++)
            {
                position[order[k]] = k;
            }
            Slots = [.. order.Select(i => slots[i])];
            _transitions = [.. transitions.Select(t => (t.Reaction, position[t.From], t.To >= 0 ? position[t.To] : -1))];
            _inflows = [.. inflows.Select(f => (f.Reaction, position[f.To]))];
            _rates = new double[_transitions.Length + _inflows.Length];
            _lastRates = new double[_rates.Length];
            _q = new double[n * n];
            _v = new double[n * n];
            _w = new double[n * n];
            _eigen = new double[n];
            _e = new double[n];
            _phi = new double[n];
            _u = new double[n];
            _row = new double[n];
            var size = n + 1;
            _x = new double[size * size];
            _expm = new MatrixExponential(size);
            _next = new long[n];
        }

        public int[] Slots { get; }

        /// <summary>The parameter, driver and compartment slots its rate constants read.</summary>
        public required HashSet<int> Reads { get; init; }

        /// <summary>The time its species were last sampled at (they are not current after that until sampled again).</summary>
        public double SyncedTo;

        /// <summary>Draws the component's state after <paramref name="dt"/>; returns the molecules that moved or arrived.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public long Advance(TrajectoryState s, double dt)
        {
            var nt = _transitions.Length;
            for (var r = 0; r < nt; r++)
            {
                _rates[r] = Coefficient(s, _transitions[r].Reaction);
            }
            for (var r = 0; r < _inflows.Length; r++)
            {
                _rates[nt + r] = Coefficient(s, _inflows[r].Reaction);
            }
            var transitionsChanged = !_haveRates || !_rates.AsSpan(0, nt).SequenceEqual(_lastRates.AsSpan(0, nt));
            var changed = transitionsChanged || !_rates.AsSpan(nt).SequenceEqual(_lastRates.AsSpan(nt));
            if (transitionsChanged)
            {
                Decompose();
            }
            if (changed)
            {
                Array.Copy(_rates, _lastRates, _rates.Length);
                _haveRates = true;
                _lastDt = double.NaN;
            }
            return _diagonal ? SampleDiagonal(s, dt) : SamplePade(s, dt);
        }

        /// <summary>Builds Q from the transition rates and, when possible, V, V⁻¹ and the eigenvalues.</summary>
        private void Decompose()
        {
            var n = _n;
            Array.Clear(_q);
            for (var r = 0; r < _transitions.Length; r++)
            {
                var (_, from, to) = _transitions[r];
                _q[from * n + from] -= _rates[r];
                if (to >= 0)
                {
                    _q[from * n + to] += _rates[r];
                }
            }
            _diagonal = false;
            if (!_acyclic)
            {
                return;
            }
            Array.Clear(_v);
            Array.Clear(_w);
            for (var k = 0; k < n; k++)
            {
                _eigen[k] = _q[k * n + k];
                _v[k * n + k] = 1;
                for (var i = k - 1; i >= 0; i--)
                {
                    var sum = 0.0;
                    for (var m = i + 1; m <= k; m++)
                    {
                        sum += _q[i * n + m] * _v[m * n + k];
                    }
                    if (sum == 0)
                    {
                        continue;
                    }
                    var gap = _eigen[k] - _q[i * n + i];
                    if (Math.Abs(gap) <= 1e-12 * Math.Max(Math.Abs(_eigen[k]), Math.Abs(_q[i * n + i])))
                    {
                        return; // a shared eigenvalue on a path: Q is not diagonalisable this way
                    }
                    _v[i * n + k] = sum / gap;
                }
            }
            for (var j = 0; j < n; j++)
            {
                _w[j * n + j] = 1;
                for (var i = j - 1; i >= 0; i--)
                {
                    var sum = 0.0;
                    for (var m = i + 1; m <= j; m++)
                    {
                        sum += _v[i * n + m] * _w[m * n + j];
                    }
                    _w[i * n + j] = -sum;
                }
            }
            _diagonal = RowNorm(_v) * RowNorm(_w) <= MaxCondition;
        }

        private double RowNorm(double[] a)
        {
            var norm = 0.0;
            for (var i = 0; i < _n; i++)
            {
                var sum = 0.0;
                for (var j = 0; j < _n; j++)
                {
                    sum += Math.Abs(a[i * _n + j]);
                }
                norm = Math.Max(norm, sum);
            }
            return norm;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long SampleDiagonal(TrajectoryState s, double dt)
        {
            var n = _n;
            for (var k = 0; k < n; k++)
            {
                var x = _eigen[k] * dt;
                _e[k] = Math.Exp(x);
                _phi[k] = x == 0 ? dt : ExpM1(x) / _eigen[k];
            }
            var v = s.V;
            long moved = 0;
            Array.Clear(_next);
            for (var i = 0; i < n; i++)
            {
                var count = (long)v[Slots[i]];
                if (count == 0)
                {
                    continue;
                }
                // Row i of e^{QΔ} over j ≥ i: Σₖ V[i,k]·e^{λₖΔ}·W[k,j].
                for (var j = i; j < n; j++)
                {
                    var p = 0.0;
                    for (var k = i; k <= j; k++)
                    {
                        p += _v[i * n + k] * _e[k] * _w[k * n + j];
                    }
                    _row[j] = p;
                }
                moved += Spread(ref s.Rng, i, count, _row, i);
            }
            var nt = _transitions.Length;
            if (_inflows.Length > 0)
            {
                // Arrivals: means Σ_d λ_d·(V·φ(Λ)·W)[d, j], as u = λᵀV, then (u∘φ)ᵀW.
                Array.Clear(_u);
                for (var r = 0; r < _inflows.Length; r++)
                {
                    var (_, d) = _inflows[r];
                    var lambda = _rates[nt + r];
                    for (var k = d; k < n; k++)
                    {
                        _u[k] += lambda * _v[d * n + k];
                    }
                }
                for (var j = 0; j < n; j++)
                {
                    var mean = 0.0;
                    for (var k = 0; k <= j; k++)
                    {
                        mean += _u[k] * _phi[k] * _w[k * n + j];
                    }
                    var arrived = Samplers.Poisson(ref s.Rng, Math.Max(0, mean));
                    _next[j] += arrived;
                    moved += arrived;
                }
            }
            for (var i = 0; i < n; i++)
            {
                v[Slots[i]] = _next[i];
            }
            return moved;
        }

        /// <summary>e^x − 1 without cancellation for small x (Kahan's (u − 1)·x / ln u).</summary>
        private static double ExpM1(double x)
        {
            var u = Math.Exp(x);
            return u == 1 ? x : u - 1 == -1 ? -1 : (u - 1) * x / Math.Log(u);
        }

        /// <summary>Spreads the <paramref name="count"/> molecules of species <paramref name="i"/> over the
        /// destinations with probabilities <paramref name="p"/>[j] (j ≥ <paramref name="from"/>; the rest leave),
        /// multinomially by conditional binomials, staying put first; returns how many moved.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long Spread(ref RandomStream rng, int i, long count, double[] p, int from)
        {
            var stay = Math.Clamp(p[i], 0, 1);
            var k = Samplers.Binomial(ref rng, count, stay);
            _next[i] += k;
            var left = count - k;
            var moved = left;
            var rest = 1 - stay;
            for (var d = from; d < _n && left > 0; d++)
            {
                if (d == i)
                {
                    continue;
                }
                var pd = p[d];
                if (!(pd > 0))
                {
                    continue;
                }
                k = Samplers.Binomial(ref rng, left, rest > pd ? pd / rest : 1);
                _next[d] += k;
                left -= k;
                rest -= pd;
            }
            return moved;
        }

        private long SamplePade(TrajectoryState s, double dt)
        {
            var n = _n;
            var size = n + 1;
            var nt = _transitions.Length;
            if (dt != _lastDt)
            {
                // M = [[0, λ/Λ], [0, Q]]·Δ; the source row is scaled to at most 1 so it does not set the scaling of
                // the exponential, and Λ multiplies the inflow means back.
                var m = _expm.Input;
                Array.Clear(m);
                _scale = 0;
                for (var r = 0; r < _inflows.Length; r++)
                {
                    _scale = Math.Max(_scale, _rates[nt + r]);
                }
                for (var r = 0; r < _inflows.Length; r++)
                {
                    m[1 + _inflows[r].To] += _scale > 0 ? _rates[nt + r] / _scale * dt : 0;
                }
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        m[(1 + i) * size + 1 + j] = _q[i * n + j] * dt;
                    }
                }
                _expm.Compute(_x);
                _lastDt = dt;
            }
            var v = s.V;
            long moved = 0;
            Array.Clear(_next);
            for (var i = 0; i < n; i++)
            {
                var count = (long)v[Slots[i]];
                if (count == 0)
                {
                    continue;
                }
                for (var j = 0; j < n; j++)
                {
                    _row[j] = _x[(1 + i) * size + 1 + j];
                }
                moved += Spread(ref s.Rng, i, count, _row, 0);
            }
            if (_scale > 0)
            {
                for (var j = 0; j < n; j++)
                {
                    var arrived = Samplers.Poisson(ref s.Rng, Math.Max(0, _x[1 + j]) * _scale);
                    _next[j] += arrived;
                    moved += arrived;
                }
            }
            for (var i = 0; i < n; i++)
            {
                v[Slots[i]] = _next[i];
            }
            return moved;
        }
    }
}

/// <summary>e^A of a small dense matrix: scaling and squaring with the [8/8] Padé approximant.</summary>
/// <remarks>
/// Higham 2005, "The scaling and squaring method for the matrix exponential revisited", SIAM J Matrix Anal Appl
/// 26:1179, doi:10.1137/04061101X: with ‖A/2ˢ‖₁ ≤ 1 (below that paper's θ₈ ≈ 1.5) the [8/8] approximant is accurate
/// to double precision; the 2ˢ power is then taken by s squarings. The linear system is solved by LU with partial
/// pivoting. Allocation-free after construction.
/// </remarks>
internal sealed class MatrixExponential
{
    // Padé [8/8] coefficients c_k = (2q − k)! q! / ((2q)! k! (q − k)!), q = 8.
    private static readonly double[] C = Coefficients(8);
    private readonly int _n;
    private readonly double[] _a2, _a4, _a6, _a8, _u, _v, _t, _p, _q;

    public MatrixExponential(int n)
    {
        _n = n;
        Input = new double[n * n];
        _a2 = new double[n * n];
        _a4 = new double[n * n];
        _a6 = new double[n * n];
        _a8 = new double[n * n];
        _u = new double[n * n];
        _v = new double[n * n];
        _t = new double[n * n];
        _p = new double[n * n];
        _q = new double[n * n];
    }

    /// <summary>The matrix A, row-major (overwritten by <see cref="Compute"/>).</summary>
    public double[] Input { get; }

    private static double[] Coefficients(int q)
    {
        var c = new double[q + 1];
        c[0] = 1;
        for (var k = 1; k <= q; k++)
        {
            c[k] = c[k - 1] * (q - k + 1) / ((2.0 * q - k + 1) * k);
        }
        return c;
    }

    /// <summary>Writes e^<see cref="Input"/> into <paramref name="result"/>.</summary>
    public void Compute(double[] result)
    {
        var n = _n;
        var a = Input;
        var norm = 0.0;
        for (var col = 0; col < n; col++)
        {
            var sum = 0.0;
            for (var row = 0; row < n; row++)
            {
                sum += Math.Abs(a[row * n + col]);
            }
            norm = Math.Max(norm, sum);
        }
        var squarings = norm > 1 ? (int)Math.Ceiling(Math.Log2(norm)) : 0;
        if (squarings > 0)
        {
            var f = Math.ScaleB(1.0, -squarings);
            for (var i = 0; i < a.Length; i++)
            {
                a[i] *= f;
            }
        }
        Multiply(a, a, _a2);
        Multiply(_a2, _a2, _a4);
        Multiply(_a4, _a2, _a6);
        Multiply(_a4, _a4, _a8);
        // U = A·(c1 I + c3 A² + c5 A⁴ + c7 A⁶), V = c0 I + c2 A² + c4 A⁴ + c6 A⁶ + c8 A⁸.
        for (var i = 0; i < a.Length; i++)
        {
            _t[i] = C[3] * _a2[i] + C[5] * _a4[i] + C[7] * _a6[i];
            _v[i] = C[2] * _a2[i] + C[4] * _a4[i] + C[6] * _a6[i] + C[8] * _a8[i];
        }
        for (var i = 0; i < n; i++)
        {
            _t[i * n + i] += C[1];
            _v[i * n + i] += C[0];
        }
        Multiply(a, _t, _u);
        for (var i = 0; i < a.Length; i++)
        {
            _p[i] = _v[i] + _u[i]; // numerator
            _q[i] = _v[i] - _u[i]; // denominator
        }
        Solve(_q, _p, result);
        for (var k = 0; k < squarings; k++)
        {
            Multiply(result, result, _t);
            Array.Copy(_t, result, _t.Length);
        }
    }

    private void Multiply(double[] x, double[] y, double[] z)
    {
        var n = _n;
        Array.Clear(z);
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++)
            {
                var xik = x[i * n + k];
                if (xik == 0)
                {
                    continue;
                }
                for (var j = 0; j < n; j++)
                {
                    z[i * n + j] += xik * y[k * n + j];
                }
            }
        }
    }

    /// <summary>Solves D·X = N for X (D overwritten by its LU factors).</summary>
    private void Solve(double[] d, double[] rhs, double[] x)
    {
        var n = _n;
        Array.Copy(rhs, x, rhs.Length);
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++)
            {
                if (Math.Abs(d[row * n + col]) > Math.Abs(d[pivot * n + col]))
                {
                    pivot = row;
                }
            }
            if (pivot != col)
            {
                for (var j = 0; j < n; j++)
                {
                    (d[col * n + j], d[pivot * n + j]) = (d[pivot * n + j], d[col * n + j]);
                    (x[col * n + j], x[pivot * n + j]) = (x[pivot * n + j], x[col * n + j]);
                }
            }
            var diag = d[col * n + col];
            for (var row = col + 1; row < n; row++)
            {
                var f = d[row * n + col] / diag;
                if (f == 0)
                {
                    continue;
                }
                for (var j = col; j < n; j++)
                {
                    d[row * n + j] -= f * d[col * n + j];
                }
                for (var j = 0; j < n; j++)
                {
                    x[row * n + j] -= f * x[col * n + j];
                }
            }
        }
        for (var col = n - 1; col >= 0; col--)
        {
            var diag = d[col * n + col];
            for (var j = 0; j < n; j++)
            {
                x[col * n + j] /= diag;
            }
            for (var row = 0; row < col; row++)
            {
                var f = d[row * n + col];
                if (f == 0)
                {
                    continue;
                }
                for (var j = 0; j < n; j++)
                {
                    x[row * n + j] -= f * x[col * n + j];
                }
            }
        }
    }
}
