// /sandbox: a real shell in a runc session, read from the rendered xterm rows, with the host's view beside it.
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { io } from "socket.io-client";
import { SandboxPage } from "./pages/sandbox-page";
import { expectTerminalRow, terminalRows } from "./pages/terminal-rows";

test("on runc, typing echo $((6*7)) shows 42 in the terminal, and a reload finds the same shell", async ({
  page,
}) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.start("runc");
  await sandbox.expectRow(/^~ #$/);
  await sandbox.type("echo $((6*7))\n");
  await sandbox.expectRow(/^42$/);
  // The host view lists the session's own init, read from /proc.
  await expect(page.getByTestId("host-processes")).toContainText("sleep 2147483647");
  await expect(page.getByTestId("host-cgroup")).toContainText(/memory\s*[\d.]+ (KiB|MiB) of/);

  await sandbox.type("echo kept > ~/f\n");
  await page.reload();
  await expect(page.getByTestId("terminal-status")).toHaveText(/^Connected/);
  // The screen comes back from the server's backlog, and the shell still has its file.
  await sandbox.expectRow(/^42$/);
  await sandbox.type("cat ~/f\n");
  await sandbox.expectRow(/^kept$/);

  await page.getByRole("button", { name: "End session" }).click();
  await expect(page.getByTestId("session-status")).toContainText("ended");
  await expect(sandbox.terminal()).toHaveCount(0);
});

