export * from './promote';
export * from './registry';
export * from './version';
