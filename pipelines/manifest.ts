import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InputError, parseFlags, runStage } from '../lib/cli';
import { dataManifest } from '../lib/io/index';

await runStage('manifest', async () => {
  const flags = parseFlags('npx tsx pipelines/manifest.ts [--data DIR]', {
    data: {
      type: 'string',
      default: 'data',
      description: 'data folder whose artifacts are listed (meta/ is left out)',
    },
  });
  if (!existsSync(flags.data)) throw new InputError(`${flags.data}: no such data folder`);
  const text = dataManifest(flags.data);
  const path = join(flags.data, 'MANIFEST.sha256');
  writeFileSync(`${path}.tmp-${process.pid}`, text);
  renameSync(`${path}.tmp-${process.pid}`, path);
  return { summary: { path, files: text.split('\n').filter(Boolean).length } };
});
