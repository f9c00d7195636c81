// Sessions on this host: admits them within quotas, starts their sandboxes, ends them (idle, lifetime, request), runs commands and terminals in them.
import { randomBytes } from "node:crypto";
import type { HostLimits, SessionLimits } from "../config/env";
import { resourcePrefix, SandboxLaunchError, type SandboxDriver } from "../engine/driver";
import type { SandboxEngine } from "../engine/engine";
import type { Run } from "../engine/run";
import { resolveRunLimits } from "../engine/run-limits";
import { PlaygroundError } from "../errors/playground-error";
import type { ImageStore } from "../images/image-store";
import type { Logger } from "../log/logger";
import {
  sessionRuntimeIds,
  terminalOpenWaitMs,
  type CreateSessionBody,
  type SessionHostView,
} from "../../lib/api/sessions";
import { readHostView } from "./host-view";
import { Session, type SessionEndReason } from "./session";
import { spawnTerminalPty, Terminal } from "./terminal";

export interface SessionManagerOptions {
  engine: SandboxEngine;
  images: ImageStore;
  hostLimits: HostLimits;
  limits: SessionLimits;
  log: Logger;
  /** How often deadlines and the sandboxes' liveness are checked. */
  sweepMs?: number;
  /** How long terminal:open waits for a session still starting (default terminalOpenWaitMs). */
  terminalOpenWaitMs?: number;
}

export interface SessionLaunch extends CreateSessionBody {
  clientId: string;
  owner: string | null;
  /** A bound of the caller's own (a workshop's) below the host's. */
  maxLifetimeMs?: number;
}

