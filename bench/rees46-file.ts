import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Rng } from '../lib/random';

/** What a generated REES46 log looks like; every count scales with the rows unless given. */
export interface Rees46FileOptions {
  seed?: number;
  /** The first day, `YYYY-MM-DD` (default 2019-10-01, the public October file's). */
  start?: string;
  /** Days the rows spread over (default 31). */
  days?: number;
  /** Distinct users (default rows / 14: the October file has 42 M events of 3 M users). */
  users?: number;
  /** Distinct products (default rows / 250, at least 1,000, at most 166,000). */
  products?: number;
}

const DEPARTMENTS = ['electronics', 'appliances', 'computers', 'apparel', 'furniture', 'construction', 'kids', 'auto'];
const KINDS = ['smartphone', 'kitchen', 'notebook', 'shoes', 'living_room', 'tools', 'toys', 'accessories', 'audio'];
/** Seconds between a session's events, about: the log interleaves as many sessions as this keeps open. */
const SESSION_GAP = 60;
const CART_RATE = 0.12;
const BUY_GIVEN_CART = 0.5;

/**
 * Writes a REES46-format CSV of `rows` rows (seeded) in time order, as the public eCommerce
 * behaviour logs are: the header, `YYYY-MM-DD hh:mm:ss UTC` stamps, 19-digit category ids, empty
 * category codes and brands for some products, users with several sessions (some users far more
 * active than others), sessions interleaved, a session browsing one category with popular products
 * seen more, and about 12 % of sessions carting a product they viewed, half of those buying it.
 */
export async function writeRees46File(path: string, rows: number, options: Rees46FileOptions = {}): Promise<void> {
  const rng = new Rng(options.seed ?? 7);
  const days = options.days ?? 31;
  const users = options.users ?? Math.max(100, Math.round(rows / 14));
  const products = options.products ?? Math.min(166_000, Math.max(1000, Math.round(rows / 250)));
  const categories = Math.max(4, Math.round(products / 300));

  // Products: a category each (contiguous ranges), a price, a brand or none; categories a code or none.
  const categoryOf = new Int32Array(products);
  const firstOf = new Int32Array(categories + 1);
  for (let c = 0, p = 0; c < categories; c++) {
    firstOf[c] = p;
    const end = c === categories - 1 ? products : Math.round(((c + 1) * products) / categories);
    for (; p < end; p++) categoryOf[p] = c;
  }
  firstOf[categories] = products;
  const categoryText = Array.from({ length: categories }, (_, c) => {
    const code = rng.bernoulli(0.3)
      ? ''
      : `${DEPARTMENTS[c % DEPARTMENTS.length]}.${KINDS[Math.floor(c / DEPARTMENTS.length) % KINDS.length]}${c >= DEPARTMENTS.length * KINDS.length ? `_${c}` : ''}`;
    return `${2053013552226107603n + BigInt(c * 7919)},${code}`;
  });
  const productText = Array.from({ length: products }, (_, p) => {
    const brand = rng.bernoulli(0.15) ? '' : `brand${rng.int(Math.max(10, Math.round(products / 80)))}`;
    const price = Math.exp(1.5 + 4.5 * rng.next()).toFixed(2);
    return `${1_000_000 + p * 13},${categoryText[categoryOf[p]]},${brand},${price}`;
  });
  /** A product of category c, the popular ones (low offsets) far more often. */
  const productIn = (c: number) => {
    const n = firstOf[c + 1] - firstOf[c];
    return firstOf[c] + Math.min(n - 1, Math.floor(n * rng.next() ** 3));
  };

  interface Session {
    user: number;
    id: string;
    category: number;
    left: number;
    /** 0 browsing; 1 carts its last product next; 2 buys it next. */
    buying: number;
    last: number;
  }
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);
  const newSession = (): Session => {
    const carts = rng.bernoulli(CART_RATE);
    return {
      user: 500_000_000 + Math.floor(users * rng.next() ** 2),
      id: `${hex(rng.uint32(), 8)}-${hex(rng.uint32(), 4)}-4${hex(rng.uint32(), 3)}-${hex(rng.uint32(), 4)}-${hex(rng.uint32(), 8)}${hex(rng.uint32(), 4)}`,
      category: Math.floor(categories * rng.next() ** 2),
      left: 1 + rng.geometric(0.3),
      buying: carts ? (rng.bernoulli(BUY_GIVEN_CART) ? 2 : 1) : 0,
      last: -1,
    };
  };
  const openSessions = Math.max(1, Math.min(5000, Math.round((SESSION_GAP * rows) / (days * 86_400))));
  const open = Array.from({ length: openSessions }, newSession);

  const out = createWriteStream(path);
  out.write('event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n');
  const start = Date.parse(`${options.start ?? '2019-10-01'}T00:00:00Z`);
  const step = (days * 86_400_000) / rows;
  let second = -1;
  let stamp = '';
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    const t = start + Math.floor(i * step);
    if (Math.floor(t / 1000) !== second) {
      second = Math.floor(t / 1000);
      stamp = `${new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    }
    const k = rng.int(openSessions);
    const s = open[k];
    let type = 'view';
    let product: number;
    if (s.left <= 0 && s.buying > 0 && s.last >= 0) {
      // The session's end: cart the last product viewed, then buy it.
      type = s.buying === 3 ? 'purchase' : 'cart';
      product = s.last;
      s.buying = s.buying === 2 ? 3 : 0;
    } else {
      product = rng.bernoulli(0.1) ? productIn(Math.floor(categories * rng.next() ** 2)) : productIn(s.category);
      s.last = product;
      s.left--;
    }
    buffer += `${stamp},${type},${productText[product]},${s.user},${s.id}\n`;
    if (s.left <= 0 && s.buying === 0) open[k] = newSession();
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
