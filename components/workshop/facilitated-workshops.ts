// Workshops this browser created, with their facilitator tokens: the server keeps only a hash, so this is the one copy.
import { z } from "zod";

const storageKey = "sandbox-playground:facilitated-workshops";
/** Where browsers kept them while the facilitator was called "host"; read once, moved, then removed. */
const legacyStorageKey = "sandbox-playground:hosted-workshops";

const FacilitatedWorkshopSchema = z.object({
  id: z.string(),
  name: z.string(),
  joinCode: z.string(),
  facilitatorToken: z.string(),
  createdAt: z.number(),
});
export type FacilitatedWorkshop = z.infer<typeof FacilitatedWorkshopSchema>;

const LegacyWorkshopsSchema = z.array(
  FacilitatedWorkshopSchema.omit({ facilitatorToken: true }).extend({ hostToken: z.string() }),
);

function readStored(key: string): unknown {
  return JSON.parse(window.localStorage.getItem(key) ?? "[]");
}

/** Moves what the legacy key holds under the current one, so a facilitator keeps the workshops they made before. */
function moveLegacyWorkshops(): void {
  if (window.localStorage.getItem(legacyStorageKey) === null) return;
  const legacy = LegacyWorkshopsSchema.safeParse(readStored(legacyStorageKey));
  if (legacy.success && window.localStorage.getItem(storageKey) === null) {
    const moved = legacy.data.map(({ hostToken, ...rest }) => ({
      ...rest,
      facilitatorToken: hostToken,
    }));
    window.localStorage.setItem(storageKey, JSON.stringify(moved));
  }
  window.localStorage.removeItem(legacyStorageKey);
}

export function listFacilitatedWorkshops(): FacilitatedWorkshop[] {
  try {
    moveLegacyWorkshops();
    const parsed = z.array(FacilitatedWorkshopSchema).safeParse(readStored(storageKey));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function findFacilitatedWorkshop(id: string): FacilitatedWorkshop | null {
  return listFacilitatedWorkshops().find((w) => w.id === id) ?? null;
}

/** False when the browser refuses storage: the page then insists the facilitator copies the token. */
export function rememberFacilitatedWorkshop(workshop: FacilitatedWorkshop): boolean {
  try {
    const others = listFacilitatedWorkshops().filter((w) => w.id !== workshop.id);
    window.localStorage.setItem(storageKey, JSON.stringify([workshop, ...others].slice(0, 50)));
    return true;
  } catch {
    return false;
  }
}
