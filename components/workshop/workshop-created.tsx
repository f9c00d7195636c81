"use client";
// What a facilitator gets once: the join code and link to share, and the facilitator token to keep.
import Link from "next/link";
import { useEffect, useState } from "react";
import { Panel } from "@/components/ui/panel";
import type { CreateWorkshopReply } from "@/lib/api/workshops";
import { secondaryButtonClass } from "./form-field";

export function joinPath(code: string): string {
  return `/workshops/join?code=${encodeURIComponent(code)}`;
}

export function WorkshopCreated({
  workshop,
  stored,
}: {
  workshop: CreateWorkshopReply;
  stored: boolean;
}) {
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  const link = `${origin}${joinPath(workshop.joinCode)}`;

  return (
    <Panel id="workshop-created" title="Workshop created">
      <div className="mt-2 flex flex-col gap-4">
        <div>
          <p className="text-muted">Join code</p>
          <p
            data-testid="join-code"
            className="font-mono text-4xl font-bold tracking-widest text-ink"
          >
            {workshop.joinCode}
          </p>
        </div>
        <CopyField id="join-link" label="Join link" value={link} />
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950">
          <p className="font-semibold">Keep the facilitator token.</p>
          <p className="text-sm">
            It is the only key to this workshop&apos;s dashboard, and the server cannot show it
            again (it keeps only a hash).{" "}
            {stored
              ? "This browser has kept a copy; save it elsewhere too to run the dashboard from another device."
              : "This browser could not store it: copy it now."}
          </p>
        </div>
        <CopyField
          id="facilitator-token"
          label="Facilitator token"
          value={workshop.facilitatorToken}
        />
        <p>
          <Link
            href={`/workshops/${encodeURIComponent(workshop.id)}`}
            className="font-semibold text-accent underline underline-offset-2"
          >
            Open the facilitator dashboard
          </Link>
        </p>
      </div>
    </Panel>
  );
}

function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // Without clipboard access the text is still selectable in the field.
      setCopied(false);
    }
  };
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="font-medium text-ink">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          data-testid={id}
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-line bg-surface-sunken px-3 py-2 font-mono text-sm text-ink"
        />
        <button type="button" className={secondaryButtonClass} onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p aria-live="polite" className="text-sm text-muted">
        {copied ? `${label} copied.` : ""}
      </p>
    </div>
  );
}
