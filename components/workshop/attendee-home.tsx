"use client";
// An attendee's page: their workshop, its quotas and what they used, where to go next, and their runs.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Panel } from "@/components/ui/panel";
import { StateBadge } from "@/components/ui/state-badge";
import { describeError } from "@/components/live/api-client";
import type { AttendeeView } from "@/lib/api/workshops";
import { ErrorNote, secondaryButtonClass } from "./form-field";
import { QuotaList } from "./quota-list";
import { useWorkshopPoll, workshopPollMs } from "./use-workshop-poll";
import { WorkshopStatusNote } from "./workshop-status-note";
import { fetchMyWorkshop, leaveWorkshop } from "./workshop-api";

export interface TrackLinks {
  title: string;
  demos: Array<{ slug: string; title: string }>;
}

export function AttendeeHome({ tracks }: { tracks: TrackLinks[] }) {
  const polled = useWorkshopPoll(fetchMyWorkshop);

  if (polled.data?.kind === "denied") {
    return (
      <Panel id="not-joined" title="Not in a workshop">
        <p className="text-ink">{polled.data.message}</p>
        <p className="mt-2">
          <Link href="/workshops/join" className="font-semibold text-accent underline">
            Join a workshop
          </Link>
        </p>
      </Panel>
    );
  }
  const view = polled.data?.kind === "ok" ? polled.data.data : null;
  return (
    <div className="flex flex-col gap-6">
      {polled.error && (
        <ErrorNote message={`${polled.error} Retrying every ${workshopPollMs / 1000} s.`} />
      )}
      {!view && !polled.error && <p className="text-muted">Loading your workshop…</p>}
      {view && <AttendeeWorkshop view={view} tracks={tracks} />}
    </div>
  );
}

function AttendeeWorkshop({ view, tracks }: { view: AttendeeView; tracks: TrackLinks[] }) {
  const done = new Set(view.progress.map((p) => p.demo));
  return (
    <>
      <div>
        <h1 data-testid="workshop-name" className="text-3xl font-bold tracking-tight text-ink">
          {view.workshop.name}
        </h1>
        <p className="mt-1 text-lg text-ink">
          You are <strong>{view.attendee.name}</strong>.
        </p>
        <WorkshopStatusNote workshop={view.workshop} />
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Panel id="quotas" title="Your quotas">
          <QuotaList quotas={view.workshop.quotas} usage={view.usage} />
          <p className="mt-2 text-sm text-muted">
            Runs you start on the demo pages from this browser count here.
          </p>
        </Panel>
        <Panel id="tracks" title="Where to go">
          {tracks.map((track) => (
            <div key={track.title} className="mt-2">
              <h3 className="font-semibold text-ink">{track.title}</h3>
              <ul className="ml-5 list-disc">
                {track.demos.map((demo) => (
                  <li key={demo.slug}>
                    <Link href={`/demos/${demo.slug}`} className="text-accent underline">
                      {demo.title}
                    </Link>
                    {done.has(demo.slug) && (
                      <span className="ml-2 text-sm text-muted">(started)</span>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </Panel>
      </div>
      <Panel id="my-runs" title="Your runs">
        {view.runs.length === 0 ? (
          <p className="text-muted">No runs yet: open a demo and press Run.</p>
        ) : (
          <ul data-testid="attendee-runs" className="flex flex-col gap-2">
            {view.runs.map((run) => (
              <li key={run.id} className="flex flex-wrap items-center gap-3">
                <span className="font-mono text-ink">{run.runtime}</span>
                <span className="font-mono text-sm text-muted">{run.id.slice(0, 8)}</span>
                {run.state ? (
                  <StateBadge state={run.state} />
                ) : (
                  <span className="text-sm text-muted">ended</span>
                )}
                <span className="text-sm text-muted">
                  {new Date(run.startedAt).toLocaleTimeString()}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <LeaveWorkshop />
    </>
  );
}

function LeaveWorkshop() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const leave = async () => {
    try {
      await leaveWorkshop();
      router.push("/workshops");
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div className="flex flex-col gap-2">
      <div>
        <button type="button" className={secondaryButtonClass} onClick={() => void leave()}>
          Leave this workshop in this browser
        </button>
      </div>
      <p className="text-sm text-muted">
        Runs you start afterwards are no longer the workshop&apos;s; the facilitator still sees what
        you did.
      </p>
      <ErrorNote message={error} />
    </div>
  );
}
