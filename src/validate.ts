// Argument checks at the TypeScript boundary: each names the argument and the bad value.

export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength}`;
  if (value === null || typeof value !== "object") return String(value);
  return `an object (${Object.prototype.toString.call(value)})`;
}

export function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${show(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  return value;
}

export function positiveFinite(name: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${show(value)}`);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  return value;
}

export function boolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be true or false, got ${show(value)}`);
  return value;
}

export function options<T extends object>(name: string, value: unknown, allowed: readonly (keyof T & string)[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${name} must be an options object, got ${show(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new TypeError(`${name} has an unknown option ${JSON.stringify(key)}; known: ${allowed.join(", ")}`);
    }
  }
  return value as Partial<T>;
}
