export * from './logistic';
