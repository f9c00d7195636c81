// ctr's event lines, as containerd 1.6 prints them.
import { describe, expect, it } from "vitest";
import { parseContainerdEvent, parseRfc3339Ms } from "./containerd-events";

describe("containerd events", () => {
  it("parses a task event with its nanosecond time and container id", () => {
    const event = parseContainerdEvent(
      '2026-11-27 03:19:22.866699338 +0000 UTC sandbox-playground /tasks/create {"container_id":"sbpg-exp2","bundle":"/run/x","pid":21422}',
    );
    expect(event).toMatchObject({
      namespace: "sandbox-playground",
      topic: "/tasks/create",
      containerId: "sbpg-exp2",
      payload: { pid: 21422 },
    });
    expect(event!.atMs).toBeCloseTo(Date.parse("2026-11-27T03:19:22.866Z") + 0.699338, 5);
  });

  it("reads a fraction Go trimmed of trailing zeros, and a non-UTC offset", () => {
    const event = parseContainerdEvent(
      '2026-11-27 05:19:22.8917 +0200 CEST sandbox-playground /containers/delete {"id":"sbpg-a"}',
    );
    expect(event!.containerId).toBe("sbpg-a");
    expect(event!.atMs).toBeCloseTo(Date.parse("2026-11-27T03:19:22.891Z") + 0.7, 5);
  });

  it("takes the container id from `id` for container events, none for others", () => {
    expect(
      parseContainerdEvent('2026-01-01 00:00:00 +0000 UTC ns /containers/create {"id":"c1"}')!
        .containerId,
    ).toBe("c1");
    expect(
      parseContainerdEvent('2026-01-01 00:00:00 +0000 UTC ns /namespaces/update {"name":"ns"}')!
        .containerId,
    ).toBeNull();
  });

  it("ignores what is not an event line", () => {
    expect(parseContainerdEvent("ctr: connection refused")).toBeNull();
    expect(parseContainerdEvent("2026-01-01 00:00:00 +0000 UTC ns /tasks/exit {broken")).toBeNull();
  });

  it("parses exited_at", () => {
    expect(parseRfc3339Ms("2026-11-27T03:19:22.874519562Z")).toBeCloseTo(
      Date.parse("2026-11-27T03:19:22.874Z") + 0.519562,
      5,
    );
    expect(parseRfc3339Ms("nope")).toBeNull();
    expect(parseRfc3339Ms(42)).toBeNull();
  });
});
