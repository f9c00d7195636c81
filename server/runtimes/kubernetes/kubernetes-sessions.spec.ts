// Sessions on a cluster's RuntimeClasses through the session manager, against the API server's test double: one
// long-lived pod, terminals and commands through the pods/exec websocket.
import { pino } from "pino";
import { SessionHostViewSchema } from "../../../lib/api/sessions";
import { afterEach, describe, expect, it } from "vitest";
import type { SessionLimits } from "../../config/env";
import { PlaygroundError } from "../../errors/playground-error";
import { resourceNameOf, SessionManager } from "../../sessions/session-manager";
import type { Session } from "../../sessions/session";
import type { Terminal } from "../../sessions/terminal";
import { exitCodeOfStatus } from "./pod-exec";
import { deadlineMarginSeconds, sessionIdleCommand } from "./pod-spec";
import { namespace, runtimeClasses, startClusterEngine } from "./testing/cluster-engine";
import {
  startFakeApiServer,
  type ExecScript,
  type FakeApiServer,
  type FakeApiServerOptions,
} from "./testing/fake-api-server";

const mib = 1024 * 1024;
const sessionLimits: SessionLimits = {
  idleMs: 60_000,
  lifetimeMs: 120_000,
  maxLifetimeMs: 600_000,
  maxSessions: 4,
  maxSessionsPerClient: 4,
  homeBytes: 8 * mib,
  maxTerminalsPerSession: 2,
  terminalBacklogBytes: 64 * 1024,
  terminalInputBytesPerSec: 4096,
};

let api: FakeApiServer | null = null;
let sessions: SessionManager | null = null;
afterEach(async () => {
  await sessions?.shutdown();
  sessions = null;
  await api?.close();
  api = null;
});

async function setup(options: Partial<FakeApiServerOptions> = {}) {
  api = await startFakeApiServer({
    namespace,
    runtimeClasses,
    script: () => ({ runUntilDeleted: true }),
    ...options,
  });
  const { engine, images } = await startClusterEngine(api.kubeconfigPath);
  sessions = new SessionManager({
    engine,
    images,
    hostLimits: {
      maxConcurrentRuns: 1,
      maxQueuedRuns: 8,
      maxActiveRunsPerClient: 8,
      defaultTimeoutMs: 10_000,
      maxTimeoutMs: 20_000,
      memoryBytes: 128 * mib,
      pids: 64,
      cpuShares: 512,
      outputBytes: 64 * 1024,
      tmpfsBytes: 16 * mib,
      logBacklogBytes: 64 * 1024,
    },
    limits: sessionLimits,
    log: pino({ level: "silent" }),
  });
  return { api, engine, sessions };
}

async function readySession(manager: SessionManager, runtime = "k8s:gvisor"): Promise<Session> {
  const session = await manager.create({
    runtime,
    image: "busybox",
    clientId: "visitor",
    owner: null,
  });
  await expect.poll(() => session.state, { timeout: 5_000 }).toBe("ready");
  return session;
}

async function screenOf(terminal: Terminal, text: string): Promise<void> {
  await expect
    .poll(
      () =>
        terminal
          .backlog()
          .map((c) => c.data)
          .join(""),
      { timeout: 5_000 },
    )
    .toContain(text);
}

