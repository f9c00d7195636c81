// Guest workload (runs inside the node-onnx image): opens a session with the host's vAccel agent and closes it,
// speaking ttrpc by hand (no dependency), so a test sees whether a sandbox's transport reaches the agent.
// Reads VACCEL_RPC_ADDRESS: unix://PATH (runc, gVisor) or serial://PATH (the microVM's virtio-serial port; not a
// vAccel scheme, the playground's own). Prints `session <id>` and `destroyed`, or `error <text>` and exits 1.
import fs from "node:fs";
import net from "node:net";

const service = "vaccel.AgentService";
const address = process.env.VACCEL_RPC_ADDRESS ?? "";

function varint(value) {
  const out = [];
  let v = BigInt(value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

function field(number, wireType, body) {
  const key = varint((number << 3) | wireType);
  return wireType === 2
    ? Buffer.concat([key, varint(body.length), body])
    : Buffer.concat([key, body]);
}

/** Fields of one protobuf message: number -> last value (varints as BigInt, length-delimited as Buffer). */
function decode(buf) {
  const fields = new Map();
  let i = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[i++];
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(readVarint());
    const wireType = key & 7;
    if (wireType === 0) fields.set(key >> 3, readVarint());
    else if (wireType === 2) {
      const length = Number(readVarint());
      fields.set(key >> 3, buf.subarray(i, i + length));
      i += length;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  return fields;
}

function requestFrame(streamId, method, payload) {
  const body = Buffer.concat([
    field(1, 2, Buffer.from(service)),
    field(2, 2, Buffer.from(method)),
    field(3, 2, payload),
  ]);
  const header = Buffer.alloc(10);
  header.writeUInt32BE(body.length, 0);
  header.writeUInt32BE(streamId, 4);
  header.writeUInt8(1, 8);
  return Buffer.concat([header, body]);
}

/** The response's payload, or an error with the ttrpc status. */
function responsePayload(frame) {
  const response = decode(frame);
  const status = decode(response.get(1) ?? Buffer.alloc(0));
  const code = Number(status.get(1) ?? 0n);
  if (code !== 0) throw new Error(`ttrpc status ${code}: ${status.get(2)?.toString() ?? ""}`);
  return response.get(2) ?? Buffer.alloc(0);
}

/** A byte transport: send a frame, receive one frame's data. */
async function openTransport() {
  if (address.startsWith("unix://")) {
    const socket = net.createConnection(address.slice("unix://".length));
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    let pending = Buffer.alloc(0);
    let waiter = null;
    const tryFrame = () => {
      if (!waiter || pending.length < 10) return;
      const length = pending.readUInt32BE(0);
      if (pending.length < 10 + length) return;
      const frame = pending.subarray(10, 10 + length);
      pending = pending.subarray(10 + length);
      const resolve = waiter;
      waiter = null;
      resolve(frame);
    };
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      tryFrame();
    });
    return {
      send: (bytes) => socket.write(bytes),
      receive: () =>
        new Promise((resolve) => {
          waiter = resolve;
          tryFrame();
        }),
      close: () => socket.end(),
    };
  }
  if (address.startsWith("serial://")) {
    // A virtio-serial port is a character device: blocking reads and writes on one descriptor.
    const fd = fs.openSync(address.slice("serial://".length), "r+");
    const readExactly = (n) => {
      const out = Buffer.alloc(n);
      let filled = 0;
      while (filled < n) {
        const got = fs.readSync(fd, out, filled, n - filled, null);
        if (got === 0) throw new Error("the serial port closed");
        filled += got;
      }
      return out;
    };
    return {
      send: (bytes) => fs.writeSync(fd, bytes),
      receive: async () => readExactly(readExactly(10).readUInt32BE(0)),
      close: () => fs.closeSync(fd),
    };
  }
  throw new Error(`VACCEL_RPC_ADDRESS is "${address}"; this ping speaks unix:// and serial://`);
}

try {
  const transport = await openTransport();
  transport.send(requestFrame(1, "CreateSession", Buffer.alloc(0)));
  const created = decode(responsePayload(await transport.receive()));
  const sessionId = created.get(1) ?? 0n;
  console.log(`session ${sessionId}`);
  transport.send(requestFrame(3, "DestroySession", field(1, 0, varint(sessionId))));
  responsePayload(await transport.receive());
  console.log("destroyed");
  transport.close();
} catch (err) {
  console.log(`error ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
