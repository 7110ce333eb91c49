"""What the end-to-end tests of issue 16 share: counted checks with the
detail of a failure, and the end (the temporary folder kept on a failure,
the exit code)."""
import shutil
import sys

results = {"passed": 0, "failed": 0}


def check(ok, what, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok and detail:
        print("     " + str(detail).replace("\n", "\n     ")[:3000])


def finish(tmp):
    """Remove tmp when every check passed (else keep it and say so); exit."""
    if results["failed"] == 0:
        shutil.rmtree(tmp)
    else:
        print("kept " + tmp)
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
