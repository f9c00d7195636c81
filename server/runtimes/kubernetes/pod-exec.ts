// Commands and terminals inside a session's pod through the pods/exec subresource: client-node's Exec, a websocket
// of the channel.k8s.io subprotocols (v5, or v4 from an older API server): stdin 0, stdout 1, stderr 2, the exit as
// a v1 Status on 3, resizes on 4.
import { PassThrough, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { V1Status } from "@kubernetes/client-node";
import { z } from "zod";
import type { TerminalStream } from "../../engine/driver";
import { type ClusterClient } from "./cluster-client";
import { containerName } from "./pod-spec";

const resizeChannel = 4;

/** The status channel's v1 Status: Success, or Failure whose ExitCode cause holds the exit code. */
const ExecStatusSchema = z.object({
  status: z.string(),
  message: z.string().optional(),
  details: z
    .object({
      causes: z
        .array(z.object({ reason: z.string().optional(), message: z.string().optional() }))
        .optional(),
    })
    .optional(),
});

/** The exit code a status channel reports; null when it names none (the exec itself failed: its message says why). */
export function exitCodeOfStatus(status: unknown): number | null {
  const parsed = ExecStatusSchema.safeParse(status);
  if (!parsed.success) return null;
  if (parsed.data.status === "Success") return 0;
  const cause = parsed.data.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : null;
}

/** Why an exec could not start, for a visitor; a 403 means the playground's Role lacks pods/exec. */
export class PodExecError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = "PodExecError";
  }
}

function describeExecFailure(err: unknown, cluster: ClusterClient): string {
  // ws reports a refused upgrade as "Unexpected server response: <status>"; client-node passes on its error
  // event (an ErrorEvent, not an Error), whose message is that.
  const said = (err as { message?: unknown } | null)?.message;
  const message = typeof said === "string" ? said : String(err);
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (status === "403")
    return `the cluster forbids exec into the session's pod (403): the playground's Role in namespace ${cluster.namespace} needs "create" and "get" on pods/exec (docs/kubernetes.md, RBAC).`;
  if (status === "401")
    return `the API server at ${cluster.server} did not accept the credentials for exec (401).`;
  if (status) return `the API server refused the exec (${status}).`;
  return `the API server at ${cluster.server} could not be reached for exec: ${message}`;
}

interface OpenExec {
  podName: string;
  command: string[];
  tty: boolean;
  stdin: PassThrough | null;
  onOutput: (bytes: Buffer) => void;
}

/** Opens the exec; resolves with the socket and the exit code it reports once it closes (null: no status came). */
async function openExec(cluster: ClusterClient, options: OpenExec) {
  const output = () =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        options.onOutput(chunk);
        done();
      },
    });
  let status: V1Status | null = null;
  let socket;
  try {
    socket = await cluster.exec.exec(
      cluster.namespace,
      options.podName,
      containerName,
      options.command,
      output(),
      // A tty merges stderr into stdout; the API server refuses stderr with tty.
      options.tty ? null : output(),
      options.stdin,
      options.tty,
      (reported) => {
        status = reported;
      },
    );
  } catch (err) {
    throw new PodExecError(describeExecFailure(err, cluster), { cause: err });
  }
  const exited = new Promise<number | null>((resolve) => {
    socket.on("close", () => resolve(status ? exitCodeOfStatus(status) : null));
  });
  return { socket, exited };
}

/** Runs a command in the pod (no tty, no stdin), its stdout and stderr to `onOutput`; resolves with its exit code. */
export async function execInPod(
  cluster: ClusterClient,
  podName: string,
  command: string[],
  onOutput: (bytes: Buffer) => void,
  signal: AbortSignal,
): Promise<number | null> {
  const { socket, exited } = await openExec(cluster, {
    podName,
    command,
    tty: false,
    stdin: null,
    onOutput,
  });
  const hangUp = () => socket.close();
  signal.addEventListener("abort", hangUp, { once: true });
  try {
    return await exited;
  } finally {
    signal.removeEventListener("abort", hangUp);
  }
}

/**
 * A shell on a tty of the pod, as `kubectl exec -it` opens one: the exec's websocket behind the Terminal's stream.
 * The size goes on the resize channel as the kubelet's remotecommand.TerminalSize ({"Width","Height"}).
 */
export async function openPodTerminal(
  cluster: ClusterClient,
  podName: string,
  size: { cols: number; rows: number },
): Promise<TerminalStream> {
  const dataListeners: ((data: string) => void)[] = [];
  const exitListeners: ((event: { exitCode: number }) => void)[] = [];
  const stdin = new PassThrough();
  // A character may be split across two frames.
  const decoder = new StringDecoder("utf8");
  const { socket, exited } = await openExec(cluster, {
    podName,
    command: ["/bin/sh", "-c", 'cd "$HOME" 2>/dev/null; exec /bin/sh'],
    tty: true,
    stdin,
    onOutput: (bytes) => {
      const text = decoder.write(bytes);
      if (text) for (const listener of dataListeners) listener(text);
    },
  });
  const resize = (cols: number, rows: number) => {
    if (socket.readyState !== socket.OPEN) return;
    const frame = JSON.stringify({ Width: cols, Height: rows });
    socket.send(Buffer.concat([Buffer.from([resizeChannel]), Buffer.from(frame, "utf8")]));
  };
  resize(size.cols, size.rows);
  // No status: the socket went without one (we hung up, or the API server dropped it): a hang-up, 128 + SIGHUP.
  void exited.then((code) => {
    for (const listener of exitListeners) listener({ exitCode: code ?? 129 });
  });
  return {
    write: (data) => {
      stdin.write(data);
    },
    resize,
    kill: () => socket.close(),
    onData: (listener) => dataListeners.push(listener),
    onExit: (listener) => exitListeners.push(listener),
  };
}
