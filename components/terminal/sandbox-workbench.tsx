"use client";
// /sandbox: pick a runtime (or two, side by side, in one click), get a shell in a session, and watch the host's side of it beside the terminal.
import { useEffect, useState } from "react";
import { describeError, fetchRuntimes } from "@/components/live/api-client";
import { getSocket } from "@/components/live/socket-client";
import { Panel } from "@/components/ui/panel";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { isFinalSessionState, opensSessions, sessionRuntimesOf } from "@/lib/api/sessions";
import { createSession, fetchSession } from "./session-api";
import { SessionPane } from "./session-pane";
import { loadSavedSessions, saveSessions, type SavedSession } from "./saved-session";

const primaryButton =
  "rounded-md bg-accent px-5 py-2.5 font-semibold text-on-accent hover:bg-accent-strong disabled:opacity-50";
const secondaryButton =
  "rounded-md border border-line px-4 py-2.5 font-semibold text-ink hover:bg-surface-raised disabled:opacity-50";

export function SandboxWorkbench() {
  const [runtimes, setRuntimes] = useState<RuntimeInfo[] | null>(null);
  const [runtime, setRuntime] = useState<string>("runc");
  const [panes, setPanes] = useState<SavedSession[]>([]);
  /** Sessions shown that have ended: their panes stay (why it ended) until the next start. */
  const [ended, setEnded] = useState<string[]>([]);
  const [restored, setRestored] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // Connected ahead of the first terminal: the handshake (polling, then the websocket) is not on the way to the prompt.
    getSocket();
    fetchRuntimes().then(setRuntimes, (err: unknown) => setError(describeError(err)));
    const saved = loadSavedSessions();
    void Promise.all(
      saved.map((pane) =>
        fetchSession(pane.sessionId).then(
          (found) => (isFinalSessionState(found.state) ? null : pane),
          () => null,
        ),
      ),
    ).then((found) => {
      const live = found.filter((pane): pane is SavedSession => pane !== null);
      if (live.length < saved.length)
        setError("An earlier session is gone (it ended, or the host restarted). Start a new one.");
      setPanes(live);
      setRestored(true);
    });
  }, []);
  useEffect(() => {
    if (restored) saveSessions(panes.filter((p) => !ended.includes(p.sessionId)));
  }, [panes, ended, restored]);

  const usable = sessionRuntimesOf(runtimes ?? []);
  const chosen = usable.find((r) => r.id === runtime);
  // The other side of a comparison: the VM beside a container ("the same command in runc and in the VM"),
  // else another kind, else any other.
  const others = usable.filter((r) => r.id !== runtime);
  const partner =
    (chosen?.kind !== "vm" ? others.find((r) => r.kind === "vm") : undefined) ??
    others.find((r) => r.kind !== chosen?.kind) ??
    others[0];

  const start = async (ids: string[]) => {
    setBusy(true);
    setError(null);
    try {
      const created = await Promise.all(
        ids.map((id) => createSession({ runtime: id, image: "busybox" })),
      );
      setPanes(created.map((sessionId, n) => ({ sessionId, runtime: ids[n], terminalIds: [] })));
      setEnded([]);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const update = (sessionId: string, change: Partial<SavedSession>) =>
    setPanes((current) =>
      current.map((p) => (p.sessionId === sessionId ? { ...p, ...change } : p)),
    );

  const open = panes.some((p) => !ended.includes(p.sessionId));
  return (
    <div className="flex flex-col gap-6">
      <Panel id="sandbox-start" title="Runtime">
        <fieldset className="flex flex-wrap gap-4" disabled={busy || open}>
          <legend className="sr-only">Runtime of the session</legend>
          {(runtimes ?? []).map((r) => {
            const hasSessions = opensSessions(r.id);
            const why = !r.available
              ? r.reason
              : hasSessions
                ? null
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
        {!open && (
          <div className="mt-4 flex flex-wrap items-center gap-3">
            <button
              type="button"
              data-testid="start-session"
              onClick={() => void start([runtime])}
              disabled={busy || !chosen}
              className={primaryButton}
            >
              {busy ? "Starting…" : "Start a shell"}
            </button>
            {chosen && partner && (
              <button
                type="button"
                data-testid="start-side-by-side"
                onClick={() => void start([chosen.id, partner.id])}
                disabled={busy}
                className={secondaryButton}
              >
                Side by side: {chosen.id} and {partner.id}
              </button>
            )}
          </div>
        )}
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-800">
            {error}
          </p>
        )}
      </Panel>
      <div className={`grid gap-8 ${panes.length > 1 ? "min-[1800px]:grid-cols-2" : ""}`}>
        {panes.map((pane, index) => (
          <SessionPane
            key={pane.sessionId}
            sessionId={pane.sessionId}
            runtime={pane.runtime}
            takeFocus={index === 0}
            savedTerminalIds={pane.terminalIds}
            onTerminals={(terminalIds) => update(pane.sessionId, { terminalIds })}
            onEnded={() => setEnded((current) => [...current, pane.sessionId])}
          />
        ))}
      </div>
    </div>
  );
}
