import { p256PublicJwkSchema } from '@ntg/contracts';
import type { DeviceKey, DeviceKeyStore, TotpDevice, TotpDeviceStore } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import { readBool, writeBool } from '../dialect.ts';
import type { ClientDeviceKeysTable, ClientTotpDevicesTable, Database } from '../schema.ts';

function toTotpDevice(row: Selectable<ClientTotpDevicesTable>): TotpDevice {
  return {
    id: row.id,
    accountId: row.account_id,
    label: row.label,
    sealedSeed: row.sealed_seed,
    lastStep: row.last_step === null ? null : Number(row.last_step),
    createdAt: row.created_at,
  };
}

export function createTotpDeviceStore(db: Kysely<Database>): TotpDeviceStore {
  return {
    async insert(d) {
      await db
        .insertInto('client_totp_devices')
        .values({
          id: d.id,
          account_id: d.accountId,
          label: d.label,
          sealed_seed: d.sealedSeed,
          last_step: d.lastStep,
          created_at: d.createdAt,
        })
        .execute();
    },
    async listForAccount(accountId) {
      const rows = await db
        .selectFrom('client_totp_devices')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toTotpDevice);
    },
    async claimStep(id, step) {
      // One conditional UPDATE: of two requests carrying the same code, exactly one sees its row come back.
      const row = await db
        .updateTable('client_totp_devices')
        .set({ last_step: step })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

function toDeviceKey(row: Selectable<ClientDeviceKeysTable>): DeviceKey {
  return {
    id: row.id,
    accountId: row.account_id,
    label: row.label,
    publicKey: p256PublicJwkSchema.parse(JSON.parse(row.public_key)),
    biometricGated: readBool(row.biometric_gated),
    authenticatorType: row.authenticator_type,
    createdAt: row.created_at,
  };
}

export function createDeviceKeyStore(db: Kysely<Database>): DeviceKeyStore {
  return {
    async insert(k) {
      await db
        .insertInto('client_device_keys')
        .values({
          id: k.id,
          account_id: k.accountId,
          label: k.label,
          public_key: canonicalJson(k.publicKey),
          biometric_gated: writeBool(k.biometricGated),
          authenticator_type: k.authenticatorType,
          created_at: k.createdAt,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('client_device_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toDeviceKey(row);
    },
    async listForAccount(accountId) {
      const rows = await db
        .selectFrom('client_device_keys')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toDeviceKey);
    },
  };
}
