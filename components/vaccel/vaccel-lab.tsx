"use client";
// The vAccel page's interactive part: choose the op, the input and the modes, run them one after another, and
// compare what each measured and answered.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import dynamic from "next/dynamic";
import {
  isImageOp,
  isSizedOp,
  sizeLimits,
  type InferInput,
  type InferOp,
  type InferResult,
} from "@/lib/api/vaccel";
import { Panel } from "@/components/ui/panel";
import { describeError, fetchHost, fetchRuntimes } from "@/components/live/api-client";
import { formatMs } from "@/components/format/format-units";
import { usePolling } from "@/components/host/use-polling";
import { AcceleratorNote } from "./accelerator-note";
import {
  agentOptions,
  describeAgent,
  effectiveAgent,
  type VaccelAgentChoice,
} from "./agent-choice";
import { renderLineImage, type PreparedImage } from "./image-input";
import { InputPicker } from "./input-picker";
import {
  checkLabSettings,
  defaultIterations,
  defaultText,
  defaultVmIterations,
  maxVmIterations,
  type InputKind,
  type LabSettings,
} from "./lab-settings";
import {
  answerOf,
  compareAnswers,
  describeAgreement,
  offloadSpeedups,
  type ModeOutcome,
} from "./mode-figures";
import { ModeResults } from "./mode-results";
import { runMode } from "./run-mode";
import {
  allModes,
  defaultModeIds,
  describeBackend,
  isSlowMode,
  modeAvailability,
  runtimeNames,
} from "./vaccel-modes";
import { NumberField } from "@/components/ui/number-field";
import { RunStopButtons } from "@/components/ui/run-stop-buttons";

// chart.js needs a canvas and is only worth loading once there is something to chart.
const MedianChart = dynamic(() => import("./median-chart").then((m) => m.MedianChart), {
  ssr: false,
  loading: () => <p className="text-sm text-muted">Loading chart…</p>,
});

const loadFacts = async () => {
  const [runtimes, host] = await Promise.all([fetchRuntimes(), fetchHost()]);
  return { runtimes, host };
};

