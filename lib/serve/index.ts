export * from './app';
export * from './category';
export * from './http';
export * from './models';
export * from './purchase';
export * from './rank';
export * from './rank-index';
