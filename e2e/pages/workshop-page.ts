// Page objects for workshop mode: the facilitator's create form and dashboard, the attendee's join form and home.
import { expect, type Locator, type Page } from "@playwright/test";

export interface WorkshopSettings {
  name: string;
  capacity: number;
  hours: number;
  timeoutSeconds: number;
  concurrent: number;
  total: number;
  runtimes: string[];
  /** Shells at once per attendee; the form's default when absent. */
  shells?: number;
}

export class WorkshopFacilitatorPage {
  constructor(readonly page: Page) {}

  /** Creates a workshop and returns what the facilitator is shown once: join code, link and facilitator token. */
  async create(
    settings: WorkshopSettings,
  ): Promise<{ id: string; joinCode: string; joinLink: string; facilitatorToken: string }> {
    await this.page.goto("/workshops");
    await this.page.getByLabel("Name", { exact: true }).fill(settings.name);
    await this.page.getByLabel("Attendees", { exact: true }).fill(String(settings.capacity));
    await this.page.getByLabel("Open for (hours)").fill(String(settings.hours));
    await this.page.getByLabel("Longest run (seconds)").fill(String(settings.timeoutSeconds));
    await this.page.getByLabel("Sandboxes at once, per attendee").fill(String(settings.concurrent));
    await this.page.getByLabel("Runs in total, per attendee").fill(String(settings.total));
    if (settings.shells !== undefined)
      await this.page.getByLabel("Shells at once, per attendee").fill(String(settings.shells));
    const boxes = this.page.locator('input[name="workshop-runtime"]');
    await expect(boxes.first()).toBeVisible();
    for (const box of await boxes.all()) {
      await box.setChecked(settings.runtimes.includes((await box.getAttribute("value"))!));
    }
    await this.page.getByRole("button", { name: "Create workshop" }).click();
    const joinCode = (await this.page.getByTestId("join-code").textContent())!.trim();
    const joinLink = await this.page.getByTestId("join-link").inputValue();
    const facilitatorToken = await this.page.getByTestId("facilitator-token").inputValue();
    await this.page.getByRole("link", { name: "Open the facilitator dashboard" }).click();
    await expect(this.page.getByTestId("dashboard-join-code")).toHaveText(joinCode);
    const id = decodeURIComponent(new URL(this.page.url()).pathname.split("/").pop()!);
    return { id, joinCode, joinLink, facilitatorToken };
  }

  attendee(name: string): Locator {
    return this.page.getByTestId(`attendee-${name}`);
  }

  async stopRunOf(name: string, runtime: string): Promise<void> {
    await this.page.getByRole("button", { name: `Stop ${name}'s ${runtime} sandbox` }).click();
  }

  notice(): Locator {
    return this.page.getByTestId("dashboard-notice");
  }

  async end(): Promise<void> {
    await this.page.getByRole("button", { name: "End workshop…" }).click();
    await this.page.getByRole("button", { name: "Yes, end it" }).click();
  }
}

export class WorkshopAttendeePage {
  constructor(private readonly page: Page) {}

  /** Fills and sends the join form; `join` also waits to land on the attendee's page. */
  async submitJoin(joinLink: string, name: string): Promise<void> {
    await this.page.goto(joinLink);
    await this.page.getByLabel("Your name").fill(name);
    await this.page.getByRole("button", { name: "Join" }).click();
  }

  async join(joinLink: string, name: string): Promise<void> {
    await this.submitJoin(joinLink, name);
    await this.page.waitForURL("**/workshops/me");
  }

  joinError(): Locator {
    return this.page.getByRole("region", { name: "Join a workshop" }).getByRole("alert");
  }

  async openHome(): Promise<void> {
    await this.page.goto("/workshops/me");
  }

  workshopName(): Locator {
    return this.page.getByTestId("workshop-name");
  }

  quotas(): Locator {
    return this.page.getByTestId("workshop-quotas");
  }

  status(): Locator {
    return this.page.getByTestId("workshop-status");
  }

  runs(): Locator {
    return this.page.getByTestId("attendee-runs");
  }
}
