#!/usr/bin/env python3
"""blockshift testbed SCENARIO --replay: the timeline in miniature, read with h5py.

  - the default scenario (WhatsApp blocked on 13 Aug 2025, MAX pre-installed on
    1 Sep, FaceTime blocked on 4 Dec) replays as four phases, each sampled on
    its last day, in the layout of a run (/day holds those days);
  - every phase has all the testbed's people by first choice; a call attempt
    is completed or failed; before the first block no call fails; after
    WhatsApp's block most WhatsApp calls fail in the packets ("User not
    available") and the boxes drop packets; after FaceTime's block FaceTime's
    people and border load shrink from the phase before it;
  - the first choices follow the national run's shares of the same day;
  - the no-block counterfactual: no call fails and the boxes drop nothing;
  - the same seed gives identical datasets; `blockshift plot` draws the six
    figures of a run from it, and the calls by outcome per phase;
  - bad input: --replay with --calibration-out, a scenario without a network,
    a phase too short for a call: exit 2, named, nothing written.

Run as: replay.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


# Under the sanitizers (tests/sanitize.sh), where ns-3 runs about 17 times
# slower, fewer people and shorter calls; the statistical check is looser.
SANITIZED = os.environ.get("BLOCKSHIFT_SANITIZED") == "1"
USERS, CALLS = (8, 1) if SANITIZED else (24, 2)
SMALL = ["--set", "population.scale=14600.0", "--set", f"testbed.replay_users={USERS}",
         "--set", f"testbed.replay_calls={CALLS}",
         "--set", 'testbed.call_seconds="%s"' % ("1s" if SANITIZED else "3s"),
         "--set", 'testbed.phase_seconds="%s"' % ("10s" if SANITIZED else "15s"), "--quiet"]


def replay(scenario, out, *extra):
    return subprocess.run([BIN, "testbed", os.path.join(SRC, "scenarios", scenario), "--replay",
                           "-o", out, *SMALL, *extra], capture_output=True, text=True, cwd=SRC)


tmp = tempfile.mkdtemp(prefix="bs-replay-")
runs = []
for k in range(2):
    d = os.path.join(tmp, f"r{k}")
    p = replay("whatsapp-then-facetime.cfg", d)
    if p.returncode:
        print(p.stderr)
    check(p.returncode == 0, f"replay of the default scenario, run {k}: exit 0")
    runs.append(os.path.join(d, "whatsapp-then-facetime-replay-seed1.h5"))
f = h5py.File(runs[0], "r")
apps = [a.decode() for a in f["/app"][:]]
wa, ft = apps.index("whatsapp"), apps.index("facetime")
days = list(f["/day"][:])
epoch = f["/day"].attrs["epoch"]
epoch = np.datetime64(epoch.decode() if isinstance(epoch, bytes) else epoch)
dates = [str(epoch + np.timedelta64(int(d), "D")) for d in days]
check(dates == ["2025-08-12", "2025-08-31", "2025-12-03", "2026-02-28"],
      f"four phases, each sampled on its last day (the day before the next event, the last day): {dates}")
check(list(f["/testbed/replay/phase_start"][:]) == [0, 43, 62, 156], "phase starts: day 0 and the events' days")
prim = f["/population/primary"][:]
check(prim.shape == (4, len(f["/region"]), len(apps)) and (prim.sum(axis=(1, 2)) == USERS).all(),
      f"/population/primary [day][region][app]: the {USERS} people in every phase")
att, comp, fail = (f["/calls/" + k][:] for k in ("attempted", "completed", "failed"))
check((att == comp + fail).all() and (att.sum(axis=1) >= USERS * CALLS).all(),
      f"every attempt completed or failed; at least {CALLS} a person a phase (retries add)")
check(fail[0].sum() == 0, "before the first block no call fails")
# Some WhatsApp calls must be tried after its block, or there is nothing to
# fail (and nothing to drop): an empty phase does not pass.
check(att[1, wa] > 0 and fail[1, wa] >= 0.5 * att[1, wa],
      f"after WhatsApp's block some of its calls are tried and most fail in the packets "
      f"({fail[1, wa]:.0f} of {att[1, wa]:.0f})")
check(f["/censor/dropped"][1].sum() > 0 and f["/censor/dropped"][0].sum() == 0,
      "the boxes drop packets once a block is in force, not before")
check(prim[3, :, ft].sum() <= prim[2, :, ft].sum() and
      f["/network/border_app"][3, ft] <= f["/network/border_app"][2, ft],
      "after FaceTime's block: fewer FaceTime people and less FaceTime on border links")
check(fail[:, [a for a in range(len(apps)) if a not in (wa, ft)]].sum() <= 0.1 * att.sum(),
      "calls on the apps left alone mostly complete")
# The first choices follow the national shares: compare with a national run.
nat_dir = os.path.join(tmp, "nat")
p = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg"), "-o", nat_dir,
                    "--set", "population.scale=14600.0", "--quiet"], capture_output=True, text=True, cwd=SRC)
with h5py.File(os.path.join(nat_dir, "whatsapp-then-facetime-seed1-run0.h5"), "r") as n:
    nat = n["/population/primary"][:].sum(axis=1)[days]
nat_share = nat / nat.sum(axis=1, keepdims=True)
rep_share = prim.sum(axis=1) / USERS
check(p.returncode == 0 and np.abs(nat_share - rep_share).max() < (0.5 if SANITIZED else 0.3),
      f"first choices follow the national run's shares (largest gap {np.abs(nat_share - rep_share).max():.2f})")
for k in ("/network/link_carried", "/network/border_app", "/network/border_total", "/censor/inspected"):
    check(f[k].dims[0].label == "day" and (f[k][:] >= 0).all(), f"{k}: a row per phase, loads >= 0")
check((f["/network/border_vpn"][:] <= f["/network/border_total"][:] + 1e-9).all() and
      f["/network/border_vpn"][:].max() > 0, "tunnels carry a part of the border load")
g = h5py.File(runs[1], "r")
same = all(np.array_equal(f[k][()], g[k][()]) for k in (
    "/population/primary", "/population/vpn_users", "/calls/attempted", "/calls/failed", "/network/link_carried",
    "/network/border_app", "/censor/inspected", "/censor/dropped"))
check(same, "the same seed: identical datasets")
g.close()

fig = os.path.join(tmp, "fig")
p = subprocess.run([BIN, "plot", runs[0], "-o", fig], capture_output=True, text=True, cwd=SRC)
pngs = sorted(x for x in os.listdir(fig) if x.endswith(".png")) if os.path.isdir(fig) else []
check(p.returncode == 0 and pngs == ["border.png", "calls.png", "censor.png", "failed.png", "links.png", "primary.png",
                                     "vpn.png"],
      f"blockshift plot draws the six figures of a run and the calls by outcome: {pngs}")
# calls.dat: per phase the completed, failed and abandoned calls, summed over
# the apps as h5py reads them
with open(os.path.join(fig, "calls.dat")) as fh:
    got = [[float(v) for v in line.split()[1:]] for line in fh if line[:1].isdigit()]
with h5py.File(runs[0], "r") as f:
    want = np.column_stack([f["/calls/completed"][()].sum(axis=1), f["/calls/failed"][()].sum(axis=1),
                            f["/calls/abandoned"][()]])
check(np.array_equal(np.array(got), want), f"calls.dat: completed, failed, abandoned per phase: {got}")
with open(os.path.join(fig, "primary.dat")) as fh:
    rows = [line.split()[0] for line in fh if line[:1].isdigit()]
check(rows == dates, f"the figures' rows are the phases' days: {rows}")

p = replay("no-block.cfg", os.path.join(tmp, "nb"))
with h5py.File(os.path.join(tmp, "nb", "no-block-replay-seed1.h5"), "r") as nb:
    check(p.returncode == 0 and nb["/calls/failed"][:].sum() == 0 and nb["/censor/dropped"][:].sum() == 0,
          "no-block: no call fails, the boxes drop nothing")

# Bad input.
nonet = os.path.join(tmp, "nonet.cfg")
with open(nonet, "w") as fh:
    fh.write('scenario = { name = "x"; start = "2025-01-01"; end = "2025-01-05"; };\n'
             'regions = ( { name = "r"; population = 10.0; isps = ( { name = "m"; share = 1.0; } ); } );\n'
             'apps = ( { name = "a"; } );\n')
scen = os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg")
bad = [
    ([scen, "--replay", "--calibration-out", os.path.join(tmp, "c.cfg"), "-o", os.path.join(tmp, "b1")],
     "do not go together"),
    ([nonet, "--replay", "-o", os.path.join(tmp, "b2")], "network"),
    ([scen, "--replay", "--set", 'testbed.phase_seconds="10s"', "-o", os.path.join(tmp, "b3")],
     "testbed.phase_seconds"),
    ([scen, "--replay", "--set", "testbed.replay_users=2000", "--set", "testbed.replay_calls=6",
      "-o", os.path.join(tmp, "b4")], "testbed.replay_calls"),
]
for args, needle in bad:
    p = subprocess.run([BIN, "testbed", *args], capture_output=True, text=True, cwd=SRC)
    out_dir = args[args.index("-o") + 1]
    written = os.path.exists(out_dir) and os.listdir(out_dir)
    check(p.returncode == 2 and needle in p.stderr and not written and p.stdout == "",
          f"bad input ({needle}): exit 2, named, nothing written")

f.close()
subprocess.run(["rm", "-rf", tmp])
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
