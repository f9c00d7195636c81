"use client";
// The host's side of the session, refreshed: its processes with their command lines, its cgroup against its limits, its mounts;
// for a session on a cluster, its pod as the API server has it.
import { formatBytes, formatMs } from "@/components/format/format-units";
import type { SessionHostView as HostView, SessionSnapshot } from "@/lib/api/sessions";

export function SessionHostView(props: {
  view: HostView | null;
  error: string | null;
  limits: SessionSnapshot["limits"];
}) {
  const { view, error, limits } = props;
  if (!view) return <p className="text-muted">{error ?? "Reading /proc…"}</p>;
  if (view.pod) return <SessionPodView pod={view.pod} error={error} />;
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

function SessionPodView(props: { pod: NonNullable<HostView["pod"]>; error: string | null }) {
  const { pod, error } = props;
  return (
    <div className="flex flex-col gap-4 text-sm" data-testid="host-view">
      {error && (
        <p role="status" className="text-muted">
          Last refresh failed: {error}
        </p>
      )}
      <p className="text-muted">
        This session runs as pod {pod.pod} on cluster {pod.cluster}, on node{" "}
        {pod.node ?? "(not scheduled)"}: another machine, so there is no /proc or cgroup of it to
        read here, only what the API server says.
      </p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1" data-testid="host-pod">
        <dt className="text-muted">namespace</dt>
        <dd>{pod.namespace}</dd>
        <dt className="text-muted">phase</dt>
        <dd>{pod.phase}</dd>
        {pod.containers.map((c) => (
          <div key={c.name} className="contents">
            <dt className="text-muted">container {c.name}</dt>
            <dd>
              {c.state}
              {c.ready ? ", ready" : ", not ready"}
              {c.restartCount > 0 ? `, ${c.restartCount} restarts` : ""}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
