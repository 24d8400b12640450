"""Locust scenarios for bench/throughput.py (run by it, headless, against `python -m local.run`).

    locust -f bench/locust/locustfile.py --headless --host http://127.0.0.1:8000 -u 10 -r 10 -t 20s OfficesReader

OfficesReader: GET /v1/offices?province_code=01 (a public read, one Query).

Registrant: one Form 01 the way the app makes it, each a real create (201), never a refusal:
  1. GET /v1/auth/captcha — a fresh captcha (an item written, its PNG rendered): every create spends one;
  2. POST /v1/registrations with it, answered with the local run's captcha answer (VSSID_BENCH_CAPTCHA_ANSWER,
     default `local-captcha`, what `make run` accepts), for a person the register knows under that number:
     validation, the captcha spent, the register read and matched, the account and claim checks, the
     transaction, three presigned POSTs.
Each create describes a different person (one live registration per number), taken in turn from
VSSID_BENCH_PARTICIPANTS: a JSON Lines file of participant rows that must be in the local register first —
bench/throughput.py writes synthetic ones (numbers 99…, which no province issues) and loads them with the
record loader (`python -m cli.load_records --kind participant FILE`, against the moto server). When the
rows run out the user stops. Locust lists both requests, and the pair as `Form 01: captcha + create`
(type FORM01, its time from the captcha request to the create's answer): that row is the scenario's figure.
No think time: each user sends its next request as soon as the last one is answered.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

from locust import HttpUser, constant, task
from locust.exception import StopUser

FORM = {
    "gender": "female", "id_type": "CCCD", "id_issued_on": "2021-04-01",
    "id_issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội", "phone": "0901 234 567",
    "address": "Thử tải (benchmark), dữ liệu tổng hợp", "office_code": "HN-HK",
}
PAIR_TYPE, PAIR_NAME = "FORM01", "Form 01: captcha + create"
_people: Iterator[dict[str, Any]] | None = None


def next_person() -> dict[str, Any] | None:
    """The next register row nobody has registered yet (locust users are greenlets of one process)."""
    global _people
    if _people is None:
        path = os.environ.get("VSSID_BENCH_PARTICIPANTS")
        if not path:
            raise RuntimeError("VSSID_BENCH_PARTICIPANTS is not set: a JSON Lines file of participant rows loaded "
                               "into the register (bench/throughput.py prepares one)")
        with open(path, encoding="utf-8") as handle:
            _people = iter([json.loads(line) for line in handle if line.strip()])
    return next(_people, None)


def _error_code(response: Any) -> str:
    try:
        return response.json()["error"]["code"]
    except Exception:  # noqa: BLE001 - not the contract's error shape: the status says enough
        return "?"


class OfficesReader(HttpUser):
    wait_time = constant(0)

    @task
    def offices(self) -> None:
        self.client.get("/v1/offices?province_code=01", name="GET /v1/offices?province_code")


class Registrant(HttpUser):
    wait_time = constant(0)
    captcha_answer = os.environ.get("VSSID_BENCH_CAPTCHA_ANSWER", "local-captcha")

    @task
    def register(self) -> None:
        person = next_person()
        if person is None:
            raise StopUser()
        started = time.perf_counter()
        failure: Exception | None = None
        with self.client.get("/v1/auth/captcha", name="GET /v1/auth/captcha", catch_response=True) as reply:
            if reply.status_code == 200:
                captcha_id = reply.json()["captcha_id"]
            else:
                failure = RuntimeError(f"captcha: {reply.status_code} {_error_code(reply)}")
                reply.failure(str(failure))
        if failure is None:
            form = {**FORM, **{name: person[name] for name in ("social_insurance_number", "full_name",
                                                                 "date_of_birth", "id_number")},
                    "captcha_id": captcha_id, "captcha_answer": self.captcha_answer}
            with self.client.post("/v1/registrations", json=form, name="POST /v1/registrations",
                                  catch_response=True) as reply:
                if reply.status_code != 201:  # a refusal is not what this scenario measures
                    failure = RuntimeError(f"create: {reply.status_code} {_error_code(reply)}")
                    reply.failure(str(failure))
        self.environment.events.request.fire(
            request_type=PAIR_TYPE, name=PAIR_NAME, response_time=(time.perf_counter() - started) * 1000,
            response_length=0, exception=failure, context={})
