"use client";
// The header's links; the current section is marked for sight and for screen readers.
import Link from "next/link";
import { usePathname } from "next/navigation";

const links = [
  { href: "/", label: "Home" },
  { href: "/demos", label: "Demos" },
  { href: "/lab", label: "Lab" },
  { href: "/sandbox", label: "Sandbox" },
  { href: "/vaccel", label: "vAccel" },
  { href: "/serverless", label: "Serverless" },
  { href: "/present", label: "Present" },
  { href: "/workshops", label: "Workshops" },
  { href: "/host", label: "Host" },
];

export function SiteNav() {
  const pathname = usePathname();
  const isCurrent = (href: string) => (href === "/" ? pathname === "/" : pathname.startsWith(href));
  return (
    <nav aria-label="Main">
      <ul className="flex flex-wrap gap-1">
        {links.map(({ href, label }) => {
          const current = isCurrent(href);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={current ? "page" : undefined}
                className={`block rounded-md px-3 py-2 font-medium ${
                  current ? "bg-accent text-on-accent" : "text-ink hover:bg-surface-raised"
                }`}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
