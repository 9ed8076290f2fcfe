import { Transform } from 'class-transformer';

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);

/** Parses an environment boolean strictly: anything but a known word stays a string and fails validation. */
export function EnvBoolean(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    return value;
  });
}

/** Parses an environment integer; a value that is not a whole number stays a string and fails validation. */
export function EnvInteger(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return /^-?\d+$/.test(trimmed) ? Number(trimmed) : value;
  });
}

/** Parses a comma-separated list, dropping blanks. */
export function EnvList(): PropertyDecorator {
  return Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  );
}

/** Treats an empty string as absent, so `VAR=` means "use the default". */
export function EmptyAsUndefined(): PropertyDecorator {
  return Transform(({ value }) => (value === '' ? undefined : value));
}

/** Parses a JSON object of strings (empty: {}); anything else stays a string and fails validation. */
export function EnvJsonObject(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    if (value.trim() === '') return {};
    try {
      const parsed: unknown = JSON.parse(value);
      const isStringMap = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((item) => typeof item === 'string');
      return isStringMap ? parsed : value;
    } catch {
      return value;
    }
  });
}
