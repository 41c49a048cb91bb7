// Public surface of the demo marketplace: the server, the pure generators, the catalogue, the reference
// registers and the USCC helpers. In: nothing. Out: re-exports.
export { startDemoMarket, type DemoMarket, type DemoMarketOptions } from './server.ts';
export {
  listingAt,
  listingTruth,
  listingPath,
  listingIdOf,
  indexOfListingId,
  platformOf,
  sellerAt,
  LISTING_PROBLEM_KINDS,
  PLATFORMS,
  DEFAULT_PROBLEM_RATE,
  type Listing,
  type ListingOptions,
  type Problem,
  type SellerInfo,
} from './listings.ts';
export { roomAt, roomStateAt, roomTruth, roomCountFor, ABSOLUTE_TERMS, ROOM_PROBLEM_KINDS, DEFAULT_BUCKET_MS, CARD_BUCKETS, type Room, type RoomState, type RoomCard } from './rooms.ts';
export { catalogueFor, PRODUCT_TYPES, GROUPS, PROHIBITED, type Product, type ProductType } from './catalogue.ts';
export { referenceFor, REFERENCE_UPDATED_AT } from './reference.ts';
export { makeUscc, validateUscc, usccCheckChar, USCC_ALPHABET } from './uscc.ts';
export { writeGroundTruth } from './ground-truth.ts';
export { BAD_PATHS, INJECTION_FIELDS, CHARSET_TEXT, HUGE_BYTES } from './bad.ts';
export { createAccessLog, type AccessLog, type AccessEntry } from './access-log.ts';
