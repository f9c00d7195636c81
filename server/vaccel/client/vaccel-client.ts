// The guest side of vAccel RPC: what libvaccel's RPC plugin sends, callable from Node.
import { decodeMessage, encodeMessage } from "../proto-root";
import { type RpcAddress, parseRpcAddress, rpcAddressFromEnv } from "../rpc-address";
import { type CallOptions, TtrpcClient, type TtrpcClientOptions } from "../ttrpc/ttrpc-client";
import {
  AGENT_SERVICE,
  type AgentMessages,
  type AgentMethod,
  BlobType,
  type GenopArg,
  methodTypes,
} from "../vaccel-protocol";

export interface ResourceFile {
  name: string;
  data: Uint8Array;
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
    return new VaccelClient(await TtrpcClient.connect(parsed, options));
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

  /** Returns the agent's tag bytes decoded as UTF-8. */
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
    return new TextDecoder().decode(response.tags);
  }

  /**
   * Args as libvaccel packs them (see backends/genop-args.ts: the op type first, each arg typed); write args
   * carry the guest's buffers. Returns the agent's write buffers, in order.
   */
  async genop(
    sessionId: number,
    readArgs: GenopArg[],
    writeArgs: GenopArg[],
    options?: CallOptions,
  ): Promise<Uint8Array[]> {
    const response = await this.call(
      "Genop",
      { session_id: sessionId, read_args: readArgs, write_args: writeArgs },
      options,
    );
    return response.write_args.map((written) => written.buf);
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
