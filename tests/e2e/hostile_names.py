#!/usr/bin/env python3
"""Names are data, never code: hostile names in results files, configurations
and paths must not run anything, shift columns or reach a terminal raw.

  - results files rewritten with h5py so that every name in them (the dims,
    /events action and apps, the scenario attribute) is hostile: backquotes,
    '";system("touch CANARY")#', "';system('touch CANARY')#", "'", a
    newline followed by "!touch CANARY", "$(touch CANARY)", spaces, an escape character; in a folder whose name
    holds a newline and "!touch CANARY" too.  `plot`, `compare` and
    `plot SWEEPDIR` (a summary.txt with hostile parameter names) must
    succeed, and so must every .gp they wrote when run by hand with gnuplot
    from its folder; no file named CANARY may appear anywhere (each hostile
    string creates one in gnuplot's or the shell's folder if it runs);
  - every .dat table has as many header fields as data fields (a name with
    spaces or a newline does not shift the columns);
  - `info` prints no control character but newlines, and no line of its own
    from a name;
  - the apps' and protocols' display names (/app_label, /vpn_label) hostile too: the legends show them,
    quoted;
  - a run of a configuration whose names and an app's label are printable
    but hostile (allowed by the rule) plots without a canary, the label in
    the legend and in the event's label, and so does `reproduce` of a
    manifest of it whose paper has a printable hostile name (every script
    it wrote run by hand too);
  - configurations with names holding a newline, an escape character, a byte
    that is not UTF-8, 32 bytes, or a scenario or sweep named ".." are
    refused: exit 2, "file:line: path: message", nothing run;
  - `sweep --slurm -o` a folder whose name holds a newline or a backslash:
    exit 2 and no folder; folders with "'", or "$(...)", backquotes and
    spaces, or '"', '#', '%' and "; touch CANARY": a script that `bash -n`
    accepts, whose every line is a comment, a known command or blank; run
    by hand with only touch and stubs of mpirun, sbatch and srun on PATH
    (each records its arguments), it exits 0 having called mpirun alone,
    with exactly [the blockshift binary, sweep, the sweep file, -o, the
    folder, --mpi, --resume], and creates no canary; its #SBATCH lines, read
    as sbatch reads them (a port of Slurm's src/sbatch/opt.c _get_argument:
    blanks end a word, '#' a line, quotes group, '\' escapes), give one word
    each, --job-name=bs-s and --output=FOLDER/slurm-%j.out with FOLDER's '%'
    doubled (Slurm's file name patterns).

Expected values: the canary can only appear if a hostile string is executed
(by gnuplot's system(), backquotes or "!", or by the shell); the column
counts come from the .dat rows themselves.
Run as: hostile_names.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
import sbatch  # noqa: E402  (the words sbatch reads from an #SBATCH line)
from e2e_kit import check, finish  # noqa: E402

tmp = tempfile.mkdtemp(prefix="bs-hostile-")


def canaries():
    """Every file named CANARY* under tmp (gnuplot and shells run in folders
    below it) or in the folder the test runs in."""
    found = [os.path.abspath(f) for f in os.listdir(".") if f.startswith("CANARY")]
    for root, _dirs, files in os.walk(tmp):
        found += [os.path.join(root, f) for f in files if f.startswith("CANARY")]
    return found


def no_canary(what):
    c = canaries()
    check(not c, f"{what}: no canary", "canaries: " + repr(c))
    for f in c:
        os.unlink(f)


HOSTILE = [
    "wa`touch CANARY`",
    '";system("touch CANARY")#',
    "it's",
    "';system('touch CANARY')#",
    "tg\n!touch CANARY",
    "$(touch CANARY)",
    "sp ace",
    "\x1b[31mred",
    # valid gnuplot once out of their quotes: these run if the quoting fails
    "'.system('touch CANARY').'",
    '".system("touch CANARY")."',
]


def hostile(i):
    return HOSTILE[i % len(HOSTILE)] + ("" if i < len(HOSTILE) else str(i))


def rewrite(path):
    """Every name in the results file at path made hostile."""
    with h5py.File(path, "r+") as f:
        # the dims at the root and their copies in each group
        scales = ["/" + dim for dim in ("app", "region", "vpn", "link", "isp", "mbox", "class")]
        scales += ["/" + g + s for g in f if hasattr(f[g], "keys") for s in scales if s[1:] in f[g]]
        for name in scales:
            if name in f:
                d = f[name]
                d[...] = np.array([hostile(i).encode() for i in range(d.shape[0])], dtype=object)
        # the apps' display names (figures show these, not the names)
        for lab in ("/app_label", "/vpn_label"):
            d = f[lab]
            d[...] = np.array([("L" + hostile(i)).encode() for i in range(d.shape[0])], dtype=object)
        n = f["events/action"].shape[0]
        f["events/action"][...] = np.array([b"';system('touch CANARY')#"] * n, dtype=object)
        f["events/apps"][...] = np.array([b"'.system('touch CANARY').',\x1b[31m,\n!touch CANARY"] * n,
                                         dtype=object)
        f.attrs["scenario"] = "x\n!touch CANARY"
        f["summary"].attrs["peak_border_link"] = hostile(3)


def gp_by_hand(folder, what):
    """Every .gp in folder, run with gnuplot from there: exit 0."""
    scripts = sorted(glob.glob(os.path.join(glob.escape(folder), "*.gp")))
    bad = []
    for s in scripts:
        p = subprocess.run(["gnuplot", os.path.basename(s)], cwd=folder, capture_output=True, text=True)
        if p.returncode:
            bad.append(f"{os.path.basename(s)}: {p.stderr.strip()}")
    check(scripts and not bad, f"{what}: {len(scripts)} .gp scripts run by hand", "\n".join(bad))


FIELD = re.compile(r'"[^"]*"|\S+')


def dat_columns(folder, what):
    """Each .dat: header fields (quoted names are one field) == fields of each row."""
    bad = []
    dats = sorted(glob.glob(os.path.join(glob.escape(folder), "*.dat")))
    for d in dats:
        lines = [l for l in open(d, encoding="utf-8", errors="replace").read().split("\n")
                 if l and not l.startswith("#")]
        head = len(FIELD.findall(lines[0]))
        rows = {len(l.split()) for l in lines[1:]}
        if rows != {head}:
            bad.append(f"{os.path.basename(d)}: header {head} fields, rows {sorted(rows)}: {lines[0]!r}")
    check(dats and not bad, f"{what}: {len(dats)} .dat tables keep their columns", "\n".join(bad))


def run(args, **kw):
    return subprocess.run([BIN] + args, capture_output=True, text=True, errors="replace", **kw)


# ---- results files with hostile names --------------------------------------
good = os.path.join(tmp, "good")
p = run(["run", os.path.join(SRC, "scenarios", "no-block.cfg"), "-o", good, "--scale", "14600", "--quiet"])
check(p.returncode == 0, "run scenarios/no-block.cfg", p.stderr)
resdir = os.path.join(tmp, "res\n!touch CANARY\n")  # a results path with newlines
os.makedirs(resdir)
a = os.path.join(resdir, "a.h5")
shutil.copy(os.path.join(good, "no-block-seed1-run0.h5"), a)
rewrite(a)
b = os.path.join(resdir, "b.h5")
shutil.copy(a, b)

plots = os.path.join(tmp, "plots")
p = run(["plot", a, "-o", plots])
check(p.returncode == 0, "plot of a file with hostile names: exit 0", p.stderr)
no_canary("plot")
gp_by_hand(plots, "plot")
no_canary("plot's scripts by hand")
dat_columns(plots, "plot")
# the legend shows the hostile display names: HOSTILE[6] "sp ace" as /app_label[6]
# "Lsp ace", quoted as one header field of primary.dat (quote_gp_data: "...")
head = [l for l in open(os.path.join(plots, "primary.dat"), encoding="utf-8", errors="replace")
        if not l.startswith("#")][0]
check('"Lsp ace"' in head and '"sp ace"' not in head,
      "plot: the .dat header names the apps by their (hostile) display names", head)
# HOSTILE[0] "wa`touch CANARY`" as /vpn_label[0]: "Lwa`touch CANARY`"
head = [l for l in open(os.path.join(plots, "vpn.dat"), encoding="utf-8", errors="replace")
        if not l.startswith("#")][0]
check(head.split('"')[3] == "Lwa`touch CANARY`", "plot: vpn.dat names the protocols by their display names", head)
gp = os.path.join(plots, "primary.gp")  # (missing if plot failed: checked above; go on)
script = open(gp, encoding="utf-8").read() if os.path.exists(gp) else ""
check(all("\n" not in l and not l.lstrip().startswith("!") for l in script.split("\n")) and
      "set label (''.\"'\".';system('.\"'\".'touch CANARY'.\"'\".')# '.\"'\".'.system('" in script,
      "plot: the event label is made of single-quoted constants, no line starts with '!'", script[:2000])

cmp_dir = os.path.join(tmp, "compare")
p = run(["compare", a, b, "-o", cmp_dir])
check(p.returncode == 0, "compare of two files with hostile names: exit 0", p.stderr)
no_canary("compare")
gp_by_hand(cmp_dir, "compare")
no_canary("compare's scripts by hand")
dat_columns(cmp_dir, "compare")
diffs = os.path.join(cmp_dir, "differences.txt")
diff = open(diffs, encoding="utf-8", errors="replace").read() if os.path.exists(diffs) else ""
ctrl = [c for c in diff if (ord(c) < 32 and c != "\n") or ord(c) == 127]
check(not ctrl and not any(l.startswith("!touch") for l in diff.split("\n")) and "tg\\n!touch CANARY" in diff,
      "compare: differences.txt shows the names with control characters escaped", diff[:1500])

p = run(["info", a])
ctrl = [c for c in p.stdout if (ord(c) < 32 and c != "\n") or ord(c) == 127]
check(p.returncode == 0 and not ctrl and not any(l.startswith("!touch") for l in p.stdout.split("\n"))
      and "\\x1b[31m,\\n!touch CANARY" in p.stdout and "res\\n!touch CANARY" in p.stdout,
      "info: names with control characters escaped (\\x1b, \\n), none raw", repr(p.stdout[:1500]))

# ---- plot SWEEPDIR: hostile parameter names in summary.txt -----------------
for np_, params in ((1, ["'.system('touch${IFS}CANARY').'"]),
                    (2, ['".system("touch${IFS}CANARY")."', "$(touch${IFS}CANARY)'"]),
                    (3, ["a'b", "`touch${IFS}CANARY`", "'.system('touch${IFS}CANARY').'"])):
    sweep = os.path.join(tmp, f"sweep{np_}")
    os.makedirs(sweep)
    with open(os.path.join(sweep, "summary.txt"), "w") as fh:
        fh.write("# point " + " ".join(params) +
                 " n x`touch${IFS}CANARY`_mean x_sd x_ci95_low x_ci95_high\n")
        for k in range(4):
            fh.write(f"{k} " + " ".join(str(0.1 * (k + j)) for j in range(np_)) +
                     f" 2 {0.5 + k / 10} 0.1 {0.4 + k / 10} {0.6 + k / 10}\n")
    p = run(["plot", sweep])
    check(p.returncode == 0, f"plot SWEEPDIR, {np_} hostile parameter name(s): exit 0", p.stderr)
    no_canary(f"plot SWEEPDIR ({np_})")
    gp_by_hand(os.path.join(sweep, "plots"), f"plot SWEEPDIR ({np_})")
    no_canary(f"plot SWEEPDIR ({np_}) by hand")
sweep = os.path.join(tmp, "sweep-slash")
os.makedirs(sweep)
with open(os.path.join(sweep, "summary.txt"), "w") as fh:
    fh.write("# point p n ../../x_mean x_sd x_ci95_low x_ci95_high\n0 1 2 3 4 5 6\n")
p = run(["plot", sweep])
check(p.returncode == 2 and not glob.glob(os.path.join(tmp, "*.gp")),
      "plot SWEEPDIR: a number named '../../x' (it names files): exit 2, nothing written outside",
      p.stderr + repr(glob.glob(os.path.join(tmp, "*.gp"))))

# ---- a configuration with printable hostile names: accepted, run, plotted --
tiny = open(os.path.join(SRC, "bench", "sweep-tiny.cfg")).read()
ok_cfg = os.path.join(tmp, "printable.cfg")
with open(ok_cfg, "w") as fh:
    # the blocked app's name goes into the event labels of every script
    fh.write(tiny.replace('name = "a";', 'name = "\x27.system(\x27touch CANARY\x27).\x27";')
             .replace('name = "b";', "name = \"\\\";system(\\\"touch CANARY\\\")#'\";")
             .replace('apps = ["a"]', 'apps = ["\x27.system(\x27touch CANARY\x27).\x27"]')
             .replace('installed = 0.9;', "label = \"'.system('touch CANARY').'\"; installed = 0.9;")
             .replace('name = "r";', 'name = "$(touch CANARY) r";'))
p = run(["run", ok_cfg, "-o", os.path.join(tmp, "printable"), "--quiet"])
check(p.returncode == 0, "a configuration with printable hostile names runs", p.stderr)
h5 = glob.glob(os.path.join(tmp, "printable", "*.h5"))
p = run(["plot", h5[0] if h5 else "missing.h5", "-o", os.path.join(tmp, "printable-plots")])
check(p.returncode == 0, "and plots: exit 0", p.stderr)
gp_by_hand(os.path.join(tmp, "printable-plots"), "its scripts")
no_canary("a configuration with printable hostile names")
# app a's hostile label names it in the legend and in the event's label
# ("block" and the label, each ' of it spliced as "'": quote_gp); app b has
# no label: its name
pgp = os.path.join(tmp, "printable-plots", "primary.gp")
pdat = os.path.join(tmp, "printable-plots", "primary.dat")
pgp = open(pgp, encoding="utf-8").read() if os.path.exists(pgp) else ""
pdat = open(pdat, encoding="utf-8").read() if os.path.exists(pdat) else ""
check("\"'.system('touch CANARY').'\" \"';system('touch CANARY')#'\"" in pdat
      and "set label ('block '.\"'\".'.system('.\"'\".'touch CANARY'.\"'\".').'.\"'\".'') at" in pgp,
      "a hostile label: in the .dat header (quoted) and the event's label (quoted), b by its name",
      pdat[:400] + "\n" + "\n".join(l for l in pgp.split("\n") if l.startswith("set label")))
# reproduce: a manifest of that configuration whose paper has a printable
# hostile name (a figure's name is a word: it names files); every script it
# wrote run by hand too
manifest = os.path.join(tmp, "paper.cfg")
with open(manifest, "w") as fh:
    fh.write("paper = \"$(touch CANARY)';system('touch CANARY')#\";\n"
             f'figures = ( {{ name = "one"; scenario = "{ok_cfg}"; seed = 3; plot = "primary"; }} );\n')
p = run(["reproduce", manifest, "-o", os.path.join(tmp, "printable-paper"), "--quiet"])
check(p.returncode == 0, "reproduce of a manifest with printable hostile names: exit 0", p.stderr)
gps = sorted({os.path.dirname(g) for g in glob.glob(os.path.join(glob.escape(os.path.join(tmp, "printable-paper")),
                                                                  "**", "*.gp"), recursive=True)})
check(bool(gps), f"reproduce wrote gnuplot scripts ({len(gps)} folder(s))")
for d in gps:
    gp_by_hand(d, "reproduce's scripts")
no_canary("reproduce with printable hostile names")

# ---- configurations with names outside the rule: exit 2 --------------------
bad = {
    "app name with a newline": ('name = "a";', 'name = "a\\n!touch CANARY";', "apps.[0].name"),
    "region name with an escape": ('name = "r";', 'name = "r\\x1b[31m";', "regions.[0].name"),
    "isp name not UTF-8": ('name = "isp";', 'name = "isp\\xff";', "regions.[0].isps.[0].name"),
    "vpn name of 32 bytes": ('name = "wg";', 'name = "' + "w" * 32 + '";', "vpns.[0].name"),
    "event apps with a newline": ('apps = ["a"]', 'apps = ["a", "b\\n!touch CANARY"]', "events.[0].apps"),
    "scenario named ..": ('name = "sweep-tiny";', 'name = "..";', "scenario.name"),
    "scenario named a/b": ('name = "sweep-tiny";', 'name = "a/b";', "scenario.name"),
}
for what, (old, new, path) in bad.items():
    cfg = os.path.join(tmp, "bad.cfg")
    with open(cfg, "w") as fh:
        fh.write(tiny.replace(old, new, 1))
    out = os.path.join(tmp, "bad-out")
    p = run(["run", cfg, "-o", out, "--quiet"])
    check(p.returncode == 2 and re.search(r"bad\.cfg:\d+: " + re.escape(path) + ": ", p.stderr)
          and not os.path.exists(out), f"config: {what}: exit 2, file:line: {path}: message, nothing run",
          p.stderr)
    no_canary(f"config: {what}")

# ---- sweeps: names and paths, --slurm --------------------------------------
tiny_cfg = os.path.join(SRC, "bench", "sweep-tiny.cfg")


def sweep_cfg(name_line, path):
    cfg = os.path.join(tmp, "s.cfg")
    with open(cfg, "w") as fh:
        fh.write(f'{name_line}scenario = "{tiny_cfg}";\nseed = 1;\nreplications = 2;\n'
                 'collect = ["final_vpn_share"];\n'
                 f'parameters = ( {{ path = "{path}"; values = [0.2, 0.5]; }} );\n')
    return cfg


results_dir = os.path.join(tmp, "cwd")
os.makedirs(results_dir)
p = run(["sweep", sweep_cfg('name = "..";\n', "population.retry"), "--slurm"], cwd=results_dir)
check(p.returncode == 2 and re.search(r"s\.cfg:1: name: ", p.stderr) and not os.listdir(results_dir),
      "sweep named '..': exit 2, file:line: name: message, nothing written", p.stderr)
p = run(["sweep", sweep_cfg("", "apps.a\\n!touch CANARY.bass_q"), "--slurm", "-o", os.path.join(tmp, "pp")])
check(p.returncode == 2 and re.search(r"s\.cfg:\d+: parameters\.\[0\]\.path: ", p.stderr)
      and not os.path.exists(os.path.join(tmp, "pp")),
      "sweep parameter path with a newline: exit 2, file:line: path: message", p.stderr)

for what, bad in (("a newline", os.path.join(tmp, "dir\nwith newline")),
                  ("a backslash", os.path.join(tmp, "dir\\with backslash"))):
    p = run(["sweep", sweep_cfg("", "population.retry"), "--slurm", "-o", bad])
    check(p.returncode == 2 and not os.path.exists(bad),
          f"sweep --slurm -o a folder with {what}: exit 2, no folder, no script", p.stderr)


stubs = os.path.join(tmp, "stubs")  # touch, and mpirun, sbatch, srun that record their arguments
os.makedirs(stubs)
os.symlink(shutil.which("touch"), os.path.join(stubs, "touch"))
for stub in ("mpirun", "sbatch", "srun"):
    with open(os.path.join(stubs, stub), "w") as fh:
        fh.write('#!/bin/bash\nprintf \'%s\\0\' "${0##*/}" "$@" >> "$RECORD"\n')
    os.chmod(os.path.join(stubs, stub), 0o755)

# "it's": the quoting must hold a '; the other would run unquoted
for odd in (os.path.join(tmp, "it's a dir"), os.path.join(tmp, "$(touch CANARY) `touch CANARY` dir"),
            os.path.join(tmp, 'q"uo#te 50% ; touch CANARY')):
    p = run(["sweep", sweep_cfg("", "population.retry"), "--slurm", "-o", odd], cwd=tmp)  # its cd
    sb = os.path.join(odd, "sweep.sbatch")
    what = f"sweep --slurm -o {os.path.basename(odd)!r}"
    check(p.returncode == 0 and os.path.exists(sb), what + ": a script", p.stderr)
    if not os.path.exists(sb):
        continue
    text = open(sb, encoding="utf-8").read()
    p = subprocess.run(["bash", "-n", sb], capture_output=True, text=True)
    check(p.returncode == 0, what + ": bash -n accepts the script", p.stderr)
    lines = text.split("\n")
    odd_lines = [l for l in lines if l and not l.startswith("#") and
                 not re.match(r"(set -euo pipefail|export OMP_NUM_THREADS=1|cd '|mpirun |as_root=\(\)$|"
                              r"if \[ \"\$EUID\" -eq 0 \]; then as_root=\(--allow-run-as-root\); fi$)", l)]
    check(not odd_lines and lines[0] == "#!/bin/bash",
          what + ": every line is a comment, a known command or blank", "\n".join(odd_lines))
    # only touch (an injected "touch CANARY" would work) and the stubs on PATH
    record = os.path.join(tmp, "record")
    if os.path.exists(record):
        os.unlink(record)
    p = subprocess.run(["/bin/bash", sb], capture_output=True, text=True, cwd=tmp,
                       env={"PATH": stubs, "HOME": tmp, "RECORD": record})
    calls = open(record).read().split("\0")[:-1] if os.path.exists(record) else []
    ntasks = [d[0].split("=")[1] for d in sbatch.directives(text) if d[0].startswith("--ntasks=")]
    want = ["mpirun"] + (["--allow-run-as-root"] if os.geteuid() == 0 else []) + \
        ["--oversubscribe", "--bind-to", "none", "-np", str(int(ntasks[0]) + 1) if ntasks else "?",
         os.path.realpath(BIN), "sweep", os.path.realpath(os.path.join(tmp, "s.cfg")),
            "-o", os.path.realpath(odd), "--mpi", "--resume"]
    check(p.returncode == 0 and calls == want,
          what + ": run by hand, it calls mpirun alone, with the sweep's exact arguments",
          f"exit {p.returncode} {p.stderr}\ncalled: {calls!r}\nwanted: {want!r}")
    no_canary(what + ": run by hand")
    directives = sbatch.directives(text)
    out_dir = os.path.realpath(odd).replace("%", "%%")
    check(all(len(d) == 1 for d in directives) and ["--job-name=bs-s"] in directives
          and [f"--output={out_dir}/slurm-%j.out"] in directives,
          what + ": sbatch reads one word an #SBATCH line, the job name and the output folder whole",
          repr(directives))

finish(tmp)