describe("sessions on a cluster", () => {
  it("start as exactly one hardened long-lived pod with a writable home, bounded by the session's lifetime", async () => {
    const { api, sessions } = await setup();
    const session = await readySession(sessions);
    expect(api.createdPods).toHaveLength(1);
    const pod = api.createdPods[0]!;
    expect(pod.metadata.name).toBe(resourceNameOf(session));
    expect(pod.spec).toMatchObject({
      runtimeClassName: "gvisor",
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      activeDeadlineSeconds: sessionLimits.maxLifetimeMs / 1000 + deadlineMarginSeconds,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    });
    const [container] = pod.spec.containers;
    expect(container.command).toEqual(sessionIdleCommand);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "home", mountPath: "/root" },
    ]);
    expect(pod.spec.volumes).toContainEqual({
      name: "home",
      emptyDir: { medium: "Memory", sizeLimit: String(sessionLimits.homeBytes) },
    });
  });

  it("opens a terminal through exec that echoes what is typed, and passes resizes on channel 4", async () => {
    const { api, sessions } = await setup();
    const session = await readySession(sessions);
    const terminal = await sessions.openTerminal(session, { cols: 80, rows: 24 });
    terminal.write("echo hi\r");
    await screenOf(terminal, "echo hi\r");
    const exec = api.execs.at(-1)!;
    expect(exec).toMatchObject({
      pod: resourceNameOf(session),
      container: "sandbox",
      stdin: true,
      stdout: true,
      tty: true,
      protocol: "v5.channel.k8s.io",
    });
    expect(api.requests.some((r) => r.includes("/exec?") && r.includes("tty=true"))).toBe(true);
    terminal.resize(132, 40);
    await expect
      .poll(() => exec.resizes)
      .toEqual([
        { Width: 80, Height: 24 },
        { Width: 132, Height: 40 },
      ]);
    terminal.close();
    await expect.poll(() => exec.closed).toBe(true);
    await expect.poll(() => terminal.exited).toBe(true);
  });

  it("keeps a character the exec split across two frames whole on the terminal", async () => {
    const { sessions } = await setup({
      exec: () => ({
        stdout: [Buffer.from("caf\xc3", "latin1"), Buffer.from("\xa9\n", "latin1")],
        echo: true,
      }),
    });
    const session = await readySession(sessions);
    const terminal = await sessions.openTerminal(session, { cols: 80, rows: 24 });
    await screenOf(terminal, "café\n");
  });

  it.each([
    { server: "v5", protocols: undefined, agreed: "v5.channel.k8s.io" },
    { server: "v4-only", protocols: ["v4.channel.k8s.io"], agreed: "v4.channel.k8s.io" },
  ])(
    "runs a command in the session's pod through exec and ends with its exit code ($server API server)",
    async ({ protocols, agreed }) => {
      const { api, engine, sessions } = await setup({
        execProtocols: protocols,
        exec: (command): ExecScript =>
          command.at(-1)?.endsWith("exit 3")
            ? { stdout: "out\n", stderr: "err\n", exitCode: 3 }
            : { echo: true },
      });
      const session = await readySession(sessions);
      const run = await sessions.exec(session, (target) =>
        engine.launchRun({
          runtime: "k8s:gvisor",
          image: "busybox",
          command: ["sh", "-c", "echo out; echo err >&2; exit 3"],
          timeoutMs: undefined,
          clientId: "visitor",
          session: target,
        }),
      );
      await engine.whenSettled(run.id);
      expect(run.snapshot()).toMatchObject({ state: "exited", exitCode: 3, error: null });
      expect(run.output.text()).toContain("out\n");
      expect(run.output.text()).toContain("err\n");
      expect(api.execs.at(-1)).toMatchObject({
        command: ["sh", "-c", "echo out; echo err >&2; exit 3"],
        tty: false,
        stdin: false,
        protocol: agreed,
      });
      // A command in the session makes no pod of its own.
      expect(api.createdPods).toHaveLength(1);
    },
  );

  it("deletes the pod when the session ends", async () => {
    const { api, sessions } = await setup();
    const session = await readySession(sessions);
    await sessions.end(session, "deleted");
    expect(api.deletedPods).toEqual([resourceNameOf(session)]);
    expect(api.livePods()).toEqual([]);
    expect(session.state).toBe("ended");
  });

  it("ends a session whose pod the cluster ended (its deadline), as one whose sandbox went", async () => {
    const { api, sessions } = await setup();
    const session = await readySession(sessions);
    api.expirePod(resourceNameOf(session));
    await expect.poll(() => session.state, { timeout: 5_000 }).toBe("ended");
    expect(session.endReason).toBe("sandbox-gone");
    expect(api.livePods()).toEqual([]);
  });

  it("shows the pod's node, phase and container states as the host view, with no host processes", async () => {
    const { sessions } = await setup();
    const session = await readySession(sessions);
    const view = SessionHostViewSchema.parse(await sessions.hostView(session));
    expect(view.processes).toEqual([]);
    expect(view.mounts).toEqual([]);
    expect(view.pod).toMatchObject({
      cluster: "lab",
      namespace,
      pod: resourceNameOf(session),
      node: "node-1",
      phase: "Running",
      containers: [{ name: "sandbox", ready: true, restartCount: 0 }],
    });
    expect(view.pod!.containers[0]!.state).toMatch(/^running since /);
  });

  it("gives a clear error when the cluster forbids exec, to a terminal and to a command", async () => {
    const { api, engine, sessions } = await setup();
    const session = await readySession(sessions);
    api.setMode("forbid-exec");
    const opening = sessions.openTerminal(session, { cols: 80, rows: 24 });
    await expect(opening).rejects.toBeInstanceOf(PlaygroundError);
    await expect(opening).rejects.toThrow(/forbids exec .*403.*pods\/exec/);
    const run = await sessions.exec(session, (target) =>
      engine.launchRun({
        runtime: "k8s:gvisor",
        image: "busybox",
        command: ["true"],
        timeoutMs: undefined,
        clientId: "visitor",
        session: target,
      }),
    );
    await engine.whenSettled(run.id);
    expect(run.snapshot().state).toBe("failed");
    expect(run.snapshot().error?.message).toMatch(/forbids exec .*403.*pods\/exec/);
  });

  it("fails a session whose image the cluster cannot pull, with the kubelet's reason, and deletes its pod", async () => {
    const { api, sessions } = await setup({ script: () => ({ waitingReason: "ErrImagePull" }) });
    const session = await sessions.create({
      runtime: "k8s:kata-qemu",
      image: "busybox",
      clientId: "visitor",
      owner: null,
    });
    await expect.poll(() => session.state, { timeout: 5_000 }).toBe("failed");
    expect(session.snapshot().error?.message).toMatch(/ErrImagePull/);
    await expect.poll(() => api.livePods()).toEqual([]);
  });

  it("reads the exit code from the status channel's v1 Status", () => {
    expect(exitCodeOfStatus({ status: "Success" })).toBe(0);
    expect(
      exitCodeOfStatus({
        status: "Failure",
        details: { causes: [{ reason: "ExitCode", message: "3" }] },
      }),
    ).toBe(3);
    expect(exitCodeOfStatus({ status: "Failure", message: "container not found" })).toBeNull();
  });
});
