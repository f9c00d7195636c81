// The host side of vAccel RPC: serves vaccel.AgentService over ttrpc and hands ops to an AccelBackend.
import type { Socket } from "node:net";
import type { Logger } from "@/server/log/logger";
import { encodeMessage, decodeMessage, lookupMessage } from "../proto-root";
import { DEFAULT_RPC_ADDRESS, parseRpcAddress, type RpcAddress } from "../rpc-address";
import { StatusCode } from "../ttrpc/status-code";
import { TtrpcError } from "../ttrpc/ttrpc-error";
import { type CallContext, type TtrpcConnection, TtrpcServer } from "../ttrpc/ttrpc-server";
import {
  AGENT_SERVICE,
  ArgType,
  type AgentMessages,
  type AgentMethod,
  type GenopArg,
  VACCEL_ERROR_TYPE_URL,
  VaccelErrorType,
  methodTypes,
} from "../vaccel-protocol";
import { type AccelBackend, AccelBackendError, type AgentBlob } from "./accel-backend";
import { type AgentLimits, agentLimitsSchema, defaultAgentLimits } from "./agent-limits";
import { IdCounter, SandboxState } from "./sandbox-state";

/** Where vaccel-rpc-agent listens and libvaccel's RPC plugin dials when nothing else is configured. */
export const DEFAULT_AGENT_ADDRESS = DEFAULT_RPC_ADDRESS;

type Handler<M extends AgentMethod> = (
  request: AgentMessages[M][0],
  sandbox: SandboxState,
  context: CallContext,
) => Promise<AgentMessages[M][1]> | AgentMessages[M][1];

export interface VaccelAgentOptions {
  backend: AccelBackend;
  limits?: Partial<AgentLimits>;
  logger?: Pick<Logger, "warn" | "debug" | "info">;
}

export class VaccelAgent {
  private readonly server: TtrpcServer;
  private readonly backend: AccelBackend;
  private readonly limits: AgentLimits;
  private readonly logger?: Pick<Logger, "warn" | "debug" | "info">;
  private readonly sandboxes = new WeakMap<TtrpcConnection, SandboxState>();
  private readonly connected = new Set<SandboxState>();
  private readonly sessionIds = new IdCounter();
  private readonly resourceIds = new IdCounter();

  constructor(options: VaccelAgentOptions) {
    this.backend = options.backend;
    this.limits = agentLimitsSchema.parse({ ...defaultAgentLimits, ...options.limits });
    this.logger = options.logger;
    this.server = new TtrpcServer({
      maxFrameBytes: this.limits.maxFrameBytes,
      logger: options.logger,
    });
    this.serve("CreateSession", (req, sandbox) => ({
      session_id: sandbox.createSession(req.flags),
    }));
    this.serve("UpdateSession", (req, sandbox) => {
      sandbox.updateSession(req.session_id, req.flags);
      return {};
    });
    this.serve("DestroySession", (req, sandbox) => {
      sandbox.destroySession(req.session_id);
      return {};
    });
    this.serve("RegisterResource", (req, sandbox) => ({
      resource_id: sandbox.registerResource(req.session_id, req.resource_id, () =>
        this.resourceFromRequest(req),
      ),
    }));
    this.serve("UnregisterResource", (req, sandbox) => {
      sandbox.unregisterResource(req.session_id, req.resource_id);
      return {};
    });
    this.serve("ImageClassification", async (req, sandbox, context) => {
      const session = sandbox.sessionView(req.session_id);
      const result = await this.runBackend(() =>
        this.backend.classifyImage(session, req.image, context.signal),
      );
      return { tags: new TextEncoder().encode(result.tag) };
    });
    this.serve("Genop", async (req, sandbox, context) => {
      const session = sandbox.sessionView(req.session_id);
      const call = {
        op: readOpType(req.read_args[0]),
        readArgs: req.read_args,
        writeArgs: req.write_args,
      };
      const outputs = await this.runBackend(() =>
        this.backend.genop(session, call, context.signal),
      );
      if (outputs.length !== req.write_args.length) {
        throw new TtrpcError(
          StatusCode.INTERNAL,
          `genop produced ${outputs.length} outputs for ${req.write_args.length} write args`,
        );
      }
      return {
        write_args: req.write_args.map((arg, i) => ({
          ...arg,
          size: outputs[i].length,
          buf: outputs[i],
        })),
      };
    });
  }

