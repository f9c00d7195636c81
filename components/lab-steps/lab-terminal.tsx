"use client";
// One session's shell in a lab, side by side with the others; Run on a step types into it through `onLink`.
import { useCallback, useState } from "react";
import { getSocket } from "@/components/live/socket-client";
import { InteractiveTerminal } from "@/components/terminal/interactive-terminal";
import {
  connectTerminal,
  linkStatusText,
  type LinkStatus,
  type TerminalLink,
} from "@/components/terminal/terminal-link";

export interface LabTerminalProps {
  runtime: string;
  sessionId: string;
  /** Called with the terminal's link once it exists, and with null when it goes away. */
  onLink(runtime: string, link: TerminalLink | null): void;
}

export function LabTerminal({ runtime, sessionId, onLink }: LabTerminalProps) {
  const [link, setLink] = useState<{ status: LinkStatus; detail: string | null }>({
    status: "connecting",
    detail: null,
  });
  /** Bumped to open a fresh shell when the saved one cannot be re-attached (it exited, the host restarted). */
  const [attempt, setAttempt] = useState(0);
  const connect = useCallback(
    (screen: { write(data: string): void; cols: number; rows: number }) => {
      const key = terminalKeyOf(sessionId);
      const saved = readTerminalId(key);
      const opened = connectTerminal(
        getSocket(),
        { sessionId, terminalId: saved, cols: screen.cols, rows: screen.rows },
        {
          output: (data) => screen.write(data),
          status: (status, detail) => {
            if (saved && (status === "failed" || status === "exited")) {
              saveTerminalId(key, null);
              setAttempt((n) => n + 1);
              return;
            }
            setLink({ status, detail });
          },
          opened: (id) => saveTerminalId(key, id),
        },
      );
      onLink(runtime, opened);
      return {
        input: (data: string) => opened.input(data),
        resize: (cols: number, rows: number) => opened.resize(cols, rows),
        detach: () => {
          onLink(runtime, null);
          opened.detach();
        },
      };
    },
    // Connected once per session (and attempt); the parent's onLink is stable.
    [sessionId, attempt],
  );
  return (
    <div className="flex min-w-0 flex-col gap-1" data-testid={`lab-terminal-${runtime}`}>
      <p className="text-sm font-semibold text-ink">
        {runtime}{" "}
        <span className="font-normal text-muted" data-testid="terminal-status">
          · {linkStatusText[link.status]}
          {link.detail && ` · ${link.detail}`}
        </span>
      </p>
      <div className="h-80 overflow-hidden rounded-md bg-[#0b1020] p-2">
        <InteractiveTerminal
          key={`${sessionId}-${attempt}`}
          connect={connect}
          label={`Shell in ${runtime}`}
        />
      </div>
    </div>
  );
}

// A reload re-attaches to the same shell (its screen replayed) instead of opening another.
const terminalKeyOf = (sessionId: string) => `sbpg-lab-terminal:${sessionId}`;

function readTerminalId(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function saveTerminalId(key: string, id: string | null): void {
  try {
    if (id) sessionStorage.setItem(key, id);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage off: a reload opens a new shell in the same session.
  }
}
