import { plotlyScript } from '../viz/index';

export const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 24px 48px; color: #1d2430; }
h1 { margin: 24px 0 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #dde2ea; padding-bottom: 4px; }
nav a { margin-right: 14px; } .muted { color: #667085; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { padding: 4px 10px; border-bottom: 1px solid #eef0f4; text-align: right; }
th:first-child, td:first-child { text-align: left; } thead th { background: #f5f7fa; }
tr.primary td, tr.primary th { font-weight: 600; } td.regressed { color: #b42318; font-weight: 600; } td.improved { color: #067647; }
table.left td, table.left th { text-align: left; } td code { word-break: break-all; white-space: normal; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; } code { background: #f2f4f7; padding: 1px 4px; border-radius: 3px; }
`;

/** A self-contained page: inline CSS and plotly.js, so it opens from disk with no network. */
export function page(title: string, body: string, nav: { href: string; label: string }[] = []): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style>
${plotlyScript()}</head>
<body>${nav.length ? `<nav>${nav.map((n) => `<a href="${escapeHtml(n.href)}">${escapeHtml(n.label)}</a>`).join('')}</nav>` : ''}
${body}
</body></html>
`;
}

/** An HTML table; cells are escaped unless given as `{ html }`; `rowClass` marks rows. */
export function table(
  headers: string[],
  rows: (string | number | { html: string; cls?: string })[][],
  rowClass: (i: number) => string = () => '',
  cls = '',
): string {
  const cell = (c: string | number | { html: string; cls?: string }) =>
    typeof c === 'object'
      ? `<td${c.cls ? ` class="${c.cls}"` : ''}>${c.html}</td>`
      : `<td>${escapeHtml(String(c))}</td>`;
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr${rowClass(i) ? ` class="${rowClass(i)}"` : ''}>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export const fmt = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
