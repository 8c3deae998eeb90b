export * from './sessionize';
