import { InvalidArgumentError } from 'commander';

export function integerOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** Parses `--set flag=true` pairs for profile answers. */
export function collectAssignments(value: string, previous: Record<string, boolean> = {}): Record<string, boolean> {
  const m = /^([A-Za-z]+)=(true|false|yes|no)$/.exec(value);
  if (m === null || m[1] === undefined) {
    throw new InvalidArgumentError(`"${value}" is not QUESTION=true|false, e.g. usesCloudServices=true.`);
  }
  return { ...previous, [m[1]]: m[2] === 'true' || m[2] === 'yes' };
}
