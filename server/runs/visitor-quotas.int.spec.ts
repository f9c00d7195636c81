// Quotas per visitor behind one address (a conference NAT, a reverse proxy), on real runc: a crowd queues
// instead of being refused, one visitor still meets its own quota, and the address's ceiling still holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, waitForEnd, type TestHost } from "../testing/test-host";
import { visitorCookie } from "../http/visitor";

const asVisitor = (name: string) => ({
  cookie: `${visitorCookie}=${`visitor-${name}`.padEnd(24, "x")}`,
});

/** A run and the headers of the browser that started it: only that browser may stop it. */
interface Started {
  id: string;
  headers: Record<string, string>;
}
const stop = (host: TestHost, run: Started) =>
  host.request("DELETE", `/api/runs/${run.id}`, undefined, run.headers);

describe("a crowd behind one address", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      SBPG_MAX_CONCURRENT_RUNS: "4",
      SBPG_MAX_ACTIVE_RUNS_PER_CLIENT: "2",
    });
  });
  afterAll(async () => host?.close());

  it("50 browsers starting a run at once from 127.0.0.1 all get one, queued as needed", async () => {
    const visitors = Array.from({ length: 50 }, (_, i) => i);
    const created = await Promise.all(
      visitors.map((i) =>
        host.request(
          "POST",
          "/api/runs",
          {
            runtime: "runc",
            command: ["sh", "-c", `sleep 0.2; echo visitor-${i}`],
            // The wait in the queue counts against a run's time limit.
            timeoutMs: 90_000,
          },
          asVisitor(String(i)),
        ),
      ),
    );
    for (const reply of created) expect(reply.status, reply.text).toBe(201);
    const ids: string[] = created.map((reply) => reply.json.id);
    const states = await Promise.all(
      ids.map(async (id) => (await host.request("GET", `/api/runs/${id}`)).json.state),
    );
    // 4 sandboxes at once: the rest of the room waits its turn.
    expect(states.filter((state) => state === "queued").length).toBeGreaterThan(0);
    const ended = await Promise.all(ids.map((id) => waitForEnd(host, id, 90_000)));
    for (const run of ended) expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    const logs = await Promise.all(
      ids.map(async (id) => (await host.request("GET", `/api/runs/${id}/logs`)).text),
    );
    logs.forEach((text, i) => expect(text).toContain(`visitor-${i}`));
  }, 120_000);

  it("one visitor still meets its own quota, and so does a client without a cookie", async () => {
    const sleep = { runtime: "runc", command: ["sleep", "20"], timeoutMs: 30_000 };
    const started: Started[] = [];
    const launch = async (headers: Record<string, string>) => {
      const reply = await host.request("POST", "/api/runs", sleep, headers);
      if (reply.status === 201) started.push({ id: reply.json.id, headers });
      return reply;
    };
    try {
      for (let i = 0; i < 2; i++) expect((await launch(asVisitor("busy"))).status).toBe(201);
      const third = await launch(asVisitor("busy"));
      expect(third.status).toBe(429);
      expect(third.json.error.code).toBe("quota:runs_per_client");
      // Their neighbour behind the same address is not held back by it.
      expect((await launch(asVisitor("neighbour"))).status).toBe(201);
      // Without a cookie (curl) the address is the visitor: every cookie-less client shares its quota.
      for (let i = 0; i < 2; i++) expect((await launch({})).status).toBe(201);
      const cookieless = await launch({});
      expect(cookieless.status).toBe(429);
      expect(cookieless.json.error.code).toBe("quota:runs_per_client");
    } finally {
      await Promise.all(started.map((run) => stop(host, run)));
    }
  });
});

describe("the per-address ceiling, behind a trusted reverse proxy", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      SBPG_MAX_ACTIVE_RUNS_PER_CLIENT: "2",
      SBPG_MAX_ACTIVE_RUNS_PER_ADDRESS: "3",
      SBPG_TRUSTED_PROXIES: "127.0.0.1, ::1",
    });
  });
  afterAll(async () => host?.close());

  it("counts every visitor of one forwarded address, whatever cookies they mint", async () => {
    const sleep = { runtime: "runc", command: ["sleep", "20"], timeoutMs: 30_000 };
    const started: Started[] = [];
    const launch = async (name: string, forwardedFor: string) => {
      const headers = { ...asVisitor(name), "x-forwarded-for": forwardedFor };
      const reply = await host.request("POST", "/api/runs", sleep, headers);
      if (reply.status === 201) started.push({ id: reply.json.id, headers });
      return reply;
    };
    try {
      for (const name of ["a", "b", "c"])
        expect((await launch(name, "203.0.113.5")).status).toBe(201);
      const fourth = await launch("d", "203.0.113.5");
      expect(fourth.status).toBe(429);
      expect(fourth.json.error.code).toBe("quota:runs_per_address");
      // What the client writes to the left of the proxy's entry is not believed.
      const spoofed = await launch("e", "198.51.100.2, 203.0.113.5");
      expect(spoofed.json.error?.code).toBe("quota:runs_per_address");
      // Another address behind the same proxy has its own ceiling.
      expect((await launch("f", "198.51.100.2")).status).toBe(201);
      const facts = await host.request("GET", "/api/host");
      expect(facts.json.visitors).toMatchObject({
        maxActiveRunsPerAddress: 3,
        trustedProxies: ["127.0.0.1", "::1"],
      });
      // A run that ends frees its place under the ceiling.
      expect((await stop(host, started[0])).status).toBe(200);
      expect((await launch("d", "203.0.113.5")).status).toBe(201);
    } finally {
      await Promise.all(started.map((run) => stop(host, run)));
    }
  });
});
