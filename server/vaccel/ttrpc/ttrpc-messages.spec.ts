// ttrpc envelopes and frames compared with exact bytes.
import { describe, expect, it } from "vitest";
import { FrameType, encodeFrame } from "./frame";
import {
  decodeTtrpcRequest,
  decodeTtrpcResponse,
  encodeTtrpcRequest,
  encodeTtrpcResponse,
} from "./ttrpc-messages";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const ascii = (text: string) => Buffer.from(text, "ascii").toString("hex");

describe("ttrpc.Request / ttrpc.Response", () => {
  it("matches ttrpc-rust's own codec test vector (src/proto.rs PROTOBUF_REQUEST)", () => {
    // prettier-ignore
    const expected = [
      10, 17, 103, 114, 112, 99, 46, 84, 101, 115, 116, 83, 101, 114, 118, 105, 99, 101, 115, 18,
      4, 84, 101, 115, 116, 26, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 32, 128, 218, 196, 9, 42, 24, 10,
      9, 116, 101, 115, 116, 95, 107, 101, 121, 49, 18, 11, 116, 101, 115, 116, 95, 118, 97, 108,
      117, 101, 49,
    ];
    const bytes = encodeTtrpcRequest({
      service: "grpc.TestServices",
      method: "Test",
      payload: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      timeout_nano: 20 * 1000 * 1000,
      metadata: [{ key: "test_key1", value: "test_value1" }],
    });
    expect([...bytes]).toEqual(expected);
    const decoded = decodeTtrpcRequest(bytes);
    expect(decoded.service).toBe("grpc.TestServices");
    expect(decoded.timeout_nano).toBe(20_000_000);
    expect(decoded.metadata).toEqual([{ key: "test_key1", value: "test_value1" }]);
  });

  it("a CreateSession request frame on stream 1, byte for byte", () => {
    const request = encodeTtrpcRequest({
      service: "vaccel.AgentService",
      method: "CreateSession",
      payload: Uint8Array.from([0x08, 0x01]),
    });
    const body = `0a13${ascii("vaccel.AgentService")}120d${ascii("CreateSession")}1a020801`;
    expect(hex(request)).toBe(body);
    expect(request.length).toBe(40);
    const frame = encodeFrame({ streamId: 1, type: FrameType.request, flags: 0, payload: request });
    // length 40 | stream 1 | type 1 (request) | flags 0
    expect(hex(frame)).toBe(`00000028` + `00000001` + `01` + `00` + body);
  });

  it("an OK response carries an empty Status like Go ttrpc, then the payload", () => {
    const bytes = encodeTtrpcResponse({
      status: { code: 0 },
      payload: Uint8Array.from([0x08, 0x05]),
    });
    expect(hex(bytes)).toBe("0a00" + "12020805");
    const decoded = decodeTtrpcResponse(bytes);
    expect(decoded.status?.code).toBe(0);
    expect([...decoded.payload]).toEqual([8, 5]);
  });

  it("an error response: NOT_FOUND (5) and the agent's message", () => {
    const bytes = encodeTtrpcResponse({ status: { code: 5, message: "Unknown session 9" } });
    expect(hex(bytes)).toBe("0a15" + "0805" + "1211" + ascii("Unknown session 9"));
    expect(decodeTtrpcResponse(bytes).status).toMatchObject({
      code: 5,
      message: "Unknown session 9",
    });
  });

  it("a response without status decodes with status null (treated as OK)", () => {
    expect(decodeTtrpcResponse(Uint8Array.from([0x12, 0x01, 0x07])).status).toBeNull();
  });

  it("garbage is rejected, not misread", () => {
    expect(() => decodeTtrpcRequest(Uint8Array.from([0x0a, 0x7f, 0x41]))).toThrow();
    expect(() => decodeTtrpcRequest(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow();
  });
});
