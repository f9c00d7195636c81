"use client";
// The workshops this browser created (their facilitator tokens are in local storage), and the one it attends, if any.
import Link from "next/link";
import { useEffect, useState } from "react";
import { Panel } from "@/components/ui/panel";
import { workshopCookie } from "@/lib/api/workshops";
import { listFacilitatedWorkshops, type FacilitatedWorkshop } from "./facilitated-workshops";

export function FacilitatedWorkshopList() {
  const [facilitated, setFacilitated] = useState<FacilitatedWorkshop[]>([]);
  const [attending, setAttending] = useState(false);
  useEffect(() => {
    setFacilitated(listFacilitatedWorkshops());
    setAttending(document.cookie.split(/;\s*/).some((c) => c.startsWith(`${workshopCookie}=`)));
  }, []);
  if (facilitated.length === 0 && !attending) return null;
  return (
    <Panel id="your-workshops" title="Your workshops">
      {attending && (
        <p className="text-ink">
          This browser attends a workshop:{" "}
          <Link href="/workshops/me" className="font-semibold text-accent underline">
            your workshop page
          </Link>
          .
        </p>
      )}
      {facilitated.length > 0 && (
        <ul className="mt-2 flex flex-col gap-1">
          {facilitated.map((w) => (
            <li key={w.id}>
              <Link
                href={`/workshops/${encodeURIComponent(w.id)}`}
                className="text-accent underline"
              >
                {w.name}
              </Link>{" "}
              <span className="font-mono text-sm text-muted">{w.joinCode}</span>{" "}
              <span className="text-sm text-muted">
                created {new Date(w.createdAt).toLocaleString()}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
