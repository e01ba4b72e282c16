/** Time comes from an injected clock so that tests can move it and decisions stay pure functions of `now`. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
