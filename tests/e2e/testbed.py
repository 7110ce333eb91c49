#!/usr/bin/env python3
"""blockshift testbed: the packet-level matrix in ns-3, read back with h5py.

  - a reduced matrix of configs/testbeds/tspu.cfg (WhatsApp; no rule, stun,
    vpn; no VPN, OpenVPN, obfuscated) writes /testbed/* with labelled axes;
  - with no rule every call connects and loses nothing; a stun rule fails
    every direct call ("User not available") and none tunnelled through a
    VPN; a vpn rule fails the OpenVPN calls (detectability 0.9 at both ends'
    boxes) and passes most obfuscated ones (0.15);
  - the same seed gives identical datasets;
  - the committed calibration (configs/calibration/tspu.cfg) is what the
    testbed measures now: it is regenerated and compared, comments aside;
  - bad input: no network, an unknown technique, an unknown option: exit 2,
    a message naming the problem, nothing written.

Run as: testbed.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = sys.argv[1], sys.argv[2]
CFG = os.path.join(SRC, "configs", "testbeds", "tspu.cfg")
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


def run(*args):
    return subprocess.run([BIN, "testbed", *args], capture_output=True, text=True, cwd=SRC)


REDUCED = ["--set", 'testbed.apps=["whatsapp"]', "--set", 'testbed.techniques=["stun", "vpn"]',
           "--set", 'testbed.vpns=["openvpn", "obfuscated"]', "--quiet"]
tmp = tempfile.mkdtemp(prefix="bs-testbed-")
outs = []
for k in range(2):
    d = os.path.join(tmp, f"r{k}")
    p = run(CFG, "-o", d, *REDUCED)
    if p.returncode:
        print(p.stderr)
    check(p.returncode == 0, f"reduced matrix, run {k}: exit 0")
    outs.append(h5py.File(os.path.join(d, "tspu-testbed-testbed-seed1.h5"), "r"))
f = outs[0]
cases = [c.decode() for c in f["/dims/case"][:]]
check(len(cases) == 9 and cases[0] == "whatsapp/none/none", f"nine cases, app/technique/vpn: {cases}")
for ds in ("setup_success", "media_loss", "delay", "goodput", "call_rate", "box_passed", "box_dropped",
           "box_policed"):
    x = f["/testbed/" + ds]
    check(x.shape == (9,) and x.dims[0].label == "case" and "units" in x.attrs, f"/testbed/{ds}: [case], units")
check(f["/testbed/link_load"].shape == (9, 24), "/testbed/link_load: [case][link]")
ok = dict(zip(cases, f["/testbed/setup_success"][:]))
loss = dict(zip(cases, f["/testbed/media_loss"][:]))
check(ok["whatsapp/none/none"] == 1 and loss["whatsapp/none/none"] == 0, "no rule: every call connects, no loss")
check(ok["whatsapp/stun/none"] == 0, "stun rule: direct calls fail")
check(ok["whatsapp/stun/openvpn"] == 1 and ok["whatsapp/stun/obfuscated"] == 1,
      "stun rule: calls tunnelled through a VPN connect")
check(ok["whatsapp/vpn/openvpn"] < 0.3, f"vpn rule: OpenVPN calls fail ({ok['whatsapp/vpn/openvpn']:.2f} connect)")
check(ok["whatsapp/vpn/obfuscated"] >= 0.5, f"vpn rule: obfuscated calls mostly pass ({ok['whatsapp/vpn/obfuscated']:.2f})")
check(ok["whatsapp/vpn/none"] == 1, "vpn rule: calls without a VPN are not its concern")
rate = dict(zip(cases, f["/testbed/goodput"][:] / f["/testbed/call_rate"][:]))
check(abs(rate["whatsapp/none/none"] - 1) < 0.05, "no rule: goodput within 5% of the calls' rate")
check(f["/testbed/box_dropped"][cases.index("whatsapp/none/none")] == 0, "no rule: the boxes drop nothing")
check(f["/testbed/box_dropped"][cases.index("whatsapp/stun/none")] > 0, "stun rule: the boxes drop packets")
val = f["/testbed/validation"].attrs
check(f["/testbed/validation/measured"].shape == (2, 24) and f["/testbed/validation/predicted"].shape == (2, 24),
      "/testbed/validation: measured and predicted, [validation][link]")
check(val["max_error_uncongested"] < 0.05,
      f"flow engine against ns-3, uncongested: every link's load within 5% ({100 * val['max_error_uncongested']:.2f}%)")
check(0 <= val["max_error_congested"] < 0.25 and "max-min" in val["description"],
      f"congested: the error is reported and explained ({100 * val['max_error_congested']:.1f}%)")
pred, meas = f["/testbed/validation/predicted"][1], f["/testbed/validation/measured"][1]
check((meas <= pred * 1.01 + 1e3).all(), "congested: no link carries more than the flow engine's max-min load")
same = all(np.array_equal(outs[0]["/testbed/" + ds][()], outs[1]["/testbed/" + ds][()])
           for ds in ("setup_success", "media_loss", "delay", "goodput", "box_passed", "box_dropped", "link_load"))
check(same, "the same seed: identical datasets")

# The committed calibration is current.
calib = os.path.join(tmp, "calib.cfg")
p = run(CFG, "-o", os.path.join(tmp, "full"), "--calibration-out", calib, "--quiet")
check(p.returncode == 0, "full matrix with --calibration-out: exit 0")


def data_lines(path):
    with open(path) as fh:
        return [line for line in fh if not line.startswith("#")]


committed = os.path.join(SRC, "configs", "calibration", "tspu.cfg")
check(os.path.exists(calib) and data_lines(calib) == data_lines(committed),
      "configs/calibration/tspu.cfg matches a fresh measurement (regenerate it with "
      "blockshift testbed configs/testbeds/tspu.cfg --calibration-out configs/calibration/tspu.cfg)")

# Bad input.
nonet = os.path.join(tmp, "nonet.cfg")
with open(nonet, "w") as fh:
    fh.write('scenario = { name = "x"; start = "2025-01-01"; end = "2025-01-02"; };\n'
             'regions = ( { name = "r"; population = 10.0; isps = ( { name = "m"; share = 1.0; } ); } );\n'
             'apps = ( { name = "a"; } );\n')
bad = [
    ([nonet, "-o", os.path.join(tmp, "b1")], "network"),
    ([CFG, "-o", os.path.join(tmp, "b2"), "--set", 'testbed.techniques=["dpi"]'], "testbed.techniques"),
    ([CFG, "-o", os.path.join(tmp, "b3"), "--frobnicate"], "unknown option"),
    ([os.path.join(tmp, "missing.cfg"), "-o", os.path.join(tmp, "b4")], "missing.cfg"),
]
for args, needle in bad:
    p = run(*args)
    out_dir = args[args.index("-o") + 1]
    written = os.path.exists(out_dir) and os.listdir(out_dir)
    check(p.returncode == 2 and needle in p.stderr and not written and p.stdout == "",
          f"bad input ({needle}): exit 2, named, nothing written")

for h5 in outs:
    h5.close()
subprocess.run(["rm", "-rf", tmp])
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
