#!/usr/bin/python3
"""A binary meter: a register-read protocol in binary frames on a pseudo-terminal or a TCP port.

Framings (--framing):
  lp16    a 2-byte big-endian length (counting the payload and the CRC), payload, CRC-16/MODBUS low byte first
  slip32  SLIP (RFC 1055) frames, payload then CRC-32 (IEEE) little endian

Requests and answers (payload bytes, Modbus-like):
  AA 03 RR RR NN NN      read NN registers from RR: answer AA 03 2*NN then the registers, big endian
  AA 06 RR RR VV VV      write register RR: answer echoes the request
  AA 41                  answer with a frame whose CRC is wrong
  AA 42                  answer with a frame of 600 payload bytes (longer than the demo's max_frame)
  anything else          AA (F|0x80) 01 (illegal function)
A request whose CRC is wrong gets no answer (and is counted on stderr).
Registers: 0 temperature in 0.1 degC (231 = 23.1), 1 humidity in % (45), 2 status bits (0x0005),
3 a counter of the reads so far.

Prints "READY PATH" (--pty PATH: a link to the terminal end is made at PATH) or "READY PORT" (--tcp) and
runs until killed.
"""
import argparse
import binascii
import os
import socket
import struct
import sys
import tty

END, ESC, ESC_END, ESC_ESC = 0xC0, 0xDB, 0xDC, 0xDD


def crc16_modbus(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


class Lp16:
    def __init__(self):
        self.buf = b""

    def encode(self, payload, bad_crc=False):
        crc = crc16_modbus(payload) ^ (0x5A5A if bad_crc else 0)
        body = payload + struct.pack("<H", crc)
        return struct.pack(">H", len(body)) + body

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= 2:
            (n,) = struct.unpack(">H", self.buf[:2])
            if len(self.buf) < 2 + n:
                break
            body, self.buf = self.buf[2:2 + n], self.buf[2 + n:]
            payload, crc = body[:-2], body[-2:]
            out.append(payload if len(body) >= 2 and struct.unpack("<H", crc)[0] == crc16_modbus(payload) else None)
        return out


class Slip32:
    def __init__(self):
        self.frame = bytearray()
        self.esc = False

    def encode(self, payload, bad_crc=False):
        crc = binascii.crc32(payload) ^ (0x5A5A5A5A if bad_crc else 0)
        body = payload + struct.pack("<I", crc)
        out = bytearray([END])
        for b in body:
            if b == END:
                out += bytes([ESC, ESC_END])
            elif b == ESC:
                out += bytes([ESC, ESC_ESC])
            else:
                out.append(b)
        out.append(END)
        return bytes(out)

    def feed(self, data):
        out = []
        for b in data:
            if self.esc:
                self.esc = False
                self.frame.append(END if b == ESC_END else ESC if b == ESC_ESC else b)
            elif b == ESC:
                self.esc = True
            elif b == END:
                if len(self.frame) >= 4:
                    payload, crc = bytes(self.frame[:-4]), bytes(self.frame[-4:])
                    out.append(payload if struct.unpack("<I", crc)[0] == binascii.crc32(payload) else None)
                self.frame = bytearray()
            else:
                self.frame.append(b)
        return out


class Meter:
    def __init__(self):
        self.registers = [231, 45, 0x0005, 0]

    def answer(self, req):
        """(payload, bad_crc) for a request."""
        if len(req) < 2:
            return None, False
        addr, func = req[0], req[1]
        if func == 0x03 and len(req) == 6:
            start, count = struct.unpack(">HH", req[2:6])
            self.registers[3] = (self.registers[3] + 1) & 0xFFFF
            regs = [self.registers[r] if r < len(self.registers) else 0 for r in range(start, start + count)]
            return bytes([addr, 0x03, 2 * count]) + b"".join(struct.pack(">H", r) for r in regs), False
        if func == 0x06 and len(req) == 6:
            reg, value = struct.unpack(">HH", req[2:6])
            if reg < len(self.registers):
                self.registers[reg] = value
            return bytes(req), False
        if func == 0x41:
            return bytes([addr, 0x41, 0x00, 0x01]), True
        if func == 0x42:
            return bytes([addr, 0x42]) + bytes(range(256)) * 2 + bytes(88), False
        return bytes([addr, func | 0x80, 0x01]), False


def serve(read, write, framing):
    meter = Meter()
    codec = Lp16() if framing == "lp16" else Slip32()
    while True:
        data = read()
        if not data:
            return
        for req in codec.feed(data):
            if req is None:
                print("bad request CRC", file=sys.stderr, flush=True)
                continue
            payload, bad = meter.answer(req)
            if payload is not None:
                write(codec.encode(payload, bad))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--framing", choices=["lp16", "slip32"], default="lp16")
    p.add_argument("--pty", metavar="PATH")
    p.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT (0: any free port)")
    a = p.parse_args()
    if a.pty:
        master, slave = os.openpty()
        tty.setraw(slave)
        if os.path.lexists(a.pty):
            os.unlink(a.pty)
        os.symlink(os.ttyname(slave), a.pty)
        print("READY " + a.pty, flush=True)
        serve(lambda: os.read(master, 4096), lambda b: os.write(master, b), a.framing)
        return
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", a.tcp or 0))
    server.listen(4)
    print("READY %d" % server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                serve(lambda: conn.recv(4096), conn.sendall, a.framing)
            except OSError:
                pass


if __name__ == "__main__":
    main()
