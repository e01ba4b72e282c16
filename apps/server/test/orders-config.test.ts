import { testDatabaseKinds } from '@ntg/db/testing';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { createOrderTestApp, orderRequest, submitOrder, tradingClient } from './orders-test-app.ts';

describe('order timestamp skew (A35.4)', () => {
  it('defaults to 120 s, takes NTG_ORDER_SKEW_SECONDS, and refuses a window that weakens replay protection', () => {
    expect(loadConfig({}, '/srv/ntg').orders).toEqual({ skewSeconds: 120 });
    expect(loadConfig({ NTG_ORDER_SKEW_SECONDS: '30' }, '/srv/ntg').orders).toEqual({ skewSeconds: 30 });
    expect(() => loadConfig({ NTG_ORDER_SKEW_SECONDS: '86400' }, '/srv/ntg')).toThrow(ConfigError);
    expect(() => loadConfig({ NTG_ORDER_SKEW_SECONDS: 'soon' }, '/srv/ntg')).toThrow(/NTG_ORDER_SKEW_SECONDS/);
  });

  it.each(testDatabaseKinds().slice(0, 1))('the gateway applies the configured window ($name)', async (kind) => {
    const t = await createOrderTestApp(kind, { skewSeconds: 30 });
    try {
      const client = await tradingClient(t, 'skew-config');
      const now = t.clock.now().getTime();
      const late = await submitOrder(
        t,
        client,
        orderRequest(t, client, { timestamp: new Date(now - 31_000).toISOString() }),
      );
      expect(late.json()).toMatchObject({ code: 'ORDER_TIMESTAMP_SKEW' });
      const inside = await submitOrder(
        t,
        client,
        orderRequest(t, client, { timestamp: new Date(now - 29_000).toISOString() }),
      );
      expect(inside.statusCode).toBe(201);
    } finally {
      await t.close();
    }
  });
});
