"use client";
// The only place chart.js is touched: a bar chart whose data and options the caller describes.
import { useEffect, useRef } from "react";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  type ChartData,
  type ChartOptions,
} from "chart.js";
import { formatMs } from "@/components/format/format-units";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
);

/** The page's colours (from its CSS variables), read once when the chart is created. */
export interface ChartTheme {
  ink: string;
  line: string;
}

export interface BarChartProps {
  data: ChartData<"bar">;
  /** Scales and anything else the chart needs beyond the shared look (legend, tooltip, animation). */
  options: (theme: ChartTheme) => ChartOptions<"bar">;
  /** What the chart shows, in words: the canvas's accessible name. */
  label: string;
  height: string;
}

export function BarChart({ data, options, label, height }: BarChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<"bar"> | null>(null);
  // The options are fixed for the chart's life; only the data changes.
  const optionsRef = useRef(options);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const styles = getComputedStyle(canvas);
    const theme = {
      ink: styles.getPropertyValue("--color-ink").trim() || "#0f172a",
      line: styles.getPropertyValue("--color-line").trim() || "#cbd5e1",
    };
    const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const chart = new Chart(canvas, {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: {
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 200 },
        plugins: {
          legend: { position: "bottom", labels: { color: theme.ink, boxWidth: 14 } },
          tooltip: {
            callbacks: { label: (item) => `${item.dataset.label}: ${formatMs(Number(item.raw))}` },
          },
        },
        ...optionsRef.current(theme),
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
    <div className="relative w-full" style={{ height }}>
      <canvas ref={canvasRef} role="img" aria-label={label} />
    </div>
  );
}
