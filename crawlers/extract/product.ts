// The product shape extractors return: ListingSnapshot fields (see pipeline/contracts/listing-snapshot.ts)
// without the fetch metadata, plus the offers they came from. Adapters and the generic extractor both
// return this; crawlers/extract/snapshot.ts adds url, hash, status and validates.
export interface ExtractedOffer {
  price: number | null;
  currency: string | null;
  low: number | null;
  high: number | null;
  price_text: string | null;
  availability: string | null;
  seller_name: string | null;
}

export interface ExtractedSeller {
  seller_id: string;
  name: string;
  credit_code: string | null;
  region_code: string | null;
  address: string | null;
}

export interface ExtractedProduct {
  /** Platform listing id when the page shows one (sku, productID, the adapter's id); else derived from the URL. */
  listing_id: string | null;
  /** Canonical URL of the product when the page states one. */
  url: string | null;
  title: string;
  price: number | null;
  currency: string | null;
  original_price: number | null;
  price_text: string | null;
  brand: string | null;
  model: string | null;
  category: string | null;
  gtin: string | null;
  sku: string | null;
  ccc_numbers: string[];
  licence_numbers: string[];
  seller: ExtractedSeller | null;
  producer: { name: string | null; address: string | null };
  attributes: Record<string, string>;
  images: string[];
  offers: ExtractedOffer[];
  /** Where the product was found: structured data kind, page meta tags, or an adapter's name. */
  source: string;
}

export function emptyProduct(source: string): ExtractedProduct {
  return {
    listing_id: null,
    url: null,
    title: '',
    price: null,
    currency: null,
    original_price: null,
    price_text: null,
    brand: null,
    model: null,
    category: null,
    gtin: null,
    sku: null,
    ccc_numbers: [],
    licence_numbers: [],
    seller: null,
    producer: { name: null, address: null },
    attributes: {},
    images: [],
    offers: [],
    source,
  };
}
