"use client";
// The only place xterm.js is touched: a read-only terminal that shows `text`, writing only what is new.
import { useEffect, useRef } from "react";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";

export interface TerminalViewProps {
  text: string;
}

const hideCursor = "\x1b[?25l";

export function TerminalView({ text }: TerminalViewProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const terminalRef = useRef<Terminal | null>(null);
  const writtenRef = useRef("");
  const textRef = useRef(text);

  useEffect(() => {
    textRef.current = text;
    syncText(terminalRef.current, writtenRef, text);
  }, [text]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const terminal = new Terminal({
      convertEol: true,
      disableStdin: true,
      cursorBlink: false,
      scrollback: 5000,
      fontSize: 14,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
      theme: { background: "#0b1020", foreground: "#e6e9f2", selectionBackground: "#3b4a74" },
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(container);
    // The picture is hidden from assistive technology (the plain-text log is the accessible twin), so
    // xterm's input textarea must not take keyboard focus either: Tab would land on something invisible.
    terminal.textarea?.setAttribute("tabindex", "-1");
    terminal.write(hideCursor);
    terminalRef.current = terminal;
    writtenRef.current = "";
    syncText(terminal, writtenRef, textRef.current);

    const refit = () => {
      try {
        fit.fit();
      } catch {
        // A container that is hidden or has no size yet has nothing to fit to.
      }
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(container);
    return () => {
      observer.disconnect();
      terminal.dispose();
      terminalRef.current = null;
    };
  }, []);

  return <div ref={containerRef} className="h-full w-full" />;
}

/** Output only grows, so usually only the tail is written; anything else (a new run) starts over. */
function syncText(terminal: Terminal | null, written: { current: string }, text: string): void {
  if (!terminal || text === written.current) return;
  if (text.startsWith(written.current)) {
    terminal.write(text.slice(written.current.length));
  } else {
    terminal.reset();
    terminal.write(hideCursor + text);
  }
  written.current = text;
}
