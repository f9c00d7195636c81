"use client";
// The facilitator's dashboard: attendees, their progress, running sandboxes (Stop) and shell sessions (Watch read-only, End), Extend and End; refreshed every 2 s.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Panel } from "@/components/ui/panel";
import { StateBadge } from "@/components/ui/state-badge";
import { describeError } from "@/components/live/api-client";
import { getFacilitatorSocket } from "@/components/live/socket-client";
import { formatAge } from "@/components/format/format-units";
import { WatchedTerminal } from "@/components/terminal/watched-terminal";
import { LabBoardPanel } from "@/components/lab-steps/lab-board-panel";
import type { Dashboard } from "@/lib/api/workshops";
import { ErrorNote, FormField, buttonClass, secondaryButtonClass } from "./form-field";
import { findFacilitatedWorkshop, rememberFacilitatedWorkshop } from "./facilitated-workshops";
import { QuotaList } from "./quota-list";
import { useWorkshopPoll, workshopPollMs } from "./use-workshop-poll";
import { joinPath } from "./workshop-created";
import { WorkshopStatusNote } from "./workshop-status-note";
import {
  endAttendeeSession,
  endWorkshop,
  extendWorkshop,
  fetchDashboard,
  stopAttendeeRun,
} from "./workshop-api";

export interface DemoSteps {
  slug: string;
  title: string;
  steps: number;
}

export function FacilitatorDashboard({ id, demos }: { id: string; demos: DemoSteps[] }) {
  const [token, setToken] = useState<string | null>(null);
  const [denied, setDenied] = useState<string | null>(null);
  const [checkedStorage, setCheckedStorage] = useState(false);
  useEffect(() => {
    setToken(findFacilitatedWorkshop(id)?.facilitatorToken ?? null);
    setCheckedStorage(true);
  }, [id]);

  if (!checkedStorage) return <p className="text-muted">Loading…</p>;
  if (!token || denied) {
    return (
      <FacilitatorTokenForm
        problem={denied}
        onToken={(value) => {
          setDenied(null);
          setToken(value);
        }}
      />
    );
  }
  // Keyed by token: a new token starts a fresh poll at once.
  return <PolledDashboard key={token} id={id} token={token} demos={demos} onDenied={setDenied} />;
}

function PolledDashboard({
  id,
  token,
  demos,
  onDenied,
}: {
  id: string;
  token: string;
  demos: DemoSteps[];
  onDenied: (message: string) => void;
}) {
  const load = useCallback(() => fetchDashboard(id, token), [id, token]);
  const polled = useWorkshopPoll(load);
  const dashboard = polled.data?.kind === "ok" ? polled.data.data : null;
  const deniedMessage = polled.data?.kind === "denied" ? polled.data.message : null;

  useEffect(() => {
    if (deniedMessage) onDenied(deniedMessage);
  }, [deniedMessage, onDenied]);

  // A pasted token that works is kept, so the next visit opens straight away.
  useEffect(() => {
    if (!dashboard || findFacilitatedWorkshop(id)) return;
    rememberFacilitatedWorkshop({
      id,
      name: dashboard.workshop.name,
      joinCode: dashboard.workshop.joinCode,
      facilitatorToken: token,
      createdAt: Date.now(),
    });
  }, [dashboard, id, token]);

  return (
    <div className="flex flex-col gap-6">
      {polled.error && (
        <ErrorNote message={`${polled.error} Retrying every ${workshopPollMs / 1000} s.`} />
      )}
      {!dashboard && !polled.error && <p className="text-muted">Loading the dashboard…</p>}
      {dashboard && <DashboardView dashboard={dashboard} token={token} demos={demos} />}
    </div>
  );
}

function FacilitatorTokenForm({
  problem,
  onToken,
}: {
  problem: string | null;
  onToken: (token: string) => void;
}) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(
      new FormData(event.currentTarget).get("facilitator-token-input") ?? "",
    ).trim();
    if (value) onToken(value);
  };
  return (
    <Panel id="facilitator-token" title="Facilitator token needed">
      <p className="text-ink">
        This browser has no facilitator token for this workshop. Paste the one shown when it was
        created.
      </p>
      <form onSubmit={submit} className="mt-3 flex flex-col gap-3">
        <FormField
          id="facilitator-token-input"
          label="Facilitator token"
          autoComplete="off"
          spellCheck={false}
        />
        <ErrorNote message={problem} />
        <div>
          <button type="submit" className={buttonClass}>
            Open the dashboard
          </button>
        </div>
      </form>
    </Panel>
  );
}

