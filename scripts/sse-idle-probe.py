#!/usr/bin/env python3
"""Opens N idle SSE readers on one stream of a Tributary server (loopback only), waits until
they are all parked, prints the server's RSS growth per reader, then closes them.
Usage: sse-idle-probe.py URL PID [N]"""
import socket, sys, time, urllib.request

url, pid = sys.argv[1], int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
host, port = url.split("//")[1].split(":")
assert host.startswith("127."), "loopback only"
port = int(port)

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])

name = f"/v1/stream/idle-probe-{time.time_ns()}"
req = urllib.request.Request(url + name, method="PUT", headers={"Content-Type": "text/plain"}, data=b"")
urllib.request.urlopen(req).read()
time.sleep(2)
before = rss_kib()
socks = []
for i in range(n):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(f"GET {name}?offset=-1&live=sse HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    socks.append(s)
for s in socks:
    data = b""
    while b"upToDate" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("a reader was closed")
        data += chunk
time.sleep(3)
after = rss_kib()
print(f"idle SSE readers={n} rss_before_kib={before} rss_after_kib={after} per_reader_kib={(after - before) / n:.1f}")
for s in socks:
    s.close()
