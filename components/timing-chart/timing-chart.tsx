"use client";
// The only place chart.js is touched: one horizontal stacked bar per run, one segment per phase.
import { useEffect, useMemo, useRef } from "react";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartData,
} from "chart.js";
import type { Timings } from "@/lib/api/schemas";
import { formatMs } from "@/components/format/format-units";
import { deriveSegments, segmentKinds, totalMs } from "./timing-segments";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface TimingRow {
  label: string;
  timings: Timings;
}

export interface TimingChartProps {
  rows: TimingRow[];
}

// Okabe–Ito colours: told apart with the common colour-vision deficiencies.
const segmentColors: Record<string, string> = {
  queue: "#999999",
  prepare: "#E69F00",
  vmmStart: "#F0E442",
  kernelBoot: "#0072B2",
  guestInit: "#D55E00",
  firstOutput: "#56B4E9",
  workload: "#009E73",
  vmShutdown: "#000000",
  teardown: "#CC79A7",
};

export function TimingChart({ rows }: TimingChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<"bar"> | null>(null);
  const data = useMemo(() => chartData(rows), [rows]);
  const description = rows
    .map((row) => `${row.label}: ${formatMs(totalMs(row.timings))} in all`)
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
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 200 },
        scales: {
          x: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: "milliseconds since the request", color: ink },
            ticks: { color: ink, callback: (value) => formatMs(Number(value)) },
            grid: { color: line },
          },
          y: {
            stacked: true,
            ticks: { color: ink, font: { size: 14, weight: "bold" } },
            grid: { display: false },
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
    <div className="relative w-full" style={{ height: `${Math.max(1, rows.length) * 56 + 96}px` }}>
      <canvas ref={canvasRef} role="img" aria-label={`Timing by phase. ${description}`} />
    </div>
  );
}

function chartData(rows: TimingRow[]): ChartData<"bar"> {
  const segmentsByRow = rows.map((row) => deriveSegments(row.timings));
  return {
    labels: rows.map((row) => row.label),
    datasets: segmentKinds
      .map((kind, index) => ({
        label: kind.label,
        data: segmentsByRow.map((segments) => segments[index].ms),
        backgroundColor: segmentColors[kind.key],
        borderWidth: 0,
        barThickness: 28,
      }))
      // A phase no compared run has (VM boot phases beside containers only) stays out of the legend.
      .filter((dataset) => dataset.data.some((ms) => ms > 0)),
  };
}
