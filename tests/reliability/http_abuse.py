#!/usr/bin/env python3
"""http_abuse.py PORT HEADER_TIMEOUT_S: malformed, oversized and slow HTTP against a running
`sondeo serve` on 127.0.0.1:PORT. Each case must end in a 4xx or a dropped connection (never
a 5xx, never a hang), and the server must answer a normal request right after every case.
Complements tests/server/serve_test.sh (413 body, 431 header, 400 bad JSON there)."""
import json
import socket
import sys
import time

PORT = int(sys.argv[1])
HEADER_TIMEOUT = float(sys.argv[2])
FAILS = []
PASSES = 0


def ok():
    global PASSES
    PASSES += 1


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    FAILS.append(msg)


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def exchange(data, wait=HEADER_TIMEOUT + 3):
    """Sends data; returns (status or None, seconds) once the server answers or closes."""
    s = connect()
    t0 = time.monotonic()
    status = None
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return None, time.monotonic() - t0
    s.settimeout(wait)
    buf = b""
    try:
        while b"\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        s.close()
        return "hang", time.monotonic() - t0
    except ConnectionResetError:
        pass
    s.close()
    if buf.startswith(b"HTTP/1."):
        status = int(buf.split(b" ", 2)[1])
    return status, time.monotonic() - t0


def healthy(what):
    """A normal request right after: the server still answers, quickly."""
    t0 = time.monotonic()
    try:
        status, _ = exchange(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", wait=5)
    except OSError as e:
        status = "error %s" % e
    dt = time.monotonic() - t0
    if status == 200 and dt < 2:
        ok()
    else:
        fail("%s: server not healthy afterwards (%s in %.1f s)" % (what, status, dt))


def case(what, data):
    status, dt = exchange(data)
    if status == "hang":
        fail("%s: no answer and not closed after %.1f s" % (what, dt))
    elif status is None or 400 <= status < 500:
        ok()
    else:
        fail("%s: got %s, want 4xx or a dropped connection" % (what, status))
    healthy(what)


H = b"Host: 127.0.0.1\r\n"
case("garbage request line", b"GARBAGE\r\n\r\n")
case("binary junk, no line end", bytes(range(256)) * 16)
case("NUL bytes in the request line", b"GET /\x00\x00 HTTP/1.1\r\n" + H + b"\r\n")
case("unknown HTTP version", b"GET / HTTP/9.9\r\n" + H + b"\r\n")
case("header without a colon", b"GET / HTTP/1.1\r\n" + H + b"no colon here\r\n\r\n")
case("negative Content-Length", b"POST /api/v1/login HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n")
case("non-numeric Content-Length", b"POST /api/v1/login HTTP/1.1\r\n" + H + b"Content-Length: abc\r\n\r\n")
case("two different Content-Lengths",
     b"POST /api/v1/login HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}{")
case("huge Content-Length", b"POST /api/v1/login HTTP/1.1\r\n" + H +
     b"Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}")
case("bad chunk size", b"POST /api/v1/login HTTP/1.1\r\n" + H +
     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
case("endless chunked body", b"POST /api/v1/login HTTP/1.1\r\n" + H +
     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b"a" * 4096 * 300)
case("20 KB URL", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n" + H + b"\r\n")
case("2,000 small headers", b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: y\r\n" % i for i in range(2000)) + b"\r\n")
body = b"\xff\xfe{\"user\":\"\xc3\x28\"}"
case("invalid UTF-8 JSON body", b"POST /api/v1/login HTTP/1.1\r\n" + H +
     b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
body = b"[" * 400000 + b"]" * 400000
case("JSON nested 400,000 deep (800 KB)", b"POST /api/v1/login HTTP/1.1\r\n" + H +
     b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
body = b'{"user":"ana","password":"' + b"x" * 900000 + b'"}'
case("900 KB password", b"POST /api/v1/login HTTP/1.1\r\n" + H +
     b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
case("WebSocket upgrade without a session", b"GET /ws HTTP/1.1\r\n" + H +
     b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
     b"Sec-WebSocket-Version: 13\r\n\r\n")
case("path traversal", b"GET /../../../../etc/passwd HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")

# Slowloris: 40 connections each dribbling one header byte every 0.3 s. While they hang on,
# the server answers others; past the header deadline it has dropped every one of them.
slow = []
for _ in range(40):
    s = connect()
    s.sendall(b"GET / HTTP/1.1\r\n")
    slow.append(s)
t0 = time.monotonic()
healthy("during slowloris")
dropped = set()
while time.monotonic() - t0 < HEADER_TIMEOUT + 4 and len(dropped) < len(slow):
    for i, s in enumerate(slow):
        if i in dropped:
            continue
        try:
            s.sendall(b"X")
            s.settimeout(0.001)
            if s.recv(4096) == b"":
                dropped.add(i)
        except socket.timeout:
            pass
        except OSError:
            dropped.add(i)
    time.sleep(0.3)
elapsed = time.monotonic() - t0
if len(dropped) == len(slow):
    ok()
else:
    fail("slowloris: %d of %d slow connections still open after %.1f s (header deadline %.0f s)"
         % (len(slow) - len(dropped), len(slow), elapsed, HEADER_TIMEOUT))
if elapsed >= HEADER_TIMEOUT - 0.5:
    ok()
else:
    fail("slowloris: dropped after %.1f s, before the %.0f s deadline" % (elapsed, HEADER_TIMEOUT))
for s in slow:
    s.close()
healthy("after slowloris")

# 300 idle connections that never send a byte: the server keeps answering, then drops them.
idle = [connect() for _ in range(300)]
healthy("with 300 idle connections")
time.sleep(HEADER_TIMEOUT + 1.5)
still = 0
for s in idle:
    s.settimeout(0.5)
    try:
        if s.recv(1) != b"":
            still += 1
    except socket.timeout:
        still += 1
    except OSError:
        pass
    s.close()
if still == 0:
    ok()
else:
    fail("%d idle connections still open after the header deadline" % still)
healthy("after idle connections")

# The API itself still works: a real login.
s = connect()
b = json.dumps({"user": "ana", "password": "clave-ana-1"}).encode()
s.sendall(b"POST /api/v1/login HTTP/1.1\r\n" + H + b"Content-Type: application/json\r\n"
          b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(b) + b)
resp = b""
s.settimeout(5)
while True:
    c = s.recv(65536)
    if not c:
        break
    resp += c
s.close()
if resp.startswith(b"HTTP/1.1 200"):
    ok()
else:
    fail("login after the abuse: %r" % resp[:200])

print("%d passed, %d failed" % (PASSES, len(FAILS)))
sys.exit(1 if FAILS else 0)
