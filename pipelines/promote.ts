import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, runStage, say } from '../lib/cli';
import {
  decidePromotion,
  listVersions,
  promotionPath,
  readProduction,
  openVersion,
  writeJsonAtomic,
  writeProduction,
} from '../lib/registry/index';
import { FAMILY_NAMES, familyFlag, loadTrainConfig } from '../lib/families/index';
import { DEFAULT_CONFIG } from '../lib/train/index';

await runStage('promote', async () => {
  const flags = parseFlags(
    `npx tsx pipelines/promote.ts --family ${FAMILY_NAMES.join('|')} [--margin 0.05] [--data DIR] [--config FILE]`,
    {
      family: { type: 'string', description: `model family: ${FAMILY_NAMES.join(', ')}` },
      margin: {
        type: 'string',
        description: "relative gain the primary metric needs over production (default: the config's promotion_margin)",
      },
      data: { type: 'string', default: 'data', description: 'data folder: reads and updates models/<family>/' },
      config: {
        type: 'string',
        default: DEFAULT_CONFIG,
        description: 'primary and guard metrics of each family, and the default margin',
      },
    },
  );
  const family = familyFlag(flags.family);
  const config = loadTrainConfig(flags.config);
  const margin = flags.margin === undefined ? config.promotion_margin : Number(flags.margin);
  if (!(margin >= 0 && Number.isFinite(margin)))
    throw new InputError(`--margin must be a number ≥ 0 (0.05 = 5 %), got '${flags.margin}'`);
  const { primary, guards } = config.families[family];
  const familyDir = dataCatalog(flags.data).models.family(family);
  const newest = listVersions(familyDir).at(-1);
  if (newest === undefined)
    throw new InputError(
      `${familyDir}: no registered ${family} model; run pipelines/train.ts --family ${family} first`,
    );
  const metricsOf = (version: number) => openVersion(familyDir, version).metrics().metrics.model;
  const production = readProduction(familyDir);
  let decision;
  if (production?.version === newest) decision = { promote: false, reason: `v${newest} is already in production` };
  else
    decision = decidePromotion({
      candidate: metricsOf(newest),
      production: production ? metricsOf(production.version) : null,
      primary,
      guards,
      margin,
      features: production
        ? {
            candidate: openVersion(familyDir, newest).features(),
            production: openVersion(familyDir, production.version).features(),
          }
        : undefined,
    });
  if (decision.promote) writeProduction(familyDir, { version: newest, reason: decision.reason });
  // What this promotion compared, for the report's "production before this run" column.
  writeJsonAtomic(promotionPath(familyDir), {
    candidate: newest,
    production_before: production?.version ?? null,
    promoted: decision.promote,
    reason: decision.reason,
    margin,
  });
  say(`promote: ${family} v${newest} ${decision.promote ? 'promoted' : 'not promoted'}: ${decision.reason}`);
  return {
    metaPath: dataCatalog(flags.data).runMeta(`promote-${family}`),
    summary: {
      family,
      candidate: newest,
      production_before: production?.version ?? null,
      production: decision.promote ? newest : (production?.version ?? null),
      promoted: decision.promote,
      reason: decision.reason,
      margin,
    },
  };
});
