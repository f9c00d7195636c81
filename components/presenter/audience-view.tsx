"use client";
// The audience's screen: follows the presenter's step live and shows the presenter's runs and shell, read-only.
import { useEffect, useState } from "react";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { describePosition } from "@/lib/demos/track-steps";
import { fetchRuntimes } from "@/components/live/api-client";
import { getSocket } from "@/components/live/socket-client";
import { WatchedTerminal } from "@/components/terminal/watched-terminal";
import { FollowedRunColumn } from "./followed-run-column";
import type { PresentedDemo } from "./presented-demo";
import { StepCard } from "./step-card";
import { usePresentation } from "./use-presentation";

export function AudienceView({ id, demos }: { id: string; demos: PresentedDemo[] }) {
  const { state, live, error } = usePresentation(id, { audience: true });
  const [runtimes, setRuntimes] = useState<RuntimeInfo[] | null>(null);
  useEffect(() => {
    // Only for the runtimes' display names; without them a column shows the runtime id.
    fetchRuntimes()
      .then(setRuntimes)
      .catch(() => undefined);
  }, []);

  const demo = demos.find((d) => d.slug === state?.demo);
  const where = state && describePosition(state.outline, state);

  return (
    <div className="flex flex-col gap-6" data-testid="audience-view">
      <h1 className="text-2xl font-bold text-ink">
        {state ? state.track.title : "Joining the presentation…"}
      </h1>
      <div aria-live="polite" className="flex flex-wrap items-center gap-3">
        {state && where && (
          <p className="text-lg font-semibold text-ink" data-testid="following">
            Following {state.presenter} — step {where.stepNumber} of {where.stepCount}
          </p>
        )}
        <p
          className={`rounded-full px-3 py-0.5 text-sm font-semibold ${live ? "bg-emerald-50 text-emerald-900" : "bg-amber-50 text-amber-900"}`}
          data-testid="audience-connection"
        >
          {live ? "Live" : "Reconnecting…"}
        </p>
      </div>
      {error && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-red-900">
          {error}
        </p>
      )}
      {state && <StepCard state={state} demo={demo} />}
      {state && state.terminals.length > 0 && (
        <section aria-label="The presenter's shell" className="flex flex-col gap-3">
          <h2 className="text-xl font-semibold text-ink">The presenter&apos;s shell</h2>
          {state.terminals.map((terminalId) => (
            <WatchedTerminal
              key={terminalId}
              socket={getSocket}
              terminalId={terminalId}
              label="The presenter's shell, read-only"
            />
          ))}
        </section>
      )}
      {state && (
        <section aria-label="The presenter's runs" className="flex flex-col gap-3">
          <h2 className="text-xl font-semibold text-ink">Runs</h2>
          {state.runs.length === 0 ? (
            <p className="text-muted">
              The presenter has not run this demo yet; runs appear here as they start.
            </p>
          ) : (
            <div className="grid gap-4 md:grid-cols-[repeat(auto-fit,minmax(20rem,1fr))]">
              {state.runs.map((runId) => (
                <FollowedRunColumn key={runId} runId={runId} runtimes={runtimes} />
              ))}
            </div>
          )}
        </section>
      )}
    </div>
  );
}
