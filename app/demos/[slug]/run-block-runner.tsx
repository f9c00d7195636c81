"use client";
// The demo runner as the page's run target: a run block's Run puts its command in the runner and presses Run.
import { useMemo, useState } from "react";
import { DemoRunner, type DemoRunnerProps } from "@/components/demo/demo-runner";
import { useRegisterRunTarget } from "@/components/markdown/run-target";

export function RunBlockRunner({
  defaultRuntimes,
  workload,
}: Pick<DemoRunnerProps, "defaultRuntimes" | "workload">) {
  const [command, setCommand] = useState<string | null>(null);
  const [runSignal, setRunSignal] = useState(0);

  useRegisterRunTarget(({ command: text }) => {
    setCommand(text);
    setRunSignal((n) => n + 1);
    // The block may sit far below the runner; its output appears up there.
    document.getElementById("workload-heading")?.scrollIntoView({ block: "start" });
  });

  const shown = useMemo(
    () => (command === null ? workload : { ...workload, command: ["sh", "-c", command] }),
    [command, workload],
  );

  return (
    <div className="flex flex-col gap-2">
      {command !== null && (
        <p className="text-sm text-muted" role="status">
          Running a command from this page instead of the demo&apos;s own.{" "}
          <button
            type="button"
            onClick={() => setCommand(null)}
            className="font-medium text-accent underline underline-offset-2"
          >
            Back to the demo&apos;s command
          </button>
        </p>
      )}
      <DemoRunner defaultRuntimes={defaultRuntimes} workload={shown} runSignal={runSignal} />
    </div>
  );
}
