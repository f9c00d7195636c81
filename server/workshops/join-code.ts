// Join codes: short, random, from an alphabet that survives being read aloud or off a projector.
import { randomBytes } from "node:crypto";
import { joinCodeAlphabet, joinCodeLength } from "../../lib/api/workshops";

/** 32 letters, so a random byte modulo 32 is uniform. */
export function generateJoinCode(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(joinCodeLength);
  let code = "";
  for (const byte of bytes) code += joinCodeAlphabet[byte % joinCodeAlphabet.length];
  return code;
}
