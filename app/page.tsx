import Link from "next/link";
import { DemoList } from "@/components/demo/demo-list";
import { loadTracks } from "@/lib/demos/load-tracks";

const sandboxKinds = [
  {
    name: "runc",
    kind: "Container",
    text: "A real OCI container: namespaces, cgroups, seccomp and no capabilities, on the host's own kernel.",
  },
  {
    name: "gVisor",
    kind: "User-space kernel",
    text: "The workload talks to the Sentry, a Linux kernel in Go running in user space, not to the host's kernel.",
  },
  {
    name: "Virtual machines",
    kind: "Own kernel",
    text: "A QEMU microVM built in, and Kata Containers where installed: a guest kernel of their own, and vAccel to reach the host's accelerator.",
  },
];

const ways = [
  {
    href: "/lab",
    title: "Lab",
    text: "Write your own workload and its limits in an editor, and run it in several sandboxes at once.",
  },
  {
    href: "/vaccel",
    title: "vAccel",
    text: "The same ML inference natively, inside sandboxes on their own CPU, and offloaded to the host.",
  },
  {
    href: "/present",
    title: "Present",
    text: "A projector view with keyboard control; the room follows your steps and runs on their phones.",
  },
  {
    href: "/workshops",
    title: "Workshops",
    text: "A join code for the room, quotas per attendee, and a dashboard of everyone's progress and sandboxes.",
  },
];

export default function HomePage() {
  // The guided tracks in demos/tracks.md order, as on /demos.
  const tracks = loadTracks().filter((t) => t.demos.length > 0);
  return (
    <div className="flex flex-col gap-12">
      <section className="max-w-4xl">
        <h1 className="text-4xl font-bold tracking-tight text-ink sm:text-5xl">
          What does a sandbox cost, and what does it buy?
        </h1>
        <p className="mt-4 text-lg leading-relaxed text-ink">
          Press Run and this host launches the same workload in real sandboxes, side by side. Their
          output streams into your browser as it is printed, and every phase, from the request to
          the sandbox being torn down, is timed and charted.
        </p>
        <div className="mt-6 flex flex-wrap gap-3">
          <Link
            href="/demos/hello-sandbox"
            className="rounded-md bg-accent px-5 py-2.5 font-semibold text-on-accent hover:bg-accent-strong"
          >
            Start with “Hello, sandbox”
          </Link>
          <Link
            href="/serverless"
            className="rounded-md border border-line bg-surface px-5 py-2.5 font-semibold text-ink hover:bg-surface-raised"
          >
            Time serverless cold starts
          </Link>
          <Link
            href="/host"
            className="rounded-md border border-line bg-surface px-5 py-2.5 font-semibold text-ink hover:bg-surface-raised"
          >
            See what this host can run
          </Link>
        </div>
      </section>

      <section aria-labelledby="kinds-heading">
        <h2 id="kinds-heading" className="text-2xl font-semibold text-ink">
          Three ways to isolate a workload
        </h2>
        <ul className="mt-4 grid gap-4 md:grid-cols-3">
          {sandboxKinds.map(({ name, kind, text }) => (
            <li key={name} className="rounded-lg border border-line bg-surface p-5 shadow-sm">
              <p className="text-sm font-semibold tracking-wide text-muted uppercase">{kind}</p>
              <h3 className="mt-1 text-xl font-semibold text-ink">{name}</h3>
              <p className="mt-2 leading-relaxed text-ink">{text}</p>
            </li>
          ))}
        </ul>
        <p className="mt-4 max-w-4xl text-ink">
          Nothing is simulated: a runtime this host cannot run is shown as unavailable, with what to
          install. Every run says exactly what ran it.
        </p>
      </section>

      <section aria-labelledby="ways-heading">
        <h2 id="ways-heading" className="text-2xl font-semibold text-ink">
          At home, on stage, in a workshop
        </h2>
        <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {ways.map(({ href, title, text }) => (
            <li key={href} className="rounded-lg border border-line bg-surface p-5 shadow-sm">
              <h3 className="text-xl font-semibold">
                <Link href={href} className="text-accent underline-offset-2 hover:underline">
                  {title}
                </Link>
              </h3>
              <p className="mt-2 leading-relaxed text-ink">{text}</p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="demos-heading">
        <h2 id="demos-heading" className="mb-4 text-2xl font-semibold text-ink">
          Demos
        </h2>
        <DemoList tracks={tracks} headingLevel={3} />
      </section>
    </div>
  );
}
