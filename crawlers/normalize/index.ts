// Normalisation of what pages show: prices, currencies, certificate / licence numbers, GTINs, brand and model.
export * from './text.ts';
export * from './price.ts';
export * from './identifiers.ts';
export * from './product.ts';
