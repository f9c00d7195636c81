// Loads the copied .proto files (see proto/README.md) once; every encoder and decoder reads this root.
import path from "node:path";
import protobuf from "protobufjs";

const protoDir = path.join(import.meta.dirname, "proto");

// agent.proto is left out on purpose: it names the older message types (see proto/README.md).
const protoFiles = ["empty", "session", "image", "genop", "resource", "error", "ttrpc"];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // keepCase: field names stay as the protos spell them (session_id), so code reads like the spec.
  root.loadSync(
    protoFiles.map((name) => path.join(protoDir, `${name}.proto`)),
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}

export const protoRoot = loadRoot();

/** Decoded messages as plain objects: int64 as number (ids stay far below 2^53), enums as numbers. */
export const plainObjectOptions: protobuf.IConversionOptions = {
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
};

export function lookupMessage(name: string): protobuf.Type {
  return protoRoot.lookupType(name);
}

/** Encode a plain object as the named message; fromObject rejects wrong shapes with a TypeError. */
export function encodeMessage(type: protobuf.Type, value: object): Uint8Array {
  return type.encode(type.fromObject(value)).finish();
}

export function decodeMessage<T>(type: protobuf.Type, bytes: Uint8Array): T {
  return type.toObject(type.decode(bytes), plainObjectOptions) as T;
}
