// The public names of lib/explore: what code outside the folder (and its tests) imports.
export {
  clicksByPosition,
  eventsByCategory,
  eventsByHourAndWeekday,
  eventsPerDay,
  funnelByPersona,
  pricesByTopCategory,
  sessionLengths,
  tableCounts,
} from './world';
export { asOfWalkthrough, busiestProduct, featureProfile, featureSample } from './features';
