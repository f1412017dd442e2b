// LiteLayout: a tensor's shape and element type.
import { type DtypeName, LiteDataType } from './enums.js';
import { LiteError } from './errors.js';

/** At most this many dims, as in MegEngine Lite. */
export const MAX_DIMS = 7;

const DTYPE_NAMES: Record<LiteDataType, DtypeName> = {
  [LiteDataType.LITE_FLOAT]: 'float32',
  [LiteDataType.LITE_HALF]: 'float16',
  [LiteDataType.LITE_INT]: 'int32',
  [LiteDataType.LITE_INT16]: 'int16',
  [LiteDataType.LITE_INT8]: 'int8',
  [LiteDataType.LITE_UINT8]: 'uint8',
  [LiteDataType.LITE_UINT]: 'uint32',
  [LiteDataType.LITE_UINT16]: 'uint16',
  [LiteDataType.LITE_INT64]: 'int64',
  [LiteDataType.LITE_BOOL]: 'bool',
};

const DTYPE_SIZES: Record<LiteDataType, number> = {
  [LiteDataType.LITE_FLOAT]: 4,
  [LiteDataType.LITE_HALF]: 2,
  [LiteDataType.LITE_INT]: 4,
  [LiteDataType.LITE_INT16]: 2,
  [LiteDataType.LITE_INT8]: 1,
  [LiteDataType.LITE_UINT8]: 1,
  [LiteDataType.LITE_UINT]: 4,
  [LiteDataType.LITE_UINT16]: 2,
  [LiteDataType.LITE_INT64]: 8,
  [LiteDataType.LITE_BOOL]: 1,
};

/** The LiteDataType of a number or string form; a LiteError naming the accepted forms otherwise. */
export function toDataType(dtype: LiteDataType | DtypeName | string): LiteDataType {
  if (typeof dtype === 'number' && dtype in DTYPE_NAMES) return dtype;
  if (typeof dtype === 'string') {
    for (const [value, name] of Object.entries(DTYPE_NAMES)) {
      if (name === dtype) return Number(value) as LiteDataType;
    }
  }
  throw new LiteError(
    'INVALID_LAYOUT',
    `unknown dtype ${JSON.stringify(dtype)}: use a LiteDataType or one of ${Object.values(DTYPE_NAMES).join(', ')}`,
  );
}

export function dtypeName(dtype: LiteDataType): DtypeName {
  return DTYPE_NAMES[dtype];
}

export function dtypeSize(dtype: LiteDataType): number {
  return DTYPE_SIZES[dtype];
}

/** Checks a shape (array of non-negative integers, at most 7) and returns a copy; `what` names it in errors. */
export function checkShape(shape: unknown, what = 'shape'): number[] {
  if (!Array.isArray(shape)) {
    throw new LiteError('INVALID_LAYOUT', `${what} must be an array of dims, got ${typeof shape}`);
  }
  if (shape.length > MAX_DIMS) {
    throw new LiteError('INVALID_LAYOUT', `${what} has ${shape.length} dims; at most ${MAX_DIMS} are allowed: merge dims`);
  }
  return shape.map((dim: unknown, i) => {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new LiteError('INVALID_LAYOUT', `${what}[${i}] must be a non-negative integer, got ${String(dim)}`);
    }
    return dim;
  });
}

export class LiteLayout {
  readonly #shapes: number[];
  /** The element type as a LiteDataType. */
  readonly dataType: LiteDataType;

  /** An empty layout (`ndim` 0, LITE_FLOAT) when called with no arguments. */
  constructor(shape: number[] = [], dtype: LiteDataType | DtypeName = LiteDataType.LITE_FLOAT) {
    this.#shapes = checkShape(shape);
    this.dataType = toDataType(dtype);
  }

  /** The dims (a copy). */
  get shapes(): number[] {
    return [...this.#shapes];
  }

  get ndim(): number {
    return this.#shapes.length;
  }

  /** The element type's string form, e.g. 'float32'. */
  get dtype(): DtypeName {
    return dtypeName(this.dataType);
  }

  /** Product of the dims; 0 for an empty layout. */
  get elementCount(): number {
    return this.#shapes.length === 0 ? 0 : this.#shapes.reduce((a, b) => a * b, 1);
  }

  get nbytes(): number {
    return this.elementCount * dtypeSize(this.dataType);
  }

  equals(other: LiteLayout): boolean {
    return this.dataType === other.dataType && this.ndim === other.ndim && this.#shapes.every((d, i) => d === other.#shapes[i]);
  }

  toString(): string {
    return `${this.dtype}[${this.#shapes.join(',')}]`;
  }
}
