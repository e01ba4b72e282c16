import { type AttestationSpec, about, defineRule, dutyVerdict, needsEvidence, pass, type Rule } from '../rule.ts';

/**
 * Directions A35-A38: how the trading systems protect messages, verify identity and keep audit trails. No register
 * holds these facts: they live in the configuration of the identity gateway and the trading systems, which will
 * report themselves as evidence later. Until then a person attests each one. A35 is the lead-in of A35.1-A35.5 and
 * is rolled up from them; A36.1 is not a plain lead-in ("any two or more" of its three items is its own duty), so it
 * has its own question.
 */
export const eTradingAttestations: AttestationSpec[] = [
  {
    nodeId: 'A35.1',
    question:
      'Is electronic trading information encrypted with AES 128-bit, RSA 2048-bit or ECC 256-bit algorithms or stronger, sent over TLS 1.2 or later, with keys exchanged by Elliptic Curve Diffie-Hellman?',
  },
  {
    nodeId: 'A35.2',
    question:
      'Is the integrity of electronic trading information protected by a message authentication code or encryption at SHA-256, AES 128-bit, RSA 2048-bit or ECC 256-bit strength or above?',
  },
  {
    nodeId: 'A35.3',
    question:
      'Is electronic trading information authenticated by a message authentication code, encryption or a digital signature at SHA-256, AES 128-bit, RSA 2048-bit or ECC 256-bit strength or above?',
  },
  {
    nodeId: 'A35.4',
    question:
      'Is every electronic trading message made unique by a serial number, one-time random number or time stamp, so that a replayed message is rejected?',
  },
  {
    nodeId: 'A35.5',
    question:
      'Does electronic trading information carry a message authentication code at SHA-256 or above and a digital signature at RSA 2048-bit or ECC 256-bit or above, so that the sender cannot deny it?',
  },
  {
    nodeId: 'A36.1',
    question:
      'Apart from methods under the guidelines on fast identity verification, does every electronic trading login require at least two of: a secret agreed with the client, a device the client holds, and the client’s biometrics?',
  },
  {
    nodeId: 'A36.1.1',
    question:
      'Where a secret agreed with the client (PIN, pattern lock or gesture lock) is a login factor, is it known only to the client and the organization?',
  },
  {
    nodeId: 'A36.1.2',
    question:
      'Where a device the client holds (password generator, PIN card, chip card, computer, mobile device or certificate carrier) is a login factor, does the organization verify that it is the device agreed with the client?',
  },
  {
    nodeId: 'A36.1.3',
    question:
      'Where biometrics are a login factor, does the organization verify them directly, or indirectly through the client’s device or an appointed third party only after first reviewing the validity of that verification method?',
  },
  {
    nodeId: 'A36.2',
    question:
      'Are PINs stored only after irreversible computation such as hashing, with encryption or added unknown data (salt) so that precomputed hash values cannot guess them?',
  },
  {
    nodeId: 'A36.3',
    question:
      'Where biometrics are verified directly and stored internally, are they de-identified, hard to reverse, encrypted together with an alias ID and split across separate storage media, and is any terminal equipment the organization provides for them FIPS 140-2 Level 3 or higher?',
  },
  {
    nodeId: 'A36.4',
    question:
      'Where biometrics are verified directly, is the error tolerance set according to the organization’s risk capacity, and where verified indirectly, was the client’s verification method reviewed for validity first?',
  },
  {
    nodeId: 'A36.5',
    question:
      'Where certificates are a login method, are only certificates from certification authorities approved by the Ministry of Economic Affairs accepted, with strengthened checks at issuance so that only the client can log in?',
  },
  {
    nodeId: 'A37.1',
    question:
      'Are there approved regulations for the application, delivery, use, update and verification of electronic trading identity credentials?',
  },
  {
    nodeId: 'A37.2',
    question:
      'Is all identity verification information for electronic trading encrypted throughout its transmission over the Internet?',
  },
  {
    nodeId: 'A37.3',
    question:
      'Is identity verification information for electronic trading stored only after it has been hashed or encrypted?',
  },
  {
    nodeId: 'A37.4',
    question:
      'Is the identity for electronic trading verified on the organization’s server, never only on the client’s device?',
  },
  {
    nodeId: 'A37.5',
    question:
      'Are enhanced password rules enforced, and is an account always locked after three failed attempts to enter the correct password?',
  },
  {
    nodeId: 'A37.6',
    question:
      'Can clients change their password periodically, and are they reminded to change a password that has been in use for more than three months?',
  },
  {
    nodeId: 'A37.7',
    question:
      'Are failed login attempts to accounts in the core system, and attempts to log in to non-client accounts, monitored and analysed every day?',
  },
  {
    nodeId: 'A38.1',
    question:
      'Is an audit trail (login account, system function, time, system name, inquiry and result) or an identification system kept for uses of personal information, so that an unauthorized disclosure can be traced?',
  },
  {
    nodeId: 'A38.2',
    question:
      'Are account owners notified of their account logins and trading records, and are the notifications kept?',
  },
];

