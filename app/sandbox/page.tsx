import type { Metadata } from "next";
import { SandboxWorkbench } from "@/components/terminal/sandbox-workbench";

export const metadata: Metadata = {
  title: "Sandbox",
  description:
    "A shell inside a runc, gVisor or microVM sandbox, with what the host sees of it beside the terminal.",
};

export default function SandboxPage() {
  return (
    <div className="flex flex-col gap-8">
      <div className="max-w-4xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink sm:text-4xl">Sandbox</h1>
        <p className="mt-2 text-lg text-ink">
          A shell inside a sandbox that stays up between commands: its home and /tmp keep your
          files, within the same limits and hardening as every run. Beside it, what the host sees of
          the very sandbox you type into: its processes and their command lines (for gVisor, the
          Sentry), its cgroup against its limits, its mounts. Nothing you type reaches the host.
        </p>
        <p className="mt-2 text-muted">
          Sessions run on runc, gVisor and the microVM (a shell on the guest&apos;s own tty); Kata
          sessions are not available yet.
        </p>
      </div>
      <SandboxWorkbench />
    </div>
  );
}
