"use client";
// Someone else's shell, read-only: attaches to a terminal (a workshop facilitator helping an attendee) and shows its screen live.
import { useState } from "react";
import type { Socket } from "socket.io-client";
import { InteractiveTerminal } from "./interactive-terminal";
import { connectTerminal, linkStatusText, type LinkStatus } from "./terminal-link";

export function WatchedTerminal({
  socket,
  terminalId,
  label,
}: {
  /** The connection whose credentials let the watcher attach (a facilitator token in its handshake). */
  socket: () => Socket;
  terminalId: string;
  label: string;
}) {
  const [link, setLink] = useState<{ status: LinkStatus; detail: string | null }>({
    status: "connecting",
    detail: null,
  });
  // The terminal calls this once, when it mounts; a key per terminal remounts it for another.
  const connect = (screen: { write(data: string): void; cols: number; rows: number }) =>
    connectTerminal(
      socket(),
      // Attach only: the session's id is needed to open a shell, never to watch one.
      { sessionId: "", terminalId, cols: screen.cols, rows: screen.rows, readOnly: true },
      {
        output: (data) => screen.write(data),
        status: (status, detail) => setLink({ status, detail }),
        opened: () => undefined,
      },
    );
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-muted" data-testid="watched-terminal-status">
        Read-only · {linkStatusText[link.status]}
        {link.detail && ` · ${link.detail}`}
      </p>
      <div className="h-[24rem] overflow-hidden rounded-md bg-[#0b1020] p-2">
        <InteractiveTerminal connect={connect} label={label} readOnly />
      </div>
    </div>
  );
}
