#!/usr/bin/env python3
"""http_sink.py PORT: Kannel's dlr-url sink on 127.0.0.1. Prints "key status" per callback
(one write per line under a lock: threads must not interleave), answers 200. Deep listen
backlog: with Python's default of 5, some callbacks are lost under load (shared rig.md)."""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        q = dict(parse_qsl(urlsplit(self.path).query))
        with LOCK:
            sys.stdout.write("%s %s\n" % (q.get("key", ""), q.get("status", "")))
            sys.stdout.flush()
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
