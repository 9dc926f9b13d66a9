"""Peak memory of an MLP training run, leafgrad against PyTorch, each in a fresh process.

    python benchmarks/memory.py            # 1000 steps of mlp_train
    python benchmarks/memory.py 300

For each library: the resident set after import and set-up, after 10 steps, and its
peak over the whole run (from ``getrusage``), so growth with the step count shows as a
peak far above the 10-step figure. Prints one JSON line per library.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("LEAFGRAD_BENCH", ROOT.parent / "shared" / "bench"))

CHILD = r"""
import importlib, json, resource, sys
sys.path.insert(0, sys.argv[3])
import workloads

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

T = importlib.import_module(sys.argv[1])
steps = int(sys.argv[2])
step = workloads.mlp_train(T)
base = rss_mb()
for _ in range(10):
    step()
after10 = rss_mb()
for _ in range(steps - 10):
    step()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"impl": sys.argv[1], "steps": steps, "setup_mb": round(base, 1),
                  "after_10_steps_mb": round(after10, 1), "end_mb": round(rss_mb(), 1),
                  "peak_mb": round(peak, 1)}))
"""


def main(steps: int) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    for impl in ("leafgrad", "torch"):
        out = subprocess.run([sys.executable, "-c", CHILD, impl, str(steps), str(BENCH)],
                             env=env, capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
