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

/**
 * Rows kept above the screen. A run may print up to its output limit (1 MiB by default): 50,000 rows hold
 * a 40,000-line output whole, with room for a VM's boot log, at about 12 bytes a cell (some 30 MB for a
 * full terminal 60 columns wide). A longer output loses its oldest rows here only; the plain-text log
 * always holds all of it.
 */
const scrollbackRows = 50_000;

/** Narrower than this, a container is taken to be still settling its layout, not a place to show text. */
const minimumColumns = 10;

export function TerminalView({ text }: TerminalViewProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const textRef = useRef(text);
  const syncRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    textRef.current = text;
    syncRef.current();
  }, [text]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const terminal = new Terminal({
      convertEol: true,
      // Nothing redraws the cursor's line here (no shell behind the terminal): xterm re-flows it on a
      // resize as any other, else a last line without a newline would stay cut at a narrower width.
      reflowCursorLine: true,
      disableStdin: true,
      cursorBlink: false,
      scrollback: scrollbackRows,
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

    // Null until the terminal has had a real size: text written before that is laid out for xterm's
    // guess (or for two columns, when fitted to a container not laid out yet) and stays wrapped so.
    let written: string | null = null;
    const sync = () => {
      if (written !== null) written = syncText(terminal, written, textRef.current);
    };
    const refit = () => {
      const size = fit.proposeDimensions();
      // No size at all while the container is hidden or its font unmeasured; a sliver of one while
      // a layout is still settling. Either way the next resize or appearance fits it again.
      if (!size || !(size.cols >= minimumColumns) || !(size.rows >= 1)) return;
      fit.fit();
      if (written === null) {
        terminal.write(hideCursor);
        written = "";
      }
      sync();
    };
    syncRef.current = sync;
    refit();
    const resizes = new ResizeObserver(refit);
    resizes.observe(container);
    // A terminal opened while hidden measures its font only once it is on screen (xterm's own
    // observer, registered first, does that): fit it then, as its container's size may not change.
    const appearances = new IntersectionObserver(refit);
    appearances.observe(container);
    return () => {
      resizes.disconnect();
      appearances.disconnect();
      syncRef.current = () => undefined;
      terminal.dispose();
    };
  }, []);

  return <div ref={containerRef} className="h-full w-full" />;
}

/** Output only grows, so usually only the tail is written; anything else (a new run) starts over. */
function syncText(terminal: Terminal, written: string, text: string): string {
  if (text === written) return written;
  if (text.startsWith(written)) {
    terminal.write(text.slice(written.length));
  } else {
    terminal.reset();
    terminal.write(hideCursor + text);
  }
  return text;
}
