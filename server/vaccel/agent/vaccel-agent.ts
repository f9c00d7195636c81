// The host side of vAccel RPC: serves vaccel.sync.agent.AgentService (and its v0.4 name) over ttrpc and hands ops to an AccelBackend.
import type { Socket } from "node:net";
import type { Logger } from "../../log/logger";
import { encodeMessage, decodeMessage, lookupMessage } from "../proto-root";
import { DEFAULT_RPC_ADDRESS, parseRpcAddress, type RpcAddress } from "../rpc-address";
import { StatusCode } from "../ttrpc/status-code";
import { TtrpcError } from "../ttrpc/ttrpc-error";
import { type CallContext, type TtrpcConnection, TtrpcServer } from "../ttrpc/ttrpc-server";
import {
  AGENT_SERVICE,
  type AgentMessages,
  type AgentMethod,
  ErrorType,
  type GenopArg,
  IMAGE_TAGS_BYTES,
  V04_AGENT_SERVICE,
  VACCEL_ERROR_MESSAGE,
  VACCEL_ERROR_TYPE_URL,
  VaccelCode,
  type VaccelError,
  agentProtoMethods,
  methodTypes,
  readGenopOp,
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
  private readonly served = new Set<string>();

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
      return { tags: tagsBuffer(result.tag) };
    });
    this.serve("Genop", async (req, sandbox, context) => {
      const session = sandbox.sessionView(req.session_id);
      for (const arg of [...req.read_args, ...req.write_args]) checkArgSize(arg);
      const call = {
        op: readGenopOp(req.read_args),
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
      return { write_args: req.write_args.map((arg, i) => writtenArg(arg, outputs[i], i)) };
    });
    this.serveUnsupported();
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

  /** Registers a handler under the proto's service name and v0.4's, with the proto's message types. */
  private serve<M extends AgentMethod>(method: M, handler: Handler<M>): void {
    const types = methodTypes(method);
    const unary = async (payload: Uint8Array, context: CallContext) => {
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
    };
    for (const service of [AGENT_SERVICE, V04_AGENT_SERVICE]) {
      this.server.register(service, method, unary);
    }
    this.served.add(method);
  }

  /**
   * The proto's other methods (TensorFlow, Torch, SyncResource, GetProfiler) exist, as on a real agent,
   * and fail as a real agent without such a plugin does: a vAccel ENOTSUP the guest's libvaccel returns.
   */
  private serveUnsupported(): void {
    for (const method of agentProtoMethods.filter((name) => !this.served.has(name))) {
      const unary = () => {
        throw vaccelFailure(
          { type: ErrorType.FFI, ffi_error: VaccelCode.ENOTSUP },
          `${method} is not served by the playground's agent (no backend for it on this host)`,
        );
      };
      for (const service of [AGENT_SERVICE, V04_AGENT_SERVICE]) {
        this.server.register(service, method, unary);
      }
    }
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

  /** A backend failure becomes INTERNAL with a vaccel.Error detail, as vaccel-rpc-agent replies. */
  private async runBackend<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof TtrpcError) throw err;
      if (err instanceof AccelBackendError) {
        throw vaccelFailure(
          { type: ErrorType.FFI, ffi_error: err.vaccelCode ?? VaccelCode.EBACKEND },
          err.message,
        );
      }
      throw err;
    }
  }
}

/**
 * INTERNAL with a vaccel.Error in Status.details, the way vaccel-rpc-agent turns a vaccel::Error into a
 * ttrpc error; the message starts as its Display does ("Vaccel error: FFI error: 95"), then says why.
 */
function vaccelFailure(error: VaccelError, why: string): TtrpcError {
  const detail = encodeMessage(lookupMessage(VACCEL_ERROR_MESSAGE), error);
  const what =
    error.type === ErrorType.CONVERSION_FAILED
      ? `Conversion failed: ${error.status?.message ?? ""}`
      : `FFI error: ${error.ffi_error ?? VaccelCode.EBACKEND}`;
  return new TtrpcError(StatusCode.INTERNAL, `Vaccel error: ${what}${why ? ` [${why}]` : ""}`, [
    { type_url: VACCEL_ERROR_TYPE_URL, value: detail },
  ]);
}

/** vaccel-rpc-proto converts a proto Arg into a vaccel Arg only when size is the buffer's length. */
function checkArgSize(arg: GenopArg): void {
  if (arg.size === arg.buf.length) return;
  const message = `Could not convert proto \`Arg\` to \`Arg\`: Incorrect size; expected ${arg.buf.length} got ${arg.size}`;
  throw vaccelFailure({ type: ErrorType.CONVERSION_FAILED, status: { code: 0, message } }, "");
}

/**
 * The write arg as the real agent sends it back: the guest's buffer, same size and type, with the op's
 * output written into it (zero-filled after). The RPC client copies `size` bytes into the guest's own
 * buffer, so an output longer than the buffer the guest gave cannot be sent.
 */
function writtenArg(arg: GenopArg, output: Uint8Array, index: number): GenopArg {
  if (output.length > arg.size) {
    throw vaccelFailure(
      { type: ErrorType.FFI, ffi_error: VaccelCode.ERANGE },
      `the op wrote ${output.length} bytes into write arg ${index}, which holds ${arg.size}`,
    );
  }
  const buf = new Uint8Array(arg.size);
  buf.set(output);
  return { ...arg, buf, size: arg.size, parts: 0, part_no: 0 };
}

/** A UTF-8 tag in the 1024-byte buffer vaccel-rpc-agent returns, NUL-terminated, cut at a character boundary. */
export function tagsBuffer(tag: string): Uint8Array {
  const tags = new Uint8Array(IMAGE_TAGS_BYTES);
  const { written } = new TextEncoder().encodeInto(tag, tags.subarray(0, IMAGE_TAGS_BYTES - 1));
  tags.fill(0, written);
  return tags;
}
