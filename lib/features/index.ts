export * from './examples';
export * from './history';
export * from './manifest';
export * from './running-totals';
export * from './sets';
export * from './text';
export * from './build';
