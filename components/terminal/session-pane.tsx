"use client";
// One session on the page: its state and time left (Extend, End), its terminals (a second beside the first), and the host's view of it.
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "@/components/live/api-client";
import { getSocket } from "@/components/live/socket-client";
import { usePolling } from "@/components/host/use-polling";
import { formatAge } from "@/components/format/format-units";
import { Panel } from "@/components/ui/panel";
import { isFinalSessionState, type SessionSnapshot } from "@/lib/api/sessions";
import { InteractiveTerminal } from "./interactive-terminal";
import { SessionHostView } from "./session-host-view";
import { connectTerminal, linkStatusText, type LinkStatus } from "./terminal-link";
import { endSession, extendSession, fetchHostView, fetchSession } from "./session-api";

const extendByMs = 30 * 60_000;
/** Terminals one pane shows at once; the host's own limit per session may be higher. */
const maxShownTerminals = 2;
const buttonClass =
  "rounded-md border border-line px-4 py-2.5 font-semibold text-ink hover:bg-surface-raised disabled:opacity-50";

export interface SessionPaneProps {
  sessionId: string;
  /** The session's runtime where the page knows it already: its terminal is drawn before the first look at the session. */
  runtime?: string;
  /** The terminals' ids from before a reload: the pane attaches to each (its screen replayed) instead of opening shells. */
  savedTerminalIds: string[];
  /** The ids of the terminals it shows, in order, whenever they change: to keep across a reload. */
  onTerminals(terminalIds: string[]): void;
  /** The session ended (or is gone): the page may start another. */
  onEnded(): void;
  /**
   * Its first terminal takes the view and the keyboard when it opens (default); false for a pane that opens beside
   * another (the second of "side by side"). Terminals the visitor adds later always do.
   */
  takeFocus?: boolean;
}

