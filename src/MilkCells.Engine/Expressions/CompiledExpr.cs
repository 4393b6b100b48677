using System.Runtime.CompilerServices;
using static MilkCells.Engine.Expressions.BuiltinFunctions;

namespace MilkCells.Engine.Expressions;

/// <summary>How an identifier reads the value array: one slot, a ratio of two slots, or a constant.</summary>
internal readonly record struct Binding(BindingKind Kind, int Slot, int Slot2, double Value)
{
    public static Binding ForSlot(int slot) => new(BindingKind.Slot, slot, 0, 0);

    /// <summary>A species with concentration semantics: amount slot divided by compartment size slot.</summary>
    public static Binding ForRatio(int numerator, int denominator) => new(BindingKind.Ratio, numerator, denominator, 0);

    public static Binding ForConstant(double value) => new(BindingKind.Constant, 0, 0, value);
}

internal enum BindingKind : byte
{
    Slot,
    Ratio,
    Constant,
}

/// <summary>An identifier or function the compiler could not resolve.</summary>
internal sealed class UnresolvedException(string problem) : Exception(problem);

internal enum OpCode : byte
{
    Const,
    Load,
    LoadRatio,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Neg,
    Not,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Xor,
    Call1,
    Call2,
    JumpIfFalse,
    Jump,
}

internal readonly record struct Instruction(OpCode Op, int A, int B, double Value);

/// <summary>An expression compiled to stack bytecode over the simulator's value array.</summary>
/// <remarks>
/// Interpreting a short program costs a few nanoseconds per node and nothing at start-up, unlike generating
/// IL; propensities of the common product form never reach it (see <c>ProductForm</c>).
/// </remarks>
internal sealed class CompiledExpr
{
    private readonly Instruction[] _code;
    private readonly int _maxStack;

    private CompiledExpr(Instruction[] code, int maxStack, int[] reads, bool usesTime, Expr source)
    {
        _code = code;
        _maxStack = Math.Max(1, maxStack);
        Reads = reads;
        UsesTime = usesTime;
        Source = source;
    }

    /// <summary>Value slots the program reads (the time slot included when it uses time).</summary>
    public int[] Reads { get; }

    /// <summary>Whether the program reads simulation time.</summary>
    public bool UsesTime { get; }

    /// <summary>The expression it was compiled from.</summary>
    public Expr Source { get; }

    /// <summary>Compiles <paramref name="expr"/>; unknown names throw <see cref="UnresolvedException"/>.</summary>
    public static CompiledExpr Compile(Expr expr, Func<string, Binding?> resolve, int timeSlot)
    {
        var emitter = new Emitter(resolve, timeSlot);
        emitter.Emit(expr);
        return new CompiledExpr([.. emitter.Code], emitter.MaxDepth, [.. emitter.Reads.Order()], emitter.UsesTime, expr);
    }

