// The policy layer's public API: pure functions of (history, pack, moment). See docs/policy-engine.md.
export * from './types.ts';
export { PolicyInputError, type InputIssue } from './errors.ts';
export { computeCoverage, prepareEvents } from './coverage.ts';
export { decide, type History } from './decide.ts';
export { judgePixels, ISO_13406_2_CLASS_II, type PixelLimits, type PixelVerdict } from './pixels.ts';
export { compilePack, parsePack, loadPackFile, getShippedPack, resolvePack, selectVersion, SHIPPED_PACKS, type CompiledPack, type CompiledVersion } from './pack.ts';
export { packSchema, type PackFile, type PackVersion } from './pack-schema.ts';
export { say, pick, MESSAGES } from './messages.ts';
export { parseCase, type PolicyCase } from './case.ts';
export { makeCalendar, type Calendar, type CalendarSpec } from './calendar.ts';
export { clockTimes, evaluateClock, parseDuration, type ClockTimes, type ClockInput, type ClockRule, type ClockState, type ClockStatus } from './clocks.ts';
export { evaluatePackClock, packClockRules, packClockTimes, type PackClockTimes, versionCalendar, versionAt, type PackClockRule, type PackClockState } from './pack-clocks.ts';
export { planOffers, planWindows, proofRequirements, versionOf, type PlanOffer, type PlanWindow, type ProofRequirement } from './plans.ts';
export { resolveCategory, categoryName, type CategoryMatch } from './vocabulary.ts';
