"use client";
// A run directive's code block: Run hands the command to the page's runner, Copy puts it on the clipboard.
import { useId, useState } from "react";
import { useRunTarget } from "./run-target";

export function RunBlock({ command, language }: { command: string; language: string }) {
  const run = useRunTarget();
  const codeId = useId();
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  const copyCommand = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopy("copied");
    } catch {
      // Without clipboard access (an insecure origin, a denied permission) the text is still selectable.
      setCopy("failed");
    }
  };

  return (
    <div className="rounded-md border border-line bg-surface-sunken" data-testid="run-block">
      {/* Focusable, so a keyboard can scroll a command wider than a narrow column (a lab's step). */}
      <pre tabIndex={0} className="overflow-x-auto p-3 font-mono text-sm text-ink">
        <code id={codeId} className={`language-${language}`}>
          {command}
        </code>
      </pre>
      <div className="flex flex-wrap items-center gap-2 border-t border-line px-3 py-2">
        {run && (
          <button
            type="button"
            aria-describedby={codeId}
            onClick={() => run({ command, language })}
            className="rounded-md bg-accent px-3 py-1 text-sm font-semibold text-on-accent hover:bg-accent-strong"
          >
            Run
          </button>
        )}
        <button
          type="button"
          aria-describedby={codeId}
          onClick={() => void copyCommand()}
          className="rounded-md border border-line bg-surface px-3 py-1 text-sm font-semibold text-ink hover:bg-surface-raised"
        >
          Copy
        </button>
        <span role="status" className="text-sm text-muted">
          {copy === "copied" ? "Copied" : copy === "failed" ? "Copy failed: select the text" : ""}
        </span>
      </div>
    </div>
  );
}
