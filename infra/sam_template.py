"""The SAM template `chalice package --merge-template` writes, without building the deployment zip.

    python -m infra.sam_template --stage dev --out DIR     # DIR/merge-template.json, DIR/sam.json

`packaged_template(stage)` runs the real `chalice package` command (its CLI, config loading, application
graph, build stage, SAM generator, merge post-processor and JSON serializer) for the project and stage,
with the merge template from infra/package.py, and swaps out one thing: the packager that pip-installs
requirements.txt into a zip. Its stand-in returns an empty placeholder file, which chalice then copies to
`deployment.zip` as usual, so the result equals build/<stage>/package/sam.json from
`python infra/package.py --stage <stage> --package`, CodeUri included, in a second and without network.

It runs in a child interpreter because that is what `chalice package` is: app.py reads the environment
at import (the token queue's name, local mode) and chalice writes the stage's environment variables into
os.environ before importing it, so an in-process run would keep whichever app was imported first and
leave VSSID_STAGE=<stage> behind in a test worker.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make infra importable

from infra.package import chalice_environment, merge_template  # noqa: E402

DEFAULT_REGION = "ap-southeast-1"


def package_environment(stage: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment infra/package.py gives `chalice package`: the caller's, plus the stage's queue name."""
    env = chalice_environment(stage, environ)
    # chalice refuses to package without a region (it names the service principals); the stage lives here.
    if not env.get("AWS_DEFAULT_REGION"):
        env["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    return env


def packaged_template(stage: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """sam.json as `chalice package --stage <stage> --merge-template` writes it, built without pip.

    `environ` replaces os.environ as the environment the command runs in (a test passes a clean one so
    variables other tests left in its worker cannot leak into the app's import).
    """
    with tempfile.TemporaryDirectory(prefix=f"vssid-sam-{stage}-") as out:
        result = subprocess.run(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-m", "infra.sam_template", "--stage", stage, "--out", out],
            cwd=ROOT, env=package_environment(stage, environ), capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"packaging the {stage} template failed:\n{result.stdout}{result.stderr}")
        return json.loads((Path(out) / "sam.json").read_text(encoding="utf-8"))


class _PlaceholderPackager:
    """Stands in for chalice's LambdaDeploymentPackager: the zip's path is all the template needs of it."""

    def __init__(self, placeholder: Path, *args: Any, **kwargs: Any) -> None:
        self._placeholder = placeholder

    def create_deployment_package(self, project_dir: str, python_version: str) -> str:
        # An empty file rather than a bare name: SAMCodeLocationPostProcessor copies it to <out>/deployment.zip.
        self._placeholder.touch()
        return str(self._placeholder)


def _pip_must_not_run(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("pip was about to run: chalice no longer builds the zip where infra/sam_template.py "
                       "stubs it (chalice.deploy.deployer.LambdaDeploymentPackager)")


def _package_in_this_process(stage: str, out: Path) -> None:
    """`chalice package` into `out`, with the zip step stubbed. Mutates os.environ and sys.modules like chalice."""
    from chalice.cli import cli
    from chalice.deploy import deployer, packager

    out.mkdir(parents=True, exist_ok=True)
    merge = out / "merge-template.json"
    merge.write_text(json.dumps(merge_template(stage), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    automatic_layer = config.get("stages", {}).get(stage, {}).get("automatic_layer", config.get("automatic_layer"))
    if automatic_layer:
        # With a managed layer chalice drops the layer when pip left it empty: only a real build knows that.
        raise RuntimeError("automatic_layer is on: the template depends on the real build, use infra/package.py")
    with (
        tempfile.TemporaryDirectory(prefix="vssid-zip-") as scratch,
        # create_build_stage looks the packager class up in chalice.deploy.deployer when it is called.
        mock.patch.object(deployer, "LambdaDeploymentPackager",
                          functools.partial(_PlaceholderPackager, Path(scratch) / "deployment.zip")),
        mock.patch.object(packager.SubprocessPip, "main", _pip_must_not_run),
    ):
        cli.main(
            args=["--project-dir", str(ROOT), "package", "--stage", stage, "--merge-template", str(merge), str(out)],
            obj={}, standalone_mode=False,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--out", type=Path, required=True, help="directory for merge-template.json and sam.json")
    args = parser.parse_args(argv)
    # Run from a shell, this process is the one chalice imports the app in: give it package.py's environment.
    os.environ.pop("VSSID_LOCAL_MODE", None)
    os.environ.update(package_environment(args.stage))
    _package_in_this_process(args.stage, args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