/**
 * Directions A40.2 and A41: what each call does (caller number display, the enhanced check, the liveness check, the
 * kept recording). A procedure record shows that a procedure exists, not that every call follows it, so these stay
 * attestations until the verification services report per-call evidence.
 */
export const deepfakeAttestations: AttestationSpec[] = [
  {
    nodeId: 'A40.2',
    question:
      'Has the telecommunication provider been asked to display the caller’s number on lines where clients authorize by voice, and is every incoming number recorded?',
  },
  {
    nodeId: 'A41.1',
    question:
      'Does every video-call identity verification add an enhanced check: a one-time password, a telephone call by a representative, or a comparison with the caller’s photo ID?',
  },
  {
    nodeId: 'A41.2',
    question:
      'Does every video call check that it takes place live in a real environment (for example random questions and answers), so that a prerecorded or synthesized video is caught?',
  },
  {
    nodeId: 'A41.3',
    question: 'Is the video recording or photograph of each video-call verification kept for later verification?',
  },
];

// Directions A40.1: "establish the identity verification procedure" is exactly what an approved procedure record shows.
const a40_1 = defineRule({
  nodeIds: ['A40.1'],
  registers: ['procedures'],
  evaluate(ctx) {
    const procedures = ctx.registers.procedures.filter((p) => p.kind === 'telephone-identity-verification');
    const approved = procedures
      .filter((p) => p.approvedDate !== null)
      .sort((a, b) => (a.approvedDate ?? '').localeCompare(b.approvedDate ?? ''))
      .at(-1);
    if (approved !== undefined) {
      return [
        pass(
          `Telephone identity verification procedure "${approved.name}" was approved on ${approved.approvedDate} (A40.1).`,
          about('procedures', approved),
        ),
      ];
    }
    const draft = procedures[0];
    if (draft !== undefined) {
      return [
        needsEvidence(
          `Telephone identity verification procedure "${draft.name}": not recorded when it was approved (A40.1).`,
          about('procedures', draft),
        ),
      ];
    }
    return [
      needsEvidence('No telephone identity verification procedure is recorded in the procedures register (A40.1).'),
    ];
  },
});

const a42 = defineRule({
  nodeIds: ['A42'],
  registers: ['trainings'],
  evaluate(ctx) {
    // Directions A42: a training on deepfakes every year (the period comes from the node's cadence); a session
    // planned for a later date does not count yet.
    const latest = ctx.registers.trainings
      .filter((t) => t.topics.includes('deepfake-awareness') && t.date <= ctx.today)
      .sort((a, b) => a.date.localeCompare(b.date))
      .at(-1);
    return [
      dutyVerdict(
        ctx,
        latest?.date ?? null,
        'Deepfake awareness training (A42)',
        latest === undefined ? {} : about('trainings', latest),
      ),
    ];
  },
});

export const deepfakeRules: Rule[] = [a40_1, a42];
