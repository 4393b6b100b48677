#!/usr/bin/env python3
"""MilkCells' engine side by side with StochKit2: whole processes, interleaved, on the same models.

    bench/sidebyside.py            # every workload, 5 rounds (about 20 min on 2 idle cores), markdown table on stdout
    bench/sidebyside.py --quick    # smaller workloads, 3 rounds, no t = 10^4 case (a few minutes)
    bench/sidebyside.py --steady   # also: firings/s of one process after 10, 50, 200, 1,000 multistate trajectories

Builds StochKit2 with ../shared/peers/build-stochkit2.sh into a temporary folder (or uses --stochkit DIR) and
MilkCells' command line in Release (or uses --milkcells PATH), writes a 1,200-reaction network in both formats,
then runs every workload in rounds, alternating which program goes first. Each row gives the minimum and median
wall time of each side, the ratio of medians (MilkCells / StochKit2) and the ratio of median CPU times, and checks
that the two sides' means and standard deviations agree within the DSMTS tolerances (|Z| <= 3 for means,
|Y| <= 5 for variances; at most 3 failing points beyond what chance explains at that many points and trajectories).
Progress goes to stderr, the table to stdout. The machine's load (uptime) is printed before and after: wall-clock
ratios are only meaningful on an otherwise idle machine.

A benchmark, run by hand: never part of the build or CI. StochKit2 (GPL-3) is built outside the repository.
"""
import argparse
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
PEERS = os.path.join(SHARED, "peers")


def log(message):
    print(message, file=sys.stderr, flush=True)


def ring_models(folder, sites=300, alpha=10.0, mu=0.1, hop=1.0):
    """StandardModels.ReactionDiffusionRing(300) in both formats: 4 reactions per site (immigration, death, hops)."""
    reactions = []
    for i in range(sites):
        x, right, left = f"X{i}", f"X{(i + 1) % sites}", f"X{(i - 1) % sites}"
        reactions += [(f"in{i}", [], [x], "alpha"), (f"out{i}", [x], [], "mu"),
                      (f"right{i}", [x], [right], "hop"), (f"left{i}", [x], [left], "hop")]
    species = [f"X{i}" for i in range(sites)]
    params = {"alpha": alpha, "mu": mu, "hop": hop}
    sk = ["<Model>", f"<Description>ring of {sites} sites, {len(reactions)} reactions</Description>",
          f"<NumberOfReactions>{len(reactions)}</NumberOfReactions>", f"<NumberOfSpecies>{sites}</NumberOfSpecies>",
          "<ParametersList>"]
    sk += [f"<Parameter><Id>{k}</Id><Expression>{v!r}</Expression></Parameter>" for k, v in params.items()]
    sk += ["</ParametersList>", "<ReactionsList>"]
    for rid, reactants, products, rate in reactions:
        refs = lambda xs: "".join(f'<SpeciesReference id="{s}" stoichiometry="1"/>' for s in xs)
        sk.append(f"<Reaction><Id>{rid}</Id><Type>mass-action</Type><Rate>{rate}</Rate>"
                  f"<Reactants>{refs(reactants)}</Reactants><Products>{refs(products)}</Products></Reaction>")
    sk += ["</ReactionsList>", "<SpeciesList>"]
    sk += [f"<Species><Id>{s}</Id><InitialPopulation>0</InitialPopulation></Species>" for s in species]
    sk += ["</SpeciesList>", "</Model>"]
    sbml = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">',
            f'<model id="ring_{sites}" substanceUnits="item" timeUnits="second">',
            '<listOfCompartments><compartment id="cell" size="1" constant="true" spatialDimensions="3"/></listOfCompartments>',
            "<listOfSpecies>"]
    sbml += [f'<species id="{s}" compartment="cell" initialAmount="0" hasOnlySubstanceUnits="true" '
             'boundaryCondition="false" constant="false"/>' for s in species]
    sbml += ["</listOfSpecies>", "<listOfParameters>"]
    sbml += [f'<parameter id="{k}" value="{v!r}" constant="true"/>' for k, v in params.items()]
    sbml += ["</listOfParameters>", "<listOfReactions>"]
    for rid, reactants, products, rate in reactions:
        refs = lambda xs: "".join(f'<speciesReference species="{s}" stoichiometry="1" constant="true"/>' for s in xs)
        law = (f"<ci>{rate}</ci>" if not reactants else
               f"<apply><times/><ci>{rate}</ci><ci>{reactants[0]}</ci></apply>")
        sbml.append(f'<reaction id="{rid}" reversible="false" fast="false">'
                    + (f"<listOfReactants>{refs(reactants)}</listOfReactants>" if reactants else "")
                    + (f"<listOfProducts>{refs(products)}</listOfProducts>" if products else "")
                    + f'<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">{law}</math></kineticLaw></reaction>')
    sbml += ["</listOfReactions>", "</model>", "</sbml>"]
    paths = (os.path.join(folder, "ring1200.stochkit.xml"), os.path.join(folder, "ring1200.sbml.xml"))
    for path, lines in zip(paths, (sk, sbml)):
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    return paths


