// The vAccel agent service as it travels over ttrpc: service name, methods, and their message types.
// Names from proto/agent.proto (service AgentService, package vaccel); messages from the per-file protos.
import type protobuf from "protobufjs";
import { lookupMessage } from "./proto-root";

/** ttrpc's Request.service is "<proto package>.<service>" (ttrpc-rust codegen: "{package}.{service}"). */
export const AGENT_SERVICE = "vaccel.AgentService";

export const agentMethods = {
  CreateSession: {
    request: "vaccel.session.CreateRequest",
    response: "vaccel.session.CreateResponse",
  },
  UpdateSession: { request: "vaccel.session.UpdateRequest", response: "vaccel.empty.Empty" },
  DestroySession: { request: "vaccel.session.DestroyRequest", response: "vaccel.empty.Empty" },
  RegisterResource: {
    request: "vaccel.RegisterResourceRequest",
    response: "vaccel.RegisterResourceResponse",
  },
  UnregisterResource: {
    request: "vaccel.UnregisterResourceRequest",
    response: "vaccel.empty.Empty",
  },
  ImageClassification: { request: "vaccel.image.Request", response: "vaccel.image.Response" },
  Genop: { request: "vaccel.genop.Request", response: "vaccel.genop.Response" },
} as const;

export type AgentMethod = keyof typeof agentMethods;

export function methodTypes(method: AgentMethod): {
  request: protobuf.Type;
  response: protobuf.Type;
} {
  const names = agentMethods[method];
  return { request: lookupMessage(names.request), response: lookupMessage(names.response) };
}

/** vaccel.ResourceType (resource.proto). */
export const ResourceType = { LIB: 0, DATA: 1, MODEL: 2 } as const;
/** vaccel.BlobType (resource.proto). */
export const BlobType = { FILE: 0, BUFFER: 1, MAPPED: 2 } as const;
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
/** vaccel.VaccelErrorType (error.proto). */
export const VaccelErrorType = {
  FFI: 0,
  FFI_WITH_STATUS: 1,
  INVALID_ARGUMENT: 2,
  UNINITIALIZED: 3,
  OUT_OF_BOUNDS: 4,
  EMPTY_VALUE: 5,
  CONVERSION_FAILED: 6,
} as const;
/** The type_url vaccel-rpc-agent gives the VaccelError it attaches to a ttrpc Status (agent_service.rs). */
export const VACCEL_ERROR_TYPE_URL = "type.googleapis.com/vaccel.VaccelError";

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
  /** vaccel.genop.ArgType (genop.proto), libvaccel's vaccel_arg_type_t. */
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

/** Request and response shapes per method, so the agent and the client stay typed end to end. */
export interface AgentMessages {
  CreateSession: [CreateSessionRequest, CreateSessionResponse];
  UpdateSession: [UpdateSessionRequest, Record<string, never>];
  DestroySession: [DestroySessionRequest, Record<string, never>];
  RegisterResource: [RegisterResourceRequest, RegisterResourceResponse];
  UnregisterResource: [UnregisterResourceRequest, Record<string, never>];
  ImageClassification: [ImageRequest, ImageResponse];
  Genop: [GenopRequest, GenopResponse];
}
