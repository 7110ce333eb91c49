#!/usr/bin/python3
"""Variance reduction of common random numbers (models/README.md, section 4).

usage: crn_variance.py BLOCKSHIFT_BIN SOURCE_DIR [R] [SCALE] [DAYS]

The default scenario's country (configs/populations/russia and its apps,
VPN protocols, censor and calibration; no network, so the population engine
alone) for DAYS days (default 60) at SCALE people per agent (default 5000:
about 29,000 agents), with WhatsApp voice and video blocked by STUN from
day 10, and the same without the block.  Replications r = 1..R (default 20)
of each arm, seed 1; for R more runs of the open arm (runs R+1..2R).  For
each summary number S of the last day, the effect of the block in
replication r is
    D_r = S(blocked, run r) - S(open, run s),
with s = r (common random numbers: the same seed and run in both arms) or
s = r + R (independent streams).  Prints, per summary number, the mean
effect, the standard deviation of D both ways and the factor
Var(independent) / Var(common).  The factor's sampling spread: a ratio of
two sample variances of R near-normal values varies as F(R-1, R-1) (for
R = 20, 90% of ratios lie within a factor 0.46 to 2.2 of the true one).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = sys.argv[1], sys.argv[2]
R = int(sys.argv[3]) if len(sys.argv) > 3 else 20
SCALE = sys.argv[4] if len(sys.argv) > 4 else "5000"
DAYS = int(sys.argv[5]) if len(sys.argv) > 5 else 60

tmp = tempfile.mkdtemp(prefix="bs-crn-")
rel = os.path.relpath(os.path.join(SRC, "configs"), tmp)


def config(blocked):
    path = os.path.join(tmp, f"{'blocked' if blocked else 'open'}.cfg")
    with open(path, "w") as out:
        for part in ("populations/russia", "apps/russia-2025", "vpn/protocols", "censor/tspu",
                     "calibration/tspu"):
            out.write(f'@include "{rel}/{part}.cfg"\n')
        end = np.datetime64("2025-08-01") + np.timedelta64(DAYS, "D")
        out.write(f'scenario = {{ name = "crn"; start = "2025-08-01"; end = "{end}"; seed = 1; }};\n')
        if blocked:
            out.write('events = ( { date = "2025-08-11"; action = "block"; apps = ["whatsapp"];\n'
                      '             classes = ["voice", "video"]; technique = "stun"; } );\n')
        else:
            out.write("events = ();\n")
    return path


def summary(cfg, run):
    out = os.path.join(tmp, f"out-{os.path.basename(cfg)}-{run}")
    subprocess.run([BIN, "run", cfg, "-o", out, "--run", str(run), "--scale", SCALE, "--quiet"],
                   check=True, cwd=SRC)
    with h5py.File(os.path.join(out, f"crn-seed1-run{run}.h5"), "r") as f:
        apps = [a.decode() if isinstance(a, bytes) else str(a) for a in f["/app"][:]]  # format 2 (1: /dims/app)
        installed = f["/population/installed"][-1].sum(axis=0)
        primary = f["/population/primary"][-1].sum(axis=0)
        people = f["/population/primary"][-1].sum()
        failed = f["/calls/failed"][:].sum()
    s = {f"{a} first choice (share)": primary[k] / people for k, a in enumerate(apps)}
    s.update({f"{a} installed (people)": installed[k] for k, a in enumerate(apps)})
    s["failed calls, all days"] = failed
    return s


blocked_cfg, open_cfg = config(True), config(False)
blocked = [summary(blocked_cfg, r) for r in range(1, R + 1)]
opened = [summary(open_cfg, r) for r in range(1, 2 * R + 1)]
print(f"{R} replications, scale {SCALE}, {DAYS} days; WhatsApp calls blocked from day 10")
print(f"{'summary number (last day)':40s} {'effect':>12s} {'sd CRN':>11s} {'sd indep':>11s} {'factor':>7s}")
for key in blocked[0]:
    crn = np.array([blocked[r][key] - opened[r][key] for r in range(R)])
    ind = np.array([blocked[r][key] - opened[r + R][key] for r in range(R)])
    vc, vi = crn.var(ddof=1), ind.var(ddof=1)
    factor = vi / vc if vc > 0 else float("inf")
    print(f"{key:40s} {crn.mean():12.4g} {np.sqrt(vc):11.4g} {np.sqrt(vi):11.4g} {factor:7.1f}")
subprocess.run(["rm", "-rf", tmp])
