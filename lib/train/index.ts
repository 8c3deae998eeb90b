export * from './config';
export * from './data';
export * from './evaluate';
export * from './fit';
export * from './references';
export * from './card';
export * from './load';
export * from './details';
