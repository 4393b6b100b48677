using MilkCells.Engine.Algorithms;

namespace MilkCells.Engine.Simulation;

/// <summary>Exact firings while the expected remaining work is within budget, tau-leaping beyond (see <see cref="AutoAlgorithm"/>).</summary>
internal sealed class AutoStepper(TrajectoryState s, AutoAlgorithm p, Stepper exact, Func<double> exactTotal, TauLeapStepper tau) : Stepper(s)
{
    public override StopReason Advance(double tStop, long maxSteps)
    {
        long steps = 0;
        while (S.T < tStop && steps < maxSteps)
        {
            var remaining = exactTotal() * (S.EndTime - S.T);
            var chunk = Math.Min(p.CheckEvery, maxSteps - steps);
            var before = S.Firings + S.Leaps;
            var reason = remaining <= p.ExactBudget
                ? exact.Advance(tStop, chunk)
                : tau.Advance(tStop, Math.Max(1, chunk / 256));
            steps += Math.Max(1, S.Firings + S.Leaps - before);
            if (reason != StopReason.StepLimit)
            {
                return reason;
            }
        }
        return S.T >= tStop ? StopReason.ReachedStop : StopReason.StepLimit;
    }
}
