// A run's state as a labelled badge; colour is a hint only, the word carries the meaning.
import type { RunState } from "@/lib/api/schemas";

export type BadgeState = RunState | "launching" | "rejected";

const tones: Record<BadgeState, string> = {
  launching: "bg-slate-100 text-slate-800 ring-slate-300",
  queued: "bg-slate-100 text-slate-800 ring-slate-300",
  preparing: "bg-amber-50 text-amber-900 ring-amber-300",
  booting: "bg-amber-50 text-amber-900 ring-amber-300",
  running: "bg-sky-50 text-sky-900 ring-sky-300",
  exited: "bg-emerald-50 text-emerald-900 ring-emerald-300",
  failed: "bg-red-50 text-red-900 ring-red-300",
  rejected: "bg-red-50 text-red-900 ring-red-300",
  stopped: "bg-slate-200 text-slate-900 ring-slate-400",
};

export function StateBadge({ state }: { state: BadgeState }) {
  const active =
    state === "preparing" || state === "booting" || state === "running" || state === "launching";
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-sm font-semibold ring-1 ring-inset ${tones[state]}`}
    >
      {active && (
        <span
          aria-hidden="true"
          className="size-2 animate-pulse rounded-full bg-current motion-reduce:animate-none"
        />
      )}
      {state}
    </span>
  );
}
