"use client";
// Choose a track and start presenting it; the presenter token goes to this tab's sessionStorage only.
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { createPresentation } from "./presentation-api";
import { savePresenterToken } from "./presenter-token-storage";

export interface PresentableTrack {
  slug: string;
  title: string;
  summary: string;
  demoTitles: string[];
  stepCount: number;
}

export function StartPresentation({ tracks }: { tracks: PresentableTrack[] }) {
  const router = useRouter();
  const [track, setTrack] = useState(tracks[0]?.slug ?? "");
  const [presenter, setPresenter] = useState("");
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameId = useId();

  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      const reply = await createPresentation({
        track,
        ...(presenter.trim() ? { presenter: presenter.trim() } : {}),
      });
      savePresenterToken(reply.id, reply.presenterToken);
      router.push(`/present/${reply.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setStarting(false);
    }
  };

  return (
    <form
      className="flex max-w-3xl flex-col gap-6"
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      <fieldset className="flex flex-col gap-3">
        <legend className="mb-2 text-xl font-semibold text-ink">Track</legend>
        {tracks.map((t) => (
          <label
            key={t.slug}
            className="flex cursor-pointer gap-3 rounded-lg border border-line bg-surface p-4 has-[:checked]:border-accent has-[:checked]:ring-2 has-[:checked]:ring-accent"
          >
            <input
              type="radio"
              name="track"
              value={t.slug}
              checked={track === t.slug}
              onChange={() => setTrack(t.slug)}
              data-testid={`track-${t.slug}`}
              className="mt-1.5 size-4"
            />
            <span className="flex flex-col gap-1">
              <span className="text-lg font-semibold text-ink">{t.title}</span>
              <span className="text-ink">{t.summary}</span>
              <span className="text-sm text-muted">
                {t.demoTitles.join(" → ")} · {t.stepCount} steps
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="flex flex-col gap-1">
        <label htmlFor={nameId} className="font-semibold text-ink">
          Your name, as the audience sees it
        </label>
        <input
          id={nameId}
          value={presenter}
          onChange={(event) => setPresenter(event.target.value)}
          maxLength={60}
          placeholder="the presenter"
          data-testid="presenter-name"
          className="max-w-sm rounded-md border border-line bg-surface px-3 py-2 text-ink"
        />
      </div>
      {error && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-red-900">
          {error}
        </p>
      )}
      <button
        type="submit"
        disabled={!track || starting}
        data-testid="start-presenting"
        className="self-start rounded-md bg-accent px-5 py-2.5 text-lg font-semibold text-on-accent hover:bg-accent-strong disabled:opacity-50"
      >
        {starting ? "Starting…" : "Start presenting"}
      </button>
    </form>
  );
}
