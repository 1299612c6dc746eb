"""Sums a `perf report --sort sym` of the server by crate, for scripts/bench.sh.

Reads the report on stdin and prints one Markdown table row: the profile's name, the
crates that took the most CPU time (kernel time as `kernel`), and the hottest functions.
"""
import re
import sys
from collections import defaultdict

name = sys.argv[1]
by_crate = defaultdict(float)
functions = []
line = re.compile(r"^\s+([\d.]+)%\s+\[(.)\]\s+(.*?)\s*$")
for raw in sys.stdin:
    m = line.match(raw)
    if not m:
        continue
    share, kind, sym = float(m.group(1)), m.group(2), m.group(3)
    if kind == "k":
        crate = "kernel"
    else:
        # `<T as Trait>::f`, `<sqlx_core::…>`, `core::ptr::drop_in_place<…>`: the first
        # path segment of the implementing type or function names the crate.
        s = sym.lstrip("<&*")
        s = re.sub(r"^(dyn |mut |impl )", "", s)
        crate = re.split(r"::|<| ", s, maxsplit=1)[0] or "?"
        if crate.startswith("0x"):
            crate = "unknown"
    by_crate[crate] += share
    functions.append((share, re.sub(r"::h[0-9a-f]{16}$", "", sym)))

crates = sorted(by_crate.items(), key=lambda kv: -kv[1])[:8]
hot = sorted(functions, reverse=True)[:5]
print(
    f"| {name} | "
    + ", ".join(f"{c} {p:.0f}%" for c, p in crates)
    + " | "
    + "; ".join(f"`{f[:70]}` {p:.1f}%" for p, f in hot)
    + " |"
)
