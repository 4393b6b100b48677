namespace MilkCells.Engine.Expressions;

/// <summary>One factor α·x + β of a product-form propensity, with α and β free of species and time.</summary>
internal sealed record LinearFactor(int Slot, Expr Alpha, Expr Beta);

/// <summary>
/// A propensity recognised as c · Π (αᵢ·xᵢ + βᵢ) with at most three factors, c, α, β constant between events.
/// </summary>
/// <remarks>
/// Mass action in every form the DSMTS writes it (<c>k·X</c>, <c>k1·P·(P−1)/2</c>, <c>Cell·Lambda·X</c>,
/// <c>(Lambda·(X/2))/0.5</c>, <c>k1·(100−2·P2)·(99−2·P2)/2</c>) reduces to this shape, which the simulators evaluate
/// branch-free from a small struct; anything else runs as bytecode. c, α and β are recomputed only when a
/// parameter, driver or compartment changes.
/// </remarks>
internal sealed record ProductForm(Expr Coefficient, IReadOnlyList<LinearFactor> Factors)
{
    public const int MaxFactors = 3;

    /// <summary>The product form of <paramref name="e"/>, or null when it has none.</summary>
    /// <param name="e">The rate expression, with user functions already inlined.</param>
    /// <param name="isStateFree">Whether a subexpression reads no species, state-dependent rule or time.</param>
    /// <param name="species">For a symbol naming a species: its amount slot and the α that turns amount into the
    /// value the symbol denotes (1, or 1/size under concentration semantics); null otherwise.</param>
    public static ProductForm? TryCreate(Expr e, Func<Expr, bool> isStateFree, Func<string, (int Slot, Expr Alpha)?> species)
    {
        var numerator = new List<Expr>();
        var denominator = new List<Expr>();
        var factors = new List<LinearFactor>();
        if (!Collect(e, inverted: false))
        {
            return null;
        }
        if (factors.Count > MaxFactors)
        {
            return null;
        }
        Expr coefficient = numerator.Count == 0 ? new Num(1) : numerator.Aggregate((a, b) => new Binary(BinaryOp.Mul, a, b));
        foreach (var d in denominator)
        {
            coefficient = new Binary(BinaryOp.Div, coefficient, d);
        }
        return new ProductForm(coefficient, factors);

        bool Collect(Expr x, bool inverted)
        {
            if (isStateFree(x))
            {
                (inverted ? denominator : numerator).Add(x);
                return true;
            }
            switch (x)
            {
                case Binary { Op: BinaryOp.Mul } m:
                    return Collect(m.Left, inverted) && Collect(m.Right, inverted);
                case Binary { Op: BinaryOp.Div } d:
                    return Collect(d.Left, inverted) && Collect(d.Right, !inverted);
                case Unary { Op: UnaryOp.Neg } u:
                    numerator.Add(new Num(-1));
                    return Collect(u.Operand, inverted);
                case Binary { Op: BinaryOp.Pow, Right: Num { Value: >= 1 and <= MaxFactors } n } p when n.Value == Math.Floor(n.Value) && !inverted:
                    for (var i = 0; i < (int)n.Value; i++)
                    {
                        if (!Collect(p.Left, inverted))
                        {
                            return false;
                        }
                    }
                    return true;
                default:
                    if (inverted || Linear(x) is not { Slot: >= 0 } lin)
                    {
                        return false;
                    }
                    factors.Add(new LinearFactor(lin.Slot, lin.Alpha, lin.Beta));
                    return true;
            }
        }

        // α·x_slot + β, or a constant (slot −1, α unused), or null when not linear in a single species.
        (int Slot, Expr Alpha, Expr Beta)? Linear(Expr x)
        {
            if (isStateFree(x))
            {
                return (-1, new Num(0), x);
            }
            switch (x)
            {
                case Sym s when species(s.Name) is { } sp:
                    return (sp.Slot, sp.Alpha, new Num(0));
                case Unary { Op: UnaryOp.Neg } u when Linear(u.Operand) is { } l:
                    return (l.Slot, new Unary(UnaryOp.Neg, l.Alpha), new Unary(UnaryOp.Neg, l.Beta));
                case Binary { Op: BinaryOp.Add or BinaryOp.Sub } b when Linear(b.Left) is { } l && Linear(b.Right) is { } r:
                    if (l.Slot >= 0 && r.Slot >= 0 && l.Slot != r.Slot)
                    {
                        return null;
                    }
                    var op = b.Op;
                    var slot = Math.Max(l.Slot, r.Slot);
                    var alpha = l.Slot < 0 ? (op == BinaryOp.Add ? r.Alpha : new Unary(UnaryOp.Neg, r.Alpha))
                        : r.Slot < 0 ? l.Alpha
                        : new Binary(op, l.Alpha, r.Alpha);
                    return (slot, alpha, new Binary(op, l.Beta, r.Beta));
                case Binary { Op: BinaryOp.Mul } m:
                    {
                        var (c, other) = isStateFree(m.Left) ? (m.Left, m.Right) : isStateFree(m.Right) ? (m.Right, m.Left) : (null, null);
                        if (c is null || Linear(other!) is not { } l2)
                        {
                            return null;
                        }
                        return (l2.Slot, new Binary(BinaryOp.Mul, c, l2.Alpha), new Binary(BinaryOp.Mul, c, l2.Beta));
                    }
                case Binary { Op: BinaryOp.Div } d when isStateFree(d.Right) && Linear(d.Left) is { } l3:
                    return (l3.Slot, new Binary(BinaryOp.Div, l3.Alpha, d.Right), new Binary(BinaryOp.Div, l3.Beta, d.Right));
                default:
                    return null;
            }
        }
    }
}
