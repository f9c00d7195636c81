"use client";
// A lab page's state: the visitor's progress (kept on the server), one session per runtime, and the open step's checks.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { describeError, fetchRuntimes } from "@/components/live/api-client";
import { getSocket } from "@/components/live/socket-client";
import { createSession, fetchSession } from "@/components/terminal/session-api";
import {
  LabFollowAckSchema,
  LabRevealedEventSchema,
  labEvents,
  type LabProgress,
} from "@/lib/api/labs";
import { isFinalSessionState, type SessionSnapshot } from "@/lib/api/sessions";
import { labRuntimeStates, type LabRuntimeState, type LabStepView } from "@/lib/demos/lab-steps";
import { attachLabSessions, checkLabStep, completeLabStep, fetchLabProgress } from "./lab-api";

/** While a checked step is open, it is checked this often (and at once on request). */
export const autoCheckMs = 4_000;
const sessionRefreshMs = 10_000;
const sessionBootTimeoutMs = 90_000;

export interface LabState {
  progress: LabProgress | null;
  /** runtime → the session the lab runs there, as last read. */
  sessions: Record<string, SessionSnapshot>;
  starting: boolean;
  /** A step whose check request is in flight from this page. */
  checking: number | null;
  error: string | null;
  /** Runtimes of the lab this host cannot open a session on (a cluster's, with no cluster): why, and what to do. */
  unavailable: LabRuntimeState[];
  /** Every runtime of the lab this host offers has a ready session. */
  ready: boolean;
  /** Steps whose solution the workshop's facilitator revealed to everyone (an attendee's page only). */
  revealed: number[];
  startSessions(): Promise<void>;
  check(index: number): Promise<void>;
  complete(index: number): Promise<void>;
}

export function useLab(slug: string, steps: readonly LabStepView[], runtimes: string[]): LabState {
  const [progress, setProgress] = useState<LabProgress | null>(null);
  const [sessions, setSessions] = useState<Record<string, SessionSnapshot>>({});
  const [starting, setStarting] = useState(false);
  const [checking, setChecking] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const revealed = useRevealedSteps(slug);
  const unavailable = useUnavailableRuntimes(runtimes);
  const startable = useMemo(
    () => runtimes.filter((r) => !unavailable.some((u) => u.id === r)),
    [runtimes, unavailable],
  );

  const ready = startable.every((r) => sessions[r]?.state === "ready");

  // Progress lives on the server, so a reload comes back to the same step and, while they last, the same sessions.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const found = await fetchLabProgress(slug);
        if (cancelled) return;
        setProgress(found);
        const alive = await readSessions(found.sessions);
        if (cancelled) return;
        setSessions(alive);
      } catch (err) {
        if (!cancelled) setError(describeError(err));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [slug]);

  // A session ends on its own (idle, lifetime, the host restarting): the page then offers to start it again.
  const sessionIds = Object.values(sessions)
    .filter((s) => !isFinalSessionState(s.state))
    .map((s) => s.id)
    .join(",");
  useEffect(() => {
    if (!sessionIds) return;
    const timer = setInterval(() => {
      void Promise.all(
        Object.entries(sessions).map(async ([runtime, session]) => {
          const fresh = await fetchSession(session.id).catch(() => null);
          return [runtime, fresh ?? { ...session, state: "ended" as const }] as const;
        }),
      ).then((entries) => setSessions(Object.fromEntries(entries)));
    }, sessionRefreshMs);
    return () => clearInterval(timer);
    // Restarted when the set of live sessions changes, not on every refresh.
  }, [sessionIds]);

  const startSessions = useCallback(async () => {
    setStarting(true);
    setError(null);
    try {
      const next: Record<string, SessionSnapshot> = { ...sessions };
      await Promise.all(
        startable.map(async (runtime) => {
          if (next[runtime]?.state === "ready") return;
          const id = await createSession({ runtime, image: "busybox" });
          next[runtime] = await untilReady(id);
        }),
      );
      setSessions(next);
      setProgress(
        await attachLabSessions(slug, {
          sessions: startable.map((runtime) => ({ runtime, sessionId: next[runtime]!.id })),
        }),
      );
    } catch (err) {
      setError(describeError(err));
    } finally {
      setStarting(false);
    }
  }, [startable, sessions, slug]);

  const check = useCallback(
    async (index: number) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setChecking(index);
      try {
        setProgress(await checkLabStep(slug, index));
        setError(null);
      } catch (err) {
        setError(describeError(err));
      } finally {
        inFlight.current = false;
        setChecking(null);
      }
    },
    [slug],
  );

  const complete = useCallback(
    async (index: number) => {
      try {
        setProgress(await completeLabStep(slug, index));
        setError(null);
      } catch (err) {
        setError(describeError(err));
      }
    },
    [slug],
  );

  // The open step checks itself every few seconds while its sessions are up, so typing the fix is enough.
  const current = progress?.current ?? null;
  const currentStep = current !== null ? steps[current] : undefined;
  const currentState = current !== null ? progress?.steps[current]?.state : undefined;
  const stepReady =
    currentStep !== undefined && currentStep.runtimes.every((r) => sessions[r]?.state === "ready");
  useEffect(() => {
    if (current === null || !currentStep?.checked || !stepReady) return;
    if (currentState !== "open" && currentState !== "failed") return;
    // A tab in the background checks nothing: every check is a command in each of the step's sandboxes.
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void check(current);
    }, autoCheckMs);
    return () => clearInterval(timer);
  }, [check, current, currentStep, currentState, stepReady]);

  return {
    progress,
    sessions,
    starting,
    checking,
    error,
    unavailable,
    ready,
    revealed,
    startSessions,
    check,
    complete,
  };
}

