import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { Rng } from '../random';
import { openVersion } from '../registry/index';
import { buildApp } from '../serve/index';
import { runStageScript, tempDir } from '../testing';

/**
 * A product catalogue written for this test: five departments of two leaves each, titles of
 * department words mixed with words every department uses and brand names, the same product
 * listed by several sellers (one group, near-identical titles), one leaf of three products, and
 * the bad rows real files have.
 */
function writeCatalogue(path: string): { products: number; groups: number } {
  const rng = new Rng(11);
  const departments = {
    Toys: { words: ['puzzle', 'doll', 'lego', 'jigsaw', 'teddy'], leaves: ['Puzzles', 'Dolls'] },
    Garden: { words: ['hose', 'spade', 'seeds', 'planter', 'rake'], leaves: ['Tools', 'Plants'] },
    Kitchen: { words: ['pan', 'kettle', 'knife', 'whisk', 'skillet'], leaves: ['Cookware', 'Knives'] },
    Books: { words: ['novel', 'paperback', 'hardcover', 'atlas', 'memoir'], leaves: ['Fiction', 'Travel'] },
    Sport: { words: ['racket', 'football', 'yoga', 'dumbbell', 'helmet'], leaves: ['Fitness', 'Team'] },
  };
  const shared = ['deluxe', 'set', 'kids', 'blue', 'large', 'new', 'classic', 'gift', 'pack', 'mini'];
  const brands = ['Acme', 'Zenith', 'Orbit', 'Nova', 'Pioneer', 'Summit'];
  const lines = ['sku,name,path,maker,cost,shop,listing'];
  let products = 0;
  let groups = 0;
  const names = Object.keys(departments) as (keyof typeof departments)[];
  for (let g = 0; g < 260; g++) {
    const top = names[g % names.length];
    const d = departments[top];
    const leaf = d.leaves[rng.int(2)];
    const own = (leaf === d.leaves[0] ? d.words.slice(0, 3) : d.words.slice(2)).concat(d.words[rng.int(5)]);
    const words = Array.from({ length: 4 }, () =>
      rng.next() < 0.45 ? shared[rng.int(shared.length)] : own[rng.int(own.length)],
    );
    const brand = brands[rng.int(brands.length)];
    const title = `${brand} ${words.join(' ')} ${100 + rng.int(900)}`;
    const price = (5 + rng.next() * 95).toFixed(2);
    const sellers = 1 + rng.int(3);
    groups++;
    for (let s = 0; s < sellers; s++) {
      products++;
      const listed = s === 0 ? title : `${title.toUpperCase()} - seller ${s}`;
      lines.push(`P${products},"${listed}",${top} > ${leaf},${brand},£${price},Shop ${s + 1},G${g}`);
    }
  }
  // A leaf of three products: rare at the leaf level, a normal member of its department at level 1.
  for (let i = 0; i < 3; i++) {
    products++;
    lines.push(`P${products},Acme atlas of maps ${i},Books > Maps,Acme,12.00,Shop 1,R${i}`);
  }
  lines.push(
    'X1,,Toys > Dolls,Acme,3.00,Shop 1,X1', // missing title
    'X2,Nova puzzle,Toys > Puzzles,Nova,about three,Shop 1,X2', // unparseable price
    'X3,too,many,columns,in,this,row,here', // wrong column count
    'X4,Orbit spade with no category,,Orbit,4.00,Shop 2,X4', // unlabeled: kept, not trained on
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { products: products + 1, groups };
}

const MAPPING = [
  ...['--id', 'sku', '--title', 'name', '--category', 'path', '--category-sep', '>'],
  ...['--brand', 'maker', '--price', 'cost', '--seller', 'shop', '--group', 'listing'],
];

describe('a product catalogue from CSV to a trained, reported, served and bulk-scored classifier', () => {
  const dir = tempDir('shoplab-category-');
  const data = join(dir, 'data');
  const catalog = dataCatalog(data);
  const file = join(dir, 'catalogue.csv');
  const written = writeCatalogue(file);

  it('imports, trains at level 1 and at the leaf with rare classes merged, reports, serves and scores a file', async () => {
    const imported = runStageScript('import', ['--format', 'catalog', '--input', file, ...MAPPING, '--data', data]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.summary).toMatchObject({ products: written.products, unlabeled: 1, rows_rejected: 3 });

    const top = runStageScript('train', ['--family', 'category', '--data', data, '--level', '1']);
    expect(top.status, top.stderr).toBe(0);
    const v1 = openVersion(catalog.models.family('category'), top.summary!.version);
    const d1 = v1.metrics().details as Record<string, any>;
    expect(d1.classes).toEqual(['Books', 'Garden', 'Kitchen', 'Sport', 'Toys']);
    // Every labelled product is in one split; the split is by --group, whole groups on one side.
    expect(d1.split.train + d1.split.valid + d1.split.test).toBe(written.products - 1);
    expect(d1.split.grouped_by).toMatch(/--group/);
    expect(d1.labels).toEqual({
      level: 1,
      min_class_products: 10,
      unlabeled: 1,
      rare: { classes: 0, products: 0, merged: false },
    });
    // Both models are reported; the kept one is the better on validation; it beats the brand baseline.
    const { linear, xgboost } = d1.models;
    expect(d1.chosen).toBe(xgboost.valid_macro_f1 > linear.valid_macro_f1 ? 'xgboost' : 'linear');
    const metrics = v1.metrics().metrics;
    expect(metrics.model.macro_f1).toBe(d1.models[d1.chosen].test.macro_f1);
    expect(metrics.model.macro_f1).toBeGreaterThan(metrics.baseline.macro_f1 + 0.2);
    expect(metrics.oracle).toBeNull();
    expect(d1.confident_errors.every((e: any) => typeof e.title === 'string' && e.truth !== e.predicted)).toBe(true);
    expect(readdirSync(v1.dir)).toEqual(
      expect.arrayContaining([
        'model.json',
        'classes.json',
        'category.json',
        'classifier.json',
        'classifier-weights.f32',
      ]),
    );

    expect(runStageScript('promote', ['--family', 'category', '--data', data]).status).toBe(0);

    // The leaf: ten classes of about 50 products and one of three, merged into `other` with a flag.
    const leaf = runStageScript('train', [
      '--family',
      'category',
      '--data',
      data,
      '--min-class',
      '5',
      '--rare',
      'other',
    ]);
    expect(leaf.status, leaf.stderr).toBe(0);
    const d2 = openVersion(catalog.models.family('category'), leaf.summary!.version).metrics().details as Record<
      string,
      any
    >;
    expect(d2.classes).toHaveLength(11);
    expect(d2.classes).toContain('other');
    expect(d2.labels.rare).toEqual({ classes: 1, products: 3, merged: true });
    const bad = runStageScript('train', ['--family', 'category', '--data', data, '--level', 'top']);
    expect([bad.status, bad.stderr.trim().split('\n').at(-1)]).toEqual([
      2,
      "train: --level must be a whole number from 1 or 'leaf', got 'top'",
    ]);

    // The report of a catalogue-only folder: the category page, both models in it.
    const out = join(dir, 'reports');
    const report = runStageScript('report', ['--data', data, '--out', out]);
    expect(report.status, report.stderr).toBe(0);
    const page = readFileSync(join(out, 'category.html'), 'utf8');
    expect(page).toContain('TF-IDF + linear SVM');
    expect(page).toContain('XGBoost (hashed features)');

    // Served: the level-1 version, promoted before the leaf one was trained; CSV in and out.
    const products =
      'id,title,brand,price\nq1,Zenith kettle skillet pan 123,Zenith,20\nq2,Nova football helmet yoga,Nova,\n';
    const app = await buildApp({ dataDir: data });
    let served: string;
    try {
      expect((await app.inject('/ready')).json()).toEqual({ ready: true, models: ['category'] });
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/predict/category',
        payload: products,
        headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      });
      expect(answer.statusCode, answer.body).toBe(200);
      served = answer.body;
    } finally {
      await app.close();
    }
    const servedRows = served.trim().split('\n');
    expect(servedRows.slice(1).map((r) => r.split(',')[1])).toEqual(['Kitchen', 'Sport']);

    // In bulk: the same answers as the service, bad rows counted by reason and row.
    const input = join(dir, 'new.csv');
    const output = join(dir, 'predictions.csv');
    writeFileSync(input, `${products}q3,,Acme,3\nq4,Orbit rake,Orbit,-1\n`);
    const predict = (out: string, ...more: string[]) =>
      runStageScript('predict', ['--family', 'category', '--data', data, '--input', input, '--output', out, ...more]);
    const bulk = predict(output, '--threads', '2', '--version', String(top.summary!.version));
    expect(bulk.status, bulk.stderr).toBe(0);
    expect(bulk.summary).toMatchObject({
      rows_read: 4,
      rows_scored: 2,
      rejected_by_reason: { missing_title: 1, negative_price: 1 },
    });
    expect(bulk.stderr).toContain("predict: rejected row 4, price: negative_price ('-1')");
    expect(readFileSync(output, 'utf8')).toBe(served);
    const missing = predict(join(dir, 'x.csv'), '--title', 'name');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${input} has no column 'name' (title)`);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});
