"use client";
// The presenter's keyboard shortcuts, over the page; Escape closes it, and so does ? (the presenter view's key handler).
import { useEffect, useRef } from "react";
import { presenterKeyHelp } from "./presenter-keys";

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);

  return (
    <dialog
      ref={dialog}
      aria-labelledby="help-heading"
      data-testid="help-overlay"
      // Escape asks to close: React's state closes the dialog (unmounting it), so a quick ? after Escape
      // never meets a dialog the browser closed while the page still thinks it is open.
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      className="m-auto rounded-lg border-2 border-ink bg-surface p-6 text-ink backdrop:bg-black/60"
    >
      <h2 id="help-heading" className="text-2xl font-bold">
        Keyboard
      </h2>
      <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-lg">
        {presenterKeyHelp.map(({ keys, action }) => (
          <div key={keys} className="contents">
            <dt className="font-mono font-semibold">{keys}</dt>
            <dd>{action}</dd>
          </div>
        ))}
      </dl>
      <button
        type="button"
        onClick={onClose}
        className="mt-6 rounded-md bg-accent px-4 py-2 font-semibold text-on-accent hover:bg-accent-strong"
      >
        Close
      </button>
    </dialog>
  );
}