export function SessionPane({
  sessionId,
  runtime: knownRuntime,
  savedTerminalIds,
  onTerminals,
  onEnded,
  takeFocus = true,
}: SessionPaneProps) {
  const [session, setSession] = useState<SessionSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  /** Each shown terminal: a key that remounts it for a new shell, and the id to attach to. */
  const [terminals, setTerminals] = useState(() =>
    (savedTerminalIds.length > 0 ? savedTerminalIds : [null]).map((terminalId, key) => ({
      key,
      terminalId,
    })),
  );
  const nextKey = useRef(Math.max(1, savedTerminalIds.length));
  /** Terminals shown from the start (keys below this); the ones the visitor adds take focus whatever takeFocus says. */
  const firstKeys = useRef(nextKey.current);
  /** The server's id of each shown terminal once it opened, by key. */
  const [opened, setOpened] = useState<Record<number, string>>(() => ({ ...savedTerminalIds }));
  const onTerminalsRef = useRef(onTerminals);
  useEffect(() => {
    onTerminalsRef.current(
      terminals.map((t) => opened[t.key]).filter((id): id is string => id !== undefined),
    );
  }, [terminals, opened]);

  const live = session === null || !isFinalSessionState(session.state);
  const ready = session?.state === "ready";
  const onEndedRef = useRef(onEnded);
  useEffect(() => {
    if (!live) onEndedRef.current();
  }, [live]);
  // Often while it boots, so the prompt follows the sandbox within a frame or so rather than a second;
  // then every second for its deadlines, until it ends (idle, lifetime, the host restarting).
  useEffect(() => {
    if (!live) return;
    const poll = () =>
      fetchSession(sessionId).then(setSession, (err: unknown) => {
        setError(`The session is gone: ${describeError(err)}`);
        setSession((current) => current && { ...current, state: "ended" });
      });
    void poll();
    const timer = setInterval(poll, ready ? 1000 : 100);
    return () => clearInterval(timer);
  }, [sessionId, live, ready]);
  useEffect(() => {
    const ticker = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(ticker);
  }, []);

  const loadHostView = useCallback(
    () => (ready ? fetchHostView(sessionId) : Promise.resolve(null)),
    [sessionId, ready],
  );
  const hostView = usePolling(loadHostView, 2000);

  const act = async (action: () => Promise<SessionSnapshot>) => {
    setBusy(true);
    setError(null);
    try {
      setSession(await action());
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const newShell = () =>
    setTerminals(([, ...rest]) => [{ key: nextKey.current++, terminalId: null }, ...rest]);
  const secondTerminal = () =>
    setTerminals((shown) => [...shown, { key: nextKey.current++, terminalId: null }]);

  const runtime = session?.runtime ?? knownRuntime ?? "";
  const remaining = session?.expiresAt ? Date.parse(session.expiresAt) - now : null;
  const idleLeft = session?.idleExpiresAt ? Date.parse(session.idleExpiresAt) - now : null;
  return (
    <div
      className="flex flex-col gap-4"
      data-testid={`session-pane-${runtime}`}
      data-session-id={sessionId}
    >
      <div className="flex flex-wrap items-center gap-3">
        {live && (
          <>
            <button
              type="button"
              onClick={() => void act(() => endSession(sessionId))}
              disabled={busy}
              className={buttonClass}
            >
              End session
            </button>
            <button
              type="button"
              onClick={() => void act(() => extendSession(sessionId, extendByMs))}
              disabled={!ready || busy}
              className={buttonClass}
            >
              Extend by 30 min
            </button>
            <button type="button" onClick={newShell} disabled={!ready} className={buttonClass}>
              New shell
            </button>
            <button
              type="button"
              onClick={secondTerminal}
              disabled={!ready || terminals.length >= maxShownTerminals}
              className={buttonClass}
            >
              Second terminal
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
        {session?.start && (
          <p data-testid="session-start" className="text-sm text-muted">
            VM {session.start.note.replace(/^\[|\]$/g, "")}
          </p>
        )}
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-800">
          {error}
        </p>
      )}
      {/* The shell is asked for while the sandbox starts: the host answers the open once it is ready. */}
      {live && runtime && (
        <div className="grid gap-6 xl:grid-cols-[3fr_2fr]">
          <div className={`grid gap-4 ${terminals.length > 1 ? "2xl:grid-cols-2" : ""}`}>
            {terminals.map((shown, index) => (
              <TerminalPanel
                key={`${sessionId}-${shown.key}`}
                sessionId={sessionId}
                runtime={runtime}
                terminalId={shown.terminalId}
                number={index + 1}
                takeFocus={takeFocus || shown.key >= firstKeys.current}
                onOpened={(terminalId) =>
                  setOpened((current) => ({ ...current, [shown.key]: terminalId }))
                }
              />
            ))}
          </div>
          <Panel id={`sandbox-host-${sessionId}`} title="What the host sees">
            {session && ready ? (
              <SessionHostView
                view={hostView.data}
                error={hostView.error}
                limits={session.limits}
              />
            ) : (
              <p className="text-sm text-muted">Shown once the sandbox is ready.</p>
            )}
          </Panel>
        </div>
      )}
    </div>
  );
}

function TerminalPanel(props: {
  sessionId: string;
  runtime: string;
  terminalId: string | null;
  number: number;
  takeFocus: boolean;
  onOpened(terminalId: string): void;
}) {
  const { sessionId, runtime, terminalId, number, takeFocus, onOpened } = props;
  const [link, setLink] = useState<{ status: LinkStatus; detail: string | null }>({
    status: "connecting",
    detail: null,
  });
  // The terminal calls this once, when it mounts; its key remounts it for a new shell.
  const connect = (screen: { write(data: string): void; cols: number; rows: number }) =>
    connectTerminal(
      getSocket(),
      { sessionId, terminalId, cols: screen.cols, rows: screen.rows },
      {
        output: (data) => screen.write(data),
        status: (status, detail) => setLink({ status, detail }),
        opened: onOpened,
      },
    );
  const title = number === 1 ? `Shell in ${runtime}` : `Shell ${number} in ${runtime}`;
  return (
    <Panel id={`sandbox-terminal-${sessionId}-${number}`} title={title}>
      <p
        className="mb-2 text-sm text-muted"
        data-testid="terminal-status"
        data-status={link.status}
      >
        {linkStatusText[link.status]}
        {link.detail && ` · ${link.detail}`}
      </p>
      <div className="h-[28rem] overflow-hidden rounded-md bg-[#0b1020] p-2">
        <InteractiveTerminal connect={connect} label={`${title} session`} takeFocus={takeFocus} />
      </div>
    </Panel>
  );
}
