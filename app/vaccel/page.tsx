import type { Metadata } from "next";
import { Panel } from "@/components/ui/panel";
import { VaccelLab } from "@/components/vaccel/vaccel-lab";

export const metadata: Metadata = {
  title: "vAccel: inference timed four ways",
  description:
    "The same OCR, orientation, text boxes, SGEMM, MINMAX or no-op natively, inside sandboxes on their own CPU, and offloaded from the sandbox to the host through vAccel: timings and answers side by side.",
};

export default function VaccelPage() {
  return (
    <div className="flex flex-col gap-8">
      <div className="max-w-4xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink sm:text-4xl">
          vAccel: inference timed four ways
        </h1>
        <p className="mt-2 text-lg text-ink">
          A VM isolates its workload well, but it cannot see the host&apos;s accelerator, and where
          KVM is missing it cannot even use the host&apos;s CPU at full speed. vAccel forwards the
          heavy operation from the sandbox to an agent on the host and returns the result. Run one
          inference natively, inside a sandbox on its own CPU, and inside a sandbox through vAccel,
          and compare the timings and the answers.
        </p>
      </div>

      <VaccelLab />

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Panel id="how" title="How a mode runs">
          <ul className="mt-2 flex list-disc flex-col gap-2 pl-5 text-ink">
            <li>
              <strong>Native</strong>: the server runs the workload&apos;s code in its own process (
              <code className="font-mono">POST /api/vaccel/native</code>), one request at a time.
            </li>
            <li>
              <strong>On its CPU</strong>: a sandbox from the{" "}
              <code className="font-mono">node-onnx</code> image (Node, onnxruntime-node and
              PaddleOCR&apos;s models) loads the models and infers on whatever CPU the sandbox has:
              the host&apos;s for containers, an emulated one in the microVM without KVM.
            </li>
            <li>
              <strong>Through vAccel</strong>: the same workload with{" "}
              <code className="font-mono">VACCEL_RPC_ADDRESS</code> set sends each image to the
              host&apos;s agent (ttrpc + vAccel&apos;s protobuf messages) and gets the answer back,
              over a unix socket bind-mounted into a container or a virtio-serial port into the VM,
              never over a network.
            </li>
            <li>
              An uploaded image, or a generated line turned upside down, reaches a sandbox as base64
              command arguments (at most 16 KiB each), decoded into its private{" "}
              <code className="font-mono">/tmp</code>: the browser first shrinks it below 40 kB,
              which also keeps the request under the API&apos;s 64 KiB body limit.
            </li>
          </ul>
        </Panel>
        <Panel id="notice" title="What to notice">
          <ul className="mt-2 flex list-disc flex-col gap-2 pl-5 text-ink">
            <li>
              Containers run on the host&apos;s own cores: offloading gains them little and adds a
              round trip.
            </li>
            <li>
              The microVM here emulates its CPU, so onnxruntime runs there about a hundred times
              slower; offloaded, the same VM gets the host&apos;s speed plus a small RPC cost.
            </li>
            <li>
              An offloaded mode&apos;s model load is only a session: the agent opened its models
              once, when the server started.
            </li>
            <li>Every mode must give the same answer: the line above the table checks it.</li>
            <li>
              NOOP is the cost of the call itself: offloading pays it once per op, so an op worth
              offloading takes far longer than that. An SGEMM of 512 takes seconds on the emulated
              CPU and milliseconds through vAccel.
            </li>
            <li>
              The ops are vAccel 0.8&apos;s genop ops with libvaccel 0.8&apos;s argument layouts
              (NOOP, BLAS_SGEMM, MINMAX, IMAGE_CLASSIFY, IMAGE_DETECT). Ops that would run a
              guest&apos;s code on the host (EXEC, EXEC_WITH_RESOURCE) are refused, and ops with no
              backend here (Torch, TensorFlow, FPGA, OpenCV) answer a vAccel error naming the op.
            </li>
          </ul>
        </Panel>
      </div>
    </div>
  );
}
