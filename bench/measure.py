"""Run one command and report its wall time and peak memory (max RSS) as JSON on the last line.

Each measured command runs as the only child of this process, so RUSAGE_CHILDREN's max RSS is that
command's own peak, not the benchmark driver's."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    command = sys.argv[1:]
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 3),
                "peak_mib": round(peak_kib / 1024, 1),
                "returncode": completed.returncode,
                "stdout": completed.stdout[-2000:],
                "stderr": completed.stderr[-2000:],
            }
        )
    )


if __name__ == "__main__":
    main()