  /** Listens on a vAccel address string or parsed address; resolves with the bound address. */
  listen(address: string | RpcAddress = DEFAULT_AGENT_ADDRESS): Promise<RpcAddress> {
    return this.server.listen(typeof address === "string" ? parseRpcAddress(address) : address);
  }

  /** Serves one sandbox's connection accepted on its own socket (see sandbox-endpoints.ts). */
  serveConnection(socket: Socket): void {
    this.server.accept(socket);
  }

  /** Sessions open across every connected sandbox. */
  get sessionCount(): number {
    let count = 0;
    for (const state of this.connected) count += state.sessionCount;
    return count;
  }

  /** Stops listening and drops every connection, those served through serveConnection too. */
  close(): Promise<void> {
    return this.server.close();
  }

  private serve<M extends AgentMethod>(method: M, handler: Handler<M>): void {
    const types = methodTypes(method);
    this.server.register(AGENT_SERVICE, method, async (payload, context) => {
      let request: AgentMessages[M][0];
      try {
        request = decodeMessage<AgentMessages[M][0]>(types.request, payload);
      } catch (err) {
        throw new TtrpcError(
          StatusCode.INVALID_ARGUMENT,
          `bad ${method} request: ${(err as Error).message}`,
        );
      }
      const response = await handler(request, this.sandboxFor(context.connection), context);
      return encodeMessage(types.response, response);
    });
  }

  /** One SandboxState per connection, freed when the connection closes. */
  private sandboxFor(connection: TtrpcConnection): SandboxState {
    let sandbox = this.sandboxes.get(connection);
    if (!sandbox) {
      const state = new SandboxState(this.limits, this.sessionIds, this.resourceIds);
      this.sandboxes.set(connection, state);
      this.connected.add(state);
      connection.onClose(() => {
        this.connected.delete(state);
        this.logger?.debug(
          {
            connection: connection.id,
            sessions: state.sessionCount,
            resources: state.resourceCount,
          },
          "vaccel agent: sandbox disconnected, freeing its sessions and resources",
        );
        state.clear();
      });
      sandbox = state;
    }
    return sandbox;
  }

  private resourceFromRequest(req: AgentMessages["RegisterResource"][0]): {
    type: number;
    blobs: AgentBlob[];
  } {
    if (req.paths.length > 0) {
      // The real agent opens these paths on the host; a playground guest must not name host files.
      throw new TtrpcError(
        StatusCode.INVALID_ARGUMENT,
        "this agent does not open host paths; send the resource's files as blobs",
      );
    }
    if (req.blobs.length === 0)
      throw new TtrpcError(StatusCode.INVALID_ARGUMENT, "No paths or blobs provided");
    if (req.blobs.length > this.limits.maxBlobsPerResource) {
      throw new TtrpcError(
        StatusCode.RESOURCE_EXHAUSTED,
        `${req.blobs.length} blobs in one resource (limit ${this.limits.maxBlobsPerResource})`,
      );
    }
    const blobs = req.blobs.map((blob) => {
      if (blob.size !== 0 && blob.size !== blob.data.length) {
        throw new TtrpcError(
          StatusCode.INVALID_ARGUMENT,
          `blob "${blob.name}" says size ${blob.size} but carries ${blob.data.length} bytes`,
        );
      }
      // Copy out of the frame buffer so the resource does not pin the whole request.
      return { name: blob.name, type: blob.type_, data: Uint8Array.from(blob.data) };
    });
    return { type: req.resource_type, blobs };
  }

  /** A backend failure becomes INTERNAL with a vaccel.VaccelError detail, as vaccel-rpc-agent replies. */
  private async runBackend<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof TtrpcError) throw err;
      if (err instanceof AccelBackendError) {
        const detail = encodeMessage(lookupMessage("vaccel.VaccelError"), {
          type: VaccelErrorType.FFI,
          ...(err.vaccelCode === undefined ? {} : { ffi_error: err.vaccelCode }),
        });
        throw new TtrpcError(StatusCode.INTERNAL, err.message, [
          { type_url: VACCEL_ERROR_TYPE_URL, value: detail },
        ]);
      }
      throw err;
    }
  }
}

/** libvaccel's vaccel_genop reads the op type as a UINT8 arg (vaccel_arg_array_get_uint8): 1 byte, type 9. */
function readOpType(arg: GenopArg | undefined): number | undefined {
  if (!arg || arg.arg_type !== ArgType.UINT8 || arg.buf.length !== 1) return undefined;
  return arg.buf[0];
}
