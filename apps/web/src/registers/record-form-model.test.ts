import { recordInputSchemaOf } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { fieldSpecsOf, toFormValues, toRecordInput } from './record-form-model.ts';

describe('register forms generated from the contract', () => {
  const specs = fieldSpecsOf('cloud-services');
  const byName = new Map(specs.map((s) => [s.name, s]));

  it('puts the name, owner and notes first and never asks for the id', () => {
    expect(specs.slice(0, 3).map((s) => s.name)).toEqual(['owner', 'name', 'notes']);
    expect(byName.has('id')).toBe(false);
  });

  it('chooses a control by the field type', () => {
    expect(byName.get('serviceModel')?.control).toEqual({ kind: 'enum', options: ['IaaS', 'PaaS', 'SaaS'] });
    expect(byName.get('riskEvaluationDate')?.control.kind).toBe('date');
    expect(byName.get('involvesCore')?.control.kind).toBe('fact');
    expect(byName.get('privateInternal')?.control.kind).toBe('boolean');
    expect(byName.get('contractedRecoveryTimeHours')?.control.kind).toBe('number');
    expect(byName.get('transferProtocols')?.control.kind).toBe('enum-list');
    expect(byName.get('operatorAccessControls')?.control.kind).toBe('group');
    expect(fieldSpecsOf('iot-devices').find((s) => s.name === 'openServices')?.control.kind).toBe('json');
  });

  it('keeps an unanswered fact as not recorded rather than no', () => {
    const values = toFormValues(specs, null);
    values.owner = 'IT';
    values.name = 'Mail';
    values.provider = 'Example Cloud';
    values.serviceModel = 'SaaS';
    values.clientDataEncrypted = 'false';
    const { input, badJson } = toRecordInput(specs, values);
    expect(badJson).toEqual([]);
    expect(input.involvesCore).toBeNull();
    expect(input.clientDataEncrypted).toBe(false);
    expect(input.riskEvaluationDate).toBeNull();
    expect(recordInputSchemaOf('cloud-services').safeParse(input).success).toBe(true);
  });

  it('round-trips a stored record through the form unchanged', () => {
    const record = {
      owner: 'IT',
      name: 'Scanner',
      notes: null,
      kind: 'printer',
      ipAddresses: ['10.0.0.5'],
      openServices: [{ port: 443, protocol: 'tcp', service: 'https', banner: null }],
      lastScanDate: '2026-11-30',
    };
    const iot = fieldSpecsOf('iot-devices');
    const { input } = toRecordInput(iot, toFormValues(iot, record));
    const parsed = recordInputSchemaOf('iot-devices').parse(input);
    expect(parsed).toMatchObject(record);
  });

  it('reports JSON that cannot be read instead of sending it', () => {
    const iot = fieldSpecsOf('iot-devices');
    const values = toFormValues(iot, null);
    values.openServices = '[{ port: 1';
    expect(toRecordInput(iot, values).badJson).toEqual(['openServices']);
  });
});
