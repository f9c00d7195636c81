// Byte-level vectors of every request and reply the agent serves, derived by hand from the protos of
// vaccel-rust v0.5.0+vaccel.0.8.0 (proto/) and ttrpc's PROTOCOL.md, as a vAccel 0.8 guest sends them.
//
// How to read them: a field is its tag byte (field number << 3 | wire type: 0 varint, 2 length-delimited)
// then its value; a varint is little-endian base 128 (300 = ac 02, 512 = 80 04, 1024 = 80 08); a field at
// its proto3 default (0, empty) is not written, except `optional` ones (vaccel.Error.ffi_error) and
// repeated messages. `lenPrefixed` only prepends the varint length of what follows; every other byte is
// written out here. None of this file uses an encoder.

/** Hex of text's UTF-8 bytes. */
export const ascii = (text: string) => Buffer.from(text, "utf8").toString("hex");
/** Hex of n zero bytes. */
export const zeros = (n: number) => "00".repeat(n);
/** The varint length of hex's bytes, then the bytes (a length-delimited field's value). */
export function lenPrefixed(hex: string): string {
  let n = hex.length / 2;
  let out = "";
  do {
    const byte = n & 0x7f;
    n = Math.floor(n / 128);
    out += (n > 0 ? byte | 0x80 : byte).toString(16).padStart(2, "0");
  } while (n > 0);
  return out + hex;
}
/** Hex of a float32 array, little-endian as the guest's memory holds it (x86-64 and aarch64 guests). */
export function float32s(values: number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString("hex");
}
/** Hex of an int64, little-endian. */
export const int64 = (value: number) => {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64LE(BigInt(value));
  return buf.toString("hex");
};

export const SERVICE = "vaccel.sync.agent.AgentService";

export interface WireVector {
  name: string;
  method: string;
  /** The method's request message, hex. */
  request: string;
  /** The request as a plain object, field names as the proto spells them. */
  requestObject: object;
  /** The reply message on success, hex. */
  reply: string;
}

// session.CreateRequest{flags=1 uint32}: vaccel_session_init(&sess, 0) sends flags 0, which is not written.
export const createSession: WireVector = {
  name: "CreateSession, flags 0",
  method: "CreateSession",
  request: "",
  requestObject: { flags: 0 },
  // session.CreateResponse{session_id=1 int64}: 08 (field 1 varint), 01.
  reply: "0801",
};

// session.UpdateRequest{session_id=1, flags=2}: 08 01, 10 02.
export const updateSession: WireVector = {
  name: "UpdateSession of session 1 to flags 2",
  method: "UpdateSession",
  request: "0801" + "1002",
  requestObject: { session_id: 1, flags: 2 },
  // vaccel.empty.Empty: no fields.
  reply: "",
};

// A model from a buffer (vaccel_resource_init_from_buf): one BUFFER blob. resource.Blob{type_=1 enum,
// name=2 string, data=3 bytes, size=4 uint32}: 08 01 (BUFFER), 12 0a "model.onnx", 1a 04 01020304, 20 04;
// 22 bytes. RegisterRequest{paths=1, blobs=2, resource_type=3, resource_id=4, session_id=5}: paths empty
// (not written), 12 16 <blob>, 18 02 (MODEL), resource_id 0 (a new resource: not written), 28 01.
export const registerResource: WireVector = {
  name: "RegisterResource, a MODEL from one BUFFER blob",
  method: "RegisterResource",
  request:
    "1216" + "0801" + "120a" + ascii("model.onnx") + "1a04" + "01020304" + "2004" + "1802" + "2801",
  requestObject: {
    paths: [],
    blobs: [{ type_: 1, name: "model.onnx", data: Uint8Array.of(1, 2, 3, 4), size: 4 }],
    resource_type: 2,
    resource_id: 0,
    session_id: 1,
  },
  // RegisterResponse{resource_id=1}: the agent's first resource.
  reply: "0801",
};

// image.Request{session_id=1, image=2 bytes}: 08 01, 12 04 89504e47 (a PNG's first four bytes).
export const imageClassification: WireVector = {
  name: "ImageClassification",
  method: "ImageClassification",
  request: "0801" + "1204" + "89504e47",
  requestObject: { session_id: 1, image: Uint8Array.of(0x89, 0x50, 0x4e, 0x47) },
  // image.Response{tags=1 bytes}: 1024 bytes as vaccel-rpc-agent sends them (the host plugin's buffer),
  // the tag "cat" then NULs: 0a 80 08 <1024 bytes>.
  reply: "0a8008" + ascii("cat") + zeros(1021),
};

