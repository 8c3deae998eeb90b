export * from './booster';
export { DEFAULT_LIBRARY } from './native';
export * from './datasets';
