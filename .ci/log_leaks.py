"""The log-leak check (issue 20, item 3), run by .ci/api-checks.sh around the Schemathesis runs.

  log_leaks.py snapshot DB OUT.json   -- before the runs: the demo families' names, emails and
                                         phones, and the parents' login emails, from the database
  log_leaks.py check OUT.json LOG...  -- after them: every line of the server's JSON log is
                                         JSON, none holds one of those details, a password from
                                         the demo's logins or a token, and lines inside requests
                                         carry the request's id

Only standard-library Python: it runs before the tools' virtualenv matters.
"""

import json
import re
import sqlite3
import sys

# Shorter strings (a carer called "Al") would match by chance inside other words.
SHORTEST = 6
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def snapshot(db_path, out_path):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    details = set()
    for carer_one, carer_two, phone, email in con.execute(
        "SELECT carer_one, carer_two, phone, email FROM families WHERE erased_at IS NULL"
    ):
        for value in (carer_one, carer_two, email):
            if value and len(value) >= SHORTEST:
                details.add(value)
        digits = re.sub(r"\D", "", phone or "")
        if len(digits) >= SHORTEST:
            details.add(phone)
            details.add(digits)
    for (email,) in con.execute("SELECT email FROM users WHERE role = 'parent'"):
        details.add(email)
    con.close()
    if len(details) < 10:
        sys.exit(f"!! only {len(details)} personal details in {db_path}: is the demo loaded?")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(sorted(details), f)
    print(f"   {len(details)} personal details of the demo's families to look for")


def demo_passwords(paths):
    """The passwords `serve --demo` told the person starting it (on standard error)."""
    found = set()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^\s+(admin|coordinator|facilitator|parent)\s+\S+@\S+\s+(\S+)\s*$", line)
                if m:
                    found.add(m.group(2))
    return found


def check(details_path, logs):
    with open(details_path, encoding="utf-8") as f:
        details = [d.lower() for d in json.load(f)]
    passwords = demo_passwords(logs)
    problems, lines, in_requests, with_id = [], 0, 0, 0
    for path in logs:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, raw in enumerate(f, 1):
                line = raw.strip()
                if not line:
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    # Standard error also holds what was told to the person starting it (the
                    # demo's logins), which is not a log line.
                    if path.endswith(".err"):
                        continue
                    problems.append(f"{path}:{n}: not JSON: {line[:120]}")
                    continue
                lines += 1
                lower = line.lower()
                for d in details:
                    if d in lower:
                        problems.append(f"{path}:{n}: a family's detail ({d[:3]}…) in: {line[:160]}")
                for p in passwords:
                    if p in line:
                        problems.append(f"{path}:{n}: a demo password in a log line")
                if JWT.search(line):
                    problems.append(f"{path}:{n}: a token in: {line[:160]}")
                spans = list(event.get("spans") or []) + [event.get("span") or {}]
                requests = [s for s in spans if s.get("name") == "request"]
                if requests:
                    in_requests += 1
                    if all(s.get("request_id") for s in requests):
                        with_id += 1
                    else:
                        problems.append(f"{path}:{n}: a request's line without its id: {line[:160]}")
    if in_requests < 100:
        problems.append(f"only {in_requests} log lines inside requests: was GROUPWORK_LOG=info?")
    for p in problems[:40]:
        print("!! " + p, file=sys.stderr)
    if problems:
        sys.exit(f"!! the server's log leaks or is malformed ({len(problems)} findings)")
    print(f"   {lines} JSON log lines, {with_id} inside requests and all with their id; "
          f"no family's detail, password or token")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
