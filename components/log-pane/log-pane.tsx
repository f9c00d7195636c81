"use client";
// A run's output: a terminal for sight, and always the same text as plain, screen-reader-readable log.
import { useId, useMemo } from "react";
import dynamic from "next/dynamic";
import { setPlainTextPreference, usePlainTextPreference } from "./plain-text-preference";
import { stripAnsi } from "@/lib/strip-ansi";

// xterm.js touches `window` and is heavy; it loads in the browser, only when a terminal is shown.
const TerminalView = dynamic(() => import("./terminal-view").then((m) => m.TerminalView), {
  ssr: false,
  loading: () => <p className="p-3 text-sm text-slate-300">Loading terminal…</p>,
});

export interface LogPaneProps {
  text: string;
  /** Names the log for assistive technology, e.g. "runc output". */
  label: string;
  /** data-testid of the plain-text log, which holds the output whichever view is shown. */
  textTestId?: string;
  /** Shown in place of output before there is any. */
  placeholder?: string;
}

export function LogPane({ text, label, textTestId, placeholder = "No output yet." }: LogPaneProps) {
  const plainText = usePlainTextPreference();
  const plain = useMemo(() => stripAnsi(text), [text]);
  const logId = useId();

  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center justify-end">
        <button
          type="button"
          className={`rounded border px-2 py-1 text-xs font-medium ${
            plainText
              ? "border-accent bg-accent text-on-accent"
              : "border-line bg-surface text-ink hover:bg-surface-raised"
          }`}
          aria-pressed={plainText}
          aria-controls={logId}
          onClick={() => setPlainTextPreference(!plainText)}
        >
          Plain text
        </button>
      </div>
      {!plainText && (
        <div className="h-72 overflow-hidden rounded-md bg-[#0b1020] p-2" aria-hidden="true">
          <TerminalView text={text} />
        </div>
      )}
      <pre
        id={logId}
        role="log"
        aria-live="polite"
        aria-label={label}
        data-testid={textTestId}
        tabIndex={plainText ? 0 : undefined}
        className={
          plainText
            ? "max-h-96 min-h-24 overflow-auto rounded-md border border-line bg-surface-sunken p-3 font-mono text-sm whitespace-pre-wrap break-words text-ink"
            : "sr-only"
        }
      >
        {plain || (plainText ? placeholder : "")}
      </pre>
    </div>
  );
}
