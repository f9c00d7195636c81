// The vAccel agent service as it travels over ttrpc, read from proto/sync/agent.proto (vAccel 0.8,
// vaccel-rust v0.5.0+vaccel.0.8.0): service and method names come from the proto, not from constants.
import type protobuf from "protobufjs";
import { protoEnum, protoServices } from "./proto-root";
import {
  VACCEL_EBACKEND,
  VACCEL_EINVAL,
  VACCEL_ENOTSUP,
  VACCEL_ERANGE,
} from "./vaccel-error-codes";

function loadAgentService(): protobuf.Service {
  const services = protoServices();
  if (services.length !== 1) {
    throw new Error(
      `proto/ should define one service (sync/agent.proto), found ${services.length}`,
    );
  }
  return services[0];
}

const agentService = loadAgentService();

/**
 * ttrpc's Request.service: the proto's "<package>.<service>" ("vaccel.sync.agent.AgentService"),
 * as ttrpc-rust's codegen writes it and vaccel-rpc-client calls it.
 */
export const AGENT_SERVICE = agentService.fullName.replace(/^\./, "");

/**
 * vaccel-rust v0.4's service name (package vaccel). Served as an alias with the same handlers and the
 * v0.8 messages: a v0.4 guest's session and image calls are byte-identical, its Genop and
 * RegisterResource are not (v0.4's genop.Arg and resource File have other field numbers).
 */
export const V04_AGENT_SERVICE = "vaccel.AgentService";

/** Every method sync/agent.proto defines, in its order. */
export const agentProtoMethods: readonly string[] = Object.keys(agentService.methods);

/** Request and response types of a method as the proto declares them. */
export function methodTypes(method: string): { request: protobuf.Type; response: protobuf.Type } {
  const rpc = agentService.methods[method];
  if (!rpc) throw new Error(`${AGENT_SERVICE} has no method ${method}`);
  rpc.resolve();
  return {
    request: rpc.resolvedRequestType as protobuf.Type,
    response: rpc.resolvedResponseType as protobuf.Type,
  };
}

/** vaccel.genop.ArgType (genop.proto), numbered as libvaccel 0.8's vaccel_arg_type_t (include/vaccel/arg.h). */
export const ArgType = {
  RAW: 0,
  INT8: 1,
  INT8_ARRAY: 2,
  INT16: 3,
  INT16_ARRAY: 4,
  INT32: 5,
  INT32_ARRAY: 6,
  INT64: 7,
  INT64_ARRAY: 8,
  UINT8: 9,
  UINT8_ARRAY: 10,
  UINT16: 11,
  UINT16_ARRAY: 12,
  UINT32: 13,
  UINT32_ARRAY: 14,
  UINT64: 15,
  UINT64_ARRAY: 16,
  FLOAT32: 17,
  FLOAT32_ARRAY: 18,
  FLOAT64: 19,
  FLOAT64_ARRAY: 20,
  BOOL: 21,
  BOOL_ARRAY: 22,
  CHAR: 23,
  CHAR_ARRAY: 24,
  UCHAR: 25,
  UCHAR_ARRAY: 26,
  STRING: 27,
  BUFFER: 28,
  CUSTOM: 29,
} as const;
/** vaccel.resource.ResourceType (resource.proto). */
export const ResourceType = { LIB: 0, DATA: 1, MODEL: 2 } as const;
/** vaccel.resource.BlobType (resource.proto). */
export const BlobType = { FILE: 0, BUFFER: 1, MAPPED: 2 } as const;
/** vaccel.ErrorType (vaccel.proto). */
export const ErrorType = {
  FFI: 0,
  FFI_WITH_STATUS: 1,
  INVALID_ARGUMENT: 2,
  UNINITIALIZED: 3,
  OUT_OF_BOUNDS: 4,
  EMPTY_VALUE: 5,
  CONVERSION_FAILED: 6,
} as const;

/** The constants above, checked against the loaded protos (vaccel-protocol.spec.ts). */
export const protoEnums = {
  ArgType: () => protoEnum("vaccel.genop.ArgType"),
  ResourceType: () => protoEnum("vaccel.resource.ResourceType"),
  BlobType: () => protoEnum("vaccel.resource.BlobType"),
  ErrorType: () => protoEnum("vaccel.ErrorType"),
};

