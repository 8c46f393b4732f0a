/** One line of a plot: a name and its points. */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: Array<{ x: number; y: number; low: number; high: number; label: string }>;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A step of 1, 2 or 5 times a power of ten giving about `count` ticks up to `max`. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map(m => m * power).find(step => step >= raw)!;
}

/**
 * A line chart as SVG text, written by hand (no plotting dependency): linear axes from
 * zero, one polyline per series, a min–max bar at each point and the point's label.
 */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const width = 760;
  const height = 440;
  const margin = { left: 70, right: 30, top: 50, bottom: 70 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const all = series.flatMap(s => s.points);
  const xStep = tickStep(Math.max(...all.map(p => p.x)), 6);
  const yStep = tickStep(Math.max(...all.map(p => p.high)), 6);
  const xMax = Math.ceil(Math.max(...all.map(p => p.x)) / xStep) * xStep;
  const yMax = Math.ceil(Math.max(...all.map(p => p.high)) / yStep) * yStep;
  const sx = (x: number) => margin.left + (x / xMax) * plotWidth;
  const sy = (y: number) => margin.top + plotHeight - (y / yMax) * plotHeight;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escape(title)}</text>`,
  ];
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    out.push(`<line x1="${margin.left}" y1="${sy(y)}" x2="${margin.left + plotWidth}" y2="${sy(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${margin.left - 8}" y="${sy(y) + 4}" text-anchor="end">${+y.toFixed(2)}</text>`);
  }
  for (let x = 0; x <= xMax + 1e-9; x += xStep) {
    out.push(`<line x1="${sx(x)}" y1="${margin.top + plotHeight}" x2="${sx(x)}" y2="${margin.top + plotHeight + 5}" stroke="#333"/>`);
    out.push(`<text x="${sx(x)}" y="${margin.top + plotHeight + 20}" text-anchor="middle">${+x.toFixed(2)}</text>`);
  }
  out.push(`<line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${margin.left + plotWidth}" y2="${margin.top + plotHeight}" stroke="#333"/>`);
  out.push(`<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}" stroke="#333"/>`);
  out.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 20}" text-anchor="middle">${escape(xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  series.forEach((s, i) => {
    const points = [...s.points].sort((a, b) => a.x - b.x);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.map(p => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of points) {
      out.push(`<line x1="${sx(p.x)}" y1="${sy(p.low)}" x2="${sx(p.x)}" y2="${sy(p.high)}" stroke="${s.color}"/>`);
      out.push(`<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="4" fill="${s.color}"/>`);
      if (i === 0) {
        out.push(`<text x="${sx(p.x) + 6}" y="${sy(p.y) - 8}" fill="#555">${escape(p.label)}</text>`);
      }
    }
    out.push(`<rect x="${margin.left + 12}" y="${margin.top + 8 + i * 18}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${margin.left + 30}" y="${margin.top + 18 + i * 18}">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
