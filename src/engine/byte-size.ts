/** Sizes in bytes as people write them (`512k`, `20M`, `1G`), for command-line options and plan files. */

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** The examples that error messages show, so every place that takes a size says the same. */
export const BYTE_SIZE_EXAMPLES = '500000, 512k or 20M';

/**
 * `500000`, `512k`, `20M`, `1.5G` → bytes (binary multiples; a trailing `B` or `iB` is allowed);
 * undefined for anything else, including zero and negative sizes.
 * @example parseByteSize('64MiB') // 67108864
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text.trim());
  const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()];
  const size = match && unit ? Number(match[1]) * unit : Number.NaN;
  return Number.isFinite(size) && size > 0 ? size : undefined;
}
