// What the agent asks of whatever executes the ops (onnxruntime, the host's libvaccel, a test double).
import type { GenopArg } from "../vaccel-protocol";

export interface AgentBlob {
  name: string;
  /** vaccel.BlobType */
  type: number;
  data: Uint8Array;
}

export interface AgentResource {
  id: number;
  /** vaccel.ResourceType */
  type: number;
  blobs: readonly AgentBlob[];
}

/** A guest's session as the backend sees it: its id, flags and the resources registered to it. */
export interface AgentSession {
  id: number;
  flags: number;
  resources: readonly AgentResource[];
}

export interface ImageClassificationResult {
  /** The label vAccel returns in ImageClassification's `tags` bytes. */
  tag: string;
}

export interface GenopCall {
  /** The op type (vaccel_op_type_t), read from the first read arg: one byte of type UINT8, as libvaccel packs it; undefined otherwise. */
  op: number | undefined;
  readArgs: readonly GenopArg[];
  writeArgs: readonly GenopArg[];
}

export interface AccelBackend {
  classifyImage(
    session: AgentSession,
    image: Uint8Array,
    signal: AbortSignal,
  ): Promise<ImageClassificationResult>;
  /** Returns one buffer per write arg, in order. */
  genop(session: AgentSession, call: GenopCall, signal: AbortSignal): Promise<Uint8Array[]>;
}

/** A failed op with the vAccel error code (VACCEL_E*) the guest's libvaccel should see. */
export class AccelBackendError extends Error {
  constructor(
    message: string,
    readonly vaccelCode?: number,
  ) {
    super(message);
    this.name = "AccelBackendError";
  }
}
