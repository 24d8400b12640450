"""The password policy's cost per new password: zxcvbn's first import, and one whole check (without the
Argon2 comparisons) for typical and for adversarial passwords of up to 128 characters.

    .venv/bin/python bench/password_strength.py

The adversarial ones are what made unbounded zxcvbn slow (40 characters of "1|!7$@…" took 4 s: every
way of reading them as letters is tried); `chalicelib/domain/password_strength.py` bounds that. Prints
the median and the worst of several runs for each kind, in milliseconds.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 5
L33T = "!$%(+0123456789<@[{|"
CONTEXT = {"username": "0101234567", "full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-12",
           "phone": "+84912000001"}


def main() -> None:
    started = time.perf_counter()
    from chalicelib.domain.password_policy import password_problem

    password_problem("first call imports zxcvbn", **CONTEXT)
    print(f"first check (imports zxcvbn and the common list): {(time.perf_counter() - started) * 1000:.0f} ms")
    rng = random.Random(12)
    kinds = {
        "typical (8-24 characters)": ["CongDan@Demo2026", "Mật khẩu của Hường 2026", "aaaaaaaa", "qwertyuiop",
                                      "VanAn1985!", "kqz7wbm2"],
        "long (128 characters)": [("Trăm năm trong cõi người ta, chữ tài chữ mệnh khéo là ghét nhau. " * 2)[:128],
                                  "ab" * 64, "1234567890" * 12 + "abcdefgh"],
        "adversarial l33t (128 characters)": [(L33T * 7)[:128]] + [
            "".join(rng.choice(L33T + "abeilostx") for _ in range(128)) for _ in range(4)],
    }
    print(f"{'passwords':38} {'median ms':>10} {'worst ms':>10}")
    for kind, passwords in kinds.items():
        times = []
        for password in passwords:
            for _ in range(RUNS):
                start = time.perf_counter()
                password_problem(password, **CONTEXT)
                times.append((time.perf_counter() - start) * 1000)
        print(f"{kind:38} {statistics.median(times):10.1f} {max(times):10.1f}")


if __name__ == "__main__":
    main()
