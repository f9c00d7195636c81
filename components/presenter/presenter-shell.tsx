"use client";
// The presenter's own shell, mirrored to the audience: a session on a runtime of their choice, its terminal announced to the room.
import { useEffect, useRef, useState } from "react";
import { useRegisterRunTarget } from "@/components/markdown/run-target";
import { typedCommand } from "@/components/markdown/typed-command";
import { describeError, fetchRuntimes } from "@/components/live/api-client";
import { getSocket } from "@/components/live/socket-client";
import { InteractiveTerminal } from "@/components/terminal/interactive-terminal";
import { createSession, endSession, waitForSessionReady } from "@/components/terminal/session-api";
import {
  connectTerminal,
  linkStatusText,
  type LinkStatus,
  type TerminalLink,
} from "@/components/terminal/terminal-link";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { sessionRuntimesOf } from "@/lib/api/sessions";

export function PresenterShell({
  onTerminal,
}: {
  /** The terminal the audience should see, or null once the shell is gone. */
  onTerminal: (terminalId: string | null) => void;
}) {
  const [runtime, setRuntime] = useState<string>("runc");
  /** The runtimes this host can open a shell on (Kata only where installed); runc until the list is in. */
  const [usable, setUsable] = useState<Pick<RuntimeInfo, "id" | "name">[]>([
    { id: "runc", name: "runc" },
  ]);
  useEffect(() => {
    fetchRuntimes().then(
      (runtimes) => {
        const found = sessionRuntimesOf(runtimes);
        if (!found.length) return;
        setUsable(found);
        setRuntime((chosen) => (found.some((r) => r.id === chosen) ? chosen : found[0]!.id));
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, []);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ status: LinkStatus; detail: string | null }>({
    status: "connecting",
    detail: null,
  });

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const id = await createSession({ runtime, image: "busybox" });
      await waitForSessionReady(id);
      setSessionId(id);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const end = async () => {
    if (!sessionId) return;
    onTerminal(null);
    setSessionId(null);
    await endSession(sessionId).catch((err: unknown) => setError(describeError(err)));
  };
  const terminal = useRef<TerminalLink | null>(null);
  const screen = useRef<HTMLDivElement>(null);
  const connect = (screen: { write(data: string): void; cols: number; rows: number }) => {
    terminal.current = connectTerminal(
      getSocket(),
      { sessionId: sessionId!, terminalId: null, cols: screen.cols, rows: screen.rows },
      {
        output: (data) => screen.write(data),
        status: (status, detail) => setLink({ status, detail }),
        opened: onTerminal,
      },
    );
    return terminal.current;
  };

  const button =
    "rounded-md border-2 border-ink bg-surface px-4 py-2 text-lg font-semibold text-ink hover:bg-surface-raised disabled:opacity-40";
  return (
    <section aria-label="Your shell, shown to the audience" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-xl font-semibold text-ink">Shell</h2>
        {!sessionId ? (
          <>
            <label className="flex items-center gap-2 text-lg text-ink">
              Runtime
              <select
                value={runtime}
                onChange={(e) => setRuntime(e.target.value)}
                className="rounded-md border-2 border-ink bg-surface px-2 py-1"
              >
                {usable.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className={button} onClick={() => void start()} disabled={busy}>
              {busy ? "Starting…" : "Open a shell for the audience"}
            </button>
          </>
        ) : (
          <>
            <p className="text-lg text-ink" data-testid="presenter-shell-status">
              {linkStatusText[link.status]}
              {link.detail && ` · ${link.detail}`} · the audience sees it read-only
            </p>
            <button type="button" className={button} onClick={() => void end()}>
              End shell
            </button>
          </>
        )}
      </div>
      {error && (
        <p
          role="alert"
          className="rounded-md border-2 border-red-800 bg-red-50 p-3 text-lg text-red-900"
        >
          {error}
        </p>
      )}
      {sessionId && <TypeIntoShell terminal={terminal} screen={screen} />}
      {sessionId && (
        <div ref={screen} className="h-[24rem] overflow-hidden rounded-md bg-[#0b1020] p-2">
          <InteractiveTerminal key={sessionId} connect={connect} label="Your shell" />
        </div>
      )}
    </section>
  );
}

/** While the shell is open, a step's Run types its command here, where the audience watches it. */
function TypeIntoShell({
  terminal,
  screen,
}: {
  terminal: { current: TerminalLink | null };
  screen: { current: HTMLDivElement | null };
}) {
  useRegisterRunTarget(({ command }) => {
    terminal.current?.input(typedCommand(command));
    // xterm draws only while on screen, and the presenter clicked Run up in the step: bring the shell into view.
    screen.current?.scrollIntoView({ block: "nearest" });
  });
  return null;
}