    /// <summary>Evaluates the program against the value array.</summary>
    [SkipLocalsInit]
    public double Evaluate(double[] v)
    {
        Span<double> st = stackalloc double[_maxStack];
        var sp = -1;
        var code = _code;
        for (var pc = 0; pc < code.Length; pc++)
        {
            ref readonly var ins = ref code[pc];
            switch (ins.Op)
            {
                case OpCode.Const:
                    st[++sp] = ins.Value;
                    break;
                case OpCode.Load:
                    st[++sp] = v[ins.A];
                    break;
                case OpCode.LoadRatio:
                    st[++sp] = v[ins.A] / v[ins.B];
                    break;
                case OpCode.Add:
                    sp--;
                    st[sp] += st[sp + 1];
                    break;
                case OpCode.Sub:
                    sp--;
                    st[sp] -= st[sp + 1];
                    break;
                case OpCode.Mul:
                    sp--;
                    st[sp] *= st[sp + 1];
                    break;
                case OpCode.Div:
                    sp--;
                    st[sp] /= st[sp + 1];
                    break;
                case OpCode.Pow:
                    sp--;
                    st[sp] = Math.Pow(st[sp], st[sp + 1]);
                    break;
                case OpCode.Neg:
                    st[sp] = -st[sp];
                    break;
                case OpCode.Not:
                    st[sp] = st[sp] != 0 ? 0 : 1;
                    break;
                case OpCode.Lt:
                    sp--;
                    st[sp] = st[sp] < st[sp + 1] ? 1 : 0;
                    break;
                case OpCode.Le:
                    sp--;
                    st[sp] = st[sp] <= st[sp + 1] ? 1 : 0;
                    break;
                case OpCode.Gt:
                    sp--;
                    st[sp] = st[sp] > st[sp + 1] ? 1 : 0;
                    break;
                case OpCode.Ge:
                    sp--;
                    st[sp] = st[sp] >= st[sp + 1] ? 1 : 0;
                    break;
                case OpCode.Eq:
                    sp--;
                    st[sp] = st[sp] == st[sp + 1] ? 1 : 0;
                    break;
                case OpCode.Ne:
                    sp--;
                    st[sp] = st[sp] != st[sp + 1] ? 1 : 0;
                    break;
                case OpCode.And:
                    sp--;
                    st[sp] = st[sp] != 0 && st[sp + 1] != 0 ? 1 : 0;
                    break;
                case OpCode.Or:
                    sp--;
                    st[sp] = st[sp] != 0 || st[sp + 1] != 0 ? 1 : 0;
                    break;
                case OpCode.Xor:
                    sp--;
                    st[sp] = (st[sp] != 0) != (st[sp + 1] != 0) ? 1 : 0;
                    break;
                case OpCode.Call1:
                    st[sp] = Apply((Fn)ins.A, st[sp]);
                    break;
                case OpCode.Call2:
                    sp--;
                    st[sp] = Apply((Fn)ins.A, st[sp], st[sp + 1]);
                    break;
                case OpCode.JumpIfFalse:
                    if (st[sp--] == 0)
                    {
                        pc = ins.A - 1;
                    }
                    break;
                case OpCode.Jump:
                    pc = ins.A - 1;
                    break;
            }
        }
        return st[0];
    }

    private sealed class Emitter(Func<string, Binding?> resolve, int timeSlot)
    {
        private int _depth;

        public List<Instruction> Code { get; } = [];

        public HashSet<int> Reads { get; } = [];

        public int MaxDepth { get; private set; }

        public bool UsesTime { get; private set; }

        private void Push(Instruction ins, int delta)
        {
            Code.Add(ins);
            _depth += delta;
            MaxDepth = Math.Max(MaxDepth, _depth);
        }

        public void Emit(Expr e)
        {
            switch (e)
            {
                case Num n:
                    Push(new Instruction(OpCode.Const, 0, 0, n.Value), 1);
                    break;
                case TimeSymbol:
                    UsesTime = true;
                    Reads.Add(timeSlot);
                    Push(new Instruction(OpCode.Load, timeSlot, 0, 0), 1);
                    break;
                case Sym s:
                    EmitSymbol(s.Name);
                    break;
                case Unary u:
                    Emit(u.Operand);
                    Push(new Instruction(u.Op == UnaryOp.Neg ? OpCode.Neg : OpCode.Not, 0, 0, 0), 0);
                    break;
                case Binary b:
                    Emit(b.Left);
                    Emit(b.Right);
                    Push(new Instruction(BinaryCode(b.Op), 0, 0, 0), -1);
                    break;
                case Call c:
                    EmitCall(c);
                    break;
                default:
                    throw new UnresolvedException($"unsupported expression node {e.GetType().Name}");
            }
        }

        private void EmitSymbol(string name)
        {
            var binding = resolve(name) ?? throw new UnresolvedException($"undefined identifier '{name}'");
            switch (binding.Kind)
            {
                case BindingKind.Slot:
                    Reads.Add(binding.Slot);
                    Push(new Instruction(OpCode.Load, binding.Slot, 0, 0), 1);
                    break;
                case BindingKind.Ratio:
                    Reads.Add(binding.Slot);
                    Reads.Add(binding.Slot2);
                    Push(new Instruction(OpCode.LoadRatio, binding.Slot, binding.Slot2, 0), 1);
                    break;
                default:
                    Push(new Instruction(OpCode.Const, 0, 0, binding.Value), 1);
                    break;
            }
        }

