export * from './formats';
export * from './lines';
export * from './sniff';
export * from './import';
