import type { ActorContext } from '@ntg/core';

export const testActor: ActorContext = { actor: { type: 'user', id: 'usr_test' }, source: '127.0.0.1' };
export const systemActor: ActorContext = { actor: { type: 'system', id: 'test' }, source: null };
