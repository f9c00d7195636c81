"use client";
// The lab: edit a script and the sandbox's limits, check them against the host's bounds, run on the chosen runtimes.
import { useEffect, useMemo, useRef, useState } from "react";
import dynamic from "next/dynamic";
import { Panel } from "@/components/ui/panel";
import { DemoRunner } from "@/components/demo/demo-runner";
import { describeError, fetchHost } from "@/components/live/api-client";
import { maxScriptBytes } from "@/lib/api/run-limits";
import {
  setPlainTextPreference,
  usePlainTextPreference,
} from "@/components/log-pane/plain-text-preference";
import { LimitField } from "./limit-field";
import {
  checkLab,
  defaultLabLimits,
  labBounds,
  scriptBytes,
  type LabBounds,
  type LabField,
  type LabLimitsInput,
} from "./lab-settings";

// Monaco is large: only this page loads it, in the browser, from the site's own bundle.
const CodeEditor = dynamic(
  () => import("@/components/editor/code-editor").then((m) => m.CodeEditor),
  {
    ssr: false,
    loading: () => (
      <p role="status" className="rounded-md border border-line p-3 text-sm text-muted">
        Loading the editor…
      </p>
    ),
  },
);

export interface LabWorkbenchProps {
  initialScript: string;
  /** The demo's time limit, where the lab opened one; else the host's default. */
  initialTimeoutMs?: number;
  defaultRuntimes: string[];
}

const limitFields = ["timeoutSeconds", "memoryMiB", "pids", "outputKiB"] as const;

