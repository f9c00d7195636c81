"use client";
// The facilitator's form: name, capacity, duration and quotas; on success, the join code, the link and the facilitator token.
import { useEffect, useState, type FormEvent } from "react";
import { Panel } from "@/components/ui/panel";
import { describeError, fetchRuntimes } from "@/components/live/api-client";
import { describeIssue } from "@/lib/api/describe-issue";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { CreateWorkshopBodySchema, type CreateWorkshopReply } from "@/lib/api/workshops";
import { ErrorNote, FormField, buttonClass } from "./form-field";
import { rememberFacilitatedWorkshop } from "./facilitated-workshops";
import { WorkshopCreated } from "./workshop-created";
import { createWorkshop } from "./workshop-api";

export function CreateWorkshopForm() {
  const [runtimes, setRuntimes] = useState<RuntimeInfo[] | null>(null);
  const [allowed, setAllowed] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ reply: CreateWorkshopReply; stored: boolean } | null>(
    null,
  );

  useEffect(() => {
    fetchRuntimes()
      .then((list) => {
        setRuntimes(list);
        setAllowed((current) => current ?? list.filter((r) => r.available).map((r) => r.id));
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const number = (field: string) => Number(form.get(field));
    const parsed = CreateWorkshopBodySchema.safeParse({
      name: String(form.get("workshop-name") ?? ""),
      capacity: number("workshop-capacity"),
      durationMinutes: Math.round(number("workshop-hours") * 60),
      quotas: {
        maxConcurrentRuns: number("workshop-concurrent"),
        maxRunsPerAttendee: number("workshop-total"),
        allowedRuntimes: allowed ?? [],
        maxTimeoutMs: Math.round(number("workshop-timeout") * 1000),
        maxConcurrentSessions: number("workshop-sessions"),
        maxSessionLifetimeMs: Math.round(number("workshop-session-minutes") * 60_000),
      },
    });
    if (!parsed.success) {
      setError(`Check the form: ${describeIssue(parsed.error)}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const reply = await createWorkshop(parsed.data);
      const stored = rememberFacilitatedWorkshop({
        id: reply.id,
        name: parsed.data.name,
        joinCode: reply.joinCode,
        facilitatorToken: reply.facilitatorToken,
        createdAt: Date.now(),
      });
      setCreated({ reply, stored });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (created) return <WorkshopCreated workshop={created.reply} stored={created.stored} />;

  return (
    <Panel id="create-workshop" title="Run a workshop">
      <form onSubmit={(e) => void submit(e)} className="mt-2 flex flex-col gap-4" noValidate>
        <FormField id="workshop-name" label="Name" required maxLength={80} defaultValue="" />
        <div className="grid gap-4 sm:grid-cols-3">
          <FormField
            id="workshop-capacity"
            label="Attendees"
            type="number"
            min={1}
            max={1000}
            defaultValue={30}
            hint="How many may join."
          />
          <FormField
            id="workshop-hours"
            label="Open for (hours)"
            type="number"
            min={0.1}
            step={0.25}
            defaultValue={3}
            hint="You can extend it later."
          />
          <FormField
            id="workshop-timeout"
            label="Longest run (seconds)"
            type="number"
            min={1}
            defaultValue={30}
          />
          <FormField
            id="workshop-concurrent"
            label="Sandboxes at once, per attendee"
            type="number"
            min={1}
            max={20}
            defaultValue={2}
          />
          <FormField
            id="workshop-total"
            label="Runs in total, per attendee"
            type="number"
            min={1}
            defaultValue={50}
          />
          <FormField
            id="workshop-sessions"
            label="Shells at once, per attendee"
            type="number"
            min={0}
            max={20}
            defaultValue={2}
            hint="Interactive sessions (a lab opens one per runtime, side by side); 0 for none."
          />
          <FormField
            id="workshop-session-minutes"
            label="Longest shell session (minutes)"
            type="number"
            min={1}
            defaultValue={60}
            hint="Extensions included; this host's own bound applies too."
          />
        </div>
        <fieldset className="flex flex-col gap-1">
          <legend className="font-medium text-ink">Runtimes attendees may use</legend>
          {!runtimes && !error && <p className="text-sm text-muted">Loading runtimes…</p>}
          <div className="flex flex-wrap gap-x-5 gap-y-1">
            {runtimes?.map((runtime) => (
              <label key={runtime.id} className="flex items-center gap-2 text-ink">
                <input
                  type="checkbox"
                  name="workshop-runtime"
                  value={runtime.id}
                  checked={allowed?.includes(runtime.id) ?? false}
                  onChange={(e) =>
                    setAllowed((current) =>
                      e.target.checked
                        ? [...(current ?? []), runtime.id]
                        : (current ?? []).filter((id) => id !== runtime.id),
                    )
                  }
                />
                {runtime.name}
                {!runtime.available && <span className="text-sm text-muted">(not available)</span>}
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorNote message={error} />
        <div>
          <button type="submit" className={buttonClass} disabled={busy}>
            {busy ? "Creating…" : "Create workshop"}
          </button>
        </div>
      </form>
    </Panel>
  );
}
