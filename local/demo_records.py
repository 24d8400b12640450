"""Demo insurance records for the demo citizens of local/seed.py: their BHYT cards, contribution
history, benefits and medical visits, from data/demo/records/<kind>.jsonl through the bulk loader."""

from __future__ import annotations

from pathlib import Path

from chalicelib.domain.record_rows import KINDS
from chalicelib.services.record_loader import LoadReport, load_rows, read_file

DEMO_RECORDS = Path(__file__).resolve().parent.parent / "data" / "demo" / "records"


def load_demo_records() -> list[LoadReport]:
    """Load every demo file (idempotent: a second call writes nothing); one report per kind."""
    return [load_rows(kind, read_file(DEMO_RECORDS / f"{kind}.jsonl")) for kind in KINDS]
