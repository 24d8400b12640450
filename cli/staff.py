"""Create a staff account (tài khoản cán bộ) and show the authenticator-app enrolment.

    python -m cli.staff create --username nguyen.van.a --office HN-HK --name "Nguyễn Văn A"
    python -m cli.staff create --username van.hanh --office VSS --name "Trần Thị B" --role operations

--role office (the default) works an office's counter; --role operations follows the data feed's loads
(GET /v1/admin/loads) and is refused on the counter's routes.

The password is asked for (never on the command line, where shell history keeps it) unless
--password-stdin is given. It follows the citizens' password policy (chalicelib/domain/password_policy.py:
no repeats, sequences, keyboard walks or common passwords, a zxcvbn strength of at least 2 of 4) with at
least 12 characters, and must not contain the username or be built from the staff member's name.
The TOTP secret is printed once as an otpauth:// URI and a QR code to scan with any authenticator app;
it is not shown again. Point it at AWS with the usual AWS_* variables and
the table name variables of the deployed stage, or at `make run` with
AWS_ENDPOINT_URL=http://127.0.0.1:5055.
"""

from __future__ import annotations

import argparse
import getpass
import sys


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("The passwords differ.")
    return first


def create(args: argparse.Namespace) -> int:
    import pyotp
    import segno

    from chalicelib.services.reference import find_office
    from chalicelib.services.staff_auth import create_staff

    if find_office(args.office) is None:
        print(f"No office with code {args.office}.", file=sys.stderr)
        return 2
    from chalicelib.domain.password_policy import staff_password_problem

    password = _password(args.password_stdin)
    problem = staff_password_problem(password, username=args.username, full_name=args.name)
    if problem:
        print(f"{problem[0]}\n{problem[1]}", file=sys.stderr)
        return 2
    secret = pyotp.random_base32()
    from pynamodb.exceptions import PutError

    try:
        create_staff(args.username, args.name, args.office, password, secret, role=args.role)
    except PutError:
        print(f"Staff account {args.username} already exists.", file=sys.stderr)
        return 1
    uri = pyotp.TOTP(secret).provisioning_uri(name=args.username, issuer_name="VssID cán bộ")
    print(f"Created {args.username} at {args.office}. Enrol the authenticator app now; this is shown once:")
    print(uri)
    if not args.no_qr:
        segno.make(uri, error="m").terminal(compact=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.staff", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("create", help="create a staff account")
    make.add_argument("--username", required=True)
    make.add_argument("--office", required=True, help="office code, e.g. HN-HK")
    make.add_argument("--name", required=True, help="full name")
    make.add_argument("--role", choices=("office", "operations"), default="office",
                      help="office staff (the default) or operations staff (data feed loads)")
    make.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    make.add_argument("--no-qr", action="store_true", help="print only the otpauth:// URI")
    args = parser.parse_args(argv)
    return create(args)


if __name__ == "__main__":
    sys.exit(main())
