"use client";
// The host page's live part: what this host is, what it can run, its limits, images and current runs.
import { Panel } from "@/components/ui/panel";
import { useCallback, useState, type ReactNode } from "react";
import {
  isTerminalState,
  type HostReply,
  type RunSnapshot,
  type RuntimeInfo,
} from "@/lib/api/schemas";
import {
  ApiRequestError,
  describeError,
  fetchHost,
  fetchRun,
  fetchRuntimes,
  stopRun,
} from "@/components/live/api-client";
import { forgetMyRun, listMyRuns, type MyRun } from "@/components/live/my-runs";
import { formatAge, formatBytes, formatMs } from "@/components/format/format-units";
import { StateBadge } from "@/components/ui/state-badge";
import { runtimeKindLabels, runtimeLocationLabel } from "@/components/ui/runtime-kind";
import { usePolling } from "./use-polling";

const pollMs = 2000;

export function HostStatus() {
  const host = usePolling(fetchHost, pollMs);
  const runtimes = usePolling(fetchRuntimes, pollMs);
  const myRuns = usePolling(loadMyActiveRuns, pollMs);

  return (
    <div className="flex flex-col gap-8">
      {(host.error || runtimes.error) && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-red-900">
          {host.error ?? runtimes.error} Retrying every {pollMs / 1000} s.
        </p>
      )}
      {host.data && <HostFacts host={host.data} />}
      <RuntimesSection runtimes={runtimes.data} />
      {host.data && <VaccelSection vaccel={host.data.vaccel ?? null} />}
      {host.data && <RunsSection runs={host.data.runs} />}
      <MyRunsSection runs={myRuns.data ?? []} />
      {host.data && <LimitsSection limits={host.data.limits} visitors={host.data.visitors} />}
      {host.data && <ImagesSection images={host.data.images} />}
    </div>
  );
}

