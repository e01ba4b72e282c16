import { describe, expect, it } from 'vitest';
import { parseFlag, parseSeenDate, readMdmExport } from './mdm-export.ts';

const csv = (text: string) => Buffer.from(text, 'utf8');

describe('MDM exports', () => {
  it('reads an Intune export by Graph managedDevice field names', () => {
    const devices = readMdmExport(
      csv(
        'deviceName,serialNumber,complianceState,jailBroken,isEncrypted,ownerType,operatingSystem,lastSyncDateTime,userPrincipalName\r\n' +
          'TPE-IPAD-01,DMPXK1ABJG5H,compliant,False,True,company,iOS,2026-06-14T22:30:00Z,alice@example.com.tw\r\n' +
          'TPE-PIXEL-07,29251FDH2000AB,noncompliant,True,False,personal,Android,2026-06-13T01:00:00Z,bob@example.com.tw\r\n' +
          'TPE-IPAD-02,DMPXK1ABJG5J,compliant,Unknown,,company,iOS,0001-01-01T00:00:00Z,carol@example.com.tw\r\n',
      ),
      'intune',
    );
    expect(devices[0]).toMatchObject({
      row: 2,
      serialNumber: 'DMPXK1ABJG5H',
      deviceName: 'TPE-IPAD-01',
      user: 'alice@example.com.tw',
      jailbrokenOrRooted: false,
      sensitiveDataEncrypted: true,
      // 22:30 UTC on the 14th is the 15th in Taipei.
      lastSeen: '2026-06-15',
      ownership: 'business',
      compliance: 'compliant',
    });
    expect(devices[1]).toMatchObject({ jailbrokenOrRooted: true, sensitiveDataEncrypted: false, ownership: 'byod' });
    // "Unknown" and a blank are not recorded; Graph's year-1 date means "never synced".
    expect(devices[2]).toMatchObject({ jailbrokenOrRooted: null, sensitiveDataEncrypted: null, lastSeen: null });
  });

  it("reads the Intune portal's column titles too", () => {
    const [d] = readMdmExport(
      csv('Device name,Serial number,Jailbroken,Encrypted,Ownership\nTPE-01,ABC123,No,Yes,Corporate\n'),
      'intune',
    );
    expect(d).toMatchObject({
      serialNumber: 'ABC123',
      jailbrokenOrRooted: false,
      sensitiveDataEncrypted: true,
      ownership: 'business',
    });
  });

  it('reads a Jamf inventory as JSON, nested sections included', () => {
    const devices = readMdmExport(
      Buffer.from(
        JSON.stringify({
          results: [
            {
              general: { name: 'Dealer iPhone 3', lastInventoryUpdate: '2026-06-10T08:00:00.000Z' },
              hardware: { serialNumber: 'F2LXK1ABJG5H' },
              userAndLocation: { username: 'dealer3' },
              security: { dataProtected: true, passcodePresent: false, jailBreakDetected: true },
            },
          ],
        }),
      ),
      'jamf',
    );
    expect(devices[0]).toMatchObject({
      serialNumber: 'F2LXK1ABJG5H',
      deviceName: 'Dealer iPhone 3',
      user: 'dealer3',
      sensitiveDataEncrypted: true,
      screenLock: false,
      jailbrokenOrRooted: true,
      lastSeen: '2026-06-10',
    });
  });

  it('reads an osquery/Fleet host list', () => {
    const [host] = readMdmExport(
      Buffer.from(
        JSON.stringify({
          hosts: [
            {
              hostname: 'tpe-mbp-12',
              hardware_serial: 'C02XK1ABJG5H',
              disk_encryption_enabled: true,
              platform: 'darwin',
              seen_time: '2026-06-14T03:00:00Z',
            },
          ],
        }),
      ),
      'fleet',
    );
    expect(host).toMatchObject({
      serialNumber: 'C02XK1ABJG5H',
      sensitiveDataEncrypted: true,
      platform: 'darwin',
      lastSeen: '2026-06-14',
    });
  });

  it('reads another tool through a custom mapping, which may also override a preset column', () => {
    const [d] = readMdmExport(csv('Serial,Rooted,TLS only\nXYZ789,yes,enabled\n'), 'custom', {
      serialNumber: 'Serial',
      jailbrokenOrRooted: 'Rooted',
      transmissionEncrypted: 'TLS only',
    });
    expect(d).toMatchObject({ serialNumber: 'XYZ789', jailbrokenOrRooted: true, transmissionEncrypted: true });
  });

  it('refuses a custom mapping without a serial number, and an export without its serial column', () => {
    expect(() => readMdmExport(csv('a,b\n1,2\n'), 'custom', { jailbrokenOrRooted: 'b' })).toThrow(
      /names no serial number column/,
    );
    expect(() => readMdmExport(csv('name,rooted\nx,true\n'), 'intune')).toThrow(/has no serial number column/);
  });

  it('refuses malformed CSV and JSON with the reason', () => {
    expect(() => readMdmExport(csv('serialNumber\n"unterminated\n'), 'intune')).toThrow(/not valid CSV: row 2/);
    expect(() => readMdmExport(csv('{"value": [}'), 'intune')).toThrow(/not valid JSON/);
    expect(() => readMdmExport(csv('{"nothing": 1}'), 'intune')).toThrow(/holds no list of devices/);
  });

  it('reads yes/no facts and dates as tools spell them', () => {
    expect([true, 'True', 'YES', 1, 'Enabled', 'Present'].map(parseFlag)).toEqual([true, true, true, true, true, true]);
    expect([false, 'False', 'no', 0, 'Not Present', 'not_encrypted'].map(parseFlag)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['Unknown', '', null, 'maybe'].map(parseFlag)).toEqual([null, null, null, null]);
    expect(parseSeenDate('2026-03-01')).toBe('2026-03-01');
    expect(parseSeenDate('2026-03-01 20:00:00')).toBe('2026-03-02');
    expect(parseSeenDate(1_780_000_000)).toBe('2026-05-29');
    expect(parseSeenDate('soon')).toBeNull();
  });
});
