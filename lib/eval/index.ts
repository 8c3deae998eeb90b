export * from './auc';
