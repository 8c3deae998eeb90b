// The public names of lib/report: what code outside the folder (and its tests) imports.
export { familyPage, regressions, renderCharts, type FamilyReport } from './family';
export { indexPage } from './index-page';
export { exploreFamily } from './explore';
