"use client";
// /sandbox: pick a runtime, get a shell in a session, and watch the host's side of it beside the terminal.
import { useCallback, useEffect, useState } from "react";
import { describeError, fetchRuntimes } from "@/components/live/api-client";
import { getSocket } from "@/components/live/socket-client";
import { usePolling } from "@/components/host/use-polling";
import { formatAge } from "@/components/format/format-units";
import { Panel } from "@/components/ui/panel";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { isFinalSessionState, sessionRuntimeIds, type SessionSnapshot } from "@/lib/api/sessions";
import { InteractiveTerminal } from "./interactive-terminal";
import { SessionHostView } from "./session-host-view";
import { connectTerminal, linkStatusText, type LinkStatus } from "./terminal-link";
import {
  createSession,
  endSession,
  extendSession,
  fetchHostView,
  fetchSession,
} from "./session-api";
import { loadSavedSession, saveSession } from "./saved-session";

const extendByMs = 30 * 60_000;

export function SandboxWorkbench() {
  const [runtimes, setRuntimes] = useState<RuntimeInfo[] | null>(null);
  const [runtime, setRuntime] = useState<string>("runc");
  const [session, setSession] = useState<SessionSnapshot | null>(null);
  const [terminalId, setTerminalId] = useState<string | null>(null);
  /** Bumped to mount a fresh terminal (a new shell) in the same session. */
  const [terminalKey, setTerminalKey] = useState(0);
  const [link, setLink] = useState<{ status: LinkStatus; detail: string | null }>({
    status: "connecting",
    detail: null,
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    // Connected ahead of the first terminal: the handshake (polling, then the websocket) is not on the way to the prompt.
    getSocket();
    fetchRuntimes().then(setRuntimes, (err: unknown) => setError(describeError(err)));
    const saved = loadSavedSession();
    if (saved)
      fetchSession(saved.sessionId).then(
        (found) => {
          if (isFinalSessionState(found.state)) return saveSession(null);
          setSession(found);
          setTerminalId(saved.terminalId);
        },
        () => {
          saveSession(null);
          setError(
            "Your earlier session is gone (it ended, or the host restarted). Start a new one.",
          );
        },
      );
    const ticker = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(ticker);
  }, []);

  const sessionId = session?.id ?? null;
  const live = session !== null && !isFinalSessionState(session.state);
  const ready = session?.state === "ready";
  // The session's state and deadlines, until it ends (idle, lifetime, the host restarting); often while it
  // boots, so the prompt follows the sandbox within a frame or so rather than a second.
  useEffect(() => {
    if (!sessionId || !live) return;
    const timer = setInterval(
      () => {
        fetchSession(sessionId).then(setSession, (err: unknown) => {
          setError(`The session is gone: ${describeError(err)}`);
          setSession(null);
          saveSession(null);
        });
      },
      ready ? 1000 : 100,
    );
    return () => clearInterval(timer);
  }, [sessionId, live, ready]);

  const loadHostView = useCallback(
    () => (sessionId && ready ? fetchHostView(sessionId) : Promise.resolve(null)),
    [sessionId, ready],
  );
  const hostView = usePolling(loadHostView, 2000);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const id = await createSession({ runtime, image: "busybox" });
      setTerminalId(null);
      setTerminalKey((k) => k + 1);
      saveSession({ sessionId: id, terminalId: null });
      setSession(await fetchSession(id));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const end = async () => {
    if (!session) return;
    setBusy(true);
    try {
      setSession(await endSession(session.id));
    } catch (err) {
      setError(describeError(err));
    } finally {
      saveSession(null);
      setBusy(false);
    }
  };
  const extend = async () => {
    if (!session) return;
    try {
      setSession(await extendSession(session.id, extendByMs));
    } catch (err) {
      setError(describeError(err));
    }
  };

  const connect = useCallback(
    (screen: { write(data: string): void; cols: number; rows: number }) => {
      const socket = getSocket();
      return connectTerminal(
        socket,
        { sessionId: sessionId!, terminalId, cols: screen.cols, rows: screen.rows },
        {
          output: (data) => screen.write(data),
          status: (status, detail) => setLink({ status, detail }),
          opened: (id) => saveSession({ sessionId: sessionId!, terminalId: id }),
        },
      );
    },
    // The terminal connects once when it mounts; terminalKey remounts it for a new shell.
    [sessionId, terminalKey],
  );

  const remaining = session?.expiresAt ? Date.parse(session.expiresAt) - now : null;
  const idleLeft = session?.idleExpiresAt ? Date.parse(session.idleExpiresAt) - now : null;
  return (
    <div className="flex flex-col gap-6">
      <Panel id="sandbox-start" title="Runtime">
        <fieldset className="flex flex-wrap gap-4" disabled={busy || live}>
          <legend className="sr-only">Runtime of the session</legend>
          {(runtimes ?? []).map((r) => {
            const hasSessions = (sessionRuntimeIds as readonly string[]).includes(r.id);
            const why = !r.available
              ? r.reason
              : hasSessions
                ? null
                : r.kind === "vm"
                  ? "interactive sessions in VMs are not available yet"
                  : "no interactive sessions on this runtime yet";
            return (
              <label
                key={r.id}
                className={`flex items-start gap-2 ${why ? "text-muted" : "text-ink"}`}
              >
                <input
                  type="radio"
                  name="runtime"
                  value={r.id}
                  checked={runtime === r.id}
                  disabled={why !== null}
                  onChange={() => setRuntime(r.id)}
                />
                <span>
                  {r.name}
                  {why && <span className="block text-xs">{why}</span>}
                </span>
              </label>
            );
          })}
        </fieldset>
        <div className="mt-4 flex flex-wrap items-center gap-3">
          {!live ? (
            <button
              type="button"
              data-testid="start-session"
              onClick={() => void start()}
              disabled={busy || !runtimes}
              className="rounded-md bg-accent px-5 py-2.5 font-semibold text-on-accent hover:bg-accent-strong disabled:opacity-50"
            >
              {busy ? "Starting…" : "Start a shell"}
            </button>
          ) : (
            <>
              <button
                type="button"
                onClick={() => void end()}
                disabled={busy}
                className="rounded-md border border-line px-4 py-2.5 font-semibold text-ink hover:bg-surface-raised"
              >
                End session
              </button>
              <button
                type="button"
                onClick={() => void extend()}
                disabled={!ready}
                className="rounded-md border border-line px-4 py-2.5 font-semibold text-ink hover:bg-surface-raised"
              >
                Extend by 30 min
              </button>
              <button
                type="button"
                onClick={() => {
                  setTerminalId(null);
                  setTerminalKey((k) => k + 1);
                }}
                disabled={!ready}
                className="rounded-md border border-line px-4 py-2.5 font-semibold text-ink hover:bg-surface-raised"
              >
                New shell
              </button>
            </>
          )}
          {session && (
            <p role="status" data-testid="session-status" className="text-sm text-muted">
              {session.runtime} session {session.state}
              {remaining !== null && ` · ends in ${formatAge(remaining)}`}
              {idleLeft !== null && ` · idle timeout in ${formatAge(idleLeft)}`}
              {session.error && ` · ${session.error.message}`}
            </p>
          )}
        </div>
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-800">
            {error}
          </p>
        )}
      </Panel>
      {session && ready && (
        <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
          <Panel id="sandbox-terminal" title={`Shell in ${session.runtime}`}>
            <p className="mb-2 text-sm text-muted" data-testid="terminal-status">
              {linkStatusText[link.status]}
              {link.detail && ` · ${link.detail}`}
            </p>
            <div className="h-[28rem] overflow-hidden rounded-md bg-[#0b1020] p-2">
              <InteractiveTerminal
                key={`${session.id}-${terminalKey}`}
                connect={connect}
                label={`Shell in the ${session.runtime} session`}
              />
            </div>
          </Panel>
          <Panel id="sandbox-host" title="What the host sees">
            <SessionHostView view={hostView.data} error={hostView.error} limits={session.limits} />
          </Panel>
        </div>
      )}
    </div>
  );
}
