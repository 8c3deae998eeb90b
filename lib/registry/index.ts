export * from './promote';
export * from './registry';
