// The host's one vAccel agent as the server runs it: an onnxruntime backend, an optional shared listener, per-run sockets.
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { portTakenError } from "../instance/port-taken";
import type { Logger } from "../log/logger";
import { VaccelAgent } from "./agent/vaccel-agent";
import { VaccelClient } from "./client/vaccel-client";
import { OnnxBackend, type OnnxBackendDescription } from "./backends/onnx-backend";
import { OcrModels } from "./inference/ocr-models";
import { MatrixMultiplier } from "./inference/sgemm";
import { formatRpcAddress, parseRpcAddress, type RpcAddress } from "./rpc-address";
import { SandboxEndpoints } from "./sandbox-endpoints";

export interface HostAgentOptions {
  /** A vAccel address (unix:// or tcp://) to listen on as vaccel-rpc-agent would; null: per-run sockets only. */
  address: string | null;
  stateDir: string;
  log: Logger;
  /** A real vaccel-rpc-agent on the host (the server's VACCEL_RPC_ADDRESS), which runs may choose; null: none. */
  hostAgentAddress?: string | null;
}

export interface HostVaccelAgentStatus {
  address: string;
  /** Whether it answered a CreateSession just now (then DestroySession). */
  answers: boolean;
  /** Why it did not, when it did not. */
  error: string | null;
}

export interface HostAgentStatus {
  /** The shared listener's address; null when only per-run sockets serve. */
  address: string | null;
  backend: OnnxBackendDescription;
  sessions: number;
  /** The host's own vaccel-rpc-agent, when one is configured. */
  hostAgent: HostVaccelAgentStatus | null;
}

export interface HostAgent {
  endpoints: SandboxEndpoints;
  /** The backend's open models, for work the server does in process (the vAccel demo's native mode). */
  models: OcrModels;
  /** The backend's MatMul session, for the native mode's SGEMM. */
  multiplier: MatrixMultiplier;
  status(): Promise<HostAgentStatus>;
  close(): Promise<void>;
}

export async function startHostAgent(options: HostAgentOptions): Promise<HostAgent> {
  const log = options.log.child({ component: "vaccel-agent" });
  const models = new OcrModels();
  const multiplier = new MatrixMultiplier();
  const backend = new OnnxBackend({ models, multiplier });
  const agent = new VaccelAgent({ backend, logger: log });
  let bound: RpcAddress | null = null;
  const hostAgent = options.hostAgentAddress ? parseRpcAddress(options.hostAgentAddress) : null;
  if (options.address) {
    const address = parseRpcAddress(options.address);
    if (address.scheme === "unix" && !address.abstract) await removeStaleSocket(address.path);
    try {
      bound = await agent.listen(address);
    } catch (err) {
      await agent.close().catch(() => undefined);
      throw portTakenError(
        err,
        "The vAccel agent",
        options.address,
        'Set SBPG_VACCEL_ADDRESS to a free address, or SBPG_VACCEL_ADDRESS="" for per-run sockets only.',
      );
    }
    log.info({ address: formatRpcAddress(bound) }, "vaccel agent listening");
  }
  // In the background: the server answers at once, and the first guest call finds the models open.
  void backend.warmUp().then(
    (modelLoadMs) => log.info({ modelLoadMs }, "vaccel agent: models loaded"),
    (err: unknown) => log.error({ err }, "vaccel agent: loading the models failed"),
  );
  return {
    endpoints: new SandboxEndpoints(agent, path.join(options.stateDir, "vaccel"), hostAgent),
    models,
    multiplier,
    async status() {
      return {
        address: bound && formatRpcAddress(bound),
        backend: await backend.describe(),
        sessions: agent.sessionCount,
        hostAgent: hostAgent && (await probeHostAgent(hostAgent)),
      };
    },
    close: () => agent.close(),
  };
}

/**
 * A socket file left by an earlier process would make listen fail with EADDRINUSE; one that still answers is
 * another agent's (listen then reports it), and anything but a socket is not ours to remove.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const stat = await fs.lstat(socketPath).catch(() => null);
  if (!stat?.isSocket() || (await socketAnswers(socketPath))) return;
  await fs.rm(socketPath, { force: true });
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** Asks the host's agent for a session and gives it back, as a guest's first and last calls would. */
export async function probeHostAgent(
  address: RpcAddress,
  timeoutMs = 1000,
): Promise<HostVaccelAgentStatus> {
  const formatted = formatRpcAddress(address);
  let client: VaccelClient | null = null;
  try {
    client = await VaccelClient.connect(address, {
      connectTimeoutMs: timeoutMs,
      defaultTimeoutMs: timeoutMs,
    });
    await client.destroySession(await client.createSession());
    return { address: formatted, answers: true, error: null };
  } catch (err) {
    return { address: formatted, answers: false, error: (err as Error).message };
  } finally {
    await client?.close();
  }
}
