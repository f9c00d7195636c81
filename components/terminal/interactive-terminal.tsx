"use client";
// The only place the interactive xterm.js is touched: a terminal you type into (or watch, read-only), fitted to its box, with copy, paste and links.
import { useEffect, useRef } from "react";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import { webLinkProvider } from "./terminal-links";

/** What the terminal needs from whoever serves it: where keystrokes and sizes go, and a way to stop. */
export interface TerminalPeer {
  input(data: string): void;
  resize(cols: number, rows: number): void;
  detach(): void;
}

/** Printable ASCII: what a shell's first screen is made of. */
const warmUpText = Array.from({ length: 0x7f - 0x20 }, (_, i) =>
  String.fromCharCode(0x20 + i),
).join("");
/** A terminal whose warm-up is not drawn by then (scrolled off: xterm draws nothing) shows its output anyway. */
const warmUpMaxMs = 300;

export interface InteractiveTerminalProps {
  /** Called once the screen exists and has its size; `write` draws on it. */
  connect(screen: { write(data: string): void; cols: number; rows: number }): TerminalPeer;
  /** Names the terminal for screen readers and tests. */
  label: string;
  /** Someone else's shell, watched: keys go nowhere, selection and copy still work. */
  readOnly?: boolean;
  /**
   * Scrolled into view and focused when it opens (default): false for one that opens beside another the visitor
   * is already looking at (the second pane of "side by side" must not pull the page away from the first).
   */
  takeFocus?: boolean;
}

export function InteractiveTerminal({
  connect,
  label,
  readOnly = false,
  takeFocus = true,
}: InteractiveTerminalProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const connectRef = useRef(connect);
  const readOnlyRef = useRef(readOnly);
  const takeFocusRef = useRef(takeFocus);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const watching = readOnlyRef.current;
    const terminal = new Terminal({
      cursorBlink: !watching,
      disableStdin: watching,
      scrollback: 5000,
      fontSize: 14,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
      theme: { background: "#0b1020", foreground: "#e6e9f2", selectionBackground: "#3b4a74" },
      // Right-click copies a selection, or pastes (below), as in Windows Terminal and PuTTY.
      rightClickSelectsWord: false,
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(container);
    const links = terminal.registerLinkProvider(webLinkProvider(terminal));
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // A container that is hidden or has no size yet has nothing to fit to.
      }
    };
    refit();
    // Ctrl+Shift+C and Ctrl+Shift+V copy and paste, as in a desktop terminal (Ctrl+C stays an interrupt).
    terminal.attachCustomKeyEventHandler((event) => {
      if (event.type !== "keydown" || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === "KeyC" && terminal.hasSelection()) {
        void navigator.clipboard?.writeText(terminal.getSelection()).catch(() => undefined);
        return false;
      }
      if (event.code === "KeyV" && !watching) {
        void navigator.clipboard
          ?.readText()
          .then((text) => terminal.paste(text))
          .catch(() => undefined);
        return false;
      }
      return true;
    });
    const onContextMenu = (event: MouseEvent) => {
      event.preventDefault();
      if (terminal.hasSelection()) {
        void navigator.clipboard?.writeText(terminal.getSelection()).catch(() => undefined);
        terminal.clearSelection();
      } else if (!watching) {
        void navigator.clipboard
          ?.readText()
          .then((text) => terminal.paste(text))
          .catch(() => undefined);
      }
    };
    container.addEventListener("contextmenu", onContextMenu);
    // xterm's DOM renderer measures each character the first time it draws it, with a forced layout: measured in
    // Chromium here, the first screen of a shell took one 70–100 ms task between its bytes' arrival and its frame.
    // So the characters of a first screen are drawn once, transparent, while the shell is still being opened, and
    // cleared; output that arrives meanwhile waits for that. (Transparent, not hidden: the terminal keeps the focus it
    // takes when it opens, as the page's other key handlers expect.)
    let warming: string[] | null = [];
    container.style.opacity = "0";
    const warmed = () => {
      if (!warming) return;
      const queued = warming;
      warming = null;
      drawn.dispose();
      clearTimeout(warmUpTimer);
      terminal.reset();
      container.style.opacity = "";
      for (const data of queued) terminal.write(data);
    };
    let warmUpParsed = false;
    // The first frame drawn once the warm-up text is in the buffer (not the empty one open() draws).
    const drawn = terminal.onRender(() => {
      if (warmUpParsed) warmed();
    });
    const warmUpTimer = setTimeout(warmed, warmUpMaxMs);
    terminal.write(warmUpText, () => (warmUpParsed = true));
    const peer = connectRef.current({
      write: (data) => (warming ? warming.push(data) : terminal.write(data)),
      cols: terminal.cols,
      rows: terminal.rows,
    });
    const typed = terminal.onData((data) => peer.input(data));
    const resized = terminal.onResize(({ cols, rows }) => peer.resize(cols, rows));
    const observer = new ResizeObserver(refit);
    observer.observe(container);
    // A shell just opened is what the visitor looks at next. xterm draws only while it is on screen; one below the
    // fold is drawn once scrolled to.
    if (takeFocusRef.current) {
      container.scrollIntoView({ block: "nearest" });
      if (!watching) terminal.focus();
    }
    return () => {
      clearTimeout(warmUpTimer);
      drawn.dispose();
      observer.disconnect();
      container.removeEventListener("contextmenu", onContextMenu);
      links.dispose();
      typed.dispose();
      resized.dispose();
      peer.detach();
      terminal.dispose();
    };
  }, []);

  return (
    <div
      ref={containerRef}
      role="group"
      aria-label={label}
      data-testid={readOnly ? "watched-terminal" : "interactive-terminal"}
      className="h-full w-full"
    />
  );
}
