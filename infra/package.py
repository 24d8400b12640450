"""Build the CloudFormation merge template and package the app for one stage.

    python infra/package.py --stage dev [--package]

Writes build/<stage>/merge-template.json: infra/resources.json with the state machine's ASL file
inlined as DefinitionString (its ${Placeholders} are filled by DefinitionSubstitutions at deploy
time), every Lambda function given the environment variables that name the resources, and the REST API's
stage given its access log, throttling and optional web ACL (infra/api_stage.py). With
--package it then runs `chalice package --merge-template` into build/<stage>/package/, with the chalice
that is installed beside the running interpreter (.venv/bin/chalice for .venv/bin/python), so .venv/bin
need not be on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make chalicelib and infra importable
# Chalice names the generated functions after the Python functions: the API, the token-queue consumer
# and the citizen token authorizer; each runs under its own role from resources.json.
FUNCTIONS = {
    "APIHandler": "ApiFunctionRole",
    "RecordWorkflowToken": "TokenConsumerRole",
    "CitizenToken": "CitizenTokenAuthorizerRole",
    "SendOutboxSms": "SmsOutboxRole",
    "SplitFeedFile": "FeedSplitterRole",
    "LoadFeedChunk": "FeedWorkerRole",
}
# The SQS-triggered functions subscribe by queue name, which Chalice reads from the app at package time.
QUEUE_ENV = {"REGISTRATION_TOKEN_QUEUE_NAME": "RegistrationTokenQueue", "SMS_OUTBOX_QUEUE_NAME": "SmsOutboxQueue",
             "FEED_FILES_QUEUE_NAME": "FeedFilesQueue", "FEED_CHUNKS_QUEUE_NAME": "FeedChunksQueue"}


def token_queue_name(stage: str) -> str:
    return f"vssid-{stage}-registration-tokens"


def queue_names(stage: str) -> dict[str, str]:
    """Queue-name environment variable → the stage's queue name (token queue, SMS outbox, feed files and chunks)."""
    return {"REGISTRATION_TOKEN_QUEUE_NAME": token_queue_name(stage),
            "SMS_OUTBOX_QUEUE_NAME": f"vssid-{stage}-sms-outbox",
            "FEED_FILES_QUEUE_NAME": f"vssid-{stage}-feed-files",
            "FEED_CHUNKS_QUEUE_NAME": f"vssid-{stage}-feed-chunks"}


def chalice_environment(stage: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment `chalice package` runs in: app.py names its SQS queues from it at import."""
    env = {**(os.environ if environ is None else environ), **queue_names(stage)}
    env.pop("VSSID_LOCAL_MODE", None)  # /_local routes are never packaged
    return env


class ChaliceNotFound(RuntimeError):
    """`chalice` is neither beside the running interpreter nor on PATH."""


def chalice_executable(interpreter: str | None = None,
                       which: Callable[[str], str | None] | None = None) -> str:
    """The `chalice` command to run: the one installed with this interpreter, else the one on PATH.

    `.venv/bin/python infra/package.py` must use `.venv/bin/chalice` (the pinned version, whose packager
    runs pip with that same interpreter) even when `.venv/bin` is not on PATH.
    """
    beside = Path(interpreter or sys.executable).parent / "chalice"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = (which or shutil.which)("chalice")
    if found:
        return str(found)
    raise ChaliceNotFound(f"chalice is not installed: looked for {beside} and on PATH. "
                          "Run `make install` and package with .venv/bin/python infra/package.py.")


def merge_template(stage: str) -> dict[str, Any]:
    template = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))
    resources = template["Resources"]
    environment: dict[str, Any] = {"VSSID_STAGE": stage, "VSSID_SMS_SENDER_ID": {"Ref": "SmsSenderId"}}
    for logical_id, resource in resources.items():
        metadata = resource.get("Metadata", {})
        if "vssid:definition" in metadata:
            asl = (ROOT / metadata["vssid:definition"]).read_text(encoding="utf-8")
            resource["Properties"]["DefinitionString"] = asl
        if "vssid:inline-code" in metadata:  # a small custom-resource handler, shipped inside the template
            code = (ROOT / metadata["vssid:inline-code"]).read_text(encoding="utf-8")
            resource["Properties"]["Code"]["ZipFile"] = code
        if "vssid:env" in metadata:
            environment[metadata["vssid:env"]] = {"Ref": logical_id}
    for secret in template.get("Metadata", {}).get("vssid:secrets", []):
        environment[secret["env"]] = {"Ref": secret["parameter"]}  # the parameter's name, never its value
    names = queue_names(stage)
    for variable, logical_id in QUEUE_ENV.items():
        resources[logical_id]["Properties"]["QueueName"] = names[variable]
    from infra import api_stage
    from infra.gateway_responses import cloudformation_resources

    resources.update(cloudformation_resources())
    # Chalice's REST API: access log, stage throttling, the account's logging role first; the optional web ACL.
    resources[api_stage.API] = api_stage.rest_api_resource(stage)
    resources.update(api_stage.cloudformation_resources())
    for function, role in FUNCTIONS.items():
        properties = resources.setdefault(function, {}).setdefault("Properties", {})
        properties["Environment"] = {"Variables": environment}
        properties["Role"] = {"Fn::GetAtt": [role, "Arn"]}
    return template


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--package", action="store_true", help="also run chalice package")
    args = parser.parse_args(argv)
    out = ROOT / "build" / args.stage
    out.mkdir(parents=True, exist_ok=True)
    merge = out / "merge-template.json"
    merge.write_text(json.dumps(merge_template(args.stage), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {merge.relative_to(ROOT)}")
    if args.package:
        try:
            chalice = chalice_executable()
        except ChaliceNotFound as missing:
            print(f"infra/package.py: {missing}", file=sys.stderr)
            return 2
        env = chalice_environment(args.stage)
        command = [chalice, "package", "--stage", args.stage, "--merge-template", str(merge), str(out / "package")]
        status = subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603 - fixed command, our own arguments
        if status == 0:
            from infra.slim_package import slim

            before, after = slim(out / "package" / "deployment.zip")
            print(f"deployment.zip {before / 1e6:.1f} MB → {after / 1e6:.1f} MB (infra/slim_package.py)")
        return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
