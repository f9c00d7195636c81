"use client";
// One horizontal stacked bar per run, one segment per phase (drawn by the shared BarChart).
import { useMemo } from "react";
import type { ChartData } from "chart.js";
import { BarChart, type ChartTheme } from "@/components/bar-chart/bar-chart";
import type { Timings } from "@/lib/api/phases";
import { vmPathOf } from "@/lib/api/vm-path";
import { formatMs } from "@/components/format/format-units";
import { deriveSegments, segmentKinds, totalMs } from "./timing-segments";

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
  restore: "#332288",
  resume: "#88CCEE",
  vmmStart: "#F0E442",
  kernelBoot: "#0072B2",
  guestInit: "#D55E00",
  firstOutput: "#56B4E9",
  workload: "#009E73",
  vmShutdown: "#000000",
  teardown: "#CC79A7",
};

export function TimingChart({ rows }: TimingChartProps) {
  const data = useMemo(() => chartData(rows), [rows]);
  const description = rows
    .map((row) => `${rowLabel(row)}: ${formatMs(totalMs(row.timings))} in all`)
    .join("; ");
  return (
    <BarChart
      data={data}
      options={timingOptions}
      label={`Timing by phase. ${description}`}
      height={`${Math.max(1, rows.length) * 56 + 96}px`}
    />
  );
}

function timingOptions({ ink, line }: ChartTheme) {
  return {
    indexAxis: "y" as const,
    scales: {
      x: {
        stacked: true,
        beginAtZero: true,
        title: { display: true, text: "milliseconds since the request", color: ink },
        ticks: { color: ink, callback: (value: string | number) => formatMs(Number(value)) },
        grid: { color: line },
      },
      y: {
        stacked: true,
        ticks: { color: ink, font: { size: 14, weight: "bold" as const } },
        grid: { display: false },
      },
    },
  };
}

/** A microVM run says which path its VM took: pooled, restored from the snapshot, or a cold boot. */
function rowLabel(row: TimingRow): string {
  const path = vmPathOf(row.timings);
  return path ? `${row.label} (${path})` : row.label;
}

function chartData(rows: TimingRow[]): ChartData<"bar"> {
  const segmentsByRow = rows.map((row) => deriveSegments(row.timings));
  return {
    labels: rows.map(rowLabel),
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
