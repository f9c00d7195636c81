// For unit tests only: the playground's /fn gateway and /api/knative routes over real HTTP, on a cluster backend
// whose API server is the test double playing Knative Serving.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { handleFunction } from "../../../functions/function-gateway";
import { knativeRoutes } from "../../../functions/knative-routes";
import { createApiRouter } from "../../../http/api-router";
import { noTrustedProxies } from "../../../http/client-address";
import { createLaunchPolicy } from "../../../runs/launch-policy";
import { namespace, runtimeClasses, startClusterEngine } from "./cluster-engine";
import { startFakeApiServer, type FakeApiServer, type FakeKnativeOptions } from "./fake-api-server";

const log = pino({ level: "silent" });

export interface KnativePlayground {
  api: FakeApiServer;
  base: string;
  close(): Promise<void>;
}

/** `withCluster: false`: the same routes on a host with no cluster configured. */
export async function startKnativePlayground(
  knative: FakeKnativeOptions,
  withCluster = true,
): Promise<KnativePlayground> {
  const api = await startFakeApiServer({ namespace, runtimeClasses, knative });
  const { engine, backend } = await startClusterEngine(api.kubeconfigPath);
  const functions = withCluster ? backend.knative : null;
  const router = createApiRouter({
    log,
    maxBodyBytes: 64 * 1024,
    routes: knativeRoutes(functions),
  });
  const policy = createLaunchPolicy({ engine, maxActiveRunsPerAddress: 10 });
  const ctx = { engine, knative: functions, policy, trustedProxies: noTrustedProxies, log };
  const server = http.createServer((req, res) => {
    void (async () => {
      if (await handleFunction(ctx, req, res)) return;
      if (await router.handle(req, res)) return;
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    api,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await api.close();
    },
  };
}
