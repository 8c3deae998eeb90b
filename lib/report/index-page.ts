import { escapeHtml, fmt, page, table } from './html';
import { type FamilyReport, regressions } from './family';

/** A family the last `make all` could not train on this data, and why (models/<family>/skipped.json). */
export interface SkippedFamily {
  family: string;
  reason: string;
}

/** reports/index.html: each family's headline, its promotion, links to the pages and the exported notebooks, and the families skipped. */
export function indexPage(
  reports: FamilyReport[],
  notebooks: string[],
  nav: { href: string; label: string }[],
  skipped: SkippedFamily[] = [],
): string {
  const rows = reports.map((r) => {
    const m = (ref: 'random' | 'baseline' | 'model' | 'oracle') => fmt(r.metrics[ref]?.[r.primary]);
    const regressed = regressions(r);
    return [
      { html: `<a href="${escapeHtml(r.family)}.html">${escapeHtml(r.family)}</a>` },
      `v${r.version}`,
      r.primary,
      m('random'),
      m('baseline'),
      m('model'),
      m('oracle'),
      r.production ? `v${r.production.version}: ${fmt(r.production.metrics[r.primary])}` : '—',
      r.promotion ? (r.promotion.promoted ? 'promoted' : 'kept production') : '—',
      regressed.length ? { html: `▼ ${regressed.map(escapeHtml).join(', ')}`, cls: 'regressed' } : '—',
    ];
  });
  const body = `<h1>shoplab · evaluation reports</h1>
<p class="muted">Test-split metrics of the newest model of each family beside a random floor, a simple baseline and the oracle (the generator's true probabilities), and the production model before this run.</p>
${rows.length ? table(['family', 'version', 'primary', 'random', 'baseline', 'model', 'oracle', 'production before', 'decision', 'regressed'], rows) : '<p>No model family could be trained on this data.</p>'}
${
  skipped.length
    ? `<h2>Skipped on this data</h2>\n${table(
        ['family', 'reason'],
        skipped.map((x) => [x.family, x.reason]),
      )}`
    : ''
}
<h2>Notebooks</h2>
${notebooks.length ? `<ul>${notebooks.map((n) => `<li><a href="notebooks/${escapeHtml(n)}">${escapeHtml(n)}</a></li>`).join('')}</ul>` : '<p class="muted">Not exported yet: make notebooks.</p>'}`;
  return page('shoplab · reports', body, nav);
}
