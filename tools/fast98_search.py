#!/usr/bin/python3
"""fast98_search.py - the recipe that reaches 98.0% on MNIST soonest.

Searches `simdnet train` recipes for the one whose whole process (start,
loading, training, evaluation) takes the least wall time while its final
epoch's test accuracy is at least 98.0% (the final epoch, not the best one).
docs/fast98.md gives the method and the results; in short:

  the space   784-W-10 and 784-W-W-10 for W in 128..1024, ReLU hidden layers,
              softmax + cross-entropy, He init, shuffled batches of 32..500,
              Adam (several learning rates) and other optimizers, 1..10
              epochs, a constant or cosine schedule, 1 or 2 threads;
  screening   a constant schedule gives after epoch e exactly what an e-epoch
              run ends with (same seed, threads and kernels: simdnet is
              deterministic), so one run screens every epoch count: it is
              stopped at the first epoch that reaches 98.0%, and the time at
              which that epoch's record arrived (from the process's start)
              estimates an e-epoch run; a run already slower than
              --prune times the best estimate so far is stopped too;
  stages      shapes (Adam 1e-3, batch 100), then batch x learning rate on
              the best shapes, other optimizers on the best pairs, cosine
              schedules of e-2..e+1 epochs and 1 thread on the best recipes
              (cosine runs are exact runs: the schedule depends on the
              epoch count);
  confirming  the best --confirm candidates run as the real command,
              --repeats times each, interleaved; the winner has the least
              median wall time of those whose every repeat ends at >= 98.0%.

Every run is kept in the JSON file (--json, default fast98-search.json); a
second invocation with the same file reuses the runs it holds, so a search
can be stopped and resumed. The flags each recipe needs are looked up in
`simdnet train --help`: recipes that need a flag or a value the binary lacks
are reported as unsupported and skipped (--allow-missing drops the missing
settings instead, to test the machinery on an older binary).

  fast98_search.py --simdnet build/src/simdnet --data /work/shared/data/mnist
  fast98_search.py --space small                    (a bounded search)
  fast98_search.py --space tiny --allow-missing     (a few short runs)
  fast98_search.py --table-only                     (the table of --json)
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TARGET = 0.98

SPACES = {
    "full": dict(
        shapes=[[784, w, 10] for w in (128, 256, 512, 768, 1024)] +
               [[784, w, w, 10] for w in (128, 256, 512, 1024)],
        batches=[32, 50, 64, 100, 128, 200, 256, 500],
        adam_lrs=[5e-4, 1e-3, 2e-3, 3e-3],
        others=[("adamw", 1e-3), ("rmsprop", 1e-3), ("momentum", 0.05),
                ("nesterov", 0.05), ("adagrad", 0.05)],
        max_epochs=10),
    # A bounded search (a few minutes): the widths and Adam settings the
    # full one is expected to favour.
    "small": dict(
        shapes=[[784, 256, 10], [784, 512, 10]],
        batches=[100, 128, 256],
        adam_lrs=[1e-3, 2e-3, 3e-3],
        others=[],
        max_epochs=8),
    "tiny": dict(
        shapes=[[784, 128, 10], [784, 64, 64, 10]],
        batches=[100, 200],
        adam_lrs=[1e-3],
        others=[("sgd", 0.1)],
        max_epochs=2),
}

# The recipe's settings and the flag that carries each; None: no flag
# needed when the value is simdnet's default.
BASE = dict(hidden="relu", output="softmax", loss="ce", init="he",
            optimizer="adam", lr=1e-3, batch=100, epochs=10,
            schedule="constant", shuffle=True, threads=2, seed=0)
DEFAULTS = dict(hidden="sigmoid", output="sigmoid", loss="l2",
                init="uniform", optimizer="adagrad", schedule="constant",
                shuffle=False)


def fail(msg):
    sys.exit(f"fast98_search.py: {msg}")


# ------------------------------------------------------------------ simdnet

def train_help(exe):
    try:
        p = subprocess.run([exe, "train", "--help"], capture_output=True,
                           text=True, timeout=60)
    except OSError as e:
        fail(f"{exe}: {e}")
    return p.stdout + p.stderr


def supported(help_text):
    """The flags `simdnet train --help` lists, and the words it uses (to
    tell which values a flag takes)."""
    flags = set(re.findall(r"(--[a-z][a-z0-9-]*)", help_text))
    words = set(re.findall(r"[a-z0-9]+", help_text))
    return flags, words


def recipe_argv(r, flags, words, allow_missing):
    """The train flags of recipe r, or (None, why) where the binary cannot
    express it."""
    argv = ["--layers", ",".join(map(str, r["layers"])),
            "--batch", str(r["batch"]), "--epochs", str(r["epochs"]),
            "--lr", repr(r["lr"]), "--seed", str(r["seed"]),
            "--threads", str(r["threads"])]
    missing = []
    for key in ("hidden", "output", "loss", "init", "optimizer", "schedule"):
        value = r[key]
        flag = "--" + key
        if value == DEFAULTS.get(key):
            continue
        if flag not in flags or value not in words:
            missing.append(f"{flag} {value}")
            continue
        argv += [flag, value]
    if r["shuffle"]:
        if "--shuffle" in flags:
            argv.append("--shuffle")
        else:
            missing.append("--shuffle")
    if missing and not allow_missing:
        return None, "simdnet lacks " + ", ".join(missing)
    return argv, ", ".join(missing)


def run_once(exe, data, argv, stop_at_target, prune_s):
    """Runs `simdnet train ARGV --json -` and times it from just before the
    process starts. With stop_at_target, stops it at the first epoch at or
    above TARGET; past prune_s seconds without one, stops it too."""
    cmd = [exe, "train", "--data", data, *argv, "--json", "-"]
    epochs, final, stopped = [], None, None
    with tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err,
                             text=True)
        for line in p.stdout:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("record") == "epoch":
                at = time.perf_counter() - t0
                epochs.append({"epoch": rec["epoch"],
                               "test_accuracy": rec["test_accuracy"],
                               "seconds": rec["seconds"], "at_s": at})
                if stop_at_target and rec["test_accuracy"] >= TARGET:
                    stopped = "reached"
                elif prune_s is not None and at > prune_s:
                    stopped = "pruned"
                if stopped:
                    p.send_signal(signal.SIGKILL)
                    break
            elif rec.get("record") == "final":
                final = rec
        p.stdout.close()
        rc = p.wait()
        wall = time.perf_counter() - t0
        err.seek(0)
        text = err.read()
    load = re.search(r"^data\s+loaded in (\d+) ms", text, re.M)
    return {"command": cmd, "rc": rc, "wall_s": wall, "stopped": stopped,
            "epochs": epochs,
            "final_accuracy": final.get("test_accuracy") if final else None,
            "load_ms": int(load.group(1)) if load else None,
            "stderr_tail": text[-600:] if rc not in (0, -9) else ""}


# ------------------------------------------------------------------ search

def key_of(r):
    return json.dumps(r, sort_keys=True)


def label(r):
    shape = "-".join(map(str, r["layers"]))
    return (f"{shape} {r['optimizer']} {r['lr']:g} b{r['batch']} "
            f"e{r['epochs']} {r['schedule']} t{r['threads']}")


def load_runs(path):
    """The runs of an earlier search's file, or a message naming what is
    wrong with it (this search would otherwise overwrite it)."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, UnicodeDecodeError) as e:
        fail(f"{path}: {getattr(e, 'strerror', None) or e}")
    except json.JSONDecodeError as e:
        fail(f"{path}: not JSON ({e.msg} at line {e.lineno}); "
             "not a search file, or a damaged one")
    runs = doc.get("runs") if isinstance(doc, dict) else None
    if not isinstance(runs, list) or not all(
            isinstance(r, dict) and r.get("mode") in
            ("screen", "exact", "confirm") and isinstance(r.get("recipe"), dict)
            and isinstance(r.get("stage", 0), int) for r in runs):
        fail(f"{path}: not a fast98_search.py file (no list of runs, each "
             "with its mode, recipe and stage)")
    return runs


