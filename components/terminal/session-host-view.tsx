"use client";
// The host's side of the session, refreshed: its processes with their command lines, its cgroup against its limits, its mounts.
import { formatBytes, formatMs } from "@/components/format/format-units";
import type { SessionHostView as HostView, SessionSnapshot } from "@/lib/api/sessions";

export function SessionHostView(props: {
  view: HostView | null;
  error: string | null;
  limits: SessionSnapshot["limits"];
}) {
  const { view, error, limits } = props;
  if (!view) return <p className="text-muted">{error ?? "Reading /proc…"}</p>;
  const { cgroup } = view;
  return (
    <div className="flex flex-col gap-4 text-sm" data-testid="host-view">
      {error && (
        <p role="status" className="text-muted">
          Last refresh failed: {error}
        </p>
      )}
      <div>
        <h3 className="font-semibold text-ink">Host processes ({view.processes.length})</h3>
        <ul className="mt-1 flex flex-col gap-1 font-mono" data-testid="host-processes">
          {view.processes.map((p) => (
            <li key={p.pid} className="break-all">
              <span className="text-muted">{p.pid}</span> {p.command}
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3 className="font-semibold text-ink">cgroup</h3>
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1" data-testid="host-cgroup">
          <dt className="text-muted">memory</dt>
          <dd>
            {cgroup.memoryBytes === null ? "unknown" : formatBytes(cgroup.memoryBytes)} of{" "}
            {formatBytes(cgroup.memoryLimitBytes ?? limits.memoryBytes)}
          </dd>
          <dt className="text-muted">pids</dt>
          <dd>
            {cgroup.pids ?? "unknown"} of {cgroup.pidsLimit ?? limits.pids}
          </dd>
          <dt className="text-muted">CPU used</dt>
          <dd>{cgroup.cpuUsageMs === null ? "unknown" : formatMs(cgroup.cpuUsageMs)}</dd>
        </dl>
      </div>
      <details>
        <summary className="cursor-pointer font-semibold text-ink">
          Mounts of pid {view.mounts[0]?.pid ?? "?"} ({view.mounts.length})
        </summary>
        <ul className="mt-1 flex flex-col gap-1 font-mono text-xs">
          {view.mounts.map((m, i) => (
            <li key={i} className="break-all">
              {m.mountPoint} <span className="text-muted">{m.fsType}</span> {m.source}{" "}
              <span className="text-muted">{m.options}</span>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
