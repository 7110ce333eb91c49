"""End to end: the results do not depend on the number of threads.

usage: threads.py BLOCKSHIFT_BIN SOURCE_DIR

The population engine runs its blocks of 65,536 agents in parallel, each
block with its own tallies, every draw keyed by (agent, day, purpose)
(models/population/population.c).  A run
of the default scenario's country (configs/*/russia*) at 260 people per
agent has about 560,000 agents: 9 blocks, more than the threads, so that
with 2 or 4 threads each thread takes several blocks, in an order that
depends on the scheduling.  Ten days with WhatsApp blocked on the fourth, so
that calls fail, agents move, adopt and take VPNs.  The same run under
OMP_NUM_THREADS=1, 2 and 4 must give the same file, every dataset and
attribute bit for bit (tests/tools/same_results.py; it leaves out only when,
where and by which build the file was made).

Checks: the run logs at least 8 blocks' worth of agents (BLOCKSHIFT_LOG
population=info, "N agents"); calls failed after the block (the streams that
decide failures and moves were used); 2 threads = 1 thread; 4 threads = 1
thread.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py

BIN, SRC = sys.argv[1], sys.argv[2]
BLOCK = 65536
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


tmp = tempfile.mkdtemp(prefix="bs-threads-")
cfg = os.path.join(tmp, "threads.cfg")
# libconfig reads @include relative to the including file's folder.
rel = os.path.relpath(os.path.join(SRC, "configs"), tmp)
with open(cfg, "w") as out:
    for part in ("populations/russia", "apps/russia-2025", "vpn/protocols", "censor/tspu",
                 "calibration/tspu", "networks/russia"):
        out.write(f'@include "{rel}/{part}.cfg"\n')
    out.write('scenario = { name = "threads"; start = "2025-08-10"; end = "2025-08-20"; seed = 3; };\n'
              'events = ( { date = "2025-08-13"; action = "block"; apps = ["whatsapp"];\n'
              '             classes = ["voice", "video"]; technique = "stun"; } );\n')


def run(threads):
    out = os.path.join(tmp, f"t{threads}")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), BLOCKSHIFT_LOG="population=info")
    p = subprocess.run([BIN, "run", cfg, "-o", out, "--scale", "260"], cwd=SRC,
                       capture_output=True, text=True, env=env)
    check(p.returncode == 0, f"exit 0 with OMP_NUM_THREADS={threads}")
    if p.returncode != 0:
        print(p.stderr)
    m = re.search(r"(\d+) agents", p.stderr)
    return os.path.join(out, "threads-seed3-run0.h5"), int(m.group(1)) if m else 0


one, agents = run(1)
check(agents >= 8 * BLOCK, f"{agents} agents: at least 8 blocks of {BLOCK}")
with h5py.File(one, "r") as f:
    failed = f["/calls/failed"][:].sum()
check(failed > 0, f"calls failed after the block ({failed:.0f})")
for threads in (2, 4):
    other, _ = run(threads)
    p = subprocess.run([sys.executable, os.path.join(SRC, "tests", "tools", "same_results.py"), one, other],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout[-3000:], p.stderr[-3000:])
    check(p.returncode == 0, f"OMP_NUM_THREADS={threads}: every dataset the same as with 1 thread")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
