"""Patient identifiers (PHI) in message text: find them before anything is stored or posted.

    scan(text, *, mrn_pattern=None) -> tuple[Finding, ...]
    redact(text, findings) -> str

`scan` returns the HIPAA Safe Harbor identifiers it finds, in text order. Each `Finding` has
its `kind` (a `Kind`, whose value is the human label: "MRN", "date of birth"...), its
`start`/`end` in the original text (Slack markup and escapes included, so redaction
replaces exactly the value), a short stable `rule` name ("ssn", "labelled-mrn",
"phone+patient-cue") and, for weak identifiers, the `cue` word that tied it to a patient.

- Strong identifiers block on their own: a valid or labelled SSN, a labelled MRN, DOB,
  member or policy id, an MBI, a labelled account, licence or VIN, an age over 89, and any
  match of the hospital's `mrn_pattern`.
- Weak identifiers (phones, faxes, emails, street addresses, dates, names, URLs, IPs, plates
  and serials) count only with a patient cue near them, unless a business cue (Dr., office,
  practice, NPI, campaign, event...) is nearer. Physician-level business talk passes.

The text is normalised first (Slack markup unwrapped, entities unescaped, NFKC, separators
inside numbers removed, spelled digits read as digits); findings map back to the original.
Pure standard library: linear regular expressions, no model, no I/O.
"""

from storage.phi.model import Finding, Kind
from storage.phi.scan import redact, scan

__all__ = ["Finding", "Kind", "redact", "scan"]
