/** Markdown tables for docs/benchmarks.md: numbers right-aligned, missing figures as "—". */

/** null is what a missing figure (NaN) becomes in the JSON the page can be re-rendered from. */
export type Cell = string | number | undefined | null;

/** A number with as many decimals as its size deserves (3 significant figures, at most 2 decimals). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: decimals });
}

export const formatRatio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');

const cellText = (cell: Cell): string =>
  cell === undefined || cell === null
    ? '—'
    : typeof cell === 'number'
      ? formatNumber(cell)
      : cell.replace(/\|/g, '\\|');

/** A GitHub-flavoured markdown table; columns holding numbers only (and blanks) are right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const numeric = header.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every(
        (row) =>
          row[i] === undefined || typeof row[i] === 'number' || /^[\d.,×%—-]+( ?ms)?$/.test(String(row[i])),
      ),
  );
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header.map((h) => h.replace(/\|/g, '\\|'))),
    line(numeric.map((right) => (right ? '---:' : '---'))),
    ...rows.map((row) => line(header.map((_, i) => cellText(row[i])))),
  ].join('\n');
}