def workloads(quick, ring_sk, ring_sbml):
    """(name, StochKit2 model, MilkCells model, end time, trajectories, StochKit2 driver, -p, MilkCells -a, --threads)."""
    bd = (os.path.join(PEERS, "models", "bd10k.stochkit.xml"), os.path.join(PEERS, "models", "bd10k.sbml.xml"))
    ms = (os.path.join(PEERS, "models", "multistate.stochkit.xml"), os.path.join(SHARED, "models", "multistate.sbml.xml"))
    scale = 5 if quick else 1
    rows = [
        ("birth–death, 1 process", *bd, 50, 1000 // scale, "ssa_direct_small", 1, "direct", 1),
        ("birth–death, 2 cores", *bd, 50, 1000 // scale, "ssa_direct_small", 2, "direct", 2),
        ("multistate to t = 10³, 1 process", *ms, 1000, 100 // scale, "ssa_direct_small", 1, "direct", 1),
    ]
    if not quick:
        # 50 rather than the 100 of ../shared/peers/README.md's table, to keep a whole run near 20 minutes.
        rows.append(("multistate to t = 10⁴, 1 process", *ms, 10000, 50, "ssa_direct_small", 1, "direct", 1))
    ring_n = 10 if quick else 20
    rows += [
        ("ring, 1,200 reactions, to t = 10, 1 process: composition–rejection", ring_sk, ring_sbml, 10, ring_n,
         "ssa_constant", 1, "cr", 1),
        ("ring, 1,200 reactions, to t = 10, 1 process: each program's automatic choice", ring_sk, ring_sbml, 10, ring_n,
         "ssa", 1, "auto", 1),
    ]
    return rows


def timed(cmd, env=None, out=None):
    """Runs cmd (removing its output file `out` first); returns (wall s, CPU s of the process and its children,
    combined output)."""
    if out and os.path.exists(out):
        os.remove(out)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} exited {done.returncode}:\n{done.stdout[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def read_stochkit(folder):
    """{species: (times, means, variances)} from StochKit2's stats folder (written with --label)."""
    def table(name):
        with open(os.path.join(folder, "stats", name)) as f:
            lines = [line.split() for line in f if line.strip()]
        return lines[0][1:], [[float(x) for x in r] for r in lines[1:]]
    species, means = table("means.txt")
    _, variances = table("variances.txt")
    times = [r[0] for r in means]
    return {s: (times, [r[1 + i] for r in means], [r[1 + i] for r in variances]) for i, s in enumerate(species)}


def read_milkcells(path):
    """{species: (times, means, variances)} from `engine run`'s CSV (time,<s>-mean,<s>-sd,...)."""
    with open(path) as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    species = [h[:-len("-mean")] for h in rows[0][1::2]]
    body = [[float(x) for x in r] for r in rows[1:]]
    times = [r[0] for r in body]
    return {s: (times, [r[1 + 2 * i] for r in body], [r[2 + 2 * i] ** 2 for r in body]) for i, s in enumerate(species)}


def agreement(a, b, n):
    """Two-sample versions of the DSMTS tests at every time point of every species both sides report (matched by
    name): Z for the means, Y for the variances (var(s²) ≈ 2σ⁴/(n−1) for each side). Returns (max |Z|, max |Y|,
    failing points, points); failing = −1 when the species or time points differ."""
    if set(a) != set(b) or not a:
        return math.inf, math.inf, -1, 0
    max_z = max_y = 0.0
    failing = points = 0
    for s in sorted(a):
        (ta, ma, va), (tb, mb, vb) = a[s], b[s]
        if len(ta) != len(tb) or any(abs(x - y) > 1e-9 * max(1, abs(x)) for x, y in zip(ta, tb)):
            return math.inf, math.inf, -1, 0
        for k in range(len(ta)):
            if va[k] == 0 and vb[k] == 0:
                failing += ma[k] != mb[k]
                continue
            points += 1
            z = (ma[k] - mb[k]) / math.sqrt((va[k] + vb[k]) / n)
            pooled = (va[k] + vb[k]) / 2
            y = (va[k] - vb[k]) / (pooled * math.sqrt(4 / (n - 1)))
            max_z, max_y = max(max_z, abs(z)), max(max_y, abs(y))
            failing += abs(z) > 3 or abs(y) > 5
    return max_z, max_y, failing, points


def t_tail(limit, nu):
    """P(|T| > limit) for Student's t with nu degrees of freedom (Simpson's rule on the density over [0, limit])."""
    c = math.exp(math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2)) / math.sqrt(nu * math.pi)
    f = lambda t: c * (1 + t * t / nu) ** (-(nu + 1) / 2)
    steps = 2000
    h = limit / steps
    inner = f(0) + f(limit) + sum((4 if i % 2 else 2) * f(i * h) for i in range(1, steps))
    return max(0.0, 1 - 2 * inner * h / 3)


def allowed_failures(points, n):
    """Failing points that chance alone explains: DSMTS allows 3 per case (of ~50-100 points); with thousands of
    points and few trajectories the per-point false-alarm rate of |Z| > 3 matters, so allow its expectation (Student's
    t with n - 1 degrees of freedom, the low end of Welch's) plus three standard deviations on top of the 3."""
    expected = points * t_tail(3, max(1, n - 1))
    return 3 + expected + 3 * math.sqrt(expected)


def uptime():
    return subprocess.run(["uptime"], stdout=subprocess.PIPE, text=True).stdout.strip()


def firing_rate(output):
    m = re.search(r"([\d,]+) firings.*?\(([\d.]+) M firings/s\)", output)
    return (int(m.group(1).replace(",", "")), float(m.group(2))) if m else (0, math.nan)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller workloads, 3 rounds, no t = 10^4 case")
    p.add_argument("--rounds", type=int, help="rounds (default 5; 3 with --quick)")
    p.add_argument("--only", help="run only the workloads whose name contains this text")
    p.add_argument("--steady", action="store_true", help="also the steady-speed series (10, 50, 200, 1,000 multistate trajectories)")
    p.add_argument("--no-side-by-side", action="store_true", help="skip the side-by-side table (with --steady)")
    p.add_argument("--stochkit", help="a folder build-stochkit2.sh already built into (default: build into a temporary folder)")
    p.add_argument("--milkcells", help="the milkcells binary (default: build src/MilkCells.Cli in Release)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    work = tempfile.mkdtemp(prefix="milkcells-sidebyside-")
    try:
        load_before = uptime()
        if args.milkcells:
            milkcells = os.path.abspath(args.milkcells)
        else:
            log("building milkcells (Release) ...")
            subprocess.run(["dotnet", "build", os.path.join(REPO, "src", "MilkCells.Cli"), "-c", "Release", "-v", "q", "-nologo"],
                           check=True, stdout=sys.stderr)
            milkcells = os.path.join(REPO, "src", "MilkCells.Cli", "bin", "Release", "net10.0", "milkcells")
        tables = []
        if not args.no_side_by_side:
            stochkit = args.stochkit and os.path.abspath(args.stochkit)
            if not stochkit:
                stochkit = os.path.join(work, "stochkit2")
                log("building StochKit2 (about a minute) ...")
                subprocess.run([os.path.join(PEERS, "build-stochkit2.sh"), stochkit], check=True, stdout=sys.stderr)
            sk_env = dict(os.environ, STOCHKIT_HOME=os.path.join(stochkit, "stochkit2"))
            ring_sk, ring_sbml = ring_models(work)
            rows = [w for w in workloads(args.quick, ring_sk, ring_sbml) if not args.only or args.only in w[0]]
            results = {w[0]: {"sk": [], "mc": [], "skcpu": [], "mccpu": []} for w in rows}
            for r in range(rounds):
                for name, skm, mcm, end, n, driver, procs, alg, threads in rows:
                    seed = r + 1
                    sk_out = os.path.join(work, f"sk-{r}")
                    mc_out = os.path.join(work, f"mc-{r}.csv")
                    sk = [os.path.join(stochkit, "bin", driver), "-m", skm, "-t", str(end), "-i", "50", "-r", str(n),
                          "-p", str(procs), "--seed", str(seed), "--label", "--force", "--out-dir", sk_out]
                    mc = [milkcells, "engine", "run", mcm, "-n", str(n), "--until", str(end), "--points", "51",
                          "-a", alg, "--threads", str(threads), "--seed", str(seed), "-o", mc_out]
                    order = [("sk", sk, sk_env, None), ("mc", mc, None, mc_out)]
                    for side, cmd, env, out_file in (order if r % 2 == 0 else order[::-1]):
                        wall, cpu, out = timed(cmd, env, out_file)
                        results[name][side].append(wall)
                        results[name][side + "cpu"].append(cpu)
                        if side == "mc" and "tau leaps" in out:
                            results[name]["leapt"] = True
                        log(f"round {r + 1}/{rounds} {name}: {'StochKit2' if side == 'sk' else 'MilkCells'} {wall:.2f} s (CPU {cpu:.2f} s)")
                    if r == 0:
                        results[name]["stats"] = agreement(read_milkcells(mc_out), read_stochkit(sk_out), n)
                    shutil.rmtree(sk_out, ignore_errors=True)
            lines = ["| workload | StochKit2 min / median (s) | MilkCells min / median (s) | ratio of medians | ratio of median CPU | "
                     "statistics (max \\|Z\\|, max \\|Y\\|, failing points) |",
                     "|---|---|---|---|---|---|"]
            for name, skm, mcm, end, n, driver, procs, alg, threads in rows:
                res = results[name]
                sk_med, mc_med = statistics.median(res["sk"]), statistics.median(res["mc"])
                z, y, failing, points = res["stats"]
                verdict = ("agree" if 0 <= failing <= allowed_failures(points, n) else "DIFFER") + (" (MilkCells tau-leapt)" if res.get("leapt") else "")
                lines.append(f"| {name}, {n:,} trajectories (`{driver} -p {procs}` vs `-a {alg} --threads {threads}`) | "
                             f"{min(res['sk']):.2f} / {sk_med:.2f} | {min(res['mc']):.2f} / {mc_med:.2f} | "
                             f"**{mc_med / sk_med:.2f}** | {statistics.median(res['mccpu']) / statistics.median(res['skcpu']):.2f} | "
                             f"{verdict}: {z:.2f}, {y:.2f}, {failing} of {points} |")
            one, two = (next((r[0] for r in rows if r[0].startswith(f"birth–death, {k}")), None) for k in ("1 process", "2 cores"))
            if one and two:
                scale = lambda side: statistics.median(results[one][side]) / statistics.median(results[two][side])
                lines.append(f"\nBirth–death on 2 cores against 1 (ratio of median wall times): MilkCells `--threads 2` "
                             f"{scale('mc'):.2f}×, StochKit2 `-p 2` {scale('sk'):.2f}×.")
            tables.append("\n".join(lines))
        if args.steady:
            counts = [10, 50, 200] if args.quick else [10, 50, 200, 1000]
            lines = ["| multistate trajectories in one process (t = 0–10³, `--threads 1`) | firings | wall s | CPU s | M firings/s (wall) | M firings/s (CPU) |",
                     "|---|---|---|---|---|---|"]
            for n in counts:
                wall, cpu, out = timed([milkcells, "engine", "run", os.path.join(SHARED, "models", "multistate.sbml.xml"), "-n", str(n),
                                        "--until", "1000", "--points", "51", "-a", "direct", "--threads", "1", "--seed", "1",
                                        "-o", os.path.join(work, "steady.csv")], out=os.path.join(work, "steady.csv"))
                firings, _ = firing_rate(out)
                log(f"steady: {n} trajectories, {firings:,} firings, {wall:.2f} s (CPU {cpu:.2f} s)")
                lines.append(f"| {n:,} | {firings:,} | {wall:.2f} | {cpu:.2f} | {firings / wall / 1e6:.1f} | {firings / cpu / 1e6:.1f} |")
            tables.append("\n".join(lines))
        load_after = uptime()
        cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} × {cpu_model}, {rounds} rounds, interleaved; "
              f"wall time of whole processes.\n")
        print("\n\n".join(tables))
        print(f"\nLoad before: `{load_before}`  \nLoad after: `{load_after}`")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
