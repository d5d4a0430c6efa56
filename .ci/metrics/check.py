"""Scrapes a running groupwork's /metrics and reads it with Prometheus' own Python parser.

    GROUPWORK_METRICS_TOKEN=… python check.py BASE_URL

(the token from the environment, where other users of the machine do not see it)

Fails (exit 1, saying why) unless: /metrics refuses a request without the token (401); with it
answers 200 in the text format (text/plain; version=0.0.4) that
prometheus_client.parser.text_string_to_metric_families reads; holds the request counter
groupwork_http_requests_total with requests counted and the latency histogram; and labels
requests by route template, never by a path with ids in it.
"""

import os
import re
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def get(url, token=None):
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Content-Type", ""), refused.read()


def main(base, token):
    problems = []
    status, _, _ = get(f"{base}/metrics")
    if status != 401:
        problems.append(f"/metrics without the token answered {status}, not 401")
    status, content_type, body = get(f"{base}/metrics", token)
    if status != 200:
        sys.exit(f"/metrics with the token answered {status}: {body[:300]!r}")
    if not content_type.startswith("text/plain; version=0.0.4"):
        problems.append(f"content type {content_type!r} is not Prometheus' text format")
    try:
        families = {f.name: f for f in text_string_to_metric_families(body.decode("utf-8"))}
    except Exception as e:  # the parser raises ValueError and others on bad text
        sys.exit(f"/metrics does not parse as Prometheus' text format: {e!r}")

    # The parser names a counter's family without its _total.
    requests = families.get("groupwork_http_requests")
    if requests is None or requests.type != "counter":
        problems.append(f"no counter groupwork_http_requests_total among {sorted(families)}")
    else:
        answered = sum(s.value for s in requests.samples)
        if answered < 1:
            problems.append("groupwork_http_requests_total counted no requests")
        routes = {s.labels.get("route", "") for s in requests.samples}
        with_ids = sorted(r for r in routes if re.search(r"/\d+(/|$)", r))
        if with_ids:
            problems.append(f"routes labelled by their paths, not templates: {with_ids[:5]}")
        print(f"   {int(answered)} requests counted over {len(routes)} routes")
    latency = families.get("groupwork_http_request_duration_seconds")
    if latency is None or latency.type != "histogram":
        problems.append("no histogram groupwork_http_request_duration_seconds")
    for name in ("groupwork_db_pool_connections", "groupwork_outbox_messages"):
        if name not in families:
            problems.append(f"no {name}")
    if problems:
        sys.exit("\n".join(f"!! {p}" for p in problems))
    print(f"   {len(families)} metric families read by prometheus_client")


if __name__ == "__main__":
    token = os.environ.get("GROUPWORK_METRICS_TOKEN", "")
    if len(sys.argv) != 2 or not token:
        sys.exit(__doc__)
    main(sys.argv[1].rstrip("/"), token)
