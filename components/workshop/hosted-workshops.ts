// Workshops this browser created, with their host tokens: the server keeps only a hash, so this is the one copy.
import { z } from "zod";

const storageKey = "sandbox-playground:hosted-workshops";

const HostedWorkshopSchema = z.object({
  id: z.string(),
  name: z.string(),
  joinCode: z.string(),
  hostToken: z.string(),
  createdAt: z.number(),
});
export type HostedWorkshop = z.infer<typeof HostedWorkshopSchema>;

export function listHostedWorkshops(): HostedWorkshop[] {
  try {
    const parsed = z
      .array(HostedWorkshopSchema)
      .safeParse(JSON.parse(window.localStorage.getItem(storageKey) ?? "[]"));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function findHostedWorkshop(id: string): HostedWorkshop | null {
  return listHostedWorkshops().find((w) => w.id === id) ?? null;
}

/** False when the browser refuses storage: the page then insists the host copies the token. */
export function rememberHostedWorkshop(workshop: HostedWorkshop): boolean {
  try {
    const others = listHostedWorkshops().filter((w) => w.id !== workshop.id);
    window.localStorage.setItem(storageKey, JSON.stringify([workshop, ...others].slice(0, 50)));
    return true;
  } catch {
    return false;
  }
}
