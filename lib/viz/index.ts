// The public names of lib/viz: what code outside the folder (and its tests) imports.
export { plotHtml, plotlyScript } from './plotly';
export { featureBarChart, frameHtml, learningCurveChart, metricsTableHtml } from './models';
