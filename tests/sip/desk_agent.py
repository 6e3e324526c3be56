#!/usr/bin/env python3
"""An agent's desk over sondeo serve's HTTP API, for the SIP end-to-end tests.

desk_agent.py URL USER PASSWORD CAMPAIGN ACKED_FILE --results N [--seconds S] [--talk S]

Logs in, goes ready in CAMPAIGN (progressive/predictive: the engine dials by itself), and for
each call that reaches the agent waits TALK seconds and submits ENCUESTA_NO_EFECTIVA with a
fresh idempotency key. Every result the server acknowledged (HTTP 200) is appended to
ACKED_FILE as "key contact_id attempt_id" and flushed at once, so a kill -9 of serve
mid-run leaves the exact list of acknowledged answers. Before the last result the agent
pauses, so the engine stops dialing for it. Exits 0 after N results, 2 when serve goes away
(connection refused: the test killed it), 1 on timeout.
"""
import argparse
import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.request


class Desk:
    def __init__(self, url):
        self.url = url.rstrip("/") + "/api/v1"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def post(self, path, body=None):
        data = json.dumps(body or {}).encode()
        req = urllib.request.Request(self.url + path, data=data, method="POST")
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("user")
    ap.add_argument("password")
    ap.add_argument("campaign")
    ap.add_argument("acked")
    ap.add_argument("--results", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--talk", type=float, default=0.5)
    ap.add_argument("--prefix", default="k")
    a = ap.parse_args()
    desk = Desk(a.url)
    deadline = time.time() + a.seconds
    done = 0
    try:
        code, body = desk.post("/login", {"user": a.user, "password": a.password})
        if code != 200:
            print(f"login {code} {body}", file=sys.stderr)
            return 1
        desk.csrf = body["csrf"]
        code, body = desk.post("/agent/state", {"state": "listo", "campaign": a.campaign})
        if code != 200:
            print(f"ready {code} {body}", file=sys.stderr)
            return 1
        while done < a.results and time.time() < deadline:
            code, body = desk.post(f"/campaigns/{a.campaign}/next")
            contact = (body.get("contact") or {}) if code == 200 else {}
            if not contact:
                time.sleep(0.2)
                continue
            attempt = (body.get("call") or {}).get("attempt_id", 0)
            time.sleep(a.talk)
            if done + 1 == a.results:
                desk.post("/agent/state", {"state": "pausa", "reason": "break"})
            key = f"{a.prefix}-{a.user}-{attempt}"
            code, reply = desk.post(
                f"/contacts/{contact['id']}/result",
                {"idempotency_key": key, "disposition": "ENCUESTA_NO_EFECTIVA",
                 "notes": "prueba sip"})
            if code == 200:
                with open(a.acked, "a") as f:
                    f.write(f"{key} {contact['id']} {attempt}\n")
                done += 1
            else:
                print(f"result {code} {reply}", file=sys.stderr)
                time.sleep(0.2)
    except (ConnectionError, urllib.error.URLError, TimeoutError) as e:
        print(f"serve went away: {e}", file=sys.stderr)
        return 2
    return 0 if done >= a.results else 1


if __name__ == "__main__":
    sys.exit(main())
