// Whether a workshop is open, and until when; said in words, live for screen readers.
import type { WorkshopSummary } from "@/lib/api/workshops";

export function WorkshopStatusNote({ workshop }: { workshop: WorkshopSummary }) {
  const until = new Date(workshop.expiresAt).toLocaleString();
  const text =
    workshop.status === "open"
      ? `Open until ${until}.`
      : workshop.status === "expired"
        ? `Expired at ${until}: no new runs until the facilitator extends it.`
        : `Ended${workshop.endedAt ? ` at ${new Date(workshop.endedAt).toLocaleString()}` : ""}: no new runs.`;
  return (
    <p
      data-testid="workshop-status"
      data-status={workshop.status}
      aria-live="polite"
      className={
        workshop.status === "open"
          ? "mt-1 text-muted"
          : "mt-2 rounded-md border border-red-300 bg-red-50 p-2 font-semibold text-red-900"
      }
    >
      {text}
    </p>
  );
}
