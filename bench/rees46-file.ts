import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Rng } from '../lib/random';

const TYPES = ['view', 'view', 'view', 'view', 'view', 'view', 'view', 'cart', 'remove_from_cart', 'purchase'];
const CODES = [
  'electronics.smartphone',
  'appliances.kitchen.washer',
  'computers.notebook',
  '',
  'apparel.shoes',
  'furniture.living_room.sofa',
];
const BRANDS = ['samsung', 'apple', 'xiaomi', '', 'huawei', 'lucente', 'bosch'];

/** Writes a REES46-style CSV of `rows` rows (seeded), one session per ~8 rows, in time order. */
export async function writeRees46File(path: string, rows: number, seed = 7): Promise<void> {
  const rng = new Rng(seed);
  const out = createWriteStream(path);
  out.write('event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n');
  let t = Date.parse('2019-10-01T00:00:00Z');
  let user = 0;
  let session = '';
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    if (i % 8 === 0) {
      user = 500_000_000 + rng.int(200_000);
      session = `${rng.uint32().toString(16).padStart(8, '0')}-${rng.uint32().toString(16).padStart(8, '0')}`;
    }
    t += rng.int(3) * 1000;
    const product = 1_000_000 + rng.int(100_000);
    const stamp = new Date(t).toISOString().slice(0, 19).replace('T', ' ');
    buffer += `${stamp} UTC,${TYPES[rng.int(TYPES.length)]},${product},${2053013552226107603n + BigInt(product % 500)},${CODES[product % CODES.length]},${BRANDS[product % BRANDS.length]},${(product % 1000) + 0.99},${user},${session}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
