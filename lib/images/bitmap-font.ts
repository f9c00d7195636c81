// Generated inputs: an ASCII line drawn with a built-in 5x7 font, so a test knows what the OCR must read.
import { InferenceInputError } from "./inference-error";
import { type RgbImage, createRgbImage, rotateImage180 } from "./rgb-image";

const GLYPH_WIDTH = 5;
const GLYPH_HEIGHT = 7;

/** Rows top to bottom, "#" = ink. Zero is drawn narrower than the letter O, as type designers do. */
const GLYPHS: Record<string, readonly string[]> = {
  A: [".###.", "#...#", "#...#", "#...#", "#####", "#...#", "#...#"],
  B: ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
  C: [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
  D: ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
  E: ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
  F: ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
  G: [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
  H: ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
  I: [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
  J: ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
  K: ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
  L: ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
  M: ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
  N: ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
  O: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  P: ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
  Q: [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
  R: ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
  S: [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
  T: ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
  U: ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  V: ["#...#", "#...#", "#...#", "#...#", ".#.#.", ".#.#.", "..#.."],
  W: ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
  X: ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
  Y: ["#...#", "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#.."],
  Z: ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
  "0": ["..#..", ".#.#.", ".#.#.", ".#.#.", ".#.#.", ".#.#.", "..#.."],
  "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
  "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
  "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
  "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
  "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
  "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
  "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
  "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
  "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
  " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
  ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
  ",": [".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."],
  ":": [".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."],
  "!": ["..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."],
  "?": [".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."],
  "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
  "+": [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."],
  "=": [".....", ".....", "#####", ".....", "#####", ".....", "....."],
  "/": [".....", "....#", "...#.", "..#..", ".#...", "#....", "....."],
  "(": ["...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."],
  ")": [".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."],
  "%": ["##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"],
};

export const RENDERABLE_CHARACTERS = Object.keys(GLYPHS).join("");

export interface RenderTextOptions {
  /** Pixels between neighbouring font dots. */
  scale?: number;
  /** Blank border around the line, in font dots. */
  margin?: number;
  /** Turn the finished image upside down, as a scan fed in the wrong way round. */
  rotate180?: boolean;
}

export const MAX_RENDERED_CHARACTERS = 64;

/**
 * Black text on white; throws for characters outside the font rather than drawing something else.
 * Neighbouring dots are joined by anti-aliased strokes, so letters look drawn rather than tiled:
 * the recognizer was trained on real type and misreads square blocks (O as 0, V as U).
 */
export function renderTextLine(text: string, options: RenderTextOptions = {}): RgbImage {
  const { scale = 3, margin = 4, rotate180 = false } = options;
  if (text.length === 0 || text.length > MAX_RENDERED_CHARACTERS) {
    throw new InferenceInputError(
      "unsupported_text",
      `text must be 1 to ${MAX_RENDERED_CHARACTERS} characters, got ${text.length}`,
    );
  }
  const missing = [...new Set(text)].filter((ch) => !(ch in GLYPHS));
  if (missing.length > 0) {
    throw new InferenceInputError(
      "unsupported_text",
      `the built-in font has no glyph for ${missing.map((ch) => JSON.stringify(ch)).join(", ")}; it draws ${JSON.stringify(RENDERABLE_CHARACTERS)}`,
    );
  }
  const advance = GLYPH_WIDTH + 1;
  const dotsWide = margin * 2 + text.length * advance - 1;
  const dotsHigh = margin * 2 + GLYPH_HEIGHT;
  const image = createRgbImage(dotsWide * scale, dotsHigh * scale);
  [...text].forEach((ch, index) => {
    const left = (margin + index * advance) * scale;
    const top = margin * scale;
    for (const [a, b] of glyphStrokes(GLYPHS[ch])) {
      drawStroke(image, {
        ax: left + (a[0] + 0.5) * scale,
        ay: top + (a[1] + 0.5) * scale,
        bx: left + (b[0] + 0.5) * scale,
        by: top + (b[1] + 0.5) * scale,
        halfWidth: scale * STROKE_HALF_WIDTH,
      });
    }
  });
  return rotate180 ? rotateImage180(image) : image;
}

/** Half the stroke width, in dots: strokes a little under half a dot-pitch wide read like a regular weight. */
const STROKE_HALF_WIDTH = 0.32;

type Dot = readonly [number, number];

/** Segments between ink dots that touch; a diagonal only where no right-angle path joins them already. */
function glyphStrokes(rows: readonly string[]): [Dot, Dot][] {
  const ink = (x: number, y: number) => rows[y]?.[x] === "#";
  const strokes: [Dot, Dot][] = [];
  for (let y = 0; y < GLYPH_HEIGHT; y++) {
    for (let x = 0; x < GLYPH_WIDTH; x++) {
      if (!ink(x, y)) continue;
      let joined = false;
      const join = (nx: number, ny: number) => {
        strokes.push([
          [x, y],
          [nx, ny],
        ]);
        joined = true;
      };
      if (ink(x + 1, y)) join(x + 1, y);
      if (ink(x, y + 1)) join(x, y + 1);
      if (ink(x + 1, y + 1) && !ink(x + 1, y) && !ink(x, y + 1)) join(x + 1, y + 1);
      if (ink(x - 1, y + 1) && !ink(x - 1, y) && !ink(x, y + 1)) join(x - 1, y + 1);
      const joinedFromAbove =
        ink(x, y - 1) ||
        ink(x - 1, y) ||
        (ink(x - 1, y - 1) && !ink(x - 1, y) && !ink(x, y - 1)) ||
        (ink(x + 1, y - 1) && !ink(x + 1, y) && !ink(x, y - 1));
      if (!joined && !joinedFromAbove) {
        strokes.push([
          [x, y],
          [x, y],
        ]);
      }
    }
  }
  return strokes;
}

interface Stroke {
  ax: number;
  ay: number;
  bx: number;
  by: number;
  halfWidth: number;
}

/** Darkens each pixel by how much of it the round-capped segment covers (a one-pixel linear ramp at the edge). */
function drawStroke(image: RgbImage, stroke: Stroke): void {
  const { ax, ay, bx, by, halfWidth } = stroke;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - halfWidth - 1));
  const x1 = Math.min(image.width - 1, Math.ceil(Math.max(ax, bx) + halfWidth + 1));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - halfWidth - 1));
  const y1 = Math.min(image.height - 1, Math.ceil(Math.max(ay, by) + halfWidth + 1));
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const t =
        lengthSquared === 0
          ? 0
          : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
      const distance = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
      const coverage = Math.min(1, Math.max(0, halfWidth + 0.5 - distance));
      const value = Math.round(255 * (1 - coverage));
      const at = (y * image.width + x) * 3;
      if (value < image.data[at]) image.data.fill(value, at, at + 3);
    }
  }
}
