"use client";
// An attendee's way in: the code the facilitator shared and a name the facilitator will see.
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Panel } from "@/components/ui/panel";
import { describeError } from "@/components/live/api-client";
import { describeIssue } from "@/lib/api/describe-issue";
import { JoinWorkshopBodySchema } from "@/lib/api/workshops";
import { ErrorNote, FormField, buttonClass } from "./form-field";
import { joinWorkshop } from "./workshop-api";

export function JoinWorkshopForm({ initialCode = "" }: { initialCode?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = JoinWorkshopBodySchema.safeParse({
      code: String(form.get("join-code") ?? ""),
      name: String(form.get("join-name") ?? ""),
    });
    if (!parsed.success) {
      const field = ([name]: PropertyKey[]) => (name === "code" ? "join code" : "name");
      setError(`Check the ${describeIssue(parsed.error, field)}.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await joinWorkshop(parsed.data);
      router.push("/workshops/me");
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Panel id="join-workshop" title="Join a workshop">
      <form onSubmit={(e) => void submit(e)} className="mt-2 flex flex-col gap-4" noValidate>
        <FormField
          id="join-code"
          label="Join code"
          defaultValue={initialCode}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          className="rounded-md border border-line bg-surface px-3 py-2 font-mono text-xl tracking-widest text-ink uppercase"
          hint="Six letters and digits, from your facilitator."
        />
        <FormField
          id="join-name"
          label="Your name"
          autoComplete="nickname"
          maxLength={40}
          hint="Shown to the facilitator on their dashboard."
        />
        <ErrorNote message={error} />
        <div>
          <button type="submit" className={buttonClass} disabled={busy}>
            {busy ? "Joining…" : "Join"}
          </button>
        </div>
      </form>
    </Panel>
  );
}
