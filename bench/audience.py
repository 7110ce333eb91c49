"""Monthly audience of a run, as audience panels (Mediascope) report it.
usage: /usr/bin/python3 bench/audience.py RESULTS.h5 [APP ...]
For each calendar month of the run and each app (all apps by default):
daily users (the month's mean of /population/daily_users/any, national) and
monthly reach (/population/monthly_reach/any on the month's last simulated
day), in millions of people; also people with the app installed and with it
as first choice for calls at the month's end, and VPN users.  A month the
run does not cover whole is marked "(part)"."""
import datetime as dt
import sys

import h5py

f = h5py.File(sys.argv[1], "r")
dims = "/dims/" if "dims" in f else "/"  # results format 1: /dims/NAME; 2: /NAME
apps = [a.decode() for a in f[dims + "app"][:]]
want = sys.argv[2:] or apps
epoch = f[dims + "day"].attrs["epoch"]
epoch = dt.date.fromisoformat(epoch.decode() if isinstance(epoch, bytes) else epoch)
nat = {k: f["/population/" + k][:].sum(axis=1) for k in
       ("daily_users/any", "monthly_reach/any", "installed", "primary")}
vpn = f["/population/vpn_users" if "vpn_users" in f["/population"] else "/population/vpn"]
vpn = vpn[:].sum(axis=(1, 2))
days = [epoch + dt.timedelta(d) for d in range(vpn.shape[0])]
months = sorted({(d.year, d.month) for d in days})
print("month    app        daily_users_M  monthly_reach_M  installed_M  first_M")
for ym in months:
    idx = [i for i, d in enumerate(days) if (d.year, d.month) == ym]
    whole = days[idx[0]].day == 1 and (days[idx[-1]] + dt.timedelta(1)).day == 1
    for name in want:
        a = apps.index(name)
        print("%d-%02d%s %-10s %13.1f %16.1f %12.1f %8.1f" % (
            ym[0], ym[1], "" if whole else "(part)", name,
            nat["daily_users/any"][idx, a].mean() / 1e6,
            nat["monthly_reach/any"][idx[-1], a] / 1e6,
            nat["installed"][idx[-1], a] / 1e6, nat["primary"][idx[-1], a] / 1e6))
    print("%d-%02d    VPN users at the month's end: %.1fM" % (ym[0], ym[1], vpn[idx[-1]] / 1e6))
