// Loads the upstream .proto files (see proto/README.md) once; every encoder and decoder reads this root.
import path from "node:path";
import protobuf from "protobufjs";

const protoDir = path.join(import.meta.dirname, "proto");

// sync/agent.proto imports every message file by bare name, so the one entry point pulls them all in;
// ttrpc.proto is the envelope around them.
const entryFiles = ["sync/agent.proto", "ttrpc.proto"];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Upstream's build.rs compiles with the include paths protos/ and protos/sync/: an import names a
  // file in protos/, wherever the importing file lives.
  root.resolvePath = (_origin, target) =>
    path.isAbsolute(target) ? target : path.join(protoDir, target);
  // keepCase: field names stay as the protos spell them (session_id), so code reads like the spec.
  root.loadSync(
    entryFiles.map((name) => path.join(protoDir, name)),
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

/** Every service the loaded protos define (vAccel's sync agent.proto defines exactly one). */
export function protoServices(): protobuf.Service[] {
  const found: protobuf.Service[] = [];
  const walk = (namespace: protobuf.NamespaceBase) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Service) found.push(nested);
      else if (nested instanceof protobuf.Namespace) walk(nested);
    }
  };
  walk(protoRoot);
  return found;
}

/** An enum's values by name, as the proto numbers them. */
export function protoEnum(name: string): Readonly<Record<string, number>> {
  return protoRoot.lookupEnum(name).values;
}

/** Encode a plain object as the named message; fromObject rejects wrong shapes with a TypeError. */
export function encodeMessage(type: protobuf.Type, value: object): Uint8Array {
  return type.encode(type.fromObject(value)).finish();
}

export function decodeMessage<T>(type: protobuf.Type, bytes: Uint8Array): T {
  return type.toObject(type.decode(bytes), plainObjectOptions) as T;
}
