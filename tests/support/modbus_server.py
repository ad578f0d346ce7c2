#!/usr/bin/python3
"""A Modbus server from pymodbus (Debian's python3-pymodbus), for tests of hil against a peer it did not write.

  modbus_server.py --tcp 0            Modbus TCP on 127.0.0.1, a free port; prints "READY <port>"
  modbus_server.py --serial /dev/pts/N  Modbus RTU on that serial device; prints "READY <path>"

Unit 1 (and only unit 1: requests to another unit get no answer). Registers 0..99, zero-based:
holding[i] = 1000 + i, input[i] = 2000 + i, coil i on when i % 3 == 0, discrete i on when i is odd.
Address 100 and above is an illegal data address (exception 0x02). Runs until killed or stdin closes.
"""
import argparse
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

SIZE = 100


def context():
    slave = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [i % 2 == 1 for i in range(SIZE)]),
        co=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(SIZE)]),
        hr=ModbusSequentialDataBlock(0, [1000 + i for i in range(SIZE)]),
        ir=ModbusSequentialDataBlock(0, [2000 + i for i in range(SIZE)]),
        zero_mode=True,
    )
    return ModbusServerContext(slaves={1: slave}, single=False)


async def stop_on_stdin_close():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tcp", type=int)
    parser.add_argument("--serial")
    args = parser.parse_args()
    if args.tcp is not None:
        server = ModbusTcpServer(context(), address=("127.0.0.1", args.tcp), allow_reuse_address=True,
                                 ignore_missing_slaves=True, defer_start=True)
        server.server = await server.loop.create_server(lambda: server.handler(server), *server.address,
                                                        reuse_address=True, start_serving=True)
        print("READY", server.server.sockets[0].getsockname()[1], flush=True)
    else:
        server = ModbusSerialServer(context(), framer=ModbusRtuFramer, port=args.serial, baudrate=115200,
                                    timeout=0.005, ignore_missing_slaves=True)
        await server.start()
        print("READY", args.serial, flush=True)
    await stop_on_stdin_close()


if __name__ == "__main__":
    asyncio.run(main())
