"""`make run`: the whole system on this machine.

An embedded moto server (Step Functions execution switched on) with every resource of
infra/resources.json created from that file, demo data seeded, the token-queue consumer and an SMS /
e-mail printer running beside it, and the API on http://127.0.0.1:8000 through Chalice's local server.
Ctrl-C stops it all.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.request
from collections.abc import Callable

API_HOST = "127.0.0.1"


def _prepare_environment(moto_port: int) -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"]
    os.environ["MOTO_PORT"] = str(moto_port)  # moto's Step Functions executor calls back on this port
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    os.environ["VSSID_LOCAL_MODE"] = "1"
    os.environ["VSSID_STAGE"] = "local"
    os.environ.setdefault("VSSID_LOCAL_CAPTCHA_ANSWER", "local-captcha")


def _switch_on_step_functions(moto_port: int) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{moto_port}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own loopback server
        response.read()


def _consume(queue_env: str, handle: Callable[[str], object], label: str, stop: threading.Event) -> None:
    """What an SQS trigger does on Lambda: hand each message to its consumer, delete it once handled;
    a failure leaves it on the queue to come back after the visibility timeout (then the DLQ)."""
    from chalicelib.aws.clients import get_client

    sqs = get_client("sqs")
    url = os.environ[queue_env]
    while not stop.is_set():
        try:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1)
            for message in batch.get("Messages", []):
                handle(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        except Exception as exc:  # noqa: BLE001 - keep consuming; the message returns to the queue
            print(f"[{label}] {type(exc).__name__}; retrying")
            stop.wait(1)


def answer_without_delay() -> None:
    """Chalice's local server sends a response's headers and its body in two writes; with Nagle's algorithm
    on, a small body then waits for the client's delayed ACK of the headers: 40 ms on every short answer
    (a 400 that touches no AWS took 44 ms over HTTP, 1.5 ms in process; 3 ms with this). API Gateway has no
    such delay, so both local servers (the API and moto's) set TCP_NODELAY on each connection, with
    socketserver's own switch."""
    from chalice.local import ChaliceRequestHandler
    from werkzeug.serving import WSGIRequestHandler

    ChaliceRequestHandler.disable_nagle_algorithm = True
    WSGIRequestHandler.disable_nagle_algorithm = True


def _print_message(message: dict[str, object]) -> None:
    if message["channel"] == "sms":
        print(f"\n[SMS → {message['to']}] {message['body']}\n", flush=True)
    else:
        print(f"\n[E-mail → {message['to']}] {message['subject']}\n{message['body']}\n", flush=True)


def main() -> int:
    api_port = int(os.environ.get("VSSID_API_PORT", "8000"))
    moto_port = int(os.environ.get("VSSID_MOTO_PORT", "5055"))
    _prepare_environment(moto_port)

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per moto call drowns the SMS
    logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)

    from moto.server import ThreadedMotoServer

    from infra.gateway_responses import mirror_in_chalice_local
    from local.moto_patches import apply_all

    apply_all()
    mirror_in_chalice_local()

    answer_without_delay()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    _switch_on_step_functions(moto_port)

    from local.bootstrap import create_all

    os.environ.update(create_all(os.environ["AWS_DEFAULT_REGION"]))

    from local import seed

    provinces, offices = seed.load_reference_data()
    from chalicelib.services.directory_loader import load_reference_directory

    directory = load_reference_directory(seed.DATA)  # offices' search and geo index, clinics, employers, news…
    staff = seed.seed_staff()
    citizens = seed.seed_citizens()
    from local.demo_records import load_demo_records

    records = sum(report.valid for report in load_demo_records())

    from chalice.config import Config
    from chalice.local import create_local_server

    from app import app
    from chalicelib.lazy import load_all
    from local import outbox

    load_all()  # the local server is threaded; Python 3.11's lazy modules are not thread-safe

    stop = threading.Event()
    from chalicelib.services.outbox_delivery import deliver
    from chalicelib.services.workflow_tokens import record_task_token

    threading.Thread(target=_consume, args=("REGISTRATION_TOKEN_QUEUE_URL", record_task_token, "tokens", stop),
                     daemon=True).start()
    threading.Thread(target=_consume, args=("SMS_OUTBOX_QUEUE_URL", deliver, "sms outbox", stop),
                     daemon=True).start()
    # The data feed (docs/FEED.md): files put under feeds/<kind>/ in the feed bucket load as on AWS.
    from chalicelib.services.feed_splitter import handle_notification
    from chalicelib.services.feed_worker import load_chunk

    threading.Thread(target=_consume, args=("FEED_FILES_QUEUE_URL", handle_notification, "feed splitter", stop),
                     daemon=True).start()
    for worker in range(2):
        threading.Thread(target=_consume, args=("FEED_CHUNKS_QUEUE_URL", load_chunk, f"feed worker {worker + 1}",
                                                stop), daemon=True).start()
    threading.Thread(target=outbox.watch, args=(os.environ["AWS_DEFAULT_REGION"], _print_message, stop),
                     daemon=True).start()

    print(f"moto backend   http://127.0.0.1:{moto_port}  (Step Functions execution on)")
    print(f"seeded         {provinces} provinces, {offices} offices, {len(staff)} staff, {len(citizens)} citizens"
          f" with {records} insurance records; directory: "
          + ", ".join(f"{report.valid} {name.lower()}" for name, report in directory.items()))
    print("demo staff (username / password / TOTP secret), Hà Nội:")
    for member in staff:
        if member["office_code"].startswith("HN"):
            print(f"  {member['username']:<16} {member['password']}  {member['totp_secret']}  {member['office_code']}")
    print("  …all offices at GET /_local/demo")
    for citizen in citizens:
        print(f"demo citizen   {citizen['username']} / {citizen['password']}")
    deadline = os.environ.get("VSSID_DEADLINE_SECONDS")
    print(f"deadline       {deadline + ' seconds (VSSID_DEADLINE_SECONDS)' if deadline else '10 days'}")
    print(f"data feed      s3://{os.environ['FEED_BUCKET']}/feeds/<kind>/…  (python -m cli.load_records --via-s3 FILE)")
    print(f"counter console http://{API_HOST}:{api_port}/console   (sign in as a demo staff member above)")
    print(f"API            http://{API_HOST}:{api_port}   messages: GET /_local/messages?to=<phone>   Ctrl-C stops\n",
          flush=True)

    config = Config.create(chalice_stage="local", app_name="vssid-backend", chalice_app=app)
    server = create_local_server(app, config, API_HOST, api_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        stop.set()
        moto.stop()
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything lived in this process's memory; do not wait for moto's workflow threads, which would
    # otherwise keep the process alive until their 10-day waits end.
    os._exit(status)
