/** Small statistics and table printing for the benchmarks: medians, a least-squares line, aligned tables. */

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
    if (xs.length === 0) {
        throw new Error("median of nothing");
    }
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** time = fixedSeconds + bytes / bytesPerSecond, fitted by least squares. */
export interface Fit {
    readonly fixedSeconds: number;
    readonly bytesPerSecond: number;
    readonly points: number;
}

/** The least-squares line through (bytes, seconds) points; undefined without two distinct sizes. */
export function leastSquares(points: ReadonlyArray<{ readonly bytes: number; readonly seconds: number }>): Fit | undefined {
    const n = points.length;
    if (new Set(points.map((p) => p.bytes)).size < 2) {
        return undefined;
    }
    const mx = points.reduce((s, p) => s + p.bytes, 0) / n;
    const my = points.reduce((s, p) => s + p.seconds, 0) / n;
    const sxx = points.reduce((s, p) => s + (p.bytes - mx) ** 2, 0);
    const sxy = points.reduce((s, p) => s + (p.bytes - mx) * (p.seconds - my), 0);
    const slope = sxy / sxx;
    return { fixedSeconds: my - slope * mx, bytesPerSecond: 1 / slope, points: n };
}

/** An aligned plain-text table: the first row is the header, the first column left-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r, ri) => {
        const line = r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
        return ri === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    }).join("\n");
}

export const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
export const mbps = (bytesPerSecond: number) => `${Math.round(bytesPerSecond / 1e6)} MB/s`;
export const pct = (part: number, whole: number) => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;