class Search:
    def __init__(self, args):
        self.args = args
        self.flags, self.words = supported(train_help(args.simdnet))
        self.runs = []      # every run: screens, exact runs, confirmations
        self.skipped = {}   # key -> why
        # Each stage ranks only the runs of the stages before it, so that a
        # resumed search takes the same path (a later stage's runs would
        # otherwise change an earlier stage's choices, and with them the
        # runs asked for).
        self.stage = 0
        if os.path.exists(args.json):
            self.runs = load_runs(args.json)
        self.best_est = min((s["estimate_s"] for s in self.screens()
                             if s.get("estimate_s")), default=None)

    def save(self):
        doc = {"target": TARGET, "simdnet": self.args.simdnet,
               "data": self.args.data, "cpu": cpu_model(),
               "runs": self.runs, "winner": self.winner()}
        tmp = self.args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, self.args.json)

    def screens(self):
        return [r for r in self.runs if r["mode"] in ("screen", "exact")]

    def find(self, mode, r):
        k = key_of(r)
        for run in self.runs:
            if run["mode"] == mode and key_of(run["recipe"]) == k:
                return run
        return None

    def run(self, mode, r):
        """A screen (constant schedule, stopped at 98%) or an exact run
        (the real command, to its end unless pruned); cached."""
        old = self.find(mode, r)
        if old:
            return old
        argv, why = recipe_argv(r, self.flags, self.words,
                                self.args.allow_missing)
        if argv is None:
            self.skipped[key_of(r)] = why
            return None
        prune = (self.args.prune * self.best_est
                 if self.best_est is not None else None)
        res = run_once(self.args.simdnet, self.args.data, argv,
                       mode == "screen", prune)
        res.update(mode=mode, recipe=r, missing=why, stage=self.stage)
        res["estimate_s"] = estimate(res, mode)
        if res["rc"] not in (0, -9):
            print(f"  {label(r)}: exit {res['rc']}: "
                  f"{res['stderr_tail'].strip().splitlines()[-1:]}",
                  file=sys.stderr)
        est = res["estimate_s"]
        if est is not None and (self.best_est is None or est < self.best_est):
            self.best_est = est
        self.runs.append(res)
        self.save()
        reached = (r["epochs"] if mode == "exact" else reached_epoch(res))
        print(f"  {mode:6} {label(r):48} "
              + (f"{TARGET:.1%} at epoch {reached}, ~{est:.2f} s" if est is not None
                 else f"not reached ({res['stopped'] or 'ran out'}, "
                      f"best {best_acc(res):.2%})"),
              file=sys.stderr, flush=True)
        return res

    def ranked(self, n):
        """The n best (recipe, epochs) by estimate, one per recipe, of the
        stages before this one (runs from files without stages: all)."""
        best = {}
        for s in self.screens():
            if s.get("estimate_s") is None or s.get("stage", 0) >= self.stage > 0:
                continue
            r = (s["recipe"] if s["mode"] == "exact"
                 else dict(s["recipe"], epochs=reached_epoch(s)))
            k = key_of(r)
            if k not in best or s["estimate_s"] < best[k][0]:
                best[k] = (s["estimate_s"], r)
        return [r for _, r in sorted(best.values(), key=lambda t: t[0])][:n]

    def search(self):
        sp = SPACES[self.args.space]
        base = dict(BASE, epochs=sp["max_epochs"],
                    threads=self.args.max_threads)
        self.stage = 1
        print("stage 1: shapes", file=sys.stderr)
        for shape in sp["shapes"]:
            self.run("screen", dict(base, layers=shape))
        self.stage = 2
        shapes = [r["layers"] for r in self.ranked(99)]
        shapes = list(dict.fromkeys(map(tuple, shapes)))[:self.args.keep]
        print(f"stage 2: batch x Adam learning rate on {len(shapes)} shapes",
              file=sys.stderr)
        for shape in shapes:
            for batch in sp["batches"]:
                for lr in sp["adam_lrs"]:
                    self.run("screen", dict(base, layers=list(shape),
                                            batch=batch, lr=lr))
        self.stage = 3
        print("stage 3: other optimizers", file=sys.stderr)
        for r in self.ranked(self.args.keep):
            for opt, lr in sp["others"]:
                self.run("screen", dict(r, epochs=sp["max_epochs"],
                                        optimizer=opt, lr=lr))
        self.stage = 4
        print("stage 4: cosine schedules, 1 thread", file=sys.stderr)
        for r in self.ranked(self.args.keep):
            e = r["epochs"]
            for epochs in range(max(1, e - 2), min(sp["max_epochs"], e + 1) + 1):
                self.run("exact", dict(r, epochs=epochs, schedule="cosine"))
            if self.args.max_threads > 1:
                self.run("screen", dict(r, epochs=sp["max_epochs"], threads=1))
        self.confirm()

    def confirm(self):
        self.stage = 5
        cands = self.ranked(self.args.confirm)
        print(f"confirming {len(cands)} recipes, {self.args.repeats} "
              "repeats each, interleaved", file=sys.stderr)
        for rep in range(self.args.repeats):
            for r in cands:
                done = [c for c in self.runs if c["mode"] == "confirm"
                        and key_of(c["recipe"]) == key_of(r)]
                if len(done) > rep:
                    continue
                argv, why = recipe_argv(r, self.flags, self.words,
                                        self.args.allow_missing)
                res = run_once(self.args.simdnet, self.args.data, argv,
                               False, None)
                res.update(mode="confirm", recipe=r, missing=why,
                           repeat=rep)
                self.runs.append(res)
                self.save()
                acc = res["final_accuracy"]
                print(f"  confirm {label(r):48} {res['wall_s']:.3f} s  "
                      f"{acc:.2%}" if acc is not None else
                      f"  confirm {label(r)}: exit {res['rc']}",
                      file=sys.stderr, flush=True)

    def confirmed(self):
        """recipe key -> (recipe, [wall_s], [final accuracy])."""
        out = {}
        for c in self.runs:
            if c["mode"] != "confirm":
                continue
            k = key_of(c["recipe"])
            rec = out.setdefault(k, (c["recipe"], [], []))
            rec[1].append(c["wall_s"])
            rec[2].append(c["final_accuracy"])
        return out

    def confirm_argv(self, r):
        """The train flags a confirmation of r ran with (after --data DIR,
        before --json -)."""
        for c in self.runs:
            if c["mode"] == "confirm" and key_of(c["recipe"]) == key_of(r):
                return c["command"][4:-2]
        return []

    def find_missing(self, r):
        return next((c["missing"] for c in self.runs
                     if key_of(c["recipe"]) == key_of(r) and c["missing"]),
                    "")

    def winner(self):
        best = None
        for r, walls, accs in self.confirmed().values():
            if not walls or any(a is None or a < TARGET for a in accs):
                continue
            med = statistics.median(walls)
            if best is None or med < best["median_wall_s"]:
                best = {"recipe": r, "median_wall_s": med,
                        "min_wall_s": min(walls), "max_wall_s": max(walls),
                        "repeats": len(walls), "final_accuracy": accs[0],
                        "argv": self.confirm_argv(r)}
        return best


