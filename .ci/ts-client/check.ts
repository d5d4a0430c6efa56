// Proof that a front end can consume openapi/openapi.json: the types openapi-typescript generates
// from it (generated/schema.d.ts, made by .ci/api-checks.sh) are used the way a parents' app
// would use them, and `tsc --strict` must accept this file. Nothing here runs.
import type { components, paths } from "./generated/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

// The public programme of groups: GET /api/v1/listings.
type ListingPage = Json<paths["/api/v1/listings"]["get"]["responses"][200]>;
type ListingItem = components["schemas"]["ListingItem"];
type ListingQuery = NonNullable<paths["/api/v1/listings"]["get"]["parameters"]["query"]>;

// Booking a place: POST /api/v1/cohorts/{id}/bookings.
type BookingOperation = paths["/api/v1/cohorts/{id}/bookings"]["post"];
type BookingRequest = NonNullable<BookingOperation["requestBody"]>["content"]["application/json"];
type BookingCreated = Json<BookingOperation["responses"][201]>;
type Problem = components["schemas"]["Problem"];
type BookingRefused = BookingOperation["responses"][409]["content"]["application/problem+json"];

const query: ListingQuery = { programme: "cosp", has_places: true, limit: 20 };

function openGroups(page: ListingPage): ListingItem[] {
  return page.items.filter((item) => item.booking_open && item.places_left > 0);
}

function describe(item: ListingItem): string {
  const creche = item.creche.offered ? "with a crèche" : "no crèche";
  return `${item.title} at ${item.venue.name}, ${item.weekday}s ${item.start_time} (${creche})`;
}

function bookingFor(item: ListingItem, childIds: number[]): [string, BookingRequest] {
  const body: BookingRequest = { carers: 1, creche_child_ids: childIds };
  return [`/api/v1/cohorts/${item.cohort_id}/bookings`, body];
}

function confirmation(booking: BookingCreated): string {
  return booking.waitlist_position == null
    ? `Booking ${booking.id}: ${booking.status}`
    : `Booking ${booking.id}: waiting list, position ${booking.waitlist_position}`;
}

function refusal(problem: BookingRefused | Problem): string {
  return `${problem.title} (${problem.status}): ${problem.detail}`;
}

// @ts-expect-error carers is a number, not a string: the generated types must catch this.
const wrong: BookingRequest = { carers: "two" };

export { query, openGroups, describe, bookingFor, confirmation, refusal, wrong };
