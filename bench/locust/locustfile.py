"""Locust scenarios for bench/throughput.py (run by it, headless, against `python -m local.run`).

    locust -f bench/locust/locustfile.py --headless --host http://127.0.0.1:8000 -u 10 -r 10 -t 20s OfficesReader

OfficesReader: GET /v1/offices?province_code=01 (a public read, one Query). Registrant: POST /v1/registrations
with a fresh social-insurance number each time (Form 01 validation, a transaction, three presigned POSTs).
No think time: each user sends its next request as soon as the last one is answered.
"""

from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, constant, task

_numbers = itertools.count(random.randrange(10_000) * 10_000)
FORM = {
    "full_name": "Nguyễn Thị Hường", "date_of_birth": "1990-05-17", "gender": "female", "id_type": "CCCD",
    "id_issued_on": "2021-04-01", "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "phone": "0901 234 567", "address": "Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội", "office_code": "HN-HK",
}


class OfficesReader(HttpUser):
    wait_time = constant(0)

    @task
    def offices(self) -> None:
        self.client.get("/v1/offices?province_code=01", name="GET /v1/offices?province_code")


class Registrant(HttpUser):
    wait_time = constant(0)
    prefix = os.environ.get("VSSID_BENCH_PREFIX", "9")

    @task
    def register(self) -> None:
        n = next(_numbers)
        form = {**FORM, "social_insurance_number": f"{self.prefix}{n:09d}"[-10:],
                "id_number": f"001190{n % 1_000_000:06d}"}
        self.client.post("/v1/registrations", json=form, name="POST /v1/registrations")