def reached_epoch(res):
    for e in res["epochs"]:
        if e["test_accuracy"] >= TARGET:
            return e["epoch"]
    return None


def best_acc(res):
    return max((e["test_accuracy"] for e in res["epochs"]), default=0.0)


def estimate(res, mode):
    """Seconds an e-epoch run would take: for a screen, when the record of
    its first epoch at 98% arrived; for an exact run, its wall time when its
    final epoch is at 98%."""
    if mode == "screen":
        for e in res["epochs"]:
            if e["test_accuracy"] >= TARGET:
                return e["at_s"]
        return None
    acc = res["final_accuracy"]
    return res["wall_s"] if res["rc"] == 0 and acc and acc >= TARGET else None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


# ------------------------------------------------------------------ table

def print_table(search):
    conf = search.confirmed()
    print("| recipe | epochs | final test acc. | wall s (median) | min-max "
          "| repeats |")
    print("|---|--:|--:|--:|--:|--:|")
    rows = []
    for r, walls, accs in conf.values():
        rows.append((statistics.median(walls), r, walls, accs))
    for med, r, walls, accs in sorted(rows, key=lambda t: t[0]):
        ok = all(a is not None and a >= TARGET for a in accs)
        acc = "/".join(f"{a:.2%}" for a in sorted(set(a or 0 for a in accs)))
        print(f"| {label(r)} | {r['epochs']} | {acc}{'' if ok else ' (<98)'} "
              f"| {med:.3f} | {min(walls):.3f}-{max(walls):.3f} "
              f"| {len(walls)} |")
    screened = [s for s in search.screens() if s.get("estimate_s")]
    print(f"\n{len(search.runs)} runs in {search.args.json}: "
          f"{len(screened)} screens/exact runs reached {TARGET:.1%}.")
    w = search.winner()
    if w:
        print(f"winner: {label(w['recipe'])}: median {w['median_wall_s']:.3f} s "
              f"end to end over {w['repeats']} runs "
              f"({w['min_wall_s']:.3f}-{w['max_wall_s']:.3f}), final test "
              f"accuracy {w['final_accuracy']:.2%}")
        print("  simdnet train " + " ".join(w["argv"]))
        missing = search.find_missing(w["recipe"])
        if missing:
            print(f"  (run without {missing}: --allow-missing)")
    else:
        print(f"no confirmed recipe reaches {TARGET:.1%} yet")
    for why in sorted(set(search.skipped.values())):
        print(f"skipped recipes: {why}")


