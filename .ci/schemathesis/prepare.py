"""Readies a `groupwork serve --demo` for Schemathesis (called by .ci/api-checks.sh).

Waits for /health, reads the demo logins the server printed once on stdout, registers a second
parent (the demo has one) so that two parents can be each other's peers, checks that every
login works, and writes the Web Fuzzing Commons auth file Schemathesis logs in with.

It also makes the records the destructive run may destroy (issue 21, item 4): a family to
erase and a staff account to disable, neither an identity any run logs in with, so that
an erasure or a disabled account never turns the rest of a run into authentication errors.
Their ids go to IDS_FILE_OUT (read by config.py).

usage: prepare.py BASE_URL SERVER_STDOUT AUTH_FILE_OUT IDS_FILE_OUT
"""

import json
import re
import secrets
import sys
import time
import urllib.error
import urllib.request

LOGIN = "/api/v1/auth/login"


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def wait_for_health(base, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if call(base, "GET", "/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"!! the server at {base} did not become healthy within {seconds}s")


def demo_logins(stdout_path):
    """{email: (role, password)} from the lines `serve --demo` prints after loading the demo."""
    logins = {}
    with open(stdout_path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s+(admin|coordinator|facilitator|parent)\s+(\S+@\S+)\s+(\S+)\s*$", line)
            if m:
                logins[m.group(2)] = (m.group(1), m.group(3))
    if not logins:
        sys.exit(f"!! no demo logins in {stdout_path}: was the database fresh?")
    return logins


def login_entry(name, email, password):
    return {
        "name": name,
        "loginEndpointAuth": {
            "endpoint": LOGIN,
            "verb": "POST",
            "contentType": "application/json",
            "payloadUserPwd": {
                "username": email,
                "usernameField": "email",
                "password": password,
                "passwordField": "password",
            },
            "token": {
                "extractFrom": "body",
                "extractSelector": "/access_token",
                "sendIn": "header",
                "sendName": "Authorization",
                "sendTemplate": "Bearer {token}",
            },
        },
    }


def main():
    base, stdout_path, out_path, ids_path = sys.argv[1:5]
    wait_for_health(base)
    logins = demo_logins(stdout_path)

    # The second parent registers like any parent; the password is made up for this run.
    peer_email = "peer-parent@ci.groupwork.example"
    peer_password = "ci-peer-" + secrets.token_hex(12)
    status, body = call(
        base,
        "POST",
        "/api/v1/auth/register",
        {"email": peer_email, "password": peer_password, "display_name": "Peer Parent"},
    )
    if status != 201:
        sys.exit(f"!! registering the second parent answered {status}: {body}")

    def password_of(email):
        if email not in logins:
            sys.exit(f"!! the demo printed no login for {email}")
        return logins[email][1]

    # Order matters: Schemathesis tries the first identity on every operation and moves down the
    # list only when one answers 401/403. Admin first gives each operation the widest access;
    # the parents come next, for the parent-only operations, and as the peers of
    # object_level_authorization; facilitator and coordinator are for the per-role runs.
    users = [
        ("admin", "admin@demo.groupwork.example", password_of("admin@demo.groupwork.example")),
        ("parent", "parent@demo.groupwork.example", password_of("parent@demo.groupwork.example")),
        ("peer-parent", peer_email, peer_password),
        # The COSP facilitator runs groups, so it has cohorts, registers and follow-ups.
        ("facilitator", "cosp@demo.groupwork.example", password_of("cosp@demo.groupwork.example")),
        (
            "coordinator",
            "coordinator@demo.groupwork.example",
            password_of("coordinator@demo.groupwork.example"),
        ),
    ]
    for name, email, password in users:
        status, body = call(base, "POST", LOGIN, {"email": email, "password": password})
        if status != 200:
            sys.exit(f"!! {name} ({email}) cannot log in: {status} {body}")
        print(f"   {name:<12} {email:<38} {body['user']['role']}")

    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"schemaVersion": "0.2.0", "auth": [login_entry(*u) for u in users]}, f, indent=1)

    with open(ids_path, "w", encoding="utf-8") as f:
        json.dump(disposable_records(base, users[0][1], users[0][2]), f)


def disposable_records(base, admin_email, admin_password):
    """A family enrolled and a staff account made for the destructive run only."""
    status, body = call(base, "POST", LOGIN, {"email": admin_email, "password": admin_password})
    if status != 200:
        sys.exit(f"!! admin cannot log in: {status} {body}")
    token = body["access_token"]
    status, family = call(
        base,
        "POST",
        "/api/v1/families",
        {
            "carers": ["Erasable Carer"],
            "preferred_language": "en",
            "referral_source": "self",
            "phone": "07700 900100",
            "contact_by": "sms",
            "confirmed_new": True,
        },
        token,
    )
    if status != 201:
        sys.exit(f"!! enrolling a family to erase answered {status}: {family}")
    status, user = call(
        base,
        "POST",
        "/api/v1/users",
        {
            "email": "disposable@ci.groupwork.example",
            "password": "ci-run-" + secrets.token_hex(12),
            "display_name": "Disposable Staff",
            "role": "facilitator",
        },
        token,
    )
    if status != 201:
        sys.exit(f"!! making a staff account to disable answered {status}: {user}")
    print(f"   for the destructive run: family {family['id']}, staff account {user['id']}")
    return {"erasable_family": family["id"], "disposable_user": user["id"]}


if __name__ == "__main__":
    main()
