// Presentations outlive a server restart (a talk must survive one): the store writes them to one JSON file
// in the data folder after each change, replacing it atomically, and reads it back at start.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { PresentationStateSchema } from "../../lib/api/presenter";

export const StoredPresentationSchema = z.object({
  /** The visitor that created it (a file from before visitors were told apart: its address). */
  owner: z.string(),
  /** Absent in a file from before visitors were told apart. */
  address: z.string().optional(),
  state: PresentationStateSchema,
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  touchedAt: z.number(),
});
export type StoredPresentation = z.infer<typeof StoredPresentationSchema>;

const FileSchema = z.object({
  format: z.literal("sbpg-presentations"),
  version: z.literal(1),
  presentations: z.array(StoredPresentationSchema),
});

export interface PresentationPersistence {
  load(): StoredPresentation[];
  save(presentations: StoredPresentation[]): void;
}

export const presentationsFile = "presentations.json";

/** `onUnreadable`: a damaged or foreign file is reported and set aside (renamed), never fatal. */
export function presentationFile(
  dataDir: string,
  onUnreadable: (reason: string, file: string) => void,
): PresentationPersistence {
  const file = path.join(dataDir, presentationsFile);
  return {
    load() {
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
      const setAside = (reason: string): StoredPresentation[] => {
        const aside = `${file}.unreadable-${Date.now()}`;
        fs.renameSync(file, aside);
        onUnreadable(reason, aside);
        return [];
      };
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        return setAside(`not JSON: ${(err as Error).message}`);
      }
      const parsed = FileSchema.safeParse(data);
      return parsed.success ? parsed.data.presentations : setAside(parsed.error.message);
    },
    save(presentations) {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.tmp`;
      const body = { format: "sbpg-presentations", version: 1, presentations };
      fs.writeFileSync(temp, JSON.stringify(body), { mode: 0o600 });
      fs.renameSync(temp, file);
    },
  };
}
