// Warranty plans' own problems (ITS-3, ITEMA-29).
import { defineErrors } from '../../core/errors.ts';

export const PlanErrors = defineErrors('plans', {
  'plan-not-offered': {
    status: 422,
    description: "The business's policy does not sell this plan for this device now (not for its kind or category, or not in this window: at sale, during coverage, after expiry); `errors` names `body.planId` with the reason and `offered` lists the plans that are.",
  },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    plans: typeof PlanErrors;
  }
}
