"use client";
// The workshop facilitator's lab board: each attendee's step, its state, time on it, failed checks and hint, pushed over
// socket.io as checks run (no polling); Reveal shows a step's solution to every attendee.
import { useEffect, useState } from "react";
import { getFacilitatorSocket } from "@/components/live/socket-client";
import { formatAge } from "@/components/format/format-units";
import { Panel } from "@/components/ui/panel";
import {
  LabEntryEventSchema,
  LabRevealAckSchema,
  LabWatchAckSchema,
  labEvents,
  type LabBoardEntry,
  type LabReveal,
} from "@/lib/api/labs";

export function LabBoardPanel({
  workshopId,
  facilitatorToken,
}: {
  workshopId: string;
  facilitatorToken: string;
}) {
  const [entries, setEntries] = useState<LabBoardEntry[]>([]);
  const [revealed, setRevealed] = useState<LabReveal[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const socket = getFacilitatorSocket(facilitatorToken);
    const watch = async () => {
      const ack = LabWatchAckSchema.safeParse(
        await socket
          .timeout(10_000)
          .emitWithAck(labEvents.watch, { workshopId })
          .catch(() => null),
      );
      if (!ack.success) return setError("The lab board did not answer; it retries on reconnect.");
      if (!ack.data.ok) return setError(ack.data.error.message);
      setError(null);
      setEntries(ack.data.entries);
      setRevealed(ack.data.revealed);
    };
    const onEntry = (payload: unknown) => {
      const parsed = LabEntryEventSchema.safeParse(payload);
      if (!parsed.success) return;
      const entry = parsed.data.entry;
      setEntries((list) => [...list.filter((e) => e.attendeeId !== entry.attendeeId), entry]);
    };
    socket.on(labEvents.entry, onEntry);
    // A reconnect joins the room again: rooms do not survive the connection.
    socket.on("connect", watch);
    if (socket.connected) void watch();
    const ticker = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      socket.off(labEvents.entry, onEntry);
      socket.off("connect", watch);
      clearInterval(ticker);
    };
  }, [workshopId, facilitatorToken]);

  const reveal = async (demo: string, step: number) => {
    const ack = LabRevealAckSchema.safeParse(
      await getFacilitatorSocket(facilitatorToken)
        .timeout(10_000)
        .emitWithAck(labEvents.reveal, { workshopId, demo, step })
        .catch(() => null),
    );
    if (!ack.success) return setError("The reveal did not reach the server; try again.");
    if (!ack.data.ok) return setError(ack.data.error.message);
    setRevealed(ack.data.revealed);
  };

  const sorted = [...entries].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Panel id="lab-board" title="Labs">
      {error && (
        <p role="alert" className="mb-2 text-sm text-red-800">
          {error}
        </p>
      )}
      {sorted.length === 0 ? (
        <p className="text-muted">No attendee has opened a lab yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left">
            <thead>
              <tr className="border-b border-line text-muted">
                <th scope="col" className="py-2 pr-4">
                  Name
                </th>
                <th scope="col" className="py-2 pr-4">
                  Lab and step
                </th>
                <th scope="col" className="py-2 pr-4">
                  State
                </th>
                <th scope="col" className="py-2 pr-4">
                  On it for
                </th>
                <th scope="col" className="py-2 pr-4">
                  Failed checks
                </th>
                <th scope="col" className="py-2">
                  Solution
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((entry) => {
                const done = entry.step >= entry.stepCount;
                const isRevealed = revealed.some(
                  (r) => r.demo === entry.demo && r.step === entry.step,
                );
                return (
                  <tr
                    key={entry.attendeeId}
                    data-testid={`lab-board-${entry.name}`}
                    className="border-b border-line align-top"
                  >
                    <th scope="row" className="py-2 pr-4 font-semibold text-ink">
                      {entry.name}
                    </th>
                    <td className="py-2 pr-4 text-ink" data-testid="lab-board-step">
                      {entry.demoTitle}:{" "}
                      {done
                        ? `all ${entry.stepCount} steps done`
                        : `step ${entry.step + 1} of ${entry.stepCount}, ${entry.stepTitle ?? ""}`}
                    </td>
                    <td className="py-2 pr-4 text-ink" data-testid="lab-board-state">
                      {entry.state}
                      {entry.hint && !done && (
                        <span className="block text-sm text-muted">{entry.hint}</span>
                      )}
                    </td>
                    <td className="py-2 pr-4 text-ink">
                      {formatAge(Math.max(0, now - Date.parse(entry.since)))}
                    </td>
                    <td className="py-2 pr-4 text-ink" data-testid="lab-board-failed">
                      {entry.failedChecks}
                    </td>
                    <td className="py-2">
                      {!done && (
                        <button
                          type="button"
                          disabled={isRevealed}
                          onClick={() => void reveal(entry.demo, entry.step)}
                          aria-label={`Reveal the solution of ${entry.demoTitle} step ${entry.step + 1} to everyone`}
                          className="rounded-md border border-line bg-surface px-3 py-1 text-sm font-semibold text-ink hover:bg-surface-raised disabled:opacity-50"
                        >
                          {isRevealed ? "Revealed" : "Reveal to everyone"}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
