"""Build chalicelib/data/common-passwords.txt, the list the citizen password policy refuses.

Run once by hand, and again only to change the list; the output is committed and read at run time, so
zxcvbn is never a runtime dependency. zxcvbn goes into a throwaway virtual environment outside the repo:

    python3.11 -m venv /tmp/zx && /tmp/zx/bin/pip install zxcvbn==4.5.0
    /tmp/zx/bin/python tools/build_common_passwords.py            # about 20,000 lines
    /tmp/zx/bin/python tools/build_common_passwords.py --count 30000

The ranking comes from zxcvbn's `passwords` frequency list (MIT licence; the counts were taken from
leaked-password corpora). A short hand-written list of passwords common in Viet Nam goes first, because
the English-language corpora barely see them. Entries are NFC, lower-cased and deduplicated, matching
how `chalicelib.domain.password_policy` compares.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "chalicelib" / "data" / "common-passwords.txt"

# Most common first, as far as one can tell: number runs and repeated lucky digits (8 = phát, 6 = lộc),
# "password" in Vietnamese (mật khẩu), love phrases, place names, and this app's own names.
VIETNAMESE = [
    "123456789",
    "12345678",
    "123456",
    "1234567890",
    "88888888",
    "66666666",
    "11111111",
    "123123123",
    "68686868",
    "matkhau",
    "matkhau123",
    "matkhau1",
    "anhyeuem",
    "emyeuanh",
    "anhyeuem123",
    "emyeuanh123",
    "yeuem",
    "yeuanh",
    "iloveyou",
    "vietnam",
    "vietnam123",
    "vietnam1",
    "hanoi",
    "hanoi123",
    "saigon",
    "saigon123",
    "bhxh123",
    "bhxh@123",
    "baohiemxahoi",
    "vssid123",
    "vssid@123",
]


def entries(count: int, ranked: list[str]) -> list[str]:
    """The hand list, then the ranked list, normalised and deduplicated, cut at `count` lines."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in [*VIETNAMESE, *ranked]:
        word = unicodedata.normalize("NFC", raw.strip().lower())
        # '#' starts a comment in the data file; a password cannot contain a line break.
        if not word or word.startswith("#") or any(c in word for c in "\r\n") or word in seen:
            continue
        seen.add(word)
        out.append(word)
        if len(out) == count:
            break
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="lines to write (default 20,000)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    try:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS
    except ImportError:
        print("zxcvbn is not installed here; see this script's docstring for the throwaway venv.", file=sys.stderr)
        return 1
    from importlib.metadata import version

    ranked = FREQUENCY_LISTS["passwords"]
    if isinstance(ranked, str):  # some releases keep each list as one comma-separated string
        ranked = ranked.split(",")
    words = entries(args.count, list(ranked))
    header = [
        "# Most common passwords, most common first; one per line, NFC, lower-case. Built by",
        f"# tools/build_common_passwords.py from zxcvbn {version('zxcvbn')} frequency_lists 'passwords' (MIT licence,",
        "# counts from leaked-password corpora), with a hand-written list of passwords common in Viet Nam on top.",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join([*header, *words]) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} passwords to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
