import { describe, expect, it } from 'vitest';
import { binaryPlistFromObjects, ref2, writeBinaryPlist, xmlBody, xmlPlist } from './package-test-writers.ts';
import { parsePropertyList } from './property-list.ts';

describe('property lists', () => {
  const value = {
    CFBundleIdentifier: 'tw.com.example.trade',
    CFBundleShortVersionString: '5.1.0',
    NSCameraUsageDescription: '開戶時拍攝身分證',
    UIRequiredDeviceCapabilities: ['arm64'],
    LSRequiresIPhoneOS: true,
    Count: 42,
  };

  it('reads a binary plist as Xcode writes it, Unicode strings included', () => {
    expect(parsePropertyList(writeBinaryPlist(value))).toEqual(value);
  });

  it("reads an XML plist with Apple's doctype, which is never fetched", () => {
    expect(parsePropertyList(Buffer.from(xmlPlist(xmlBody(value))))).toEqual(value);
  });

  it('refuses a binary plist whose container contains itself', () => {
    const cyclic = binaryPlistFromObjects([Buffer.concat([Buffer.from([0xa1]), ref2(0)])]);
    expect(() => parsePropertyList(cyclic)).toThrow(/contains itself/);
  });

  it('refuses a truncated binary plist and references outside its table', () => {
    const good = writeBinaryPlist(value);
    expect(() => parsePropertyList(good.subarray(0, 30))).toThrow(/not a valid property list/);
    const badRef = binaryPlistFromObjects([Buffer.concat([Buffer.from([0xa1]), ref2(9)])]);
    expect(() => parsePropertyList(badRef)).toThrow(/not in the table/);
  });

  it('refuses an XML plist that declares an entity (XXE)', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x SYSTEM "file:///etc/passwd">]><plist><string>&x;</string></plist>';
    expect(() => parsePropertyList(Buffer.from(xxe))).toThrow(/internal DTD subset is refused/);
  });
});
