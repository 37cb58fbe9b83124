// The client's order page's own problems (the codes every route shares are the core's:
// src/core/errors.ts; a wrong link or a wrong number and contact is the core's plain `not-found`).
import { defineErrors } from '../../core/errors.ts';

export const OrderPageErrors = defineErrors('order-page', {
  'page-link-expired': {
    status: 404,
    description:
      'The link worked until `expiredAt`: links to an order page stop working ORDER_PAGE_LINK_DAYS after the order is closed. Ask the business for a new link, or find the order by its number and contact (`organization` is the business for POST /api/v1/order-page/lookup).',
  },
  'invalid-code': {
    status: 422,
    description:
      'The one-time code is wrong, expired (after 10 minutes) or already used; `errors[]` names `body.code` and nothing changed. Ask for a new one (POST /api/v1/order-page/lookup/code sends it to the contact on the order).',
  },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    'order-page': typeof OrderPageErrors;
  }
}
