// Says what the host's agent computes on, from GET /api/host: on a host without a GPU, that there is none and
// what would give it one.
import type { HostReply } from "@/lib/api/schemas";
import { VACCEL_WIRE_RELEASE } from "@/lib/api/vaccel-release";

export function AcceleratorNote({ host }: { host: HostReply | null }) {
  if (!host) return <p className="text-sm text-muted">Asking the host about its accelerator…</p>;
  const backend = host.vaccel?.backend;
  if (!backend) {
    return (
      <p data-testid="vaccel-accelerator" className="text-ink">
        The host&apos;s vAccel agent is off (<code className="font-mono">SBPG_VACCEL=off</code>):
        only the native and on-CPU modes can run.
      </p>
    );
  }
  const onGpu = backend.executionProvider !== "cpu";
  const loaded = Object.entries(backend.modelLoadMs);
  return (
    <div data-testid="vaccel-accelerator" className="flex flex-col gap-2 text-ink">
      <p>
        The agent runs{" "}
        <strong>
          {backend.name} {backend.version}
        </strong>{" "}
        with execution provider <code className="font-mono">{backend.executionProvider}</code>; CUDA
        provider installed:{" "}
        <code className="font-mono">{String(backend.cudaProviderInstalled)}</code>.
        {loaded.length > 0 &&
          ` Models open: ${loaded.map(([name, ms]) => `${name} (${Math.round(ms)} ms to load)`).join(", ")}.`}
      </p>
      <p data-testid="vaccel-wire-release" className="text-sm text-muted">
        Wire: vAccel {VACCEL_WIRE_RELEASE.vaccel} RPC, vaccel-rust {VACCEL_WIRE_RELEASE.vaccelRust}{" "}
        (commit <code className="font-mono">{VACCEL_WIRE_RELEASE.commit.slice(0, 7)}</code>).
      </p>
      {onGpu ? (
        <p>Offloaded inferences run on the host&apos;s GPU.</p>
      ) : (
        <p>
          <strong>There is no GPU on this host</strong>: every mode, offloaded ones included,
          computes on a CPU. Here vAccel wins by moving the work out of an emulated VM onto the
          host&apos;s real cores, not onto an accelerator. A GPU would take an NVIDIA card with its
          driver, CUDA 12 and cuDNN 9 on the host, onnxruntime-node&apos;s CUDA provider (
          <code className="font-mono">libonnxruntime_providers_cuda.so</code>, which its installer
          downloads; this playground skips that download) and the agent started with the CUDA
          execution provider, which this playground does not yet do; or the host&apos;s libvaccel
          with a GPU plugin. The guests would not change: they send the same vAccel calls.
        </p>
      )}
    </div>
  );
}