def main(argv=None):
    global TARGET
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--simdnet", default=os.environ.get("SIMDNET_EXE",
                                                        "build/src/simdnet"))
    ap.add_argument("--data", default=os.environ.get("SIMDNET_DATA",
                                                     "data/mnist"))
    ap.add_argument("--space", choices=sorted(SPACES), default="full")
    ap.add_argument("--json", default="fast98-search.json")
    ap.add_argument("--keep", type=int, default=3,
                    help="shapes and recipes carried to the next stage")
    ap.add_argument("--confirm", type=int, default=5,
                    help="candidates run as real commands at the end")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--prune", type=float, default=1.5,
                    help="stop a run past this multiple of the best estimate")
    ap.add_argument("--max-threads", type=int, default=2)
    ap.add_argument("--allow-missing", action="store_true")
    ap.add_argument("--target", type=float, default=TARGET,
                    help="test accuracy to reach (0..1; to test the search "
                         "itself: docs/fast98.md is for 0.98)")
    ap.add_argument("--table-only", action="store_true")
    args = ap.parse_args(argv)
    TARGET = args.target
    if args.table_only and not os.path.exists(args.json):
        fail(f"{args.json}: no such file")
    s = Search(args)
    if not args.table_only:
        s.search()
        s.save()
    print_table(s)


if __name__ == "__main__":
    main()
