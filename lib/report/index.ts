export * from './family';
export * from './html';
export * from './index-page';
export * from './explore';
