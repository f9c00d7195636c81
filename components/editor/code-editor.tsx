"use client";
// The only place Monaco is touched: a labelled code editor for one script. Load it with next/dynamic and
// `ssr: false`, so only the pages that show it download Monaco, from the site's own bundle (no CDN).
import { useEffect, useRef } from "react";
import * as monaco from "monaco-editor/editor/editor.api.js";
// editor.api is the bare editor; editor.main would add every feature and ~80 languages. These are what a
// script needs: editing commands, Tab focus mode (Ctrl+M), find, word suggestions and links (both in the
// worker), brackets, comments, the context menu, and the shell grammar.
import "monaco-editor/editor/browser/coreCommands.js";
import "monaco-editor/features/toggleTabFocusMode/register.js";
import "monaco-editor/features/find/register.js";
import "monaco-editor/editor/contrib/suggest/browser/suggestController.js";
import "monaco-editor/features/links/register.js";
import "monaco-editor/features/bracketMatching/register.js";
import "monaco-editor/features/comment/register.js";
import "monaco-editor/features/clipboard/register.js";
import "monaco-editor/features/contextmenu/register.js";
import "monaco-editor/features/linesOperations/register.js";
import "monaco-editor/features/wordOperations/register.js";
import "monaco-editor/features/multicursor/register.js";
import "monaco-editor/features/codicon/register.js";
import "monaco-editor/editor/common/standaloneStrings.js";
import "monaco-editor/languages/definitions/shell/register.js";

/**
 * Uncontrolled: the editor owns its text and reports each change. Feeding every change back in as a prop
 * would race fast typing (a render with an older text would overwrite newer keystrokes); to load another
 * text, remount it with a new `key`.
 */
export interface CodeEditorProps {
  defaultValue: string;
  onChange: (value: string) => void;
  /** Read by screen readers as the editor's name. */
  label: string;
  language: "shell";
  /** Lines of text the editor is tall. */
  lines?: number;
  /** Marks the editor invalid (the message lives beside it, named by `describedBy`). */
  invalid?: boolean;
  /** Renders for a screen reader whether or not one is detected (the site's screen-reader mode). */
  screenReader?: boolean;
  /** Id of the text that explains the editor (hints, a validation message), read after its name. */
  describedBy?: string;
}

declare global {
  interface Window {
    MonacoEnvironment?: monaco.Environment;
  }
}

// The worker is an entry of the site's own bundle: `new Worker(new URL(…, import.meta.url))` is what the
// bundler recognises and emits, so the editor never fetches code from anywhere but this host.
if (typeof window !== "undefined") {
  window.MonacoEnvironment = {
    getWorker: () =>
      new Worker(new URL("./editor-worker.ts", import.meta.url), {
        type: "module",
        name: "monaco-editor-worker",
      }),
  };
}

const lineHeight = 20;

export function CodeEditor({
  defaultValue,
  onChange,
  label,
  language,
  lines = 14,
  invalid = false,
  describedBy,
  screenReader = false,
}: CodeEditorProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const initialValue = useRef(defaultValue);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const dark = window.matchMedia("(prefers-color-scheme: dark)");
    const editor = monaco.editor.create(container, {
      value: initialValue.current,
      language,
      ariaLabel: label,
      accessibilitySupport: "auto",
      theme: dark.matches ? "vs-dark" : "vs",
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 14,
      lineHeight,
      tabSize: 2,
      wordWrap: "on",
      renderLineHighlight: "line",
      fixedOverflowWidgets: true,
    });
    editorRef.current = editor;
    const changes = editor.onDidChangeModelContent(() => onChangeRef.current(editor.getValue()));
    const followScheme = (event: MediaQueryListEvent) =>
      monaco.editor.setTheme(event.matches ? "vs-dark" : "vs");
    dark.addEventListener("change", followScheme);
    return () => {
      dark.removeEventListener("change", followScheme);
      changes.dispose();
      editor.getModel()?.dispose();
      editor.dispose();
      editorRef.current = null;
    };
  }, [language, label]);

  useEffect(() => {
    // "auto" follows a running screen reader (Monaco then renders text a reader can walk line by line).
    editorRef.current?.updateOptions({ accessibilitySupport: screenReader ? "on" : "auto" });
  }, [screenReader]);

  // Monaco's hidden textarea is what takes focus and what a screen reader announces.
  useEffect(() => {
    const input = editorRef.current?.getDomNode()?.querySelector("textarea");
    if (!input) return;
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    else input.removeAttribute("aria-describedby");
    input.setAttribute("aria-invalid", String(invalid));
  }, [describedBy, invalid]);

  return (
    <div
      ref={containerRef}
      data-testid="code-editor"
      className={`overflow-hidden rounded-md border ${invalid ? "border-red-700 dark:border-red-400" : "border-line"}`}
      style={{ height: lines * lineHeight + 8 }}
    />
  );
}
