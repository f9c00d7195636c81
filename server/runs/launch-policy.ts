// The one door to a sandbox: runs, vAccel runs, presenter runs and functions all launch here, so the
// caller's access rules (a workshop attendee's runtimes, quotas, time limit and ownership), the
// per-visitor quota, the per-address ceiling and the host's limits (the engine) apply to every one.
import type { IncomingHttpHeaders } from "node:http";
import type { LaunchRequest, SandboxEngine } from "../engine/engine";
import type { Run } from "../engine/run";
import { PlaygroundError } from "../errors/playground-error";
import { onceFinished, openRunAccess, type LaunchAsked, type RunAccess } from "./run-access";
import { quotaKeyOf, type Requester } from "../http/requester";
import type { SessionManager } from "../sessions/session-manager";
import type { Session } from "../sessions/session";
import { visitorOwner } from "../sessions/session-access";
import type { CreateSessionBody } from "../../lib/api/sessions";

export interface LaunchCaller {
  /** Cookies and Authorization, for the access rules (a workshop attendee's cookie). */
  headers: IncomingHttpHeaders;
  requester: Requester;
  /** performance.now() when the request arrived; the run's timings count from here. */
  requestedAt: number;
}

/** What to launch; who it is for comes from the caller, never from the request. */
export type SandboxRequest = Omit<LaunchRequest, "clientId" | "owner" | "requestedAt"> &
  Pick<LaunchAsked, "shortenTimeout">;

export interface LaunchPolicy {
  /** Admits and launches, or throws the PlaygroundError that refuses it; the run may start queued. */
  launch(caller: LaunchCaller, request: SandboxRequest): Promise<Run>;
  /**
   * Admits and starts a session: a workshop attendee's counts against the workshop's quotas and belongs to
   * them, a browser's belongs to its visitor id, a cookie-less client's to whoever holds its id; the
   * per-address ceiling counts it like a run.
   */
  launchSession(caller: LaunchCaller, request: CreateSessionBody): Promise<Session>;
  /** The same rules decide who may see and stop a run. */
  readonly access: RunAccess;
}

export function createLaunchPolicy(options: {
  engine: SandboxEngine;
  access?: RunAccess;
  /** Runs running or queued from one address, over all its visitors: the backstop against minted cookies. */
  maxActiveRunsPerAddress: number;
  /** Absent: sessions are refused (hosts built without them, unit tests). */
  sessions?: SessionManager;
}): LaunchPolicy {
  const { engine, maxActiveRunsPerAddress, sessions } = options;
  const access = options.access ?? openRunAccess;
  // Counted from admission, before the engine's first await, so launches racing in at once cannot all
  // slip under the ceiling.
  const perAddress = new Map<string, number>();
  const release = (address: string) => {
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  };

  const admitAddress = (address: string) => {
    const fromAddress = perAddress.get(address) ?? 0;
    if (fromAddress >= maxActiveRunsPerAddress)
      throw new PlaygroundError(
        "quota",
        "runs_per_address",
        `Your network already has ${fromAddress} sandboxes running or queued (limit ${maxActiveRunsPerAddress} per address); try again when some have finished.`,
      );
    return fromAddress;
  };

  return {
    access,
    async launchSession(caller, request) {
      if (!sessions)
        throw new PlaygroundError("unavailable", "sessions", "This host serves no sessions.");
      const { address } = caller.requester;
      const fromAddress = admitAddress(address);
      const grant = access.admitSession(caller.headers, {
        runtime: request.runtime,
        lifetimeMs: request.lifetimeMs,
      });
      perAddress.set(address, fromAddress + 1);
      let session: Session;
      try {
        const { visitorId } = caller.requester;
        session = await sessions.create({
          ...request,
          lifetimeMs: grant.lifetimeMs ?? request.lifetimeMs,
          maxLifetimeMs: grant.maxLifetimeMs,
          // An attendee's quota is the workshop's; everyone else's is their visitor's.
          clientId: grant.owner ?? quotaKeyOf(caller.requester),
          owner: grant.owner ?? (visitorId ? visitorOwner(visitorId) : null),
        });
      } catch (err) {
        grant.cancel();
        release(address);
        throw err;
      }
      grant.launched(session);
      onceFinished(session, () => release(address));
      return session;
    },
    async launch(caller, request) {
      const { address } = caller.requester;
      const fromAddress = admitAddress(address);
      const { shortenTimeout, ...launch } = request;
      const grant = access.admitLaunch(caller.headers, {
        runtime: launch.runtime,
        timeoutMs: launch.timeoutMs,
        shortenTimeout,
      });
      perAddress.set(address, fromAddress + 1);
      let run: Run;
      try {
        run = await engine.launchRun({
          ...launch,
          timeoutMs: grant.timeoutMs ?? launch.timeoutMs,
          // An attendee's quota is the workshop's; everyone else's is their visitor's.
          clientId: grant.owner ?? quotaKeyOf(caller.requester),
          owner: grant.owner,
          requestedAt: caller.requestedAt,
        });
      } catch (err) {
        grant.cancel();
        release(address);
        throw err;
      }
      grant.launched(run);
      onceFinished(run, () => release(address));
      return run;
    },
  };
}
