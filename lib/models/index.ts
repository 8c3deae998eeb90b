export * from './logistic';
export * from './logistic-tfjs';
