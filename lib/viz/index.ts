export * from './plotly';
