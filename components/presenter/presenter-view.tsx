"use client";
// The presenter's screen: projector theme, keyboard control, the join link, and the current demo's runner.
import Link from "next/link";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { presenterEvents } from "@/lib/api/presenter";
import { nextPosition, previousPosition, type TrackPosition } from "@/lib/demos/track-steps";
import { DemoRunner } from "@/components/demo/demo-runner";
import { HelpOverlay } from "./help-overlay";
import { JoinCard } from "./join-card";
import { PresenterShell } from "./presenter-shell";
import { presenterActionFor, type PresenterAction } from "./presenter-keys";
import { readPresenterToken } from "./presenter-token-storage";
import type { PresentedDemo } from "./presented-demo";
import { StepCard } from "./step-card";
import { usePresentation } from "./use-presentation";

export function PresenterView({ id, demos }: { id: string; demos: PresentedDemo[] }) {
  // undefined until read in the browser; null when this tab holds no token for the presentation.
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => setToken(readPresenterToken(id)), [id]);
  const { state, live, error, following, act } = usePresentation(id, { audience: false });
  const [actionError, setActionError] = useState<string | null>(null);
  const [runSignal, setRunSignal] = useState(0);
  const [helpOpen, setHelpOpen] = useState(false);
  const requested = useRef<TrackPosition | null>(null);
  /** Step requests not answered yet. */
  const unanswered = useRef(0);
  // The projector theme (globals.css) is a class on the page's root while this view is up. Not `:root:has(.projector)`:
  // a :has() on the root makes Chromium recalculate the whole page's style on every DOM change, and xterm measures each
  // new character with a forced layout: measured on /sandbox, a terminal's first 95 characters took 124 ms with that
  // rule in the page's CSS and 7 ms without it.
  useLayoutEffect(() => {
    const root = document.documentElement;
    root.classList.add("projector");
    return () => root.classList.remove("projector");
  }, []);

  // The state shown is the server's once every request is answered and a new state arrived: an ack can come before
  // the state it led to (or before the render that shows it), and a press meanwhile must move on from the request.
  useEffect(() => {
    if (unanswered.current === 0) requested.current = null;
  }, [state]);

  const perform = useCallback(
    async (action: PresenterAction) => {
      if (action === "help") return setHelpOpen((open) => !open);
      if (action === "fullscreen") return toggleFullscreen();
      if (action === "run") return setRunSignal((n) => n + 1);
      if (!state || !token) return;
      // Presses can come faster than acks: each moves on from the last one requested, not the last one shown.
      const from = requested.current ?? state;
      const to =
        action === "next"
          ? nextPosition(state.outline, from)
          : previousPosition(state.outline, from);
      if (!to) return;
      requested.current = to;
      unanswered.current += 1;
      const failure = await act(presenterEvents.step, { token, demo: to.demo, step: to.step });
      unanswered.current -= 1;
      if (failure) requested.current = null;
      setActionError(failure);
    },
    [state, token, act],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target instanceof HTMLElement ? event.target : document.body;
      const action = presenterActionFor({
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        targetTag: target.tagName,
        targetType: target instanceof HTMLInputElement ? target.type : undefined,
        targetEditable: target.isContentEditable,
      });
      // While help is open only ? (and Escape, handled by the dialog) act.
      if (!action || (helpOpen && action !== "help")) return;
      event.preventDefault();
      void perform(action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [perform, helpOpen]);

  const onRunsStarted = useCallback(
    (runIds: string[]) => {
      if (!token) return;
      void act(presenterEvents.runs, { token, runIds }).then(setActionError);
    },
    [token, act],
  );

  const onTerminal = useCallback(
    (terminalId: string | null) => {
      if (!token) return;
      void act(presenterEvents.terminals, {
        token,
        terminalIds: terminalId ? [terminalId] : [],
      }).then(setActionError);
    },
    [token, act],
  );

  if (token === null)
    return (
      <div className="max-w-2xl" role="alert">
        <h1 className="text-3xl font-bold text-ink">This tab is not the presenter</h1>
        <p className="mt-2 text-lg text-ink">
          Only the tab that started the presentation holds its presenter token. You can{" "}
          <Link href={`/watch/${id}`} className="font-semibold text-accent underline">
            follow it as the audience
          </Link>{" "}
          or{" "}
          <Link href="/present" className="font-semibold text-accent underline">
            start a new presentation
          </Link>
          .
        </p>
      </div>
    );

  const demo = demos.find((d) => d.slug === state?.demo);
  const button =
    "rounded-md border-2 border-ink bg-surface px-4 py-2 text-lg font-semibold text-ink hover:bg-surface-raised disabled:opacity-40";

  return (
    <div className="flex flex-col gap-6" data-testid="presenter-view">
      <h1 className="sr-only">Presenting {state?.track.title ?? ""}</h1>
      <div
        className="flex flex-wrap items-center gap-3"
        role="group"
        aria-label="Presenter controls"
      >
        <button
          type="button"
          className={button}
          onClick={() => void perform("previous")}
          disabled={!state || !previousPosition(state.outline, state)}
          aria-keyshortcuts="ArrowLeft PageUp"
        >
          ← Previous
        </button>
        <button
          type="button"
          className={button}
          onClick={() => void perform("next")}
          disabled={!state || !nextPosition(state.outline, state)}
          aria-keyshortcuts="ArrowRight PageDown Space"
        >
          Next →
        </button>
        <button
          type="button"
          className={button}
          onClick={() => void perform("run")}
          aria-keyshortcuts="r"
        >
          Run (r)
        </button>
        <button
          type="button"
          className={button}
          onClick={() => void perform("fullscreen")}
          aria-keyshortcuts="f"
        >
          Fullscreen (f)
        </button>
        <button
          type="button"
          className={button}
          onClick={() => void perform("help")}
          aria-keyshortcuts="?"
        >
          Keys (?)
        </button>
        <p
          role="status"
          className="text-lg font-semibold text-ink"
          data-testid="presenter-connection"
        >
          {live ? "Live" : "Reconnecting…"}
        </p>
        {following !== null && (
          <p className="text-lg text-ink" data-testid="audience-count">
            {following === 1 ? "1 browser following" : `${following} browsers following`}
          </p>
        )}
      </div>

      {(error ?? actionError) && (
        <p
          role="alert"
          className="rounded-md border-2 border-red-800 bg-red-50 p-3 text-lg text-red-900"
        >
          {error ?? actionError}
        </p>
      )}

      {state && (
        <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
          <StepCard state={state} demo={demo} />
          <JoinCard path={`/watch/${id}`} />
        </div>
      )}

      {state && demo && (
        <DemoRunner
          key={demo.slug}
          defaultRuntimes={demo.runtimes}
          workload={demo.workload}
          onRunsStarted={onRunsStarted}
          runSignal={runSignal}
        />
      )}

      {state && token && <PresenterShell onTerminal={onTerminal} />}

      {helpOpen && <HelpOverlay onClose={() => setHelpOpen(false)} />}
    </div>
  );
}

function toggleFullscreen(): void {
  const request = document.fullscreenElement
    ? document.exitFullscreen()
    : document.documentElement.requestFullscreen();
  // Refused without a user gesture or where the browser forbids it; the page works the same either way.
  void request.catch(() => undefined);
}
