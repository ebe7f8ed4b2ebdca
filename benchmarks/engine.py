"""Engine benchmark: prints load and compute times and peak memory for demo years.

.venv/bin/python benchmarks/engine.py            # 60 and 20,000 units
.venv/bin/python benchmarks/engine.py 1000       # any sizes
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time

from kaohe.demofacts import demo_facts
from kaohe.engine import Facts, compute_year, load_scheme
from kaohe.engine.serialize import result_to_data


def measure(units: int) -> None:
    scheme = load_scheme("district-2014")
    text = json.dumps(demo_facts(scheme, units), ensure_ascii=False)
    gc.collect()
    started = time.perf_counter()
    gc.disable()
    facts = Facts.model_validate_json(text)
    gc.enable()
    gc.freeze()
    loaded = time.perf_counter()
    result = compute_year(scheme, facts)
    computed = time.perf_counter()
    result_to_data(result)
    done = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{units:>6} units {len(facts.findings):>7} findings  "
        f"load {loaded - started:6.2f} s  compute {computed - loaded:6.2f} s  "
        f"to JSON {done - computed:5.2f} s  file {len(text) / 1e6:6.1f} MB  peak RSS {peak_mb:6.0f} MB"
    )


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [60, 20000]:
        measure(size)
