"use client";
// The audience's way in: the watch link and a QR code of it, big enough to scan from the back of a room.
import { useMemo, useSyncExternalStore } from "react";
import { renderSVG } from "uqr";

const noSubscription = () => () => undefined;

export function JoinCard({ path }: { path: string }) {
  // The origin is only known in the browser; the server renders the path alone.
  const origin = useSyncExternalStore(
    noSubscription,
    () => window.location.origin,
    () => "",
  );
  const url = `${origin}${path}`;
  // uqr draws the SVG from the URL alone; no markup from anywhere else goes in.
  const svg = useMemo(
    () =>
      origin ? renderSVG(url, { border: 2, whiteColor: "#ffffff", blackColor: "#000000" }) : "",
    [origin, url],
  );

  return (
    <section
      aria-labelledby="join-heading"
      className="rounded-lg border-2 border-ink bg-surface p-4"
    >
      <h2 id="join-heading" className="text-lg font-semibold text-ink">
        Follow along
      </h2>
      <p className="mt-1 text-ink">Open this link or scan the code:</p>
      <a
        href={path}
        target="_blank"
        rel="noreferrer"
        data-testid="join-link"
        className="mt-1 block font-mono font-semibold break-all text-accent underline underline-offset-2"
      >
        {url}
      </a>
      {origin && isLoopback(new URL(origin).hostname) && (
        <p className="mt-2 text-sm text-ink" role="note">
          This link names this computer only. Open the presenter view at the host&apos;s network
          address so that the room can reach it.
        </p>
      )}
      {svg && (
        <div
          role="img"
          aria-label={`QR code for ${url}`}
          data-testid="join-qr"
          className="mt-3 w-48 max-w-full bg-white"
          dangerouslySetInnerHTML={{ __html: svg }}
        />
      )}
    </section>
  );
}

/** A link to localhost works on the presenter's laptop and nowhere else in the room. */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || hostname.startsWith("127.");
}
