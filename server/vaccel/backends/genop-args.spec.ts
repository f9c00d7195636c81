// genop args packed byte for byte as libvaccel 0.8's vaccel_arg_array_add_* packs them, and read back with its checks.
import { describe, expect, it } from "vitest";
import { ArgType } from "../vaccel-protocol";
import { GenopArgReader, packArg, readCString, writeArg } from "./genop-args";
import { VACCEL_EINVAL } from "../vaccel-error-codes";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("genop args", () => {
  it("packs the op type as one UINT8 byte and scalars in little-endian at their C sizes", () => {
    expect(packArg.op(17)).toMatchObject({ arg_type: ArgType.UINT8, size: 1 });
    expect(hex(packArg.op(17).buf)).toBe("11");
    expect(hex(packArg.int64(512).buf)).toBe("0002000000000000");
    expect(packArg.int64(512).arg_type).toBe(ArgType.INT64);
    expect(hex(packArg.float32(1).buf)).toBe("0000803f");
    expect(packArg.float32Array(Float32Array.of(1, 2))).toMatchObject({
      arg_type: ArgType.FLOAT32_ARRAY,
      size: 8,
    });
    expect(writeArg(ArgType.UCHAR_ARRAY, 3)).toEqual({
      buf: new Uint8Array(3),
      size: 3,
      arg_type: ArgType.UCHAR_ARRAY,
      custom_type_id: 0,
      parts: 0,
      part_no: 0,
    });
  });

  it("reads args in order and refuses a wrong type, a wrong size and a missing arg with EINVAL", () => {
    const reader = new GenopArgReader("BLAS_SGEMM", "read", [
      packArg.int64(-3),
      packArg.float32(0.5),
      packArg.int32(7),
    ]);
    expect(reader.int64("m")).toBe(-3);
    expect(reader.float32("alpha")).toBe(0.5);
    expect(() => reader.int64("k")).toThrow(
      expect.objectContaining({
        vaccelCode: VACCEL_EINVAL,
        message: "genop BLAS_SGEMM: k must be INT64; got INT32",
      }),
    );
    expect(() => reader.int64("lda")).toThrow("genop BLAS_SGEMM: missing read arg lda");
    const short = { ...packArg.int64(1), buf: new Uint8Array(4) };
    expect(() => new GenopArgReader("X", "read", [short]).int64("n")).toThrow(
      "n (INT64) must be 8 bytes; got 4",
    );
    const ragged = { ...packArg.float32Array(Float32Array.of(1)), buf: new Uint8Array(6) };
    expect(() => new GenopArgReader("X", "read", [ragged]).float32Array("A")).toThrow(
      "whole number of 4-byte elements",
    );
  });

  it("reads a C string up to its NUL", () => {
    expect(readCString(Uint8Array.of(0x68, 0x69, 0, 0x7a))).toBe("hi");
    expect(readCString(Uint8Array.of(0x68, 0x69))).toBe("hi");
  });
});
