#!/usr/bin/python3
"""A GPS receiver nobody here wrote: NMEA 0183 GGA sentences on a pseudo-terminal.

Opens a PTY, links PATH to its terminal end, prints "READY PATH" and writes sentences with their XOR
checksum at --rate Hz on absolute deadlines. --wait-start: silent until a line "START" arrives.
--stop-after S: stops writing S seconds after the first sentence (the terminal stays open).
--corrupt-every N: every Nth sentence carries a wrong checksum. Runs until killed.
"""
import argparse
import os
import sys
import time
import tty


def sentence(n):
    secs = 123519 + n
    body = "GPGGA,%06d.%d,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,," % (secs // 10, secs % 10)
    xor = 0
    for c in body.encode("ascii"):
        xor ^= c
    return body, xor


def main():
    p = argparse.ArgumentParser()
    p.add_argument("link")
    p.add_argument("--rate", type=float, default=10.0)
    p.add_argument("--wait-start", action="store_true")
    p.add_argument("--stop-after", type=float, default=0.0)
    p.add_argument("--corrupt-every", type=int, default=0)
    a = p.parse_args()

    master, slave = os.openpty()
    tty.setraw(slave)
    if os.path.lexists(a.link):
        os.unlink(a.link)
    os.symlink(os.ttyname(slave), a.link)
    print("READY " + a.link, flush=True)

    if a.wait_start:
        pending = b""
        while b"START" not in pending:
            pending += os.read(master, 256)

    start = time.monotonic()
    n = 0
    while True:
        due = start + n / a.rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        if a.stop_after > 0 and due - start >= a.stop_after:
            while True:
                time.sleep(3600)
        body, xor = sentence(n)
        n += 1
        if a.corrupt_every > 0 and n % a.corrupt_every == 0:
            xor ^= 0x5A
        os.write(master, ("$%s*%02X\r\n" % (body, xor)).encode("ascii"))


if __name__ == "__main__":
    sys.exit(main())
