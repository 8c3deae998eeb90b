export * from './world';
export * from './features';
