// A workshop's quotas in words, beside what an attendee has used of them when known.
import { formatAge, formatMs } from "@/components/format/format-units";
import type { WorkshopQuotas } from "@/lib/api/workshops";

export function QuotaList({
  quotas,
  usage,
}: {
  quotas: WorkshopQuotas;
  usage?: { activeRuns: number; totalRuns: number };
}) {
  const rows: Array<[string, string]> = [
    [
      "Sandboxes at once",
      usage
        ? `${usage.activeRuns} of ${quotas.maxConcurrentRuns} running`
        : `at most ${quotas.maxConcurrentRuns}`,
    ],
    [
      "Runs in total",
      usage
        ? `${usage.totalRuns} of ${quotas.maxRunsPerAttendee} used`
        : `at most ${quotas.maxRunsPerAttendee}`,
    ],
    ["Runtimes", quotas.allowedRuntimes.join(", ")],
    ["Longest run", formatMs(quotas.maxTimeoutMs)],
    [
      "Shells at once",
      quotas.maxConcurrentSessions === 0 ? "none" : `at most ${quotas.maxConcurrentSessions}`,
    ],
    ["Longest shell session", formatAge(quotas.maxSessionLifetimeMs)],
  ];
  return (
    <dl data-testid="workshop-quotas" className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-muted">{term}</dt>
          <dd className="text-ink">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
