#!/usr/bin/env python3
"""Minimal WebSocket listener for tests: ws_listen.py URL COOKIE_JAR SECONDS.
Opens /ws with the session cookie of a curl cookie jar and prints every text message
(one per line) until SECONDS pass or the server closes."""
import base64, os, socket, sys, time
from urllib.parse import urlparse

url, jar, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
cookie = ""
for line in open(jar):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 7 and parts[5] == "sondeo_sesion":
        cookie = "sondeo_sesion=" + parts[6]
u = urlparse(url)
s = socket.create_connection((u.hostname, u.port), timeout=seconds)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET /ws HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
           f"Cookie: {cookie}\r\n\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit("handshake: connection closed")
    buf += chunk
head, buf = buf.split(b"\r\n\r\n", 1)
if b" 101 " not in head.split(b"\r\n")[0]:
    sys.exit("handshake refused: " + head.decode(errors="replace"))
deadline = time.time() + seconds

def need(n):
    global buf
    while len(buf) < n:
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError
        s.settimeout(left)
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError
        buf += chunk

try:
    while True:
        need(2)
        op, ln = buf[0] & 0x0F, buf[1] & 0x7F
        off = 2
        if ln == 126:
            need(4); ln = int.from_bytes(buf[2:4], "big"); off = 4
        elif ln == 127:
            need(10); ln = int.from_bytes(buf[2:10], "big"); off = 10
        need(off + ln)
        payload, buf = buf[off:off + ln], buf[off + ln:]
        if op == 1:
            print(payload.decode(), flush=True)
        elif op == 8:
            break
except (TimeoutError, EOFError, socket.timeout):
    pass
