"""Time and memory of every file in the hostile upload corpus (benchmarks/hostile.py).

    python -m benchmarks.uploads [--only NAME]

Each file is written to a temporary folder and imported by a fresh process that has
already loaded the province layer, the import code and the file's bytes, as a running
server has; it prints what the import did (rows accepted, or the message it was refused
with), the seconds it took and its peak memory above the memory in use before it began.
The target (issue #20): every file refused or imported in at most 3 s, with at most 150 MB
above that baseline.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.hostile import CORPUS

TARGET_S, TARGET_MB = 3.0, 150.0
#: A child that goes past these is stopped: the corpus must not take the machine down.
TIMEOUT_S, MEMORY_CAP = 120, 6 * 1024**3


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

_CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from geo import importers, layers
from geo.errors import IncidentDataError
provinces = layers.load_provinces()
path = Path(sys.argv[1])
data = path.read_bytes()
# the baseline is the memory in use now (not the peak so far, which loading may have set)
base = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024
t0 = time.perf_counter()
try:
    result = importers.import_file(path.name, data, provinces=provinces)
    outcome = (f"{result.n_accepted:,} accepted, {result.n_rejected:,} rejected, "
               f"{len(result.report.problems):,} problems listed")
except IncidentDataError as exc:
    outcome = "refused: " + str(exc).splitlines()[0][:90]
took = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"bytes": len(data), "seconds": took, "above_mb": (peak - base) / 1024,
                  "outcome": outcome}))
"""


def measure(name: str, folder: Path) -> dict:
    """One corpus file, written to ``folder`` and imported by a fresh process; its figures."""
    filename, data = CORPUS[name]()
    path = folder / filename
    path.write_bytes(data)
    try:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                             text=True, timeout=TIMEOUT_S, check=False,
                             preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        return {"bytes": len(data), "seconds": TIMEOUT_S, "above_mb": float("nan"),
                "outcome": f"did not finish in {TIMEOUT_S} s"}
    finally:
        path.unlink()
    if out.returncode:
        last = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
        return {"bytes": len(data), "seconds": float("nan"), "above_mb": float("nan"),
                "outcome": "CRASHED: " + last[:90]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="one corpus entry, by name")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(CORPUS)
    print(f"{'file':<28}{'MB':>6}{'s':>7}{'MB above':>10}  outcome")
    over = 0
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(name, measure(name, Path(tmp))) for name in names]
    for name, r in rows:
        ok = r["seconds"] <= TARGET_S and r["above_mb"] <= TARGET_MB
        over += not ok
        print(f"{name:<28}{r['bytes'] / 1e6:>6.1f}{r['seconds']:>7.2f}{r['above_mb']:>10.0f}  "
              f"{'' if ok else 'OVER TARGET · '}{r['outcome']}", flush=True)
    print(f"target: ≤ {TARGET_S:g} s and ≤ {TARGET_MB:g} MB above the baseline each; "
          f"{len(names) - over} of {len(names)} within it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
