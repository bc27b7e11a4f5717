/** Reads a VARBINARY/BLOB value (a Buffer from the driver) or a plain string as text; null is ''. */
export const binaryText = (v: Buffer | string | null | undefined): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : v);