const endMessages: Record<SessionEndReason, { code: string; message: string }> = {
  idle: {
    code: "ended:idle",
    message: "Nobody typed or ran anything for a while, so the session ended.",
  },
  lifetime: { code: "ended:lifetime", message: "The session reached the end of its lifetime." },
  deleted: { code: "ended:deleted", message: "Ended on request." },
  shutdown: {
    code: "ended:shutdown",
    message: "The host restarted or shut down; start a new session.",
  },
  "sandbox-gone": {
    code: "ended:sandbox",
    message: "The sandbox stopped (most likely it reached its memory limit); start a new session.",
  },
};

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly terminals = new Map<string, Terminal>();
  private readonly settled = new Map<string, Promise<void>>();
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly options: SessionManagerOptions) {
    this.sweeper = setInterval(() => void this.sweep(), options.sweepMs ?? 1_000);
    this.sweeper.unref();
  }

  get limits(): SessionLimits {
    return this.options.limits;
  }

  /** Admits the session and starts its sandbox in the background; the caller follows its state. */
  async create(request: SessionLaunch): Promise<Session> {
    const { images, limits, hostLimits } = this.options;
    if (this.closing)
      throw new PlaygroundError(
        "unavailable",
        "host",
        "The host is shutting down; try again in a moment.",
      );
    const driver = this.sessionDriver(
      request.runtime,
      await this.options.engine.resolveDriver(request.runtime),
    );
    if (!images.isKnown(request.image))
      throw new PlaygroundError("not_found", "image", `Unknown image "${request.image}".`);
    const availability = await driver.probe();
    if (!availability.available)
      throw new PlaygroundError(
        "unavailable",
        "runtime",
        `${driver.name} is not available on this host: ${availability.reason}`,
      );
    const image = await images.resolve(request.image);
    if (!image)
      throw new PlaygroundError(
        "unavailable",
        "image",
        `The ${request.image} image is not built on this host: run \`npm run setup\`.`,
      );
    const maxLifetimeMs = Math.min(limits.maxLifetimeMs, request.maxLifetimeMs ?? Infinity);
    if (request.lifetimeMs !== undefined && request.lifetimeMs > maxLifetimeMs)
      throw new PlaygroundError(
        "bad_request",
        "lifetime",
        `lifetimeMs may be at most ${maxLifetimeMs} on this host.`,
      );
    if (request.idleMs !== undefined && request.idleMs > limits.idleMs)
      throw new PlaygroundError(
        "bad_request",
        "idle",
        `idleMs may be at most ${limits.idleMs} on this host.`,
      );
    const live = this.liveSessions();
    const mine = live.filter((s) => s.clientId === request.clientId).length;
    if (mine >= limits.maxSessionsPerClient)
      throw new PlaygroundError(
        "quota",
        "sessions_per_client",
        `You already have ${mine} sessions open (limit ${limits.maxSessionsPerClient}); end one first.`,
      );
    if (live.length >= limits.maxSessions)
      throw new PlaygroundError(
        "quota",
        "host_full",
        `The host holds its most sessions (${limits.maxSessions}); try again shortly.`,
      );
    const sandbox = resolveRunLimits({ limits: request.limits }, hostLimits);
    const session = new Session({
      id: randomBytes(12).toString("hex"),
      runtime: driver.id,
      image: request.image,
      limits: {
        memoryBytes: sandbox.memoryBytes,
        pids: sandbox.pids,
        cpuShares: sandbox.cpuShares,
        tmpfsBytes: sandbox.tmpfsBytes,
        homeBytes: limits.homeBytes,
      },
      clientId: request.clientId,
      owner: request.owner,
      lifetimeMs: request.lifetimeMs ?? Math.min(limits.lifetimeMs, maxLifetimeMs),
      maxLifetimeMs,
      idleMs: request.idleMs ?? limits.idleMs,
    });
    this.sessions.set(session.id, session);
    this.settled.set(
      session.id,
      this.drive(session, driver, { ...sandbox, timeoutMs: 0 }, image, maxLifetimeMs).catch(
        (err: unknown) =>
          this.options.log.error({ err, session: session.id }, "session teardown failed"),
      ),
    );
    return session;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The sessions an owner holds that have not ended (a workshop attendee's, for its quotas and dashboard). */
  liveOwnedBy(owner: string): Session[] {
    return this.liveSessions().filter((s) => s.owner === owner);
  }

  /** Ends the session and resolves once its sandbox and terminals are gone. */
  async end(session: Session, reason: SessionEndReason): Promise<void> {
    session.end(reason);
    await this.settled.get(session.id);
  }

  extend(session: Session, ms: number): void {
    this.requireReady(session);
    session.extend(ms);
  }

  /** A command inside the session, launched through `launch` (the one launch policy) so it is a run like any other. */
  async exec(
    session: Session,
    launch: (session: { resourceName: string }) => Promise<Run>,
  ): Promise<Run> {
    this.requireReady(session);
    session.touch();
    return launch({ resourceName: resourceNameOf(session) });
  }

  async hostView(session: Session): Promise<SessionHostView> {
    this.requireReady(session);
    const driver = this.sessionDriver(session.runtime);
    const name = resourceNameOf(session);
    const pids = [
      ...((await driver.runtimeProcesses?.(name)) ?? []),
      ...((await driver.sandboxProcesses?.(name)) ?? []),
    ];
    const view = await readHostView(pids, driver.cgroupOf?.(name) ?? null);
    return driver.podViewOf ? { ...view, pod: await driver.podViewOf(name) } : view;
  }

  /** A session still starting is waited for (up to terminalOpenWaitMs), so a shell can be asked for with its id. */
  async openTerminal(session: Session, size: { cols: number; rows: number }): Promise<Terminal> {
    await this.untilReady(session, this.options.terminalOpenWaitMs ?? terminalOpenWaitMs);
    const { limits } = this.options;
    const open = [...this.terminals.values()].filter(
      (t) => t.sessionId === session.id && !t.exited,
    ).length;
    if (open >= limits.maxTerminalsPerSession)
      throw new PlaygroundError(
        "quota",
        "terminals_per_session",
        `This session has ${open} terminals open (limit ${limits.maxTerminalsPerSession}); close one first.`,
      );
    const driver = this.sessionDriver(session.runtime);
    const name = resourceNameOf(session);
    const stream = driver.openTerminal
      ? await driver.openTerminal(name, size)
      : spawnTerminalPty(await driver.terminalCommand!(name), size);
    const terminal = new Terminal({
      sessionId: session.id,
      stream,
      backlogChars: limits.terminalBacklogBytes,
      inputCharsPerSec: limits.terminalInputBytesPerSec,
      onActivity: () => session.touch(),
    });
    this.terminals.set(terminal.id, terminal);
    session.touch();
    session.recordTerminal(terminal.id, null);
    terminal.once("exit", (code) => session.recordTerminal(terminal.id, code));
    return terminal;
  }

  getTerminal(id: string): { terminal: Terminal; session: Session } | undefined {
    const terminal = this.terminals.get(id);
    const session = terminal && this.sessions.get(terminal.sessionId);
    return terminal && session ? { terminal, session } : undefined;
  }

  /** Ends every session and waits until their sandboxes are gone. */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const session of this.sessions.values()) session.end("shutdown");
    await Promise.all(this.settled.values());
  }

  private liveSessions(): Session[] {
    return [...this.sessions.values()].filter((s) => !s.finished);
  }

  private sessionDriver(
    runtime: string,
    driver = this.options.engine.getDriver(runtime),
  ): SandboxDriver {
    if (!driver)
      throw new PlaygroundError(
        "not_found",
        "runtime",
        `Unknown runtime "${runtime}". GET /api/runtimes lists them.`,
      );
    if (
      !driver.startSession ||
      !driver.endSession ||
      !(driver.terminalCommand || driver.openTerminal)
    )
      throw new PlaygroundError(
        "unavailable",
        "session_runtime",
        `${driver.name} has no interactive sessions yet; ${sessionRuntimeIds.join(", ")} have.`,
      );
    return driver;
  }

  /** Resolves once the session is ready; throws requireReady's error once it ends or fails, or after waitMs. */
  private async untilReady(session: Session, waitMs: number): Promise<void> {
    if (session.state === "ready" || session.finished) return this.requireReady(session);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        session.off("change", onChange);
        resolve();
      };
      const onChange = () => {
        if (session.state === "ready" || session.finished) done();
      };
      const timer = setTimeout(done, waitMs);
      session.on("change", onChange);
    });
    this.requireReady(session);
  }

  private requireReady(session: Session): void {
    if (session.state === "ready") return;
    throw new PlaygroundError(
      "conflict",
      "session_state",
      session.finished
        ? `The session has ${session.state}: ${session.snapshot().error?.message ?? ""}`.trim()
        : `The session is still ${session.state}; wait until it is ready.`,
    );
  }

  private async drive(
    session: Session,
    driver: SandboxDriver,
    limits: Parameters<NonNullable<SandboxDriver["startSession"]>>[0]["limits"],
    image: NonNullable<Awaited<ReturnType<ImageStore["resolve"]>>>,
    maxLifetimeMs: number,
  ): Promise<void> {
    const log = this.options.log.child({ session: session.id, runtime: session.runtime });
    const resourceName = resourceNameOf(session);
    const signal = session.controller.signal;
    session.transition("preparing");
    try {
      session.transition("booting");
      const start = await driver.startSession!(
        { resourceName, image, limits, homeBytes: session.limits.homeBytes, maxLifetimeMs },
        signal,
      );
      if (!signal.aborted) session.ready(start ?? null);
      log.info({ timings: session.snapshot().timings }, "session ready");
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener("abort", () => resolve(), { once: true });
      });
    } catch (err) {
      if (!signal.aborted) {
        const message =
          err instanceof SandboxLaunchError
            ? err.message
            : "The session's sandbox failed to start on the host; the host log has details.";
        log.error({ err }, "session failed");
        await this.teardown(session, driver);
        session.finish("failed", { code: "runtime:launch", message });
        return;
      }
    }
    await this.teardown(session, driver);
    const reason = session.endReason ?? "deleted";
    session.finish("ended", endMessages[reason]);
    log.info({ reason }, "session ended");
  }

  private async teardown(session: Session, driver: SandboxDriver): Promise<void> {
    for (const [id, terminal] of this.terminals) {
      if (terminal.sessionId !== session.id) continue;
      terminal.close();
      this.terminals.delete(id);
    }
    await driver.endSession!(resourceNameOf(session));
  }

  /** Ends sessions past a deadline, and those whose sandbox died under them; forgets long-ended ones. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (session.finished) {
        const endedAt = session.snapshot().timings[session.state] ?? 0;
        const created = Date.parse(session.snapshot().createdAt);
        if (now - (created + endedAt) > retainEndedMs) {
          this.sessions.delete(session.id);
          this.settled.delete(session.id);
        }
        continue;
      }
      if (session.state !== "ready") continue;
      const deadline = session.nextDeadline;
      if (now >= deadline.at) session.end(deadline.reason);
      else void this.checkAlive(session);
    }
  }

  /** An init killed under the session (the memory limit, the host) leaves nothing to exec into: end it. */
  private async checkAlive(session: Session): Promise<void> {
    const driver = this.options.engine.getDriver(session.runtime);
    const alive = await driver?.sessionAlive?.(resourceNameOf(session)).catch(() => true);
    if (alive === false && session.state === "ready") session.end("sandbox-gone");
  }
}

/** Ended sessions stay readable (why it ended) this long. */
const retainEndedMs = 30 * 60_000;

export const resourceNameOf = (session: Session): string => `${resourcePrefix}${session.id}`;