export function LabWorkbench({
  initialScript,
  initialTimeoutMs,
  defaultRuntimes,
}: LabWorkbenchProps) {
  const { bounds, hostError, reload } = useLabBounds();
  // The script is editable at once; the limits once the host's bounds are known.
  const [script, setScript] = useState(initialScript);
  const [limits, setLimits] = useState<LabLimitsInput | null>(null);
  const [blocked, setBlocked] = useState<string | null>(null);
  const [attempts, setAttempts] = useState(0);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  // One screen-reader choice for the site: plain-text logs and Monaco's screen-reader rendering.
  const screenReader = usePlainTextPreference();

  useEffect(() => {
    if (bounds && !limits) setLimits(defaultLabLimits(bounds, initialTimeoutMs));
  }, [bounds, limits, initialTimeoutMs]);

  const check = useMemo(
    () => (limits && bounds ? checkLab({ ...limits, script }, bounds) : null),
    [limits, script, bounds],
  );
  const errors: Partial<Record<LabField, string>> = check && !check.ok ? check.errors : {};
  // The runner shows and launches this; while the form is invalid Run is refused before it reaches it.
  const workload = useMemo(
    () =>
      check?.ok ? check.workload : { image: "busybox" as const, command: ["sh", "-c", script] },
    [check, script],
  );

  const editScript = (value: string) => {
    setBlocked(null);
    setScript(value);
  };
  const setLimit = (field: (typeof limitFields)[number]) => (value: string) => {
    setBlocked(null);
    setLimits((current) => (current ? { ...current, [field]: value } : current));
  };

  const beforeRun = (): boolean => {
    if (check?.ok) {
      setBlocked(null);
      return true;
    }
    setAttempts((n) => n + 1);
    setBlocked(
      check
        ? "Nothing was launched: fix the fields marked above."
        : "Nothing was launched: the host's limits are not known yet.",
    );
    return false;
  };

  // A refused Run moves focus to the message, so keyboard and screen-reader users hear why.
  useEffect(() => {
    if (attempts > 0) summaryRef.current?.focus();
  }, [attempts]);

  const bytes = scriptBytes(script);
  return (
    <div className="flex flex-col gap-6">
      <Panel id="editor" title="Script">
        <p id="lab-script-help" className="mb-2 text-sm text-muted">
          Runs as <code className="font-mono text-ink">sh -c &quot;$script&quot;</code> in the
          busybox image. Tab indents; press <kbd className="font-mono">Ctrl+M</kbd> (
          <kbd className="font-mono">Ctrl+Shift+M</kbd> on macOS) to let Tab move focus out of the
          editor instead, and again to switch back. Escape closes suggestions.
        </p>
        <CodeEditor
          defaultValue={initialScript}
          onChange={editScript}
          label="Workload script, run with sh -c"
          language="shell"
          invalid={Boolean(errors.script)}
          describedBy={errors.script ? "lab-script-help lab-script-error" : "lab-script-help"}
          screenReader={screenReader}
        />
        <label className="mt-2 flex items-center gap-2 text-sm text-ink">
          <input
            type="checkbox"
            checked={screenReader}
            onChange={(event) => setPlainTextPreference(event.target.checked)}
          />
          Screen reader mode: the editor renders for a screen reader, and logs show as plain text
        </label>
        <p className="mt-1 text-sm text-muted" data-testid="script-size">
          {bytes.toLocaleString("en")} bytes of {maxScriptBytes / 1024} KiB
        </p>
        {errors.script && (
          <p
            id="lab-script-error"
            data-testid="lab-script-error"
            className="mt-1 text-sm font-medium text-red-800 dark:text-red-300"
          >
            {errors.script}.
          </p>
        )}
      </Panel>

      <Panel id="limits" title="Limits">
        {hostError && (
          <p className="text-sm text-red-800 dark:text-red-300">
            The host&apos;s limits could not be read: {hostError}{" "}
            <button type="button" onClick={reload} className="underline">
              Try again
            </button>
          </p>
        )}
        {!bounds && !hostError && (
          <p role="status" className="text-sm text-muted">
            Reading the host&apos;s limits…
          </p>
        )}
        {bounds && limits && (
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {limitFields.map((field) => (
              <LimitField
                key={field}
                id={`lab-${field}`}
                {...fieldText(field, bounds)}
                value={limits[field]}
                onChange={setLimit(field)}
                error={errors[field]}
                decimal={field === "timeoutSeconds"}
              />
            ))}
          </div>
        )}
        <p className="mt-3 text-sm text-muted">
          The microVM&apos;s guest always gets at least 128 MiB, and it does not apply the process
          limit yet; containers get exactly these limits.
        </p>
      </Panel>

      <p
        ref={summaryRef}
        tabIndex={-1}
        role="alert"
        data-testid="lab-blocked"
        className={blocked ? "font-semibold text-red-800 dark:text-red-300" : "sr-only"}
      >
        {blocked}
      </p>

      <DemoRunner defaultRuntimes={defaultRuntimes} workload={workload} beforeRun={beforeRun} />
    </div>
  );
}

function fieldText(field: (typeof limitFields)[number], bounds: LabBounds) {
  const range = bounds[field];
  switch (field) {
    case "timeoutSeconds":
      return {
        label: "Time limit",
        unit: "s",
        bound: `${range.min} to ${range.max} s on this host`,
      };
    case "memoryMiB":
      return {
        label: "Memory",
        unit: "MiB",
        bound: `${range.min} to ${range.max} MiB on this host`,
      };
    case "pids":
      return {
        label: "Processes",
        unit: "pids",
        bound: `${range.min} to ${range.max} on this host`,
      };
    case "outputKiB":
      return {
        label: "Output",
        unit: "KiB",
        bound: `${range.min} to ${range.max} KiB on this host`,
      };
  }
}

function useLabBounds() {
  const [bounds, setBounds] = useState<LabBounds | null>(null);
  const [hostError, setHostError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    fetchHost()
      .then((host) => {
        if (cancelled) return;
        setBounds(labBounds(host.limits));
        setHostError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setHostError(describeError(err));
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);
  return { bounds, hostError, reload: () => setAttempt((n) => n + 1) };
}
