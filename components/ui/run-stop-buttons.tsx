// Run (or "Run again") beside a Stop that shows while a batch runs: the labs' one pair of controls.
export function RunStopButtons(props: {
  testId: string;
  running: boolean;
  /** Results are on the page, so the button reads "Run again". */
  ranBefore: boolean;
  disabled: boolean;
  onRun: () => void;
  onStop: () => void;
}) {
  const { testId, running, ranBefore, disabled, onRun, onStop } = props;
  return (
    <div className="mt-4 flex flex-wrap items-center gap-3">
      <button
        type="button"
        data-testid={testId}
        onClick={onRun}
        disabled={disabled || running}
        className="rounded-md bg-accent px-5 py-2.5 text-base font-semibold text-on-accent shadow-sm hover:bg-accent-strong disabled:cursor-not-allowed disabled:opacity-50"
      >
        {running ? "Running…" : ranBefore ? "Run again" : "Run"}
      </button>
      {running && (
        <button
          type="button"
          onClick={onStop}
          className="rounded-md border border-line px-4 py-2.5 font-semibold text-ink hover:bg-surface-raised"
        >
          Stop
        </button>
      )}
    </div>
  );
}
