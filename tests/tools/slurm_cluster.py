"""A private single-node Slurm cluster for a test (tests/e2e/slurm.py).

start(folder) starts munged, slurmctld and slurmd with their own socket,
ports, spool, state and logs in `folder` (nothing under /etc or /run is
touched), and returns (env, stop): env has SLURM_CONF set for sbatch and
sinfo; stop() ends the three daemons by their process ids.  Or it returns
(None, why) when it cannot: Slurm or munge not installed, not root (munged
and slurmd need it here), or the cluster not ready within a minute.
"""
import os
import shutil
import signal
import socket
import subprocess
import time


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid(path):
    try:
        return int(open(path).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid):
    """Whether pid runs (a zombie that nobody reaps has stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def start(folder):
    for tool in ("munged", "slurmctld", "slurmd", "sbatch", "sinfo"):
        if not shutil.which(tool):
            return None, f"Slurm is not installed (no {tool}; apt-get install slurm-wlm)"
    if os.geteuid() != 0:
        return None, "a private Slurm cluster needs root here (munged and slurmd)"
    key = "/etc/munge/munge.key"
    if not os.path.exists(key):
        return None, f"munge has no key ({key})"
    os.makedirs(folder, exist_ok=True)
    os.chmod(folder, 0o700)
    for d in ("state", "spool"):
        os.makedirs(os.path.join(folder, d), exist_ok=True)
    f = lambda name: os.path.join(folder, name)
    host = socket.gethostname().split(".")[0]
    cpus = len(os.sched_getaffinity(0))
    conf = f("slurm.conf")
    with open(conf, "w") as fh:
        fh.write(f"""ClusterName=bstest
SlurmctldHost={host}
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket={f("munge.sock")}
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation={f("state")}
SlurmdSpoolDir={f("spool")}
SlurmctldPidFile={f("slurmctld.pid")}
SlurmdPidFile={f("slurmd.pid")}
SlurmctldLogFile={f("slurmctld.log")}
SlurmdLogFile={f("slurmd.log")}
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName={host} CPUs={cpus} RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
    env = dict(os.environ, SLURM_CONF=conf)
    pids = []

    def stop():
        """SIGTERM each daemon and wait until it is gone (slurmctld saves its
        state into `folder` as it stops: removing the folder before that
        races with it); SIGKILL after 30 s."""
        for p in reversed(pids):
            pid = _pid(p)
            if not pid:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(300):
                if not _alive(pid):
                    break
                time.sleep(0.1)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    munge = subprocess.run(["munged", "--force", f"--socket={f('munge.sock')}",
                            f"--pid-file={f('munged.pid')}", f"--log-file={f('munged.log')}",
                            f"--seed-file={f('munged.seed')}", f"--key-file={key}"],
                           capture_output=True, text=True)
    if munge.returncode != 0:
        return None, "munged would not start: " + munge.stderr.strip()[:200]
    pids.append(f("munged.pid"))
    for daemon, pidfile in (("slurmctld", "slurmctld.pid"), ("slurmd", "slurmd.pid")):
        p = subprocess.run([daemon, "-f", conf], capture_output=True, text=True, env=env)
        if p.returncode != 0:
            stop()
            return None, f"{daemon} would not start: " + p.stderr.strip()[:200]
        pids.append(f(pidfile))
    for _ in range(60):
        q = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=env)
        if q.returncode == 0 and q.stdout.strip() == "idle":
            return env, stop
        time.sleep(1)
    stop()
    return None, "the private Slurm cluster was not ready within a minute"
