export * from './world';
export * from './parallel';
export * from './write';