// genop.Arg{buf=1 bytes, size=2 uint32, arg_type=3 ArgType, custom_type_id=4, parts=5, part_no=6};
// custom_type_id, parts and part_no are 0 in every vector (not written).
// The op: vaccel_arg_array_add_uint8(&read_args, &op_type) -> buf 1 byte, size 1, UINT8 (9).
const opArg = (op: string) => "0a01" + op + "1001" + "1809";
// vaccel_arg_array_add_uchar_array(&write_args, out, 512) on a zeroed char[512]: 512 NULs, size 512,
// UCHAR_ARRAY (26 = 1a): 0a 80 04 <512>, 10 80 04, 18 1a; 520 bytes.
const ucharArray512 = (contents: string) =>
  "0a8004" + contents + zeros(512 - contents.length / 2) + "108004" + "181a";

// examples/classify_generic.c at vAccel 0.8: read [op IMAGE_CLASSIFY (3), image BUFFER (28 = 1c)],
// write [out_imagename, out_text], each a UCHAR_ARRAY of 512. Request{session_id=1, read_args=2,
// write_args=3}: 08 01; 12 07 <op>; 12 0a <0a 04 89504e47, 10 04, 18 1c>; 1a 88 04 <arg> twice.
export const genopImageClassify: WireVector = {
  name: "Genop IMAGE_CLASSIFY as libvaccel 0.8 packs it",
  method: "Genop",
  request:
    "0801" +
    ("1207" + opArg("03")) +
    ("120a" + "0a0489504e47" + "1004" + "181c") +
    ("1a8804" + ucharArray512("")) +
    ("1a8804" + ucharArray512("")),
  requestObject: {
    session_id: 1,
    read_args: [
      { buf: Uint8Array.of(3), size: 1, arg_type: 9, custom_type_id: 0, parts: 0, part_no: 0 },
      {
        buf: Uint8Array.of(0x89, 0x50, 0x4e, 0x47),
        size: 4,
        arg_type: 28,
        custom_type_id: 0,
        parts: 0,
        part_no: 0,
      },
    ],
    write_args: [
      {
        buf: new Uint8Array(512),
        size: 512,
        arg_type: 26,
        custom_type_id: 0,
        parts: 0,
        part_no: 0,
      },
      {
        buf: new Uint8Array(512),
        size: 512,
        arg_type: 26,
        custom_type_id: 0,
        parts: 0,
        part_no: 0,
      },
    ],
  },
  // genop.Response{write_args=1}: the same two args back, same size and type, written into:
  // out_imagename "out.png", out_text "cat" (what the test backend writes), NUL-padded to 512.
  reply: "0a8804" + ucharArray512(ascii("out.png")) + "0a8804" + ucharArray512(ascii("cat")),
};

// NOOP through genop: read [op NOOP (0)], no write args. 08 01; 12 07 <0a 01 00, 10 01, 18 09>.
// (Upstream's host libvaccel refuses op 0 in vaccel_genop with EINVAL; this agent runs it as the pure
// round trip.)
export const genopNoop: WireVector = {
  name: "Genop NOOP",
  method: "Genop",
  request: "0801" + "1207" + opArg("00"),
  requestObject: {
    session_id: 1,
    read_args: [
      { buf: Uint8Array.of(0), size: 1, arg_type: 9, custom_type_id: 0, parts: 0, part_no: 0 },
    ],
    write_args: [],
  },
  // genop.Response with no write args: no fields.
  reply: "",
};

// examples/sgemm_generic.c at vAccel 0.8 with m = n = k = 2: read [op BLAS_SGEMM (17 = 11), m, n, k
// (INT64 = 07, 8 bytes: 0a 08 <le> 10 08 18 07, 14 bytes), alpha 1.0 (FLOAT32 = 11, 4 bytes: 0a 04
// 0000803f 10 04 18 11, 10 bytes), a = [1 2; 3 4] (FLOAT32_ARRAY = 12, 16 bytes: 0a 10 <16> 10 10 18 12,
// 22 bytes), lda 2, b = [5 6; 7 8], ldb 2, beta 0.0, ldc 2], write [c, FLOAT32_ARRAY of 4 zeros].
const int64Arg = (v: number) => "120e" + "0a08" + int64(v) + "1008" + "1807";
const float32Arg = (v: number) => "120a" + "0a04" + float32s([v]) + "1004" + "1811";
const float32ArrayArg = (field: string, vs: number[]) =>
  field + "16" + "0a10" + float32s(vs) + "1010" + "1812";
