"use client";
// The only place the serverless page touches chart.js: p50, p95 and max latency per runtime, side by side.
import { useEffect, useMemo, useRef } from "react";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LogarithmicScale,
  Tooltip,
  type ChartData,
} from "chart.js";
import { formatMs } from "@/components/format/format-units";

Chart.register(BarController, BarElement, CategoryScale, LogarithmicScale, Tooltip, Legend);

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
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<"bar"> | null>(null);
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

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const styles = getComputedStyle(canvas);
    const ink = styles.getPropertyValue("--color-ink").trim() || "#0f172a";
    const line = styles.getPropertyValue("--color-line").trim() || "#cbd5e1";
    const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const chart = new Chart(canvas, {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: {
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 200 },
        scales: {
          x: {
            ticks: { color: ink, font: { size: 14, weight: "bold" } },
            grid: { display: false },
          },
          // Containers answer in tens of milliseconds, a cold VM in seconds: only a log scale shows both.
          y: {
            type: "logarithmic",
            title: { display: true, text: "client latency (log scale)", color: ink },
            ticks: { color: ink, callback: (value) => logTick(Number(value)) },
            grid: { color: line },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { color: ink, boxWidth: 14 } },
          tooltip: {
            callbacks: { label: (item) => `${item.dataset.label}: ${formatMs(Number(item.raw))}` },
          },
        },
      },
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.data = data;
    chart.update();
  }, [data]);

  return (
    <div className="relative h-80 w-full">
      <canvas ref={canvasRef} role="img" aria-label={`Latency per runtime. ${description}`} />
    </div>
  );
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
