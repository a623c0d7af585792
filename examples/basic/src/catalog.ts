export interface Product {
  sku: string
  name: string
  cents: number
}

/**
 * Loads the whole product catalogue into memory at once — the kind of convenience that is fine
 * with 1,000 products and eats ~300 MB with the full export.
 */
export function parseCatalog(count: number): { products: Product[], index: Buffer } {
  const products: Product[] = []
  for (let i = 0; i < count; i++) products.push({ sku: `SKU-${i}`, name: `Product ${i}`, cents: 100 + (i % 5000) })
  // A dense search index: 300 MB of resident memory, touched page by page.
  const index = Buffer.alloc(300 * 1000 * 1000, 1)
  return { products, index }
}
