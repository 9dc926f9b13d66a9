"""Ratios leafgrad / PyTorch on the reference workloads (../shared/bench), in one process.

    python benchmarks/run.py                       # every workload
    python benchmarks/run.py tiny_chain matmul_chain

The workloads and the alternating timer live in the shared bench folder
(``LEAFGRAD_BENCH`` overrides where it is); this script only runs its --compare mode
with leafgrad importable, and prints one line per workload.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("LEAFGRAD_BENCH", ROOT.parent / "shared" / "bench"))


def main(names: list[str]) -> int:
    runner = BENCH / "run.py"
    if not runner.exists():
        print(f"no reference workloads at {BENCH} (set LEAFGRAD_BENCH)", file=sys.stderr)
        return 1
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE",
                                                            "OPENBLAS_L2_SIZE")}
    env["PYTHONPATH"] = str(ROOT / "src")
    for name in names or ["all"]:
        proc = subprocess.run(
            [sys.executable, str(runner), "--compare", "leafgrad", "torch", "--workload", name],
            env=env, capture_output=True, text=True,
        )
        for line in proc.stdout.splitlines():
            if line.startswith("{"):
                r = json.loads(line)
                if "ratio" in r:
                    print(f"{r['workload']:20s} leafgrad/torch = {r['ratio']:.2f}   "
                          f"({r['median_a_s'] * 1e3:.3f} ms vs {r['median_b_s'] * 1e3:.3f} ms)")
        if proc.returncode:
            print(proc.stderr[-2000:], file=sys.stderr)
            return proc.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
