// Byte-level vectors: each expected encoding is derived by hand from the field numbers and wire types
// in proto/*.proto (tag = field << 3 | wire type; 0 varint, 2 length-delimited).
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { VACCEL_WIRE_RELEASE } from "../../lib/api/vaccel-release";
import { decodeMessage, encodeMessage, lookupMessage } from "./proto-root";
import {
  AGENT_SERVICE,
  ArgType,
  BlobType,
  ErrorType,
  ResourceType,
  agentProtoMethods,
  genopOpArg,
  methodTypes,
  protoEnums,
  readGenopOp,
  toGenopArg,
} from "./vaccel-protocol";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const ascii = (text: string) => Buffer.from(text, "ascii").toString("hex");

describe("vAccel messages on the wire", () => {
  it("session.CreateRequest{flags=3} is field 1 varint", () => {
    expect(hex(encodeMessage(methodTypes("CreateSession").request, { flags: 3 }))).toBe("0803");
  });

  it("session.CreateResponse{session_id=1} and DestroyRequest{session_id=300} (multi-byte varint)", () => {
    expect(hex(encodeMessage(methodTypes("CreateSession").response, { session_id: 1 }))).toBe(
      "0801",
    );
    expect(hex(encodeMessage(methodTypes("DestroySession").request, { session_id: 300 }))).toBe(
      "08ac02",
    );
  });

  it("int64 session_id -1 takes ten bytes, as protobuf encodes negative int64", () => {
    const type = methodTypes("DestroySession").request;
    const bytes = encodeMessage(type, { session_id: -1 });
    expect(hex(bytes)).toBe("08ffffffffffffffffff01");
    expect(decodeMessage<{ session_id: number }>(type, bytes).session_id).toBe(-1);
  });

  it("an empty message (vaccel.empty.Empty, or defaults only) is zero bytes", () => {
    expect(encodeMessage(methodTypes("DestroySession").response, {}).length).toBe(0);
    expect(encodeMessage(methodTypes("CreateSession").request, { flags: 0 }).length).toBe(0);
  });

  it("image.Request{session_id=1, image=dead} and image.Response{tags='cat'}", () => {
    const { request, response } = methodTypes("ImageClassification");
    expect(
      hex(encodeMessage(request, { session_id: 1, image: Uint8Array.from([0xde, 0xad]) })),
    ).toBe("08011202dead");
    expect(hex(encodeMessage(response, { tags: Buffer.from("cat") }))).toBe(`0a03${ascii("cat")}`);
  });

  it("RegisterResourceRequest with one BUFFER blob of a MODEL", () => {
    const bytes = encodeMessage(methodTypes("RegisterResource").request, {
      blobs: [{ type_: 1, name: "m", data: Uint8Array.from([1, 2]), size: 2 }],
      resource_type: 2,
      session_id: 1,
    });
    // blob = type_(1)=1 | name(2)="m" | data(3)=0102 | size(4)=2  -> 11 bytes
    const blob = `0801${"12016d"}1a020102${"2002"}`;
    expect(blob.length / 2).toBe(11);
    // blobs(2) LEN 11, resource_type(3)=2, session_id(5)=1; resource_id 0 is not written
    expect(hex(bytes)).toBe(`120b${blob}18022801`);
  });

  it("UnregisterResourceRequest{resource_id=4, session_id=2}", () => {
    expect(
      hex(
        encodeMessage(methodTypes("UnregisterResource").request, { resource_id: 4, session_id: 2 }),
      ),
    ).toBe("08041002");
  });

  it("genop.Request with the op as a UINT8 read arg and one zero-filled write arg", () => {
    const bytes = encodeMessage(methodTypes("Genop").request, {
      session_id: 2,
      read_args: [{ buf: Uint8Array.from([7]), size: 1, arg_type: 9 }],
      write_args: [{ buf: new Uint8Array(2), size: 2, arg_type: 26 }],
    });
    // read arg: buf(1)=07, size(2)=1, arg_type(3)=9 -> 7 bytes; write arg: buf(1)=0000, size(2)=2, arg_type(3)=26 -> 8 bytes
    expect(hex(bytes)).toBe(
      "0802" + "1207" + "0a0107" + "1001" + "1809" + "1a08" + "0a020000" + "1002" + "181a",
    );
  });

  it("vaccel.Error keeps proto3 optional ffi_error even when type is the default FFI", () => {
    const type = lookupMessage("vaccel.Error");
    expect(hex(encodeMessage(type, { type: 0, ffi_error: 22 }))).toBe("1016");
    expect(hex(encodeMessage(type, { type: 2, status: { code: 1, message: "x" } }))).toBe(
      "0802" + "1a05" + "1801" + "220178",
    );
  });
});

describe("the protos as loaded", () => {
  it("name the service and methods of vaccel-rust v0.5.0+vaccel.0.8.0's sync agent.proto", () => {
    expect(AGENT_SERVICE).toBe("vaccel.sync.agent.AgentService");
    expect(agentProtoMethods).toEqual([
      "CreateSession",
      "UpdateSession",
      "DestroySession",
      "RegisterResource",
      "UnregisterResource",
      "SyncResource",
      "ImageClassification",
      "TensorflowModelLoad",
      "TensorflowModelUnload",
      "TensorflowModelRun",
      "TensorflowLiteModelLoad",
      "TensorflowLiteModelUnload",
      "TensorflowLiteModelRun",
      "TorchModelLoad",
      "TorchModelRun",
      "Genop",
      "GetProfiler",
    ]);
    expect(methodTypes("RegisterResource").request.fullName).toBe(
      ".vaccel.resource.RegisterRequest",
    );
  });

  it("number their enums as the constants the code uses", () => {
    expect(protoEnums.ArgType()).toEqual(ArgType);
    expect(protoEnums.ResourceType()).toEqual(ResourceType);
    expect(protoEnums.BlobType()).toEqual(BlobType);
    expect(protoEnums.ErrorType()).toEqual(ErrorType);
  });

  it("each name the release and commit the page and README name", async () => {
    const dir = path.join(import.meta.dirname, "proto");
    const files = (await readdir(dir, { recursive: true })).filter(
      (name) => name.endsWith(".proto") && name !== "ttrpc.proto",
    );
    expect(files).toHaveLength(11);
    for (const file of files) {
      const head = (await readFile(path.join(dir, file), "utf8"))
        .split("\n")
        .slice(0, 3)
        .join("\n");
      expect(head).toContain(`release ${VACCEL_WIRE_RELEASE.vaccelRust} (vAccel 0.8)`);
      expect(head).toContain(`commit ${VACCEL_WIRE_RELEASE.commit}`);
      expect(head).toContain(`path vaccel-rpc-proto/protos/${file}.`);
    }
  });
});

describe("genop args", () => {
  it("packs the op as libvaccel does (1 byte, UINT8) and reads it back only in that form", () => {
    const op = toGenopArg(genopOpArg(17));
    expect(op).toEqual({
      buf: Uint8Array.of(17),
      size: 1,
      arg_type: 9,
      custom_type_id: 0,
      parts: 0,
      part_no: 0,
    });
    expect(readGenopOp([op])).toBe(17);
    expect(readGenopOp([{ ...op, arg_type: ArgType.RAW }])).toBeUndefined();
    expect(
      readGenopOp([toGenopArg({ arg_type: ArgType.UINT8, buf: Uint8Array.of(3, 0) })]),
    ).toBeUndefined();
    expect(readGenopOp([])).toBeUndefined();
    expect(() => genopOpArg(256)).toThrow(RangeError);
  });
});
