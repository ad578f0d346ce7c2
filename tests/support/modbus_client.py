#!/usr/bin/python3
"""pymodbus's own client (Debian's python3-pymodbus) against a Modbus server, for tests of hil-sim modbus.

  modbus_client.py --tcp PORT          Modbus TCP to 127.0.0.1:PORT
  modbus_client.py --serial /dev/pts/N  Modbus RTU on that serial device

Reads and writes the simulated PLC's map (unit 1) and prints one "name value" line per result, then
"DONE". A request that fails prints "name error <what>".
"""
import argparse
import sys

from pymodbus.client import ModbusSerialClient, ModbusTcpClient


def main():
    parser = argparse.ArgumentParser()
    way = parser.add_mutually_exclusive_group(required=True)
    way.add_argument("--tcp", type=int)
    way.add_argument("--serial")
    args = parser.parse_args()
    if args.tcp is not None:
        client = ModbusTcpClient("127.0.0.1", port=args.tcp, timeout=2)
    else:
        client = ModbusSerialClient(method="rtu", port=args.serial, baudrate=115200, timeout=2)
    if not client.connect():
        print("connect error", flush=True)
        return 1

    def show(name, response, value):
        if response.isError():
            code = getattr(response, "exception_code", None)
            print(name, "error", code if code is not None else response, flush=True)
        else:
            print(name, value(response), flush=True)

    show("input", client.read_input_registers(0, 3, slave=1), lambda r: ",".join(map(str, r.registers)))
    show("write_holding", client.write_registers(0, [215, 7], slave=1), lambda r: "ok")
    show("holding", client.read_holding_registers(0, 2, slave=1), lambda r: ",".join(map(str, r.registers)))
    show("write_coil", client.write_coil(0, True, slave=1), lambda r: "ok")
    show("coil", client.read_coils(0, 1, slave=1), lambda r: int(r.bits[0]))
    show("bad_address", client.read_input_registers(3, 1, slave=1), lambda r: "answered")
    show("bad_value", client.read_holding_registers(0, 0, slave=1), lambda r: "answered")
    print("DONE", flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
