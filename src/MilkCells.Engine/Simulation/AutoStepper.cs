using MilkCells.Engine.Algorithms;

namespace MilkCells.Engine.Simulation;

/// <summary>Exact firings while the expected remaining work is within budget, tau-leaping beyond (see <see cref="AutoAlgorithm"/>).</summary>
internal sealed class AutoStepper(TrajectoryState s, AutoAlgorithm p, Stepper exact, Func<double> exactTotal, TauLeapStepper tau) : Stepper(s)
{
    /// <summary>The exact stepper (a property, so that the other trajectory's is reachable when two are paired).</summary>
    private Stepper Exact { get; } = exact;

    /// <summary>The exact stepper's pairing side (<see cref="Simulator.CanPair"/> admits only networks whose exact stepper has one).</summary>
    private IPairableStepper Pairable => (IPairableStepper)Exact;

    public override StopReason Advance(double tStop, long maxSteps)
    {
        long steps = 0;
        while (S.T < tStop && steps < maxSteps)
        {
            var chunk = Math.Min(p.CheckEvery, maxSteps - steps);
            var before = S.Firings + S.Leaps;
            var reason = ExactNext()
                ? Exact.Advance(tStop, chunk)
                : tau.Advance(tStop, Math.Max(1, chunk / 256));
            steps += Math.Max(1, S.Firings + S.Leaps - before);
            if (reason != StopReason.StepLimit)
            {
                return reason;
            }
        }
        return S.T >= tStop ? StopReason.ReachedStop : StopReason.StepLimit;
    }

    /// <summary>Advances this trajectory and <paramref name="other"/>'s to <paramref name="tStop"/> as
    /// <see cref="Advance"/> would with no step budget, running their exact stretches together
    /// (<see cref="IPairableStepper.AdvanceTogether"/>) whenever both are in one; false, doing nothing, when the
    /// exact steppers cannot pair.</summary>
    /// <remarks>Each trajectory goes through the same chunks, choices and calls as alone: an exact chunk that ends
    /// first is ended and the next choice made while the other trajectory's chunk waits part-way.</remarks>
    public override bool TryAdvancePair(Stepper other, double tStop)
    {
        if (other is not AutoStepper b || Exact is not IPairableStepper ea || b.Exact is not IPairableStepper eb || !ea.CanPairWith(b.Exact))
        {
            return false;
        }
        var aExact = StartNext(tStop);
        var bExact = b.StartNext(tStop);
        while (aExact && bExact)
        {
            if (ea.AdvanceTogether(eb))
            {
                aExact = AfterExact(tStop);
            }
            else
            {
                bExact = b.AfterExact(tStop);
            }
        }
        FinishAlone(aExact, tStop);
        b.FinishAlone(bExact, tStop);
        return true;
    }

    /// <summary>Whether the next chunk is exact: the expected remaining firings are within the budget.</summary>
    private bool ExactNext() => exactTotal() * (S.EndTime - S.T) <= p.ExactBudget;

    /// <summary><see cref="Advance"/>'s loop with no step budget up to the next exact chunk, which it begins: true
    /// with that chunk begun, false when the trajectory reached <paramref name="tStop"/> (leaping all the way).</summary>
    private bool StartNext(double tStop)
    {
        while (S.T < tStop)
        {
            if (ExactNext())
            {
                Pairable.BeginAdvance(tStop, p.CheckEvery);
                return true;
            }
            if (tau.Advance(tStop, Math.Max(1, p.CheckEvery / 256)) != StopReason.StepLimit)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Ends an exact chunk that has ended and begins the next: true with the next exact chunk begun.</summary>
    private bool AfterExact(double tStop) =>
        Pairable.EndAdvance() == StopReason.StepLimit && StartNext(tStop);

    /// <summary>Completes the trajectory alone, from a begun exact chunk when <paramref name="inExact"/>.</summary>
    private void FinishAlone(bool inExact, double tStop)
    {
        while (inExact)
        {
            Pairable.FinishAdvance();
            inExact = AfterExact(tStop);
        }
    }
}