test("on runc, a reload re-attaches both terminals of the session, each with its own screen", async ({
  page,
}) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.start("runc");
  const pane = sandbox.pane("runc");
  const shells = pane.getByTestId("interactive-terminal");
  const [first, second] = [shells.first(), shells.nth(1)];
  await expectTerminalRow(first, /^~ #$/);
  await first.click();
  await page.keyboard.type("echo first-$((2*21))\n");
  await expectTerminalRow(first, /^first-42$/);
  await pane.getByRole("button", { name: "Second terminal" }).click();
  await expectTerminalRow(second, /^~ #$/);
  await second.click();
  await page.keyboard.type("echo second-$((3*3))\n");
  await expectTerminalRow(second, /^second-9$/);
  await expect.poll(async () => (await sandbox.saved())[0]?.terminalIds.length).toBe(2);

  await page.reload();
  await expect(shells).toHaveCount(2);
  await expect(pane.getByTestId("terminal-status")).toHaveText([/^Connected/, /^Connected/]);
  // Each screen comes back from its own terminal's backlog, not the other's.
  await expectTerminalRow(first, /^first-42$/);
  await expectTerminalRow(second, /^second-9$/);
  expect((await terminalRows(first)).join("\n")).not.toContain("second-9");
  expect((await terminalRows(second)).join("\n")).not.toContain("first-42");
  // The same shells, still there to type into.
  await second.click();
  await page.keyboard.type("echo again-$((5*5))\n");
  await expectTerminalRow(second, /^again-25$/);
  await pane.getByRole("button", { name: "End session" }).click();
  await expect(pane.getByTestId("session-status")).toContainText("ended");
});

test("runc and the microVM side by side in one click: the VM's shell is on the guest's own tty, and the host sees QEMU", async ({
  page,
}) => {
  // From the pool or the snapshot in a second; a cold TCG boot (no snapshot yet) on a loaded host takes tens of seconds.
  test.setTimeout(240_000);
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await page.getByRole("radio", { name: /^runc/ }).check();
  await page.getByTestId("start-side-by-side").click();
  const runc = sandbox.pane("runc");
  const vm = sandbox.pane("microvm");
  const vmShell = vm.getByTestId("interactive-terminal");
  await expect(vmShell).toBeVisible({ timeout: 150_000 });
  await expectTerminalRow(vmShell, /^~ #$/, 60_000);
  // The first pane's shell keeps the keyboard, whichever sandbox got ready last.
  await expect(runc.getByRole("textbox", { name: "Terminal input" })).toBeFocused();
  await vmShell.click();
  await page.keyboard.type("echo $((6*7)); tty\n");
  await expectTerminalRow(vmShell, /^42$/, 30_000);
  await expectTerminalRow(vmShell, /^\/dev\/hvc0$/, 30_000);
  await expect(vm.getByTestId("host-processes")).toContainText(/qemu-system-x86_64 -name sbpg-/);
  // Which way its VM came: the playground's default keeps a pool VM ready and the snapshot saved.
  await expect(vm.getByTestId("session-start")).toHaveText(
    /^VM (from the warm pool: (booted|restored from the snapshot) .* ago in |restored from the snapshot in |booted cold in )/,
  );
  // The same command beside it, in the container.
  const runcShell = runc.getByTestId("interactive-terminal");
  await expectTerminalRow(runcShell, /^~ #$/);
  await runcShell.click();
  await page.keyboard.type("echo $((6*7)); tty\n");
  await expectTerminalRow(runcShell, /^42$/);
  await expectTerminalRow(runcShell, /^\/dev\/pts\/\d+$/);
  await expect(runc.getByTestId("host-processes")).toContainText("sleep 2147483647");
  for (const pane of [vm, runc]) {
    await pane.getByRole("button", { name: "End session" }).click();
    await expect(pane.getByTestId("session-status")).toContainText("ended");
  }
});

test("on runc, a second terminal beside the first, stty size following a resize, a file the terminal wrote read by exec, and no other browser attaching", async ({
  page,
  baseURL,
}) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.start("runc");
  const pane = sandbox.pane("runc");
  const first = pane.getByTestId("interactive-terminal").first();
  await expectTerminalRow(first, /^~ #$/);

  await pane.getByRole("button", { name: "Second terminal" }).click();
  const second = pane.getByTestId("interactive-terminal").nth(1);
  await expectTerminalRow(second, /^~ #$/);
  await second.click();
  await page.keyboard.type("echo second-$((2*3))\n");
  await expectTerminalRow(second, /^second-6$/);
  expect((await terminalRows(first)).join("\n")).not.toContain("second-6");

  // The window shrinks: xterm refits, and the shell's tty gets the new size.
  const sizeOf = async () => {
    await first.click();
    await page.keyboard.type("clear; stty size\n");
    let size = "";
    await expect
      .poll(async () => {
        size =
          (await terminalRows(first)).map((r) => r.trim()).find((r) => /^\d+ \d+$/.test(r)) ?? "";
        return size;
      })
      .not.toBe("");
    return size;
  };
  const before = await sizeOf();
  await page.setViewportSize({ width: 900, height: 800 });
  await expect.poll(sizeOf).not.toBe(before);
  const [rows] = (await sizeOf()).split(" ").map(Number);
  expect(rows).toBe(await first.locator(".xterm-rows > div").count());

  await first.click();
  await page.keyboard.type("echo kept-$((6*7)) > ~/note\n");
  await expectTerminalRow(first, /^~ #$/);
  const [{ sessionId, terminalIds }] = await sandbox.saved();
  const [terminalId] = terminalIds;
  const exec = await page.request.post(`/api/sessions/${sessionId}/exec`, {
    data: { command: ["cat", "/root/note"] },
  });
  expect(exec.status()).toBe(201);
  const { id: runId } = await exec.json();
  await expect
    .poll(async () => (await (await page.request.get(`/api/runs/${runId}`)).json()).state)
    .toBe("exited");
  expect(await (await page.request.get(`/api/runs/${runId}/logs`)).text()).toBe("kept-42\n");

  // Another browser (another visitor) cannot attach to the terminal, even with its id.
  const other = io(baseURL!, {
    transports: ["websocket"],
    forceNew: true,
    extraHeaders: { cookie: "sbpg_visitor=someone-else-000000000000" },
  });
  try {
    const ack = await other.timeout(5000).emitWithAck("terminal:attach", { terminalId });
    expect(ack).toMatchObject({ ok: false, error: { code: "not_found:terminal" } });
  } finally {
    other.close();
  }
  await pane.getByRole("button", { name: "End session" }).click();
  await expect(pane.getByTestId("session-status")).toContainText("ended");
});

test("on gVisor, the host view shows the Sentry, and the page with a live shell passes axe's WCAG 2 AA rules", async ({
  page,
}) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  await sandbox.start("gVisor");
  await sandbox.type("uname -r\n");
  // The Sentry's kernel, not the host's.
  await sandbox.expectRow(/^4\.4\.0$/);
  await expect(page.getByTestId("host-processes")).toContainText(/runsc-sandbox .*boot/);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
  await page.getByRole("button", { name: "End session" }).click();
  await expect(page.getByTestId("session-status")).toContainText("ended");
});

test("an idle session ends by itself: the page says why and its shell is gone", async ({
  page,
}) => {
  const sandbox = new SandboxPage(page);
  await sandbox.open();
  // A session with a short idle timeout of its own (the host's is 15 min), opened as the page would.
  const created = await page.request.post("/api/sessions", {
    data: { runtime: "runc", idleMs: 4_000 },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await page.evaluate(
    (sessionId) =>
      sessionStorage.setItem(
        "sbpg-sandbox-sessions",
        JSON.stringify([{ sessionId, terminalIds: [] }]),
      ),
    id,
  );
  await page.reload();
  await sandbox.expectRow(/^~ #$/);
  await expect(page.getByTestId("session-status")).toContainText(
    "Nobody typed or ran anything for a while",
    { timeout: 30_000 },
  );
  await expect(sandbox.terminal()).toHaveCount(0);
  // Everything of it is gone on the host: no host view to read, nothing to run in.
  const view = await page.request.get(`/api/sessions/${id}/host`);
  expect(view.status()).toBe(409);
  const exec = await page.request.post(`/api/sessions/${id}/exec`, { data: { command: ["true"] } });
  expect(exec.status()).toBe(409);
  await expect(page.getByTestId("start-session")).toBeVisible();
});