/**
 * The type_url vaccel-rpc-agent gives the vaccel.Error it attaches to a ttrpc Status
 * (agent_service.rs names it after its Rust alias ProtoError; the message is vaccel.Error).
 */
export const VACCEL_ERROR_TYPE_URL = "type.googleapis.com/vaccel.ProtoError";
/** The message inside that detail. */
export const VACCEL_ERROR_MESSAGE = "vaccel.Error";

/** libvaccel's return codes (include/vaccel/error.h: Linux errno values) that the agent sends back. */
export const VaccelCode = {
  EINVAL: VACCEL_EINVAL,
  ERANGE: VACCEL_ERANGE,
  EBACKEND: VACCEL_EBACKEND,
  ENOTSUP: VACCEL_ENOTSUP,
} as const;

/**
 * How big a buffer libvaccel's image classification hands its plugin, and so what the real agent
 * returns in image.Response.tags (vaccel-bindings ops/image.rs: vec![0; 1024]). The RPC client copies
 * the first out_len bytes of it, so a shorter reply would abort a guest asking for more.
 */
export const IMAGE_TAGS_BYTES = 1024;

// Plain-object shapes of the messages, field names as the protos spell them.
export interface CreateSessionRequest {
  flags: number;
}
export interface CreateSessionResponse {
  session_id: number;
}
export interface UpdateSessionRequest {
  session_id: number;
  flags: number;
}
export interface DestroySessionRequest {
  session_id: number;
}
export interface Blob {
  type_: number;
  name: string;
  data: Uint8Array;
  size: number;
}
export interface RegisterResourceRequest {
  paths: string[];
  blobs: Blob[];
  resource_type: number;
  resource_id: number;
  session_id: number;
}
export interface RegisterResourceResponse {
  resource_id: number;
}
export interface UnregisterResourceRequest {
  resource_id: number;
  session_id: number;
}
export interface ImageRequest {
  session_id: number;
  image: Uint8Array;
}
export interface ImageResponse {
  tags: Uint8Array;
}
export interface GenopArg {
  buf: Uint8Array;
  size: number;
  arg_type: number;
  custom_type_id: number;
  parts: number;
  part_no: number;
}
export interface GenopRequest {
  session_id: number;
  read_args: GenopArg[];
  write_args: GenopArg[];
}
export interface GenopResponse {
  write_args: GenopArg[];
}
export interface VaccelError {
  type: number;
  ffi_error?: number;
  status?: { code: number; message: string };
}

/** Request and response shapes per method the playground serves, so the agent and the client stay typed end to end. */
export interface AgentMessages {
  CreateSession: [CreateSessionRequest, CreateSessionResponse];
  UpdateSession: [UpdateSessionRequest, Record<string, never>];
  DestroySession: [DestroySessionRequest, Record<string, never>];
  RegisterResource: [RegisterResourceRequest, RegisterResourceResponse];
  UnregisterResource: [UnregisterResourceRequest, Record<string, never>];
  ImageClassification: [ImageRequest, ImageResponse];
  Genop: [GenopRequest, GenopResponse];
}

export type AgentMethod = keyof AgentMessages;

/** A genop arg as a caller gives it; size is always the buffer's length on the wire. */
export interface GenopInput {
  arg_type: number;
  buf: Uint8Array;
  custom_type_id?: number;
}

/** The op a genop runs: its first read arg, one byte of type UINT8 (libvaccel's vaccel_genop reads it with get_uint8). */
export function genopOpArg(op: number): GenopInput {
  if (!Number.isInteger(op) || op < 0 || op > 0xff)
    throw new RangeError(`a genop op is one byte (0-255), got ${op}`);
  return { arg_type: ArgType.UINT8, buf: Uint8Array.of(op) };
}

/** The wire form of an arg: size == buf.length, as vaccel-rpc-proto's Arg conversion insists. */
export function toGenopArg(input: GenopInput): GenopArg {
  return {
    buf: input.buf,
    size: input.buf.length,
    arg_type: input.arg_type,
    custom_type_id: input.custom_type_id ?? 0,
    parts: 0,
    part_no: 0,
  };
}

/** The op of a genop request, or undefined when its first read arg is not a 1-byte UINT8. */
export function readGenopOp(readArgs: readonly GenopArg[]): number | undefined {
  const first = readArgs[0];
  if (!first || first.arg_type !== ArgType.UINT8 || first.buf.length !== 1) return undefined;
  return first.buf[0];
}
