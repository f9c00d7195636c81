"use client";
// Per-inference median and p95 of each mode that finished, drawn by the shared BarChart on a log scale.
import { useMemo } from "react";
import type { ChartData } from "chart.js";
import { BarChart, type ChartTheme } from "@/components/bar-chart/bar-chart";
import { formatMs } from "@/components/format/format-units";

export interface MedianRow {
  label: string;
  medianMs: number;
  p95Ms: number;
}

// Okabe–Ito colours: told apart with the common colour-vision deficiencies.
const series = [
  { key: "medianMs", label: "median per inference", color: "#0072B2" },
  { key: "p95Ms", label: "p95", color: "#E69F00" },
] as const;

export function MedianChart({ rows }: { rows: MedianRow[] }) {
  const data = useMemo(() => chartData(rows), [rows]);
  const description = rows
    .map((row) => `${row.label}: median ${formatMs(row.medianMs)}, p95 ${formatMs(row.p95Ms)}`)
    .join("; ");
  return (
    <BarChart
      data={data}
      options={chartOptions}
      label={`Time per inference by mode. ${description}`}
      height="20rem"
    />
  );
}

function chartOptions({ ink, line }: ChartTheme) {
  return {
    scales: {
      x: { ticks: { color: ink, font: { size: 13 } }, grid: { display: false } },
      // Offloaded and native inferences take tens of milliseconds, the emulated VM's CPU seconds.
      y: {
        type: "logarithmic" as const,
        title: { display: true, text: "per inference (log scale)", color: ink },
        ticks: {
          color: ink,
          callback: (value: string | number) =>
            isRoundTick(Number(value)) ? formatMs(Number(value)) : "",
        },
        grid: { color: line },
      },
    },
  };
}

function chartData(rows: MedianRow[]): ChartData<"bar"> {
  return {
    labels: rows.map((row) => row.label),
    datasets: series.map((s) => ({
      label: s.label,
      data: rows.map((row) => row[s.key]),
      backgroundColor: s.color,
      borderWidth: 0,
    })),
  };
}

/** 1, 2 and 5 times a power of ten get a label; the log scale's other grid lines stay quiet. */
function isRoundTick(ms: number): boolean {
  const leading = Math.round((ms / 10 ** Math.floor(Math.log10(ms))) * 1000) / 1000;
  return leading === 1 || leading === 2 || leading === 5;
}