/** The lab's runtimes the host does not offer, as GET /api/runtimes says; none while it has not answered. */
function useUnavailableRuntimes(runtimes: string[]): LabRuntimeState[] {
  const [unavailable, setUnavailable] = useState<LabRuntimeState[]>([]);
  const key = runtimes.join(",");
  useEffect(() => {
    let cancelled = false;
    fetchRuntimes()
      .then((offered) => {
        if (!cancelled)
          setUnavailable(labRuntimeStates(key.split(","), offered).filter((r) => !r.available));
      })
      // Without the list, every session is tried, and the one that cannot start says why.
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [key]);
  return unavailable;
}

/** In a workshop, the steps of this lab whose solution the facilitator revealed, as they are revealed. */
function useRevealedSteps(slug: string): number[] {
  const [revealed, setRevealed] = useState<number[]>([]);
  useEffect(() => {
    // The workshop cookie's name (lib/api/workshops.ts), readable so pages know they are in a workshop.
    if (!document.cookie.split(/;\s*/).some((c) => c.startsWith("sbpg_workshop="))) return;
    const socket = getSocket();
    const add = (steps: number[]) =>
      setRevealed((known) => [...new Set([...known, ...steps])].sort((a, b) => a - b));
    const follow = async () => {
      const ack = LabFollowAckSchema.safeParse(
        await socket
          .timeout(10_000)
          .emitWithAck(labEvents.follow, {})
          .catch(() => null),
      );
      if (ack.success && ack.data.ok)
        add(ack.data.revealed.filter((r) => r.demo === slug).map((r) => r.step));
    };
    const onRevealed = (payload: unknown) => {
      const parsed = LabRevealedEventSchema.safeParse(payload);
      if (parsed.success && parsed.data.reveal.demo === slug) add([parsed.data.reveal.step]);
    };
    socket.on(labEvents.revealed, onRevealed);
    socket.on("connect", follow);
    if (socket.connected) void follow();
    return () => {
      socket.off(labEvents.revealed, onRevealed);
      socket.off("connect", follow);
    };
  }, [slug]);
  return revealed;
}

async function readSessions(ids: Record<string, string>): Promise<Record<string, SessionSnapshot>> {
  const entries = await Promise.all(
    Object.entries(ids).map(async ([runtime, id]) => {
      const session = await fetchSession(id).catch(() => null);
      return session && session.state === "ready" ? ([[runtime, session]] as const) : [];
    }),
  );
  return Object.fromEntries(entries.flat());
}

async function untilReady(id: string): Promise<SessionSnapshot> {
  const deadline = Date.now() + sessionBootTimeoutMs;
  for (;;) {
    const session = await fetchSession(id);
    if (session.state === "ready") return session;
    if (isFinalSessionState(session.state))
      throw new Error(session.error?.message ?? `The ${session.runtime} session ${session.state}.`);
    if (Date.now() > deadline) throw new Error(`The ${session.runtime} session did not start.`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
