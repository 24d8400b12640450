"""Cold start: importing the Lambda entry point (app.py) in a fresh interpreter, against a bare `import boto3`.

    .venv/bin/python bench/cold_start.py [--runs 7]

Each sample is a new `python -c "import app"` (what the Lambda runtime does first: import the handler
module from the task root) or `python -c "import boto3"`, run alternately so machine load hits both alike,
with a Lambda-like environment: VSSID_STAGE=dev, a region, no credentials, no endpoint, no AWS call at
import. The figure is the median of the runs; `ratio` = app / boto3 (goal ≤ 1.3), both wall-clock and
CPU time of the child (CPU time is steadier on a shared machine). `python -c pass` is the interpreter's own
start, included in both.

Two bytecode conditions:
  * cached — every module has its .pyc (kept in a temporary PYTHONPYCACHEPREFIX, so the tree stays clean);
    a package that ships .pyc files, or a warm container, behaves like this;
  * source — no .pyc anywhere, everything compiled at import. `chalice package` ships our code and the
    dependencies it installs as .py only and /var/task is read-only, so on Lambda each cold start of the
    packaged code pays this for chalicelib and the packaged dependencies.
Then `-X importtime` (cached, min over runs) lists what app.py loads beyond `import boto3`: the top
packages and modules by their own import time.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CASES = {"pass": "pass", "boto3": "import boto3", "app": "import app"}


def lambda_env(pycache: str, write_bytecode: bool) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "LANG": "C.UTF-8", "VSSID_STAGE": "dev", "AWS_DEFAULT_REGION": "ap-southeast-1",
           "AWS_REGION": "ap-southeast-1", "PYTHONPYCACHEPREFIX": pycache}
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def sample(code: str, env: dict[str, str], *extra: str) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, stderr) of one fresh interpreter running `code`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([PYTHON, *extra, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"`{code}` failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr


def measure(runs: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    walls: dict[str, list[float]] = {name: [] for name in CASES}
    cpus: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(runs):
        for name, code in CASES.items():
            wall, cpu, _ = sample(code, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in CASES}


def import_times(code: str, env: dict[str, str], runs: int) -> dict[str, int]:
    """Each module's own import time in µs, the minimum over `runs` (least disturbed by other load)."""
    best: dict[str, int] = {}
    for _ in range(runs):
        _, _, err = sample(code, env, "-X", "importtime")
        for line in err.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
            if match:
                name, own = match.group(3), int(match.group(1))
                best[name] = min(best.get(name, own), own)
    return best


def print_table(label: str, figures: dict[str, tuple[float, float]]) -> None:
    start_wall, start_cpu = figures["pass"]
    boto_wall, boto_cpu = figures["boto3"]
    app_wall, app_cpu = figures["app"]
    print(f"\n{label}")
    print(f"  {'':<16}{'wall ms':>9}{'CPU ms':>9}")
    for name, title in (("pass", "python -c pass"), ("boto3", "import boto3"), ("app", "import app")):
        print(f"  {title:<16}{figures[name][0] * 1000:9.0f}{figures[name][1] * 1000:9.0f}")
    print(f"  {'ratio app/boto3':<16}{app_wall / boto_wall:9.2f}{app_cpu / boto_cpu:9.2f}   (goal ≤ 1.3)")
    print(f"  {'ratio net of start':<16}{(app_wall - start_wall) / (boto_wall - start_wall):7.2f}"
          f"{(app_cpu - start_cpu) / (boto_cpu - start_cpu):9.2f}")


def group(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "chalicelib" else parts[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"cold start: median of {args.runs} fresh interpreters each, {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs (shared machine: compare ratios, not milliseconds)")
    with tempfile.TemporaryDirectory(prefix="vssid-pyc-") as cached_dir, \
            tempfile.TemporaryDirectory(prefix="vssid-nopyc-") as empty_dir:
        cached = lambda_env(cached_dir, write_bytecode=True)
        for code in CASES.values():  # warm-up: writes every .pyc into the temporary prefix
            sample(code, cached)
        print_table("cached bytecode (.pyc present)", measure(args.runs, cached))
        print_table("source only (no .pyc: what the chalice package gives our code on Lambda)",
                    measure(args.runs, lambda_env(empty_dir, write_bytecode=False)))

        app_times = import_times("import app", cached, args.runs)
        boto_times = import_times("import boto3", cached, args.runs)
    extra = {name: own for name, own in app_times.items() if name not in boto_times}
    by_group: Counter[str] = Counter()
    for name, own in extra.items():
        by_group[group(name)] += own
    print(f"\n-X importtime, cached (min of {args.runs}): import app {sum(app_times.values()) / 1000:.0f} ms "
          f"of module code, import boto3 {sum(boto_times.values()) / 1000:.0f} ms; "
          f"app loads {len(extra)} modules boto3 does not, {sum(extra.values()) / 1000:.0f} ms")
    print("  top 10 packages beyond boto3 (own time summed)      top 10 modules beyond boto3 (own time)")
    packages = by_group.most_common(10)
    modules = Counter(extra).most_common(10)
    for (package, p_us), (module, m_us) in zip(packages, modules, strict=False):
        print(f"  {p_us / 1000:6.1f} ms  {package:<38}  {m_us / 1000:6.1f} ms  {module}")
    heavy = ("fpdf", "fontTools", "PIL", "captcha", "segno", "argon2", "phonenumbers", "email_validator",
             "pygeohash", "pypdf", "numpy", "pyotp")
    loaded = sorted({name.split(".")[0] for name in app_times} & set(heavy))
    print(f"\nheavy packages loaded by `import app`: {', '.join(loaded) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