function Facts({ entries }: { entries: Array<[string, ReactNode]> }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1">
      {entries.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-muted">{term}</dt>
          <dd className="min-w-0 font-mono break-words text-ink">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function HostFacts({ host }: { host: HostReply }) {
  return (
    <Panel id="host" title="This host">
      <Facts
        entries={[
          ["hostname", host.hostname],
          ["kernel", host.kernel],
          ["CPUs", host.cpus],
          ["memory", formatBytes(host.memoryBytes)],
        ]}
      />
    </Panel>
  );
}

function RuntimesSection({ runtimes }: { runtimes: RuntimeInfo[] | null }) {
  return (
    <Panel id="runtimes" title="Runtimes">
      {!runtimes ? (
        <p className="text-muted" role="status">
          Loading…
        </p>
      ) : (
        <ul className="grid gap-3 lg:grid-cols-2">
          {runtimes.map((runtime) => (
            <li
              key={runtime.id}
              data-testid={`host-runtime-${runtime.id}`}
              data-available={runtime.available}
              className="rounded-md border border-line p-3"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h3 className="text-lg font-semibold text-ink">
                  {runtime.name}{" "}
                  <span className="font-mono text-sm font-normal text-muted">{runtime.id}</span>
                </h3>
                <span
                  className={`rounded-full px-2.5 py-0.5 text-sm font-semibold ring-1 ring-inset ${
                    runtime.available
                      ? "bg-emerald-50 text-emerald-900 ring-emerald-300"
                      : "bg-slate-100 text-slate-800 ring-slate-300"
                  }`}
                >
                  {runtime.available ? "available" : "unavailable"}
                </span>
              </div>
              <p className="text-sm text-muted" data-testid={`host-runtime-location-${runtime.id}`}>
                {runtimeKindLabels[runtime.kind]}, runs on {runtimeLocationLabel(runtime.location)}
              </p>
              {runtime.version && (
                <p className="mt-1 font-mono text-sm break-words text-ink">{runtime.version}</p>
              )}
              {runtime.reason && <p className="mt-1 text-sm text-ink">Why: {runtime.reason}</p>}
              {runtime.install && (
                <p className="mt-1 text-sm break-words text-ink">To enable: {runtime.install}</p>
              )}
              {Object.keys(runtime.details).length > 0 && (
                <div className="mt-2 text-sm">
                  <Facts entries={Object.entries(runtime.details)} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function VaccelSection({ vaccel }: { vaccel: HostReply["vaccel"] | null }) {
  if (!vaccel) {
    return (
      <Panel id="vaccel" title="vAccel agent">
        <p className="text-muted">
          Off on this host (SBPG_VACCEL=off): runs that ask for acceleration are refused.
        </p>
      </Panel>
    );
  }
  const { backend } = vaccel;
  const loads = Object.entries(backend.modelLoadMs);
  return (
    <Panel id="vaccel" title="vAccel agent">
      <div data-testid="host-vaccel">
        <Facts
          entries={[
            ["backend", `${backend.name} ${backend.version}`],
            ["execution provider", backend.executionProvider],
            ["CUDA provider", backend.cudaProviderInstalled ? "installed" : "not installed"],
            [
              "models loaded",
              loads.length === 0
                ? "loading…"
                : loads.map(([model, ms]) => `${model} ${formatMs(ms)}`).join(", "),
            ],
            ["shared address", vaccel.address ?? "none (per-sandbox sockets only)"],
            ...(vaccel.sessions === undefined
              ? []
              : [["open sessions", vaccel.sessions] as [string, ReactNode]]),
          ]}
        />
      </div>
    </Panel>
  );
}

function RunsSection({ runs }: { runs: HostReply["runs"] }) {
  return (
    <Panel id="runs" title="Sandboxes on this host now">
      {runs.length === 0 ? (
        <p className="text-muted">None: the host is idle.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-muted">
              <tr>
                <th className="py-1 pr-4 font-medium">Run</th>
                <th className="py-1 pr-4 font-medium">Runtime</th>
                <th className="py-1 pr-4 font-medium">Image</th>
                <th className="py-1 pr-4 font-medium">State</th>
                <th className="py-1 pr-4 font-medium">Age</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.label} className="border-t border-line">
                  <td className="py-2 pr-4 font-mono">{run.label}</td>
                  <td className="py-2 pr-4">{run.runtime}</td>
                  <td className="py-2 pr-4">{run.image}</td>
                  <td className="py-2 pr-4">
                    <StateBadge state={run.state} />
                    {run.queuePosition !== null && (
                      <span className="ml-2">#{run.queuePosition} in queue</span>
                    )}
                  </td>
                  <td className="py-2 pr-4 tabular-nums">{formatAge(run.ageMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="mt-3 text-sm text-muted">
        Only the browser that started a run can stop it; yours are listed below.
      </p>
    </Panel>
  );
}

interface MyActiveRun extends MyRun {
  run: RunSnapshot;
}

/** This browser's runs that are still going; ids the server has forgotten are dropped from storage. */
async function loadMyActiveRuns(): Promise<MyActiveRun[]> {
  const results = await Promise.all(
    listMyRuns().map(async (mine) => {
      try {
        return { ...mine, run: await fetchRun(mine.id) };
      } catch (err) {
        if (err instanceof ApiRequestError && err.status === 404) forgetMyRun(mine.id);
        return null;
      }
    }),
  );
  return results.filter((r): r is MyActiveRun => r !== null && !isTerminalState(r.run.state));
}

function MyRunsSection({ runs }: { runs: MyActiveRun[] }) {
  const [stopping, setStopping] = useState<Record<string, string | null>>({});
  const stop = useCallback(async (id: string) => {
    setStopping((s) => ({ ...s, [id]: "Stopping…" }));
    try {
      await stopRun(id);
      setStopping((s) => ({ ...s, [id]: "Stopped" }));
    } catch (err) {
      setStopping((s) => ({ ...s, [id]: describeError(err) }));
    }
  }, []);

  return (
    <Panel id="my-runs" title="Your running sandboxes">
      {runs.length === 0 ? (
        <p className="text-muted">None running from this browser.</p>
      ) : (
        <ul className="flex flex-col gap-2">
          {runs.map(({ id, runtime, run }) => (
            <li
              key={id}
              data-testid={`my-run-${id}`}
              className="flex flex-wrap items-center gap-3 border-t border-line pt-2 first:border-t-0 first:pt-0"
            >
              <span className="font-mono text-sm">{id}</span>
              <span>{runtime}</span>
              <StateBadge state={run.state} />
              <span className="text-sm text-muted tabular-nums">
                {formatAge(Date.now() - Date.parse(run.createdAt))}
              </span>
              <button
                type="button"
                onClick={() => void stop(id)}
                disabled={stopping[id] === "Stopping…"}
                className="rounded-md border border-red-700 px-3 py-1 text-sm font-semibold text-red-800 hover:bg-red-50 disabled:opacity-60"
              >
                Stop
              </button>
              {stopping[id] && (
                <span role="status" className="text-sm">
                  {stopping[id]}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function LimitsSection({
  limits,
  visitors,
}: {
  limits: HostReply["limits"];
  visitors: HostReply["visitors"];
}) {
  return (
    <Panel id="limits" title="Limits">
      <Facts
        entries={[
          ["sandboxes at once", limits.maxConcurrentRuns],
          ["waiting in queue, at most", limits.maxQueuedRuns],
          ["active runs per visitor", limits.maxActiveRunsPerClient],
          ["active runs per address (all its visitors)", visitors.maxActiveRunsPerAddress],
          [
            "open workshops per visitor / per address",
            `${visitors.maxOpenWorkshopsPerVisitor} / ${visitors.maxOpenWorkshopsPerAddress}`,
          ],
          [
            "presentations per visitor / per address",
            `${visitors.maxPresentationsPerVisitor} / ${visitors.maxPresentationsPerAddress}`,
          ],
          [
            "trusted proxies (X-Forwarded-For)",
            visitors.trustedProxies.length ? visitors.trustedProxies.join(", ") : "none",
          ],
          ["default time limit", formatMs(limits.defaultTimeoutMs)],
          ["longest time limit", formatMs(limits.maxTimeoutMs)],
          ["memory per sandbox", formatBytes(limits.memoryBytes)],
          ["processes per sandbox", limits.pids],
          ["CPU shares", limits.cpuShares],
          ["output kept per run", formatBytes(limits.outputBytes)],
        ]}
      />
    </Panel>
  );
}

function ImagesSection({ images }: { images: HostReply["images"] }) {
  return (
    <Panel id="images" title="Images">
      <ul className="flex flex-col gap-1">
        {images.map((image) => (
          <li key={image.name}>
            <span className="font-mono font-semibold">{image.name}</span>{" "}
            {image.available ? (
              <span className="text-muted">
                ready{image.sizeBytes !== null && `, ${formatBytes(image.sizeBytes)}`}
              </span>
            ) : (
              <span className="text-muted">not built{image.reason ? `: ${image.reason}` : ""}</span>
            )}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
