"use client";
// The cluster runtimes whose Knative Service can take the requests, or why Knative is not offered and how to enable it.
import type { KnativeStatus } from "@/lib/api/knative";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { maxColdRequests } from "./knative-runner";

export interface KnativeTargetsProps {
  status: KnativeStatus | null;
  error: string | null;
  /** The cluster's runtimes as /api/runtimes lists them. */
  runtimes: RuntimeInfo[] | null;
  selected: string[];
  onChange: (selected: string[]) => void;
  disabled: boolean;
}

const reachedThrough = {
  url: "its status.url, a cluster-local address the playground resolves because it runs in the cluster",
  "api-proxy":
    "the Kubernetes API server's service proxy to the revision, with the headers Knative's activator routes by",
};

export function KnativeTargets(props: KnativeTargetsProps) {
  const { status, error, runtimes, selected, onChange, disabled } = props;
  // Knative is asked of one cluster (the first, where several are configured).
  const offered = (runtimes ?? []).filter(
    (r) =>
      r.location?.backend === "kubernetes" && r.location.name === status?.cluster && r.available,
  );
  return (
    <fieldset className="mt-4" disabled={disabled} data-testid="knative-targets">
      <legend className="text-base font-semibold text-ink">Through Knative Serving</legend>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-800 dark:text-red-300">
          Could not ask the host about Knative: {error}
        </p>
      )}
      {!status && !error && (
        <p className="mt-2 text-sm text-muted" role="status">
          Asking the cluster about Knative Serving…
        </p>
      )}
      {status && status.state !== "ready" && (
        <div className="mt-2 text-sm" data-testid="knative-status" data-state={status.state}>
          <p className="text-muted">Not offered here: {status.reason}.</p>
          {status.install && <p className="mt-1 text-ink">To enable: {status.install}</p>}
        </div>
      )}
      {status?.state === "ready" && (
        <div
          className="mt-2 flex flex-col gap-2 text-sm"
          data-testid="knative-status"
          data-state="ready"
        >
          <p className="text-ink">
            Cluster {status.cluster}, namespace {status.namespace}: one Knative Service per
            RuntimeClass, made (or updated) when you run and kept for the next visitor. Requests go
            through {reachedThrough[status.invoke]}.
          </p>
          {!status.runtimeClassNames && (
            <p className="text-muted">
              {status.reason}. To enable: {status.install}
            </p>
          )}
          {status.notes.map((note) => (
            <p key={note} className="text-muted">
              {note}.
            </p>
          ))}
          <ul className="grid gap-2 sm:grid-cols-2">
            {offered.map((runtime) => {
              const id = `knative-${runtime.id}`;
              // The cluster's default runtime (k8s:default, k8s:<cluster>/default) names no RuntimeClass.
              const blocked = !/[:/]default$/.test(runtime.id) && !status.runtimeClassNames;
              return (
                <li
                  key={runtime.id}
                  className="flex items-start gap-3 rounded-md border border-line p-3"
                >
                  <input
                    id={id}
                    type="checkbox"
                    data-testid={`knative-toggle-${runtime.id}`}
                    className="mt-1 size-5 accent-accent"
                    checked={selected.includes(runtime.id)}
                    disabled={blocked}
                    onChange={(event) =>
                      onChange(
                        event.target.checked
                          ? [...selected.filter((s) => s !== runtime.id), runtime.id]
                          : selected.filter((s) => s !== runtime.id),
                      )
                    }
                  />
                  <label htmlFor={id} className={blocked ? "text-muted" : "text-ink"}>
                    {runtime.id} via Knative
                    <span className="block text-muted">{runtime.name}</span>
                  </label>
                </li>
              );
            })}
          </ul>
          {offered.length === 0 && (
            <p className="text-muted">The cluster lists no runtime that is available now.</p>
          )}
          <p className="text-muted">
            Warm: your requests at your concurrency, right after the service is Ready. From zero: up
            to {maxColdRequests} more, each sent once Knative has scaled the revision to zero (the
            playground sets a 6 s window; the cluster adds its scale-to-zero grace period, 30 s by
            default), so each waits about 40 s first. Knative answers with its own pods, not one
            sandbox per request, so the memory columns stay empty.
          </p>
          <p className="text-muted">Status: {status.tested}.</p>
        </div>
      )}
    </fieldset>
  );
}
