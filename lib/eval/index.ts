export * from './auc';
export * from './binary';
export * from './multiclass';
export * from './ranking';
export * from './recommend';
export * from './curves';
export * from './directions';