function DashboardView({
  dashboard,
  token,
  demos,
}: {
  dashboard: Dashboard;
  token: string;
  demos: DemoSteps[];
}) {
  const { workshop, attendees } = dashboard;
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = useCallback(async (action: () => Promise<string>) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await action());
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  const running = attendees.reduce((n, a) => n + a.activeRuns.length, 0);
  const [watched, setWatched] = useState<{
    attendee: string;
    runtime: string;
    terminalId: string;
  } | null>(null);
  // A watched terminal whose session ended (or was ended here) leaves the view with it.
  const stillLive = attendees.some((a) =>
    a.activeSessions.some((s) => s.terminals.includes(watched?.terminalId ?? "")),
  );
  useEffect(() => {
    if (watched && !stillLive) setWatched(null);
  }, [watched, stillLive]);
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);

  return (
    <>
      <div>
        <h1 data-testid="workshop-name" className="text-3xl font-bold tracking-tight text-ink">
          {workshop.name}
        </h1>
        <WorkshopStatusNote workshop={workshop} />
        <p className="mt-2 text-ink">
          Join code{" "}
          <strong data-testid="dashboard-join-code" className="font-mono text-4xl tracking-widest">
            {workshop.joinCode}
          </strong>
        </p>
        <p className="mt-1 text-muted">
          Attendees join at{" "}
          <span className="font-mono break-all text-ink">{`${origin}${joinPath(workshop.joinCode)}`}</span>
        </p>
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <Panel id="workshop-limits" title="Quotas per attendee">
          <QuotaList quotas={workshop.quotas} />
          <p className="mt-2 text-ink">
            {attendees.length} of {workshop.capacity} places taken; {running} sandbox
            {running === 1 ? "" : "es"} running.
          </p>
        </Panel>
        <Panel id="workshop-actions" title="Workshop">
          {workshop.status === "ended" ? (
            <p className="text-muted">This workshop has ended.</p>
          ) : (
            <WorkshopActions
              running={running}
              onExtend={(minutes) =>
                act(async () => {
                  const summary = await extendWorkshop(workshop.id, token, minutes);
                  return `Extended: open until ${new Date(summary.expiresAt).toLocaleString()}.`;
                })
              }
              onEnd={() =>
                act(async () => {
                  const { stoppedRuns, endedSessions } = await endWorkshop(workshop.id, token);
                  return `Workshop ended; ${stoppedRuns} sandbox${stoppedRuns === 1 ? "" : "es"} stopped, ${endedSessions} shell session${endedSessions === 1 ? "" : "s"} ended.`;
                })
              }
            />
          )}
        </Panel>
      </div>
      <p aria-live="polite" data-testid="dashboard-notice" className="text-ink">
        {notice}
      </p>
      <ErrorNote message={error} />

      <Panel id="attendees" title="Attendees">
        {attendees.length === 0 ? (
          <p className="text-muted">Nobody has joined yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left">
              <thead>
                <tr className="border-b border-line text-muted">
                  <th scope="col" className="py-2 pr-4">
                    Name
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Progress
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Runs used
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Running sandboxes
                  </th>
                  <th scope="col" className="py-2">
                    Shell sessions
                  </th>
                </tr>
              </thead>
              <tbody>
                {attendees.map((attendee) => (
                  <tr
                    key={attendee.id}
                    data-testid={`attendee-${attendee.name}`}
                    className="border-b border-line align-top"
                  >
                    <th scope="row" className="py-2 pr-4 font-semibold text-ink">
                      {attendee.name}
                    </th>
                    <td className="py-2 pr-4 text-ink">
                      <ProgressSummary progress={attendee.progress} demos={demos} />
                    </td>
                    <td className="py-2 pr-4 text-ink">
                      {attendee.usage.totalRuns} of {workshop.quotas.maxRunsPerAttendee}
                    </td>
                    <td className="py-2 pr-4">
                      {attendee.activeRuns.length === 0 ? (
                        <span className="text-muted">none</span>
                      ) : (
                        <ul className="flex flex-col gap-1">
                          {attendee.activeRuns.map((run) => (
                            <li
                              key={run.id}
                              data-testid="attendee-run"
                              className="flex flex-wrap items-center gap-2"
                            >
                              <span className="font-mono">{run.runtime}</span>
                              {run.state && <StateBadge state={run.state} />}
                              <button
                                type="button"
                                className={secondaryButtonClass}
                                aria-label={`Stop ${attendee.name}'s ${run.runtime} sandbox`}
                                onClick={() =>
                                  void act(async () => {
                                    await stopAttendeeRun(workshop.id, token, run.id);
                                    return `Stopped ${attendee.name}'s ${run.runtime} sandbox.`;
                                  })
                                }
                              >
                                Stop
                              </button>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="py-2">
                      {attendee.activeSessions.length === 0 ? (
                        <span className="text-muted">none</span>
                      ) : (
                        <ul className="flex flex-col gap-1">
                          {attendee.activeSessions.map((session) => (
                            <li
                              key={session.id}
                              data-testid="attendee-session"
                              className="flex flex-wrap items-center gap-2"
                            >
                              <span className="font-mono">{session.runtime}</span>
                              <span>{session.state}</span>
                              {session.remainingMs !== null && (
                                <span className="text-muted">
                                  ends in {formatAge(session.remainingMs)}
                                </span>
                              )}
                              {session.terminals.map((terminalId, index) => (
                                <button
                                  key={terminalId}
                                  type="button"
                                  className={secondaryButtonClass}
                                  aria-label={`Watch ${attendee.name}'s ${session.runtime} terminal ${index + 1}`}
                                  aria-pressed={watched?.terminalId === terminalId}
                                  onClick={() =>
                                    setWatched({
                                      attendee: attendee.name,
                                      runtime: session.runtime,
                                      terminalId,
                                    })
                                  }
                                >
                                  Watch{session.terminals.length > 1 ? ` ${index + 1}` : ""}
                                </button>
                              ))}
                              <button
                                type="button"
                                className={secondaryButtonClass}
                                aria-label={`End ${attendee.name}'s ${session.runtime} session`}
                                onClick={() =>
                                  void act(async () => {
                                    await endAttendeeSession(workshop.id, token, session.id);
                                    return `Ended ${attendee.name}'s ${session.runtime} session.`;
                                  })
                                }
                              >
                                End
                              </button>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <LabBoardPanel workshopId={workshop.id} facilitatorToken={token} />
      {watched && (
        <Panel
          id="watched-session"
          title={`${watched.attendee}'s ${watched.runtime} terminal, read-only`}
        >
          <WatchedTerminal
            key={watched.terminalId}
            socket={() => getFacilitatorSocket(token)}
            terminalId={watched.terminalId}
            label={`${watched.attendee}'s terminal, read-only`}
          />
          <button
            type="button"
            className={`${secondaryButtonClass} mt-3`}
            onClick={() => setWatched(null)}
          >
            Stop watching
          </button>
        </Panel>
      )}
    </>
  );
}

function ProgressSummary({
  progress,
  demos,
}: {
  progress: Dashboard["attendees"][number]["progress"];
  demos: DemoSteps[];
}) {
  if (progress.length === 0) return <span className="text-muted">not started</span>;
  const byDemo = new Map<string, Set<number>>();
  for (const entry of progress) {
    byDemo.set(entry.demo, (byDemo.get(entry.demo) ?? new Set()).add(entry.step));
  }
  return (
    <ul>
      {[...byDemo].map(([slug, steps]) => {
        const demo = demos.find((d) => d.slug === slug);
        return (
          <li key={slug}>
            {demo?.title ?? slug}: {steps.size}
            {demo && demo.steps > 0 ? ` of ${demo.steps}` : ""} step{steps.size === 1 ? "" : "s"}
          </li>
        );
      })}
    </ul>
  );
}

function WorkshopActions({
  running,
  onExtend,
  onEnd,
}: {
  running: number;
  onExtend: (minutes: number) => Promise<void>;
  onEnd: () => Promise<void>;
}) {
  const [minutes, setMinutes] = useState(30);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    await action();
    setBusy(false);
  };
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor="extend-minutes" className="font-medium text-ink">
            Extend by
          </label>
          <select
            id="extend-minutes"
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value))}
            className="rounded-md border border-line bg-surface px-3 py-2 text-ink"
          >
            {[15, 30, 60, 120].map((m) => (
              <option key={m} value={m}>
                {m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? "" : "s"}`}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className={secondaryButtonClass}
          disabled={busy}
          onClick={() => void run(() => onExtend(minutes))}
        >
          Extend
        </button>
      </div>
      {confirming ? (
        <div
          role="group"
          aria-labelledby="end-confirm-text"
          className="flex flex-col gap-2 rounded-md border border-red-300 bg-red-50 p-3 text-red-900"
        >
          <p id="end-confirm-text">
            End the workshop? {running} running sandbox{running === 1 ? "" : "es"} will be stopped
            and attendees can no longer start any. This cannot be undone.
          </p>
          <div className="flex gap-2">
            <button
              type="button"
              className="rounded-md bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800"
              disabled={busy}
              onClick={() => void run(onEnd).then(() => setConfirming(false))}
            >
              Yes, end it
            </button>
            <button
              type="button"
              className={secondaryButtonClass}
              onClick={() => setConfirming(false)}
              autoFocus
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div>
          <button
            type="button"
            className={secondaryButtonClass}
            onClick={() => setConfirming(true)}
          >
            End workshop…
          </button>
        </div>
      )}
    </div>
  );
}
