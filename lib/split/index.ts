export * from './cutoffs';