        private void EmitCall(Call c)
        {
            var n = c.Args.Count;
            switch (c.Function)
            {
                case "piecewise":
                    EmitPiecewise(c.Args);
                    return;
                case "and" or "or" or "xor":
                    EmitFold(c.Args, c.Function == "and" ? OpCode.And : c.Function == "or" ? OpCode.Or : OpCode.Xor,
                        c.Function == "and" ? 1 : 0);
                    return;
                case "not" when n == 1:
                    Emit(c.Args[0]);
                    Push(new Instruction(OpCode.Not, 0, 0, 0), 0);
                    return;
                case "min" or "max" when n >= 1:
                    Emit(c.Args[0]);
                    for (var i = 1; i < n; i++)
                    {
                        Emit(c.Args[i]);
                        Push(new Instruction(OpCode.Call2, (int)(c.Function == "min" ? Fn.Min : Fn.Max), 0, 0), -1);
                    }
                    return;
            }
            if (!TryResolve(c.Function, n, out var fn))
            {
                throw new UnresolvedException(IsBuiltin(c.Function)
                    ? $"function '{c.Function}' does not take {n} argument(s)"
                    : $"undefined function '{c.Function}'");
            }
            foreach (var a in c.Args)
            {
                Emit(a);
            }
            Push(new Instruction(n == 1 ? OpCode.Call1 : OpCode.Call2, (int)fn, 0, 0), 1 - n);
        }

        private void EmitFold(IReadOnlyList<Expr> args, OpCode op, double empty)
        {
            if (args.Count == 0)
            {
                Push(new Instruction(OpCode.Const, 0, 0, empty), 1);
                return;
            }
            Emit(args[0]);
            if (args.Count == 1)
            {
                // and(x) is x's truth value: fold it with the identity.
                Push(new Instruction(OpCode.Const, 0, 0, empty), 1);
                Push(new Instruction(op, 0, 0, 0), -1);
                return;
            }
            for (var i = 1; i < args.Count; i++)
            {
                Emit(args[i]);
                Push(new Instruction(op, 0, 0, 0), -1);
            }
        }

        private void EmitPiecewise(IReadOnlyList<Expr> args)
        {
            // piecewise(v1, c1, v2, c2, …, [otherwise]): test each condition, jump past its value when false.
            var ends = new List<int>();
            var pairs = args.Count / 2;
            var depth0 = _depth;
            for (var i = 0; i < pairs; i++)
            {
                Emit(args[2 * i + 1]);
                var jumpIfFalse = Code.Count;
                Push(new Instruction(OpCode.JumpIfFalse, -1, 0, 0), -1);
                Emit(args[2 * i]);
                ends.Add(Code.Count);
                Push(new Instruction(OpCode.Jump, -1, 0, 0), 0);
                _depth = depth0;
                Code[jumpIfFalse] = Code[jumpIfFalse] with { A = Code.Count };
            }
            if (args.Count % 2 == 1)
            {
                Emit(args[^1]);
            }
            else
            {
                Push(new Instruction(OpCode.Const, 0, 0, double.NaN), 1);
            }
            foreach (var at in ends)
            {
                Code[at] = Code[at] with { A = Code.Count };
            }
        }

        private static OpCode BinaryCode(BinaryOp op) => op switch
        {
            BinaryOp.Add => OpCode.Add,
            BinaryOp.Sub => OpCode.Sub,
            BinaryOp.Mul => OpCode.Mul,
            BinaryOp.Div => OpCode.Div,
            BinaryOp.Pow => OpCode.Pow,
            BinaryOp.Lt => OpCode.Lt,
            BinaryOp.Le => OpCode.Le,
            BinaryOp.Gt => OpCode.Gt,
            BinaryOp.Ge => OpCode.Ge,
            BinaryOp.Eq => OpCode.Eq,
            BinaryOp.Ne => OpCode.Ne,
            BinaryOp.And => OpCode.And,
            BinaryOp.Or => OpCode.Or,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
    }
}
