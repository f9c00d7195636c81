"use client";
// p50, p95 and max latency per runtime, side by side (drawn by the shared BarChart).
import { useMemo } from "react";
import type { ChartData } from "chart.js";
import { BarChart, type ChartTheme } from "@/components/bar-chart/bar-chart";
import { formatMs } from "@/components/format/format-units";

export interface LatencyRow {
  label: string;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface LatencyChartProps {
  rows: LatencyRow[];
}

// Okabe–Ito colours: told apart with the common colour-vision deficiencies.
const series = [
  { key: "p50Ms", label: "p50 (median)", color: "#0072B2" },
  { key: "p95Ms", label: "p95", color: "#E69F00" },
  { key: "maxMs", label: "max", color: "#D55E00" },
] as const;

export function LatencyChart({ rows }: LatencyChartProps) {
  const data = useMemo(() => chartData(rows), [rows]);
  const description = rows
    .map((row) => {
      const figures = series.map((s) => {
        const value = row[s.key];
        return `${s.label} ${value === null ? "none" : formatMs(value)}`;
      });
      return `${row.label}: ${figures.join(", ")}`;
    })
    .join("; ");
  return (
    <BarChart
      data={data}
      options={latencyOptions}
      label={`Latency per runtime. ${description}`}
      height="20rem"
    />
  );
}

function latencyOptions({ ink, line }: ChartTheme) {
  return {
    scales: {
      x: {
        ticks: { color: ink, font: { size: 14, weight: "bold" as const } },
        grid: { display: false },
      },
      // Containers answer in tens of milliseconds, a cold VM in seconds: only a log scale shows both.
      y: {
        type: "logarithmic" as const,
        title: { display: true, text: "client latency (log scale)", color: ink },
        ticks: { color: ink, callback: (value: string | number) => logTick(Number(value)) },
        grid: { color: line },
      },
    },
  };
}

function chartData(rows: LatencyRow[]): ChartData<"bar"> {
  return {
    labels: rows.map((row) => row.label),
    datasets: series.map((s) => ({
      label: s.label,
      data: rows.map((row) => row[s.key] ?? Number.NaN),
      backgroundColor: s.color,
      borderWidth: 0,
    })),
  };
}

/** Labels 1, 2 and 5 times a power of ten only; the log scale's other ticks stay unlabelled. */
function logTick(ms: number): string {
  const leading = ms / 10 ** Math.floor(Math.log10(ms));
  return [1, 2, 5].some((d) => Math.abs(leading - d) < 1e-6) ? formatMs(ms) : "";
}
