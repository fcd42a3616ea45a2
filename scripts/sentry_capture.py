"""A stand-in for Sentry's ingestion endpoint for the browser tests: appends every envelope it receives to a
file (one JSON document per line, as Sentry envelopes are) and answers 200. Usage: sentry_capture.py PORT FILE"""
import gzip
import http.server
import sys

PORT, FILE = int(sys.argv[1]), sys.argv[2]


class Capture(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        with open(FILE, "ab") as out:
            out.write(body.rstrip(b"\n") + b"\n")
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Capture).serve_forever()
