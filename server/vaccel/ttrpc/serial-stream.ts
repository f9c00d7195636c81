// A character device carrying a byte stream (the microVM's virtio-serial port) as a net.Socket. libuv polls the
// descriptor as it does a pipe, so a read never parks a thread-pool thread and closing lets the process exit.
import fs from "node:fs";
import net from "node:net";
import { promisify } from "node:util";
import { getSystemErrorName } from "node:util";

interface PipeWrapBinding {
  Pipe: new (type: number) => { open(fd: number): number };
  constants: { SOCKET: number };
}

/**
 * Node has no public way to wrap a pollable descriptor that is not a socket, pipe or tty (a character device
 * counts as a file). pipe_wrap is the binding net.Socket itself uses for pipes; uv_pipe_open accepts any pollable fd.
 */
function pipeWrap(): PipeWrapBinding {
  return (process as unknown as { binding(name: string): PipeWrapBinding }).binding("pipe_wrap");
}

export async function openSerialStream(devicePath: string): Promise<net.Socket> {
  const { O_RDWR, O_NOCTTY, O_NONBLOCK } = fs.constants;
  const fd = await promisify(fs.open)(devicePath, O_RDWR | O_NOCTTY | O_NONBLOCK);
  const { Pipe, constants } = pipeWrap();
  const handle = new Pipe(constants.SOCKET);
  const status = handle.open(fd);
  if (status !== 0) {
    fs.closeSync(fd);
    throw new Error(`cannot poll ${devicePath} as a stream: ${getSystemErrorName(status)}`);
  }
  return new net.Socket({ handle, readable: true, writable: true } as net.SocketConstructorOpts);
}
