export * from './plotly';
export * from './models';
