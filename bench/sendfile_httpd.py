# bench/sendfile_httpd.py - an HTTP server for the lab benchmarks: every
# GET is answered with one file, sent by sendfile(2) so the server is not
# what limits a transfer; a thread per client, so several curls (or the
# SOCKS relay's connections) are served at once. Bounded: it stops
# accepting after SECONDS, and each client has 30 s.
#
#   python3 bench/sendfile_httpd.py ADDR PORT FILE SECONDS
import os
import socket
import sys
import threading
import time

addr, port, path, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
size = os.path.getsize(path)


def serve(c, a):
    c.settimeout(30)
    req = b""
    try:
        while b"\r\n\r\n" not in req and len(req) < 65536:
            d = c.recv(4096)
            if not d:
                return
            req += d
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size)
        with open(path, "rb") as f:
            c.sendfile(f)
        print("sent %d bytes to %s:%d" % (size, a[0], a[1]), flush=True)
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(16)
end = time.time() + secs
while time.time() < end:
    s.settimeout(max(0.1, end - time.time()))
    try:
        c, a = s.accept()
    except socket.timeout:
        break
    threading.Thread(target=serve, args=(c, a), daemon=True).start()
