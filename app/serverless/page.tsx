import type { Metadata } from "next";
import { Panel } from "@/components/ui/panel";
import { ServerlessLab } from "@/components/serverless/serverless-lab";
import { helloFunctionPath, helloFunctionScript } from "@/lib/api/functions";

export const metadata: Metadata = {
  title: "Serverless cold starts",
  description:
    "A small HTTP function served from a fresh sandbox per request: latency and throughput per runtime, side by side.",
};

export default function ServerlessPage() {
  return (
    <div className="flex flex-col gap-8">
      <div className="max-w-4xl">
        <h1 className="text-3xl font-bold tracking-tight text-ink sm:text-4xl">
          Serverless cold starts
        </h1>
        <p className="mt-2 text-lg text-ink">
          A serverless platform runs each function call in a sandbox. Here every request to a small
          HTTP function starts a fresh one, in the runtime you choose, and your browser times the
          answers: the median, the slow tail and the rate each runtime keeps up, and the memory its
          sandboxes took.
        </p>
      </div>

      <ServerlessLab
        aside={
          <aside className="flex flex-col gap-6" aria-label="How it works">
            <Panel id="how" title="How a request is served">
              <ol className="mt-2 flex list-decimal flex-col gap-2 pl-5 text-ink">
                <li>
                  Your browser sends{" "}
                  <code className="font-mono text-sm">{helloFunctionPath}?runtime=runc</code> to
                  this host&apos;s gateway.
                </li>
                <li>
                  The gateway starts a new sandbox whose only job is the function, and hands it the
                  raw HTTP request as an argument (base64).
                </li>
                <li>
                  The function writes an HTTP response to its standard output and exits; the gateway
                  relays it to you and the sandbox is torn down.
                </li>
              </ol>
              <p className="mt-3 text-sm text-muted">
                The sandbox has no network: the gateway hands it the request and relays its
                response, as CGI and inetd do. A VM&apos;s output starts with its kernel&apos;s boot
                log, so the gateway takes the response from the first line that starts with{" "}
                <code className="font-mono">HTTP/1.1</code>. Each reply carries the run&apos;s id
                and timings in <code className="font-mono">x-sandbox-*</code> headers.
              </p>
            </Panel>
            <Panel id="source" title="The function">
              <p className="mt-1 text-sm text-muted">
                A busybox <code className="font-mono">sh</code> script, run as{" "}
                <code className="font-mono">sh -c &quot;$script&quot; fn REQUEST_BASE64</code>:
              </p>
              <pre
                data-testid="function-source"
                className="mt-2 max-h-96 overflow-auto rounded-md bg-surface-sunken p-3 font-mono text-xs break-all whitespace-pre-wrap text-ink"
              >
                {helloFunctionScript}
              </pre>
            </Panel>
            <Panel id="notice" title="What to notice">
              <ul className="mt-2 flex list-disc flex-col gap-2 pl-5 text-ink">
                <li>
                  Containers start in tens of milliseconds; a VM boots a kernel first. The log scale
                  shows both on one chart.
                </li>
                <li>
                  Throughput is requests over the wall time at your concurrency: a runtime that
                  starts slowly serves fewer requests per second however many run at once.
                </li>
                <li>
                  Memory is each sandbox&apos;s host processes at their peak: a VM carries its guest
                  memory and QEMU, a container little more than the function.
                </li>
                <li>
                  On a cluster with Knative Serving, the same function runs in one Knative Service
                  per RuntimeClass, as the talk deployed it: warm requests find a pod running, a
                  request from zero waits for Knative to start one in that runtime.
                </li>
              </ul>
            </Panel>
          </aside>
        }
      />
    </div>
  );
}
