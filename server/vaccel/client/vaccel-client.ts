// The guest side of vAccel RPC: what libvaccel's RPC plugin sends, callable from Node.
import { decodeMessage, encodeMessage } from "../proto-root";
import { type RpcAddress, parseRpcAddress, rpcAddressFromEnv } from "../rpc-address";
import { VACCEL_MAX_FRAME_BYTES } from "../ttrpc/frame";
import { type CallOptions, TtrpcClient, type TtrpcClientOptions } from "../ttrpc/ttrpc-client";
import { TtrpcError } from "../ttrpc/ttrpc-error";
import { StatusCode } from "../ttrpc/status-code";
import {
  AGENT_SERVICE,
  type AgentMessages,
  type AgentMethod,
  ArgType,
  BlobType,
  type GenopInput,
  methodTypes,
  toGenopArg,
} from "../vaccel-protocol";

export interface ResourceFile {
  name: string;
  data: Uint8Array;
}

/** A genop write arg as the guest allocates it: its buffer as it is (buf), or zero-filled of this size. */
export interface GenopOutput {
  size: number;
  arg_type: number;
  buf?: Uint8Array;
  custom_type_id?: number;
}

export class VaccelClient {
  private constructor(private readonly ttrpc: TtrpcClient) {}

  /** Connects to an address string as VACCEL_RPC_ADDRESS writes it; without one, reads the environment like libvaccel. */
  static async connect(
    address?: string | RpcAddress,
    options: TtrpcClientOptions = {},
  ): Promise<VaccelClient> {
    const parsed =
      address === undefined
        ? rpcAddressFromEnv()
        : typeof address === "string"
          ? parseRpcAddress(address)
          : address;
    // Replies up to the fork's 1 GiB limit, as vaccel-rpc-client reads them.
    return new VaccelClient(
      await TtrpcClient.connect(parsed, { maxFrameBytes: VACCEL_MAX_FRAME_BYTES, ...options }),
    );
  }

  async createSession(flags = 0, options?: CallOptions): Promise<number> {
    const response = await this.call("CreateSession", { flags }, options);
    return response.session_id;
  }

  async updateSession(sessionId: number, flags: number, options?: CallOptions): Promise<void> {
    await this.call("UpdateSession", { session_id: sessionId, flags }, options);
  }

  async destroySession(sessionId: number, options?: CallOptions): Promise<void> {
    await this.call("DestroySession", { session_id: sessionId }, options);
  }

  /** Creates a resource from in-memory files (vAccel sends them as BUFFER blobs) and registers it with the session. */
  async registerResource(
    sessionId: number,
    resourceType: number,
    files: ResourceFile[],
    options?: CallOptions,
  ): Promise<number> {
    const response = await this.call(
      "RegisterResource",
      {
        paths: [],
        blobs: files.map((file) => ({
          type_: BlobType.BUFFER,
          name: file.name,
          data: file.data,
          size: file.data.length,
        })),
        resource_type: resourceType,
        resource_id: 0,
        session_id: sessionId,
      },
      options,
    );
    return response.resource_id;
  }

  async unregisterResource(
    sessionId: number,
    resourceId: number,
    options?: CallOptions,
  ): Promise<void> {
    await this.call(
      "UnregisterResource",
      { session_id: sessionId, resource_id: resourceId },
      options,
    );
  }

  /** Returns the agent's tags up to their NUL, decoded as UTF-8 (the agent sends a 1024-byte C string buffer). */
  async imageClassification(
    sessionId: number,
    image: Uint8Array,
    options?: CallOptions,
  ): Promise<string> {
    const response = await this.call(
      "ImageClassification",
      { session_id: sessionId, image },
      options,
    );
    const end = response.tags.indexOf(0);
    return new TextDecoder().decode(end < 0 ? response.tags : response.tags.subarray(0, end));
  }

  /**
   * A genop packed as libvaccel packs it: read args as given (a bare Uint8Array is a BUFFER arg, as
   * vaccel_arg_array_add_buffer makes it), write args as the guest's buffers, size == length always (a
   * bare number is a zero-filled UCHAR_ARRAY of that many bytes). The op goes first among the read args; build it
   * with genopOpArg. Returns each write arg's bytes.
   */
  async genop(
    sessionId: number,
    readArgs: ReadonlyArray<Uint8Array | GenopInput>,
    writeArgs: ReadonlyArray<number | GenopOutput>,
    options?: CallOptions,
  ): Promise<Uint8Array[]> {
    const outputs = writeArgs.map((out) =>
      typeof out === "number"
        ? { arg_type: ArgType.UCHAR_ARRAY, buf: new Uint8Array(out), size: out }
        : { ...out, buf: out.buf ?? new Uint8Array(out.size), size: out.buf?.length ?? out.size },
    );
    const response = await this.call(
      "Genop",
      {
        session_id: sessionId,
        read_args: readArgs.map((arg) =>
          toGenopArg(arg instanceof Uint8Array ? { arg_type: ArgType.BUFFER, buf: arg } : arg),
        ),
        write_args: outputs.map((out) => toGenopArg(out)),
      },
      options,
    );
    // vaccel-rpc-client copies each reply arg's size bytes into the guest's buffer: a reply that does not
    // fit would overrun it, so it is refused here.
    if (response.write_args.length !== outputs.length) {
      throw new TtrpcError(
        StatusCode.DATA_LOSS,
        `the agent returned ${response.write_args.length} write args for ${outputs.length}`,
      );
    }
    return response.write_args.map((written, i) => {
      if (written.size > outputs[i].size || written.buf.length !== written.size) {
        throw new TtrpcError(
          StatusCode.DATA_LOSS,
          `write arg ${i} came back with ${written.buf.length} bytes (size ${written.size}) for a ${outputs[i].size}-byte buffer`,
        );
      }
      return written.buf;
    });
  }

  close(): Promise<void> {
    return this.ttrpc.close();
  }

  private async call<M extends AgentMethod>(
    method: M,
    request: AgentMessages[M][0],
    options?: CallOptions,
  ): Promise<AgentMessages[M][1]> {
    const types = methodTypes(method);
    const payload = await this.ttrpc.call(
      AGENT_SERVICE,
      method,
      encodeMessage(types.request, request),
      options,
    );
    return decodeMessage<AgentMessages[M][1]>(types.response, payload);
  }
}