export const genopSgemm: WireVector = {
  name: "Genop BLAS_SGEMM 2x2 as libvaccel 0.8 packs it",
  method: "Genop",
  request:
    "0801" +
    ("1207" + opArg("11")) +
    int64Arg(2) +
    int64Arg(2) +
    int64Arg(2) +
    float32Arg(1) +
    float32ArrayArg("12", [1, 2, 3, 4]) +
    int64Arg(2) +
    float32ArrayArg("12", [5, 6, 7, 8]) +
    int64Arg(2) +
    float32Arg(0) +
    int64Arg(2) +
    float32ArrayArg("1a", [0, 0, 0, 0]),
  requestObject: { session_id: 1 },
  // c = alpha * a * b + beta * c = [1*5+2*7 1*6+2*8; 3*5+4*7 3*6+4*8] = [19 22; 43 50]:
  // genop.Response{write_args=1}: 0a 16 <0a 10 <19 22 43 50 as float32 LE> 10 10 18 12>.
  reply: float32ArrayArg("0a", [19, 22, 43, 50]),
};

// resource.UnregisterRequest{resource_id=1, session_id=2}: 08 01, 10 01 (resource 1 from session 1).
export const unregisterResource: WireVector = {
  name: "UnregisterResource",
  method: "UnregisterResource",
  request: "0801" + "1001",
  requestObject: { resource_id: 1, session_id: 1 },
  reply: "",
};

// session.DestroyRequest{session_id=1}: 08 01.
export const destroySession: WireVector = {
  name: "DestroySession",
  method: "DestroySession",
  request: "0801",
  requestObject: { session_id: 1 },
  reply: "",
};

/** In the order a guest sends them on one connection (session 1, resource 1). */
export const sessionVectors = [
  createSession,
  updateSession,
  registerResource,
  imageClassification,
  genopImageClassify,
  genopNoop,
  genopSgemm,
  unregisterResource,
  destroySession,
];

/**
 * ttrpc.Request{service=1, method=2, payload=3}, timeout_nano and metadata at their defaults (as
 * vaccel-rpc-client's Context::default()): 0a 1e <30-byte service> 12 <len> <method> [1a <len> <payload>].
 */
export function requestBody(method: string, payloadHex: string): string {
  return (
    "0a1e" +
    ascii(SERVICE) +
    "12" +
    lenPrefixed(ascii(method)) +
    (payloadHex ? "1a" + lenPrefixed(payloadHex) : "")
  );
}

/** A ttrpc frame: length (4 bytes BE), stream id (4 bytes BE), type (01 request, 02 response), flags 00. */
export function frameHex(streamId: number, type: number, bodyHex: string): string {
  const length = (bodyHex.length / 2).toString(16).padStart(8, "0");
  return (
    length +
    streamId.toString(16).padStart(8, "0") +
    type.toString(16).padStart(2, "0") +
    "00" +
    bodyHex
  );
}

// The first frame a guest writes on a fresh connection: CreateSession on stream 1, empty payload (not
// written): body 0a 1e <service> 12 0d "CreateSession" = 47 bytes = 0x2f.
export const createSessionFrame =
  "0000002f" + "00000001" + "01" + "00" + "0a1e" + ascii(SERVICE) + "120d" + ascii("CreateSession");

// An op with no backend: ttrpc.Response{status=1}: google.rpc.Status{code=1: 08 0d (INTERNAL), message=2:
// "Vaccel error: FFI error: 95 [op 42 is not served]", details=3: Any{type_url=1:
// "type.googleapis.com/vaccel.ProtoError", value=2: vaccel.Error{type FFI (0, not written), ffi_error=2
// (optional, written): 10 5f (ENOTSUP 95)}}}.
export const errorReplyMessage = "Vaccel error: FFI error: 95 [op 42 is not served]";
export const genopUnknownOp = {
  request: "0801" + "1207" + opArg("2a"),
  reply:
    "0a" +
    lenPrefixed(
      "080d" +
        "12" +
        lenPrefixed(ascii(errorReplyMessage)) +
        "1a" +
        lenPrefixed("0a25" + ascii("type.googleapis.com/vaccel.ProtoError") + "1202" + "105f"),
    ),
};

// A call on a session that does not exist: Status{code=1: 08 05 (NOT_FOUND), message=2: "Unknown session
// 7"}, no details, as vaccel-rpc-agent's AgentServiceError::NotFound.
export const destroyUnknownSession = {
  request: "0807",
  reply: "0a15" + "0805" + "1211" + ascii("Unknown session 7"),
};
