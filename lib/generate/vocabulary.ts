/**
 * The shop's category tree and words. Each leaf lists its nouns: the first is the one titles use,
 * the others are synonyms shoppers type in searches.
 */
export interface TopCategory {
  name: string;
  adjectives: string[];
  /** Median base price of the category, in currency units. */
  medianPrice: number;
  leaves: { name: string; nouns: string[] }[];
}

export const CATEGORY_TREE: TopCategory[] = [
  {
    name: 'Electronics',
    medianPrice: 120,
    adjectives: ['wireless', 'smart', 'portable', 'compact', 'digital', 'pro'],
    leaves: [
      { name: 'Headphones', nouns: ['headphones', 'earphones', 'headset'] },
      { name: 'Smartphones', nouns: ['smartphone', 'phone', 'mobile'] },
      { name: 'Laptops', nouns: ['laptop', 'notebook', 'ultrabook'] },
      { name: 'Tablets', nouns: ['tablet', 'pad'] },
      { name: 'Cameras', nouns: ['camera', 'camcorder'] },
      { name: 'Speakers', nouns: ['speaker', 'soundbar', 'boombox'] },
    ],
  },
  {
    name: 'Home & Kitchen',
    medianPrice: 45,
    adjectives: ['stainless', 'nonstick', 'ceramic', 'electric', 'large', 'classic'],
    leaves: [
      { name: 'Cookware', nouns: ['pan', 'skillet', 'frypan'] },
      { name: 'Coffee Makers', nouns: ['coffee maker', 'espresso machine', 'brewer'] },
      { name: 'Blenders', nouns: ['blender', 'mixer', 'smoothie maker'] },
      { name: 'Bedding', nouns: ['duvet', 'comforter', 'quilt'] },
      { name: 'Lighting', nouns: ['lamp', 'light', 'lantern'] },
      { name: 'Storage', nouns: ['storage box', 'organizer', 'container'] },
    ],
  },
  {
    name: 'Fashion',
    medianPrice: 40,
    adjectives: ['slim', 'casual', 'leather', 'cotton', 'vintage', 'summer'],
    leaves: [
      { name: 'Sneakers', nouns: ['sneakers', 'trainers', 'running shoes'] },
      { name: 'Jackets', nouns: ['jacket', 'coat', 'parka'] },
      { name: 'Jeans', nouns: ['jeans', 'denim', 'pants'] },
      { name: 'Dresses', nouns: ['dress', 'gown'] },
      { name: 'Watches', nouns: ['watch', 'wristwatch', 'timepiece'] },
      { name: 'Bags', nouns: ['backpack', 'bag', 'rucksack'] },
    ],
  },
  {
    name: 'Beauty',
    medianPrice: 18,
    adjectives: ['organic', 'hydrating', 'matte', 'gentle', 'natural', 'travel'],
    leaves: [
      { name: 'Skincare', nouns: ['moisturizer', 'face cream', 'lotion'] },
      { name: 'Makeup', nouns: ['lipstick', 'lip color'] },
      { name: 'Fragrance', nouns: ['perfume', 'fragrance', 'cologne'] },
      { name: 'Hair Care', nouns: ['shampoo', 'hair wash'] },
      { name: 'Nail Care', nouns: ['nail polish', 'nail lacquer'] },
      { name: 'Shaving', nouns: ['razor', 'shaver', 'trimmer'] },
    ],
  },
  {
    name: 'Sports',
    medianPrice: 35,
    adjectives: ['lightweight', 'durable', 'adjustable', 'foldable', 'training', 'outdoor'],
    leaves: [
      { name: 'Yoga', nouns: ['yoga mat', 'exercise mat'] },
      { name: 'Cycling', nouns: ['bike helmet', 'cycling helmet'] },
      { name: 'Fitness', nouns: ['dumbbell', 'kettlebell', 'weights'] },
      { name: 'Camping', nouns: ['tent', 'shelter'] },
      { name: 'Running', nouns: ['running belt', 'waist pack'] },
      { name: 'Swimming', nouns: ['swim goggles', 'goggles'] },
    ],
  },
  {
    name: 'Toys',
    medianPrice: 25,
    adjectives: ['educational', 'colorful', 'wooden', 'magnetic', 'mini', 'deluxe'],
    leaves: [
      { name: 'Building Blocks', nouns: ['building blocks', 'bricks', 'construction set'] },
      { name: 'Dolls', nouns: ['doll', 'figure'] },
      { name: 'Puzzles', nouns: ['puzzle', 'jigsaw'] },
      { name: 'Board Games', nouns: ['board game', 'tabletop game'] },
      { name: 'RC Toys', nouns: ['rc car', 'remote control car'] },
      { name: 'Plush', nouns: ['plush toy', 'stuffed animal', 'teddy'] },
    ],
  },
  {
    name: 'Books',
    medianPrice: 15,
    adjectives: ['illustrated', 'hardcover', 'paperback', 'bestselling', 'complete', 'new'],
    leaves: [
      { name: 'Fiction', nouns: ['novel', 'fiction book'] },
      { name: 'Cookbooks', nouns: ['cookbook', 'recipe book'] },
      { name: 'Children', nouns: ['picture book', 'kids book'] },
      { name: 'Science', nouns: ['science book', 'physics guide'] },
      { name: 'Travel Guides', nouns: ['travel guide', 'guidebook'] },
      { name: 'Comics', nouns: ['comic', 'graphic novel', 'manga'] },
    ],
  },
  {
    name: 'Grocery',
    medianPrice: 8,
    adjectives: ['organic', 'gluten free', 'roasted', 'spicy', 'family size', 'fresh'],
    leaves: [
      { name: 'Coffee', nouns: ['coffee beans', 'ground coffee'] },
      { name: 'Tea', nouns: ['green tea', 'tea bags', 'herbal tea'] },
      { name: 'Snacks', nouns: ['crackers', 'chips', 'snack mix'] },
      { name: 'Pasta', nouns: ['pasta', 'spaghetti', 'noodles'] },
      { name: 'Sauces', nouns: ['tomato sauce', 'pasta sauce'] },
      { name: 'Chocolate', nouns: ['chocolate bar', 'dark chocolate'] },
    ],
  },
  {
    name: 'Garden',
    medianPrice: 30,
    adjectives: ['weatherproof', 'solar', 'ergonomic', 'heavy duty', 'green', 'folding'],
    leaves: [
      { name: 'Hoses', nouns: ['garden hose', 'water hose'] },
      { name: 'Planters', nouns: ['planter', 'flower pot', 'plant pot'] },
      { name: 'Garden Tools', nouns: ['pruner', 'secateurs', 'shears'] },
      { name: 'Outdoor Lighting', nouns: ['solar light', 'garden light', 'path light'] },
      { name: 'Seeds', nouns: ['seeds', 'seed kit'] },
      { name: 'Grills', nouns: ['grill', 'barbecue', 'bbq'] },
    ],
  },
  {
    name: 'Automotive',
    medianPrice: 28,
    adjectives: ['universal', 'heavy duty', 'premium', 'waterproof', 'quick', 'magnetic'],
    leaves: [
      { name: 'Car Care', nouns: ['car wax', 'polish'] },
      { name: 'Phone Mounts', nouns: ['phone mount', 'car holder'] },
      { name: 'Seat Covers', nouns: ['seat cover', 'seat protector'] },
      { name: 'Dash Cams', nouns: ['dash cam', 'dashboard camera'] },
      { name: 'Tire Care', nouns: ['tire inflator', 'air compressor'] },
      { name: 'Car Chargers', nouns: ['car charger', 'usb charger'] },
    ],
  },
  {
    name: 'Pet Supplies',
    medianPrice: 20,
    adjectives: ['chewable', 'washable', 'orthopedic', 'interactive', 'grain free', 'cozy'],
    leaves: [
      { name: 'Dog Food', nouns: ['dog food', 'kibble'] },
      { name: 'Cat Toys', nouns: ['cat toy', 'teaser'] },
      { name: 'Pet Beds', nouns: ['pet bed', 'dog bed'] },
      { name: 'Leashes', nouns: ['leash', 'lead'] },
      { name: 'Litter', nouns: ['cat litter', 'litter'] },
      { name: 'Aquarium', nouns: ['aquarium', 'fish tank'] },
    ],
  },
  {
    name: 'Office',
    medianPrice: 22,
    adjectives: ['ergonomic', 'refillable', 'recycled', 'premium', 'adjustable', 'slim'],
    leaves: [
      { name: 'Pens', nouns: ['pen', 'ballpoint', 'rollerball'] },
      { name: 'Notebooks', nouns: ['notebook', 'journal', 'notepad'] },
      { name: 'Desk Chairs', nouns: ['desk chair', 'office chair'] },
      { name: 'Desk Lamps', nouns: ['desk lamp', 'task light'] },
      { name: 'Printers', nouns: ['printer', 'inkjet'] },
      { name: 'Shredders', nouns: ['shredder', 'paper shredder'] },
    ],
  },
];

export const MODEL_SUFFIXES = ['', '', '', ' Pro', ' Plus', ' Max', ' Lite', ' 2', ' X', ' Mini'];

export const BRAND_SYLLABLES = [
  'zen',
  'ko',
  'ra',
  'vi',
  'lux',
  'mo',
  'tek',
  'no',
  'ar',
  'qi',
  'sol',
  'pi',
  'ver',
  'ta',
  'del',
  'on',
  'ix',
  'bo',
  'cas',
  'lu',
];
