/** A chart.js chart in a canvas, updated in place when its data changes (bundled: no CDN). */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { at } from '@poa-vote/shared';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface BarChartProps {
  labels: string[];
  values: number[];
  /** What the chart shows, read by screen readers (the numbers are also in a table next to it). */
  label: string;
  horizontal?: boolean;
  color?: string;
  small?: boolean;
}

/** A bar chart; no animation, so what is drawn is always the latest data. */
export function BarChart({
  labels,
  values,
  label,
  horizontal = false,
  color = '#0a58ca',
  small = false,
}: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels, datasets: [{ label, data: values, backgroundColor: color }] },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { tooltip: { enabled: true } },
        scales: { [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
    chart.current = new Chart(canvas.current, config);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [horizontal, label, color]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = labels;
    at(c.data.datasets, 0, 'chart dataset').data = values;
    c.update();
  }, [labels.join('\u0000'), values.join(',')]);
  return (
    <div class={small ? 'chart small' : 'chart'}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