export function VaccelLab() {
  const facts = usePolling(loadFacts, 15_000);
  const runtimes = facts.data?.runtimes ?? null;
  const host = facts.data?.host ?? null;

  const [op, setOp] = useState<InferOp>("ocr");
  const [inputKind, setInputKind] = useState<InputKind>("text");
  const [text, setText] = useState(defaultText);
  const [rotate180, setRotate180] = useState(false);
  const [upload, setUpload] = useState<PreparedImage | null>(null);
  const [size, setSize] = useState(String(sizeLimits.sgemm.default));
  const [iterations, setIterations] = useState(String(defaultIterations));
  const [vmIterations, setVmIterations] = useState(String(defaultVmIterations));
  const [selected, setSelected] = useState<string[] | null>(null);
  const [outcomes, setOutcomes] = useState<ModeOutcome[]>([]);
  const [expected, setExpected] = useState<string | null>(null);
  const [runOp, setRunOp] = useState<InferOp>("ocr");
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<string | null>(null);
  const [agentChoice, setAgentChoice] = useState<VaccelAgentChoice>("playground");
  const [runAgent, setRunAgent] = useState<VaccelAgentChoice>("playground");
  const controller = useRef<AbortController | null>(null);

  const availability = useMemo(
    () =>
      new Map(
        allModes.map((mode) => [
          mode.id,
          runtimes && host
            ? modeAvailability(mode, op, runtimes, host)
            : { available: false, reason: "asking the host…" },
        ]),
      ),
    [op, runtimes, host],
  );
  const agents = host ? agentOptions(host) : null;
  const agent = host ? effectiveAgent(agentChoice, host) : "playground";
  const backendsFor = useCallback(
    (answering: VaccelAgentChoice): Record<string, string> =>
      runtimes && host
        ? Object.fromEntries(
            allModes.map((m) => [m.id, describeBackend(m, runtimes, host, answering)]),
          )
        : {},
    [runtimes, host],
  );
  const backends = useMemo(() => backendsFor(agent), [backendsFor, agent]);
  // The results say who answered the run they show, whatever is chosen since.
  const resultBackends = useMemo(() => backendsFor(runAgent), [backendsFor, runAgent]);

  useEffect(() => {
    if (!runtimes || !host || selected !== null) return;
    setSelected(defaultModeIds.filter((id) => availability.get(id)?.available));
  }, [runtimes, host, selected, availability]);
  // Leaving the page stops the run in flight; the host tears its sandbox down.
  useEffect(() => () => controller.current?.abort(), []);

  const chosen = allModes
    .filter((m) => selected?.includes(m.id) && availability.get(m.id)?.available)
    .map((m) => m.id);
  const check = checkLabSettings({
    op,
    inputKind,
    text,
    upload: upload?.base64 ?? null,
    size,
    iterations,
    vmIterations,
    modes: chosen,
  });
  const errors = check.ok ? {} : check.errors;
  const vmAccel = runtimes?.find((r) => r.id === "microvm")?.details.accel;

  const start = async (settings: LabSettings) => {
    const abort = new AbortController();
    controller.current = abort;
    setRunning(true);
    setRunError(null);
    setRunOp(settings.op);
    setRunAgent(agent);
    setExpected(
      isImageOp(settings.op) && settings.op !== "detect" && settings.inputKind === "text"
        ? settings.op === "ocr"
          ? settings.text
          : rotate180
            ? "180°"
            : "0°"
        : null,
    );
    const modes = allModes.filter((m) => settings.modes.includes(m.id));
    setOutcomes(
      modes.map((mode) => ({
        mode,
        state: "waiting",
        progress: null,
        startedAt: null,
        timings: null,
        result: null,
        error: null,
      })),
    );
    const patch = (id: string, change: Partial<ModeOutcome>) =>
      setOutcomes((current) =>
        current.map((row) => (row.mode.id === id ? { ...row, ...change } : row)),
      );
    try {
      const input = isImageOp(settings.op)
        ? await resolveInput(settings, rotate180, upload)
        : undefined;
      // One mode after another: the host has few cores, and parallel modes would time each other.
      for (const mode of modes) {
        if (abort.signal.aborted) break;
        patch(mode.id, { state: "running", startedAt: performance.now() });
        try {
          const run = await runMode(
            mode,
            {
              op: settings.op,
              iterations: isSlowMode(mode) ? settings.vmIterations : settings.iterations,
              ...(input === undefined ? {} : { input }),
              ...(settings.size === undefined ? {} : { size: settings.size }),
            },
            {
              signal: abort.signal,
              maxTimeoutMs: host?.limits.maxTimeoutMs ?? 120_000,
              agent,
              onProgress: (progress) => patch(mode.id, { progress }),
            },
          );
          patch(mode.id, { state: "done", result: run.result, timings: run.timings });
        } catch (err) {
          patch(
            mode.id,
            abort.signal.aborted
              ? { state: "stopped" }
              : { state: "failed", error: describeError(err) },
          );
        }
      }
    } catch (err) {
      setRunError(describeError(err));
    } finally {
      setOutcomes((current) =>
        current.map((row) => (row.state === "waiting" ? { ...row, state: "stopped" } : row)),
      );
      controller.current = null;
      setRunning(false);
    }
  };

  const native = outcomes.find((o) => o.mode.runtime === "host")?.result ?? null;
  const agreement = compareAnswers(runOp, outcomes);
  const speedups = offloadSpeedups(outcomes);
  const chartRows = outcomes
    .filter((o): o is ModeOutcome & { result: InferResult } => o.result !== null)
    .map((o) => ({ label: o.mode.label, medianMs: o.result.medianMs, p95Ms: o.result.p95Ms }));
  const toggleMode = useCallback(
    (id: string, on: boolean) =>
      setSelected((current) =>
        on
          ? [...(current ?? []).filter((s) => s !== id), id]
          : (current ?? []).filter((s) => s !== id),
      ),
    [],
  );

  return (
    <div className="flex flex-col gap-6">
      <div className="grid items-start gap-6 xl:grid-cols-2">
        <Panel id="input" title="What to infer">
          <InputPicker
            op={op}
            onOp={(next) => {
              setOp(next);
              if (isSizedOp(next)) setSize(String(sizeLimits[next].default));
            }}
            size={size}
            onSize={setSize}
            inputKind={inputKind}
            onInputKind={setInputKind}
            text={text}
            onText={setText}
            rotate180={rotate180}
            onRotate180={setRotate180}
            upload={upload}
            onUpload={setUpload}
            errors={errors}
            disabled={running}
          />
        </Panel>

        <Panel id="modes" title="Where to run it">
          {facts.error && !facts.data && (
            <div role="alert" className="text-sm text-red-800 dark:text-red-300">
              Could not ask the host about its runtimes: {facts.error}
            </div>
          )}
          <fieldset disabled={running}>
            <legend className="text-base font-semibold text-ink">Modes</legend>
            <ul className="mt-2 flex flex-col gap-2">
              {allModes.map((mode) => {
                const status = availability.get(mode.id);
                const id = `vaccel-mode-${mode.id}`;
                return (
                  <li key={mode.id} className="flex items-start gap-3">
                    <input
                      id={id}
                      data-testid={id}
                      type="checkbox"
                      className="mt-1 size-5 accent-accent"
                      checked={(selected?.includes(mode.id) ?? false) && !!status?.available}
                      disabled={!status?.available}
                      aria-describedby={`${id}-hint`}
                      onChange={(event) => toggleMode(mode.id, event.target.checked)}
                    />
                    <div className="min-w-0">
                      <label htmlFor={id} className={status?.available ? "text-ink" : "text-muted"}>
                        {mode.label}
                      </label>
                      <p id={`${id}-hint`} className="text-sm break-words text-muted">
                        {status?.available ? backends[mode.id] : status?.reason}
                      </p>
                    </div>
                  </li>
                );
              })}
            </ul>
          </fieldset>
          {agents && (
            <fieldset disabled={running} className="mt-4">
              <legend className="text-base font-semibold text-ink">Offloaded modes go to</legend>
              <ul className="mt-2 flex flex-col gap-2">
                {agents.map((option) => {
                  const id = `vaccel-agent-${option.agent}`;
                  return (
                    <li key={option.agent} className="flex items-start gap-3">
                      <input
                        id={id}
                        data-testid={id}
                        type="radio"
                        name="vaccel-agent"
                        className="mt-1 size-5 accent-accent"
                        checked={option.available && agent === option.agent}
                        disabled={!option.available}
                        aria-describedby={option.note ? `${id}-hint` : undefined}
                        onChange={() => setAgentChoice(option.agent)}
                      />
                      <div className="min-w-0">
                        <label
                          htmlFor={id}
                          className={option.available ? "text-ink" : "text-muted"}
                        >
                          {option.label}
                        </label>
                        {option.note && (
                          <p id={`${id}-hint`} className="text-sm break-words text-muted">
                            {option.note}
                          </p>
                        )}
                      </div>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          )}
          {errors.modes && runtimes && (
            <p className="mt-2 text-sm text-red-800 dark:text-red-300">{errors.modes}.</p>
          )}

          <fieldset disabled={running} className="mt-4 grid gap-4 sm:grid-cols-2">
            <NumberField
              id="vaccel-iterations"
              label="Inferences per mode"
              hint="Median and p95 are over these; each mode loads its models once first."
              value={iterations}
              onChange={setIterations}
              error={errors.iterations}
            />
            <NumberField
              id="vaccel-vm-iterations"
              label="Inferences on the microVM's CPU"
              hint={
                vmAccel === "kvm"
                  ? `The VM runs on KVM here; 1 to ${maxVmIterations}.`
                  : `The VM's CPU is emulated here (${vmAccel ?? "TCG"}): one OCR takes ~10 s, so keep this low (1 to ${maxVmIterations}).`
              }
              value={vmIterations}
              onChange={setVmIterations}
              error={errors.vmIterations}
            />
          </fieldset>

          <RunStopButtons
            testId="vaccel-run"
            running={running}
            ranBefore={outcomes.length > 0}
            disabled={!check.ok || !runtimes}
            onRun={() => check.ok && void start(check.settings)}
            onStop={() => controller.current?.abort()}
          />
          {runError && (
            <p role="alert" className="mt-2 text-sm text-red-800 dark:text-red-300">
              {runError}
            </p>
          )}
        </Panel>
      </div>

      {outcomes.length > 0 && (
        <Panel id="results" title="Results">
          <p
            data-testid="vaccel-agreement"
            data-agreement={agreement.kind}
            aria-live="polite"
            className={`mb-3 font-semibold ${agreement.kind === "disagree" ? "text-red-800 dark:text-red-300" : "text-ink"}`}
          >
            {describeAgreement(agreement)}
            {expected !== null && agreement.kind === "agree" && (
              <span className="block font-normal text-muted">
                {agreement.answer === answerOf(runOp, expected)
                  ? "That is what was rendered."
                  : `The rendered input was ${JSON.stringify(expected)}: the model misread it.`}
              </span>
            )}
          </p>
          {host && outcomes.some((o) => o.mode.placement === "vaccel") && (
            <p data-testid="vaccel-agent-used" className="mb-3 text-ink">
              Offloaded modes were answered by {describeAgent(runAgent, host)}.
            </p>
          )}
          <ModeResults outcomes={outcomes} backends={resultBackends} native={native} />
          {speedups.length > 0 && (
            <ul
              data-testid="vaccel-speedups"
              className="mt-3 flex list-disc flex-col gap-1 pl-5 text-ink"
            >
              {speedups.map((s) => (
                <li key={s.runtime}>
                  {runtimeNames[s.runtime]}: offloading took the median inference from{" "}
                  {formatMs(s.cpuMs)} to {formatMs(s.offloadedMs)} (
                  {s.factor >= 1
                    ? `${s.factor.toFixed(s.factor >= 10 ? 0 : 2)}× faster`
                    : `${(1 / s.factor).toFixed(2)}× slower`}
                  ).
                </li>
              ))}
            </ul>
          )}
          <p className="mt-3 text-sm text-muted">
            Each sandbox runs the same workload (<code className="font-mono">infer.mjs</code> in the
            node-onnx image) and times each inference inside itself, from the encoded image (or the
            generated matrices) to the checked answer; an SGEMM or MINMAX answer is verified by the
            workload against a computation of its own before it is printed. Native runs that code in
            the server process on the models the host&apos;s agent keeps open, so its model load is
            near zero once the agent has loaded them, and an offloaded call runs exactly what native
            runs. RPC overhead is an offloaded mode&apos;s median minus native&apos;s: the way there
            and back.
          </p>
        </Panel>
      )}

      {chartRows.length > 0 && (
        <Panel id="chart" title="Time per inference">
          <div data-testid="vaccel-chart" className="mt-1">
            <MedianChart rows={chartRows} />
          </div>
        </Panel>
      )}

      <Panel id="accelerator" title="What computes here">
        <AcceleratorNote host={host} />
      </Panel>
    </div>
  );
}

/** What the sandboxes get: text they render themselves, or the bytes of an upload or of a line turned upside down. */
async function resolveInput(
  settings: LabSettings,
  rotate180: boolean,
  upload: PreparedImage | null,
): Promise<InferInput> {
  if (settings.inputKind === "upload") {
    if (!upload) throw new Error("Choose an image first.");
    return { kind: "image", base64: upload.base64 };
  }
  if (!rotate180) return { kind: "text", text: settings.text };
  return { kind: "image", base64: (await renderLineImage(settings.text, true)).base64 };
}
