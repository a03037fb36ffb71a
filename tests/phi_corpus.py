"""A labelled corpus for the PHI detector, generated from a fixed seed.

Positives hold one patient identifier each (its kind and span are recorded); negatives are
the messages marketing staff and physician liaisons really write, each labelled with the
look-alike it contains (an NPI, an office fax, an event date...). Nothing here is real:
names, numbers and addresses are made up.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from storage.phi import Kind
from storage.phi.validators import luhn_valid, ssn_valid, vin_valid

SEED = 20261202


@dataclass(frozen=True)
class Sample:
    text: str
    kind: Kind | None  # the identifier's kind; None for a negative
    lookalike: str | None  # what a negative resembles
    start: int = 0  # the identifier's span, for positives
    end: int = 0


FIRST = [
    "Maria", "John", "Aisha", "Wei", "José", "Anna", "Robert", "Linh", "Fatima", "Kevin",
    "Dolores", "Ngozi", "Hiroshi", "Zoë", "Carlos", "Brittany", "Mohammed", "Eleanor",
    "Sofía", "Tyrone", "Priya", "Dmitri", "Grace", "Luis", "Mei", "Darnell", "Ingrid",
]  # fmt: skip
LAST = [
    "Lopez", "Smith", "Okafor", "Nguyen", "Núñez", "Kowalski", "Johnson", "Tran", "Haddad",
    "O'Brien", "García", "Jimenez", "Alvarez", "Washington", "Müller", "Patterson",
    "Reyes", "Chen", "Begay", "Friedman", "Abernathy", "Castillo", "Mbeki", "Delacroix",
    "Yamamoto", "Kaur", "Sullivan", "Ruiz",
]  # fmt: skip
DOCTORS = [
    "Patel", "Okafor", "Nguyen", "Feldman", "Ramirez", "Cho", "Whitfield", "Adeyemi",
    "Larsen", "Moreau", "Gupta", "Brennan", "Kim", "Oyelaran", "Stein", "Castillo",
]  # fmt: skip
PRACTICES = [
    "Lakeside Ortho", "Riverside Cardiology", "Summit Family Medicine", "Northgate Pediatrics",
    "Bayview Internal Medicine", "Cedar Spine & Joint", "Harbor Women's Health",
    "Prairie Oncology Associates", "Westbrook Primary Care", "Maple Grove Neurology",
    "St. Mary's Medical Group", "Pinecrest Urology",
]  # fmt: skip
STREETS = [
    "Main St", "Elm Street", "Oak Ave", "Maple Avenue", "Cedar Rd", "Lakeview Dr",
    "N. Washington Blvd", "Pine Lane", "Birch Ct", "Riverside Pkwy", "3rd Street",
    "Sunset Boulevard", "Willow Way", "Park Place",
]  # fmt: skip
CITIES = ["Springfield, IL 62704", "Dayton, OH 45402", "Mesa, AZ", "Tulsa", "Madison, WI 53703"]
MONTHS = ["Jan", "January", "Feb", "March", "Apr", "April", "May", "June", "Jul", "Aug",
          "Sept", "September", "Oct", "October", "Nov", "Dec", "December"]  # fmt: skip
SPELL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "aol.com", "icloud.com", "comcast.net"]


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def pick(self, items: list[str]) -> str:
        return self.r.choice(items)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice(string.digits) for _ in range(n))

    def patient(self) -> str:
        return f"{self.pick(FIRST)} {self.pick(LAST)}"

    def doctor(self) -> str:
        return f"Dr. {self.pick(DOCTORS)}"

    def practice(self) -> str:
        return self.pick(PRACTICES)

    def spelled(self, digits: str) -> str:
        sep = self.pick([" ", " ", "-", ", "])
        return sep.join(
            "oh" if d == "0" and self.r.random() < 0.4 else SPELL[int(d)] for d in digits
        )

    def grouped(self, digits: str, sizes: list[int]) -> str:
        sep = self.pick(["-", " ", ".", "-", ""])
        out, at = [], 0
        for size in sizes:
            out.append(digits[at : at + size])
            at += size
        return sep.join(out)

    def ssn(self) -> str:
        while True:
            d = self.digits(9)
            if ssn_valid(d):
                return d

    def ssn_shaped(self, sep: str) -> str:
        d = self.ssn()
        return f"{d[:3]}{sep}{d[3:5]}{sep}{d[5:]}"

    def phone(self) -> str:
        area = self.pick(["312", "555", "773", "614", "480", "919", "206", "415"])
        d = area + self.pick("23456789") + self.digits(6)
        style = self.r.randrange(6)
        if style == 0:
            return f"({d[:3]}) {d[3:6]}-{d[6:]}"
        if style == 1:
            return f"{d[:3]}.{d[3:6]}.{d[6:]}"
        if style == 2:
            return f"+1 {d[:3]} {d[3:6]} {d[6:]}"
        if style == 3:
            return f"{d[:3]}-{d[3:6]}-{d[6:]}"
        if style == 4:
            return d
        return self.spelled(d)

    def date(self, year: bool = True, old: bool = False) -> str:
        y = self.r.randint(1926, 1990) if old else self.r.randint(2024, 2026)
        m, day = self.r.randint(1, 12), self.r.randint(1, 28)
        style = self.r.randrange(7)
        yy = str(y) if self.r.random() < 0.7 else f"{y % 100:02d}"
        if style == 0:
            return f"{m}/{day}/{yy}" if year else f"{m}/{day}"
        if style == 1:
            return f"{m:02d}/{day:02d}/{y}"
        if style == 2:
            return f"{y}-{m:02d}-{day:02d}"
        if style == 3:
            return f"{self.pick(MONTHS)} {day}, {y}" if year else f"{self.pick(MONTHS)} {day}"
        if style == 4:
            suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
            return f"{day}{suffix} of {self.pick(MONTHS)} {y}"
        if style == 5:
            return f"{m:02d}-{day:02d}-{y}"
        return f"{day} {self.pick(MONTHS)} {y}"

    def npi(self) -> str:
        while True:
            d = self.pick(["1", "1", "2"]) + self.digits(9)
            if luhn_valid("80840" + d):
                return d

    def mbi(self) -> str:
        letters = "ACDEFGHJKMNPQRTUVWXY"
        both = letters + string.digits
        c = self.r.choice
        raw = (
            c("123456789") + c(letters) + c(both) + c(string.digits) + c(letters) + c(both)
            + c(string.digits) + c(letters) + c(letters) + c(string.digits) + c(string.digits)
        )  # fmt: skip
        return f"{raw[:4]}-{raw[4:7]}-{raw[7:]}" if self.r.random() < 0.5 else raw

    def vin(self) -> str:
        chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        while True:
            body = "".join(self.r.choice(chars) for _ in range(17))
            for check in "0123456789X":
                vin = body[:8] + check + body[9:]
                if vin_valid(vin):
                    return vin

    def alnum(self, letters: int, digits: int) -> str:
        return "".join(self.r.choice(string.ascii_uppercase) for _ in range(letters)) + self.digits(
            digits
        )

    def address(self) -> str:
        base = f"{self.r.randint(2, 9899)} {self.pick(STREETS)}"
        if self.r.random() < 0.3:
            base += f", Apt {self.r.randint(1, 40)}{self.pick(['', 'B', 'C'])}"
        if self.r.random() < 0.5:
            base += f", {self.pick(CITIES)}"
        return base


# A template is its text, with "{v}" where the identifier goes, and the name of the value
# generator. Other fields: {first} {last} {patient} {doc} {practice} {date} {n}.
Templates = list[tuple[str, str]]

POSITIVES: dict[Kind, Templates] = {
    Kind.SSN: [
        ("pt {patient} SSN {v} for the financial counselor", "ssn"),
        ("Patient's social is {v}, can someone verify coverage?", "ssn"),
        ("ss# {v} - need it on the transfer form", "ssn_bare"),
        ("her social security number: {v}", "ssn_spelled"),
        ("registration has {v} as the SSN but the pt says that's wrong", "ssn_bare"),
        ("can u check {v} in the system, pt came thru ED last night", "ssn_dashed"),
        ("SSN: {v}", "ssn"),
        ("Soc Sec # {v} (mom's, she's the guarantor)", "ssn"),
        ("last 4 of her social is {v}", "last4"),
        ("fyi the intake sheet had {v} on it, please shred", "ssn_spaced"),
        ("{patient}\nSSN {v}\nneeds charity care app", "ssn"),
        ("the family emailed the SSN ({v}) to the general inbox :grimacing:", "ssn"),
        ("social: {v} — this is the daughter's, she's POA", "ssn"),
        ("pls don't post socials here. someone put {v} in #marketing yesterday", "ssn_dashed"),
        ("SSN {v} is fine to share? no", "ssn_masked"),
    ],
    Kind.MRN: [
        ("MRN {v} - pt asking about her bill", "mrn"),
        ("Can you pull the chart for mrn: {v}?", "mrn"),
        ("med rec # {v}, admitted Tuesday", "mrn_spaced"),
        ("{patient} (MRN {v}) is asking for a callback", "mrn_prefixed"),
        ("Medical record number {v} had a complaint about parking", "mrn"),
        ("patient ID {v} was double booked", "mrn_prefixed"),
        ("chart # {v}", "mrn"),
        ("the pt in 4B, MRN is {v}", "mrn_spelled"),
        ("pls look up medical record no. {v} re: the survey complaint", "mrn_spaced"),
        ("MRN#{v}", "mrn"),
        ("EMR # {v} needs the consent scanned", "mrn"),
        ("pt {v} readmitted again this week", "mrn"),
        ("{v} (MRN) - her son keeps calling the marketing line", "mrn"),
        ("mrn={v} showed up in the survey export, can we scrub it", "mrn"),
    ],
    Kind.DOB: [
        ("{patient} DOB {v}", "dob"),
        ("pt's date of birth is {v}", "dob"),
        ("d.o.b. {v} - can you confirm the appt?", "dob"),
        ("born on {v}, lives with her son", "dob"),
        ("DOB: {v}", "dob"),
        ("her birthdate is {v}, the registration had it wrong", "dob"),
        ("patient (b. {v}) wants a copy of her records", "dob"),
        ("dob {v} mrn pending", "dob"),
        ("Birthday: {v} – for the wristband reprint", "dob"),
        ("the gentleman in bed 12, DOB {v}", "dob"),
        ("{last}, {first} / DOB {v} / PCP Dr. {doc}", "dob"),
        ("DOB {v}. Family wants a call", "dob"),
    ],
    Kind.HEALTH_PLAN: [
        ("member ID {v} for the prior auth", "member"),
        ("pt's Medicare MBI is {v}", "mbi"),
        ("Medicaid # {v}", "digits10"),
        ("subscriber id: {v} (her husband is the subscriber)", "member"),
        ("policy number {v}, BCBS", "policy"),
        ("insurance ID {v} on the card is faded", "digits9_spaced"),
        ("her medicare number is {v}", "mbi"),
        ("Aetna member # {v}", "member_w"),
        ("{v} is the MBI on file for the patient", "mbi"),
        ("group # {v} / member id pending", "digits6"),
        ("mbr id {v} - pt says coverage changed in Jan", "member"),
        ("pt's new card: {v}", "mbi"),
    ],
    Kind.ACCOUNT: [
        ("acct # {v} is the one with the billing dispute", "digits8"),
        ("Patient account number {v}, she wants an itemized bill", "digits9"),
        ("FIN {v} for yesterday's ED visit", "digits9"),
        ("encounter # {v} - please fix the discharge summary", "digits10"),
        ("visit number {v}", "digits8_spaced"),
        ("billing acct {v} for her mom", "digits7"),
        ("claim # {v} denied, pt is upset", "digits11"),
        ("account no. {v} pt called twice", "alnum27"),
    ],
    Kind.LICENSE: [
        ("pt's driver's license {v} was left at registration", "alnum17"),
        ("DL# {v} on the ID scan", "dl_grouped"),
        ("license # {v} (the patient's, not the provider's)", "alnum26"),
        ("her passport number {v}", "digits9"),
        ("birth certificate no. {v} for the newborn", "digits11_grouped"),
        ("state ID {v} – pt has no DL", "digits8"),
        ("the patient's death certificate # {v}", "digits9"),
    ],
    Kind.DEVICE: [
        ("pt's pacemaker S/N {v}", "alnum36"),
        ("insulin pump serial # {v} is on recall", "serial_grouped"),
        ("UDI {v} for her knee implant", "digits14"),
        ("patient's implant serial number {v}", "alnum27"),
        ("CPAP SN {v}, he left it in the ED", "alnum19"),
        ("Mr. {last} hearing aid serial {v} lost on the unit", "digits8"),
    ],
    Kind.VEHICLE: [
        ("pt's car has plate {v}, blocking the ambulance bay", "plate"),
        ("her husband's license plate {v}", "plate"),
        ("the patient's vehicle VIN {v}", "vin"),
        ("security towed the pt's truck, plate # {v}", "plate_dashed"),
        ("patient left keys, tag {v} in lot C", "plate"),
    ],
    Kind.NAME: [
        ("pt {v} is asking about the survey", "patient"),
        ("patient: {v}", "last_first_lower"),
        ("Mrs. {v} was discharged this morning and left a complaint", "last"),
        ("her daughter {v} called the hotline", "patient"),
        ("{v} was admitted overnight with chest pain", "patient"),
        ("pt {v} no-showed again", "last_lower"),
        ("{v}'s MRI got lost between us and the imaging center", "last"),
        ("patient name {v}", "patient_upper"),
        ("Mr. {v}, post-op day 2, wants to talk to someone about billing", "last"),
        ("the patient, {v}, fell in the lobby", "patient"),
        ("{v} was readmitted - third time this quarter", "patient"),
        ("his wife {v} says nobody called back", "first"),
        ("DOB 1/1/1940, name {v}", "patient"),
        ("Can someone call back {v}? She was discharged Friday and is confused", "patient"),
        ("{v} (pt) wants her records", "patient"),
    ],
    Kind.PHONE: [
        ("pt's cell is {v}", "phone"),
        ("call the patient back at {v} re: her results", "phone"),
        ("her daughter's number {v}", "phone"),
        ("patient home phone: {v}", "phone"),
        ("Mrs. {last} (discharged yesterday) wants a call at {v}", "phone"),
        ("pt says reach him at {v} after 5", "phone"),
    ],
    Kind.FAX: [
        ("pt wants her records faxed to her home fax {v}", "phone"),
        ("the patient's lawyer wants his discharge papers, patient fax {v}", "phone"),
        ("her son's fax is {v}, pt wants the bill sent there", "phone"),
        ("fax the patient's chart copy to {v}", "phone"),
        ("Patient home fax: {v}", "phone"),
    ],
    Kind.EMAIL: [
        ("pt email {v}", "email"),
        ("the patient wrote in from {v} about her bill", "email"),
        ("her husband's email is {v}", "email_spelled"),
        ("pt's personal email: {v}", "email_bracketed"),
        ("Patient asked us to email the discharge summary to {v}", "email_markup"),
    ],
    Kind.ADDRESS: [
        ("pt lives at {v}", "address"),
        ("discharged home to {v} with home health", "address"),
        ("patient's address on file: {v}", "address"),
        ("her son says the pt moved to {v}", "address"),
        ("send the patient's bill to {v}", "po_box"),
    ],
    Kind.DATE: [
        ("pt admitted {v} with a hip fracture", "date"),
        ("she was discharged on {v}", "date_short"),
        ("patient's surgery is scheduled for {v}", "date"),
        ("Mr. {last} had his procedure {v} and still has no bill", "date"),
        ("pt was seen in the ED on {v}", "date"),
        ("readmitted {v}, same dx", "date_short"),
    ],
    Kind.URL: [
        ("pt's caringbridge page {v}", "url_caringbridge"),
        ("her family started a GoFundMe for the patient: {v}", "url_gofundme"),
        ("patient portal link for her: {v}", "url_portal"),
        ("pt sent us her instagram {v} with photos from her room", "url_instagram"),
        ("the patient's obituary is up: {v}", "url_obituary"),
        ("pt's caringbridge: {v}", "url_bare"),
    ],
    Kind.IP: [
        ("pt's portal login came from {v}", "ip"),
        ("patient home IP {v} keeps getting locked out", "ip"),
        ("her son says the patient's router is {v}", "ip"),
    ],
    Kind.AGE: [
        ("{v} F with a hip fracture", "age_yo"),
        ("pt is a {v} woman from the nursing home", "age_year_old"),
        ("the patient is {v}", "age_years_old"),
        ("{v} admitted overnight", "age_short"),
        ("patient aged {v} wants to know about the shuttle", "age_number"),
        ("her dad is {v} and fell at home", "age_spelled"),
    ],
}

NEGATIVES: dict[str, Templates] = {
    "npi": [
        ("{doc_title} NPI {v} needs to go on the referral form", "npi"),
        ("NPI: {v} - new cardiologist at {practice}", "npi"),
        ("can you add {doc_title} ({v}) to the CRM target list", "npi"),
        ("{practice} group NPI {v}", "npi"),
    ],
    "office phone": [
        ("{practice} main line {v}", "phone"),
        ("call the front desk at {practice}: {v}", "phone"),
        ("{doc_title}'s office number is {v}, ask for the office manager", "phone"),
        ("scheduler line for new patient appointments: {v}", "phone"),
        ("I called {practice} at {v} to book the lunch", "phone"),
    ],
    "office fax": [
        ("{practice} referral fax {v}", "phone"),
        ("fax line for {doc_title}'s office is {v}", "phone"),
        ("send the referral form to their fax {v}", "phone"),
        ("updated fax for {practice}: {v}", "phone"),
    ],
    "work email": [
        ("office manager is jane at {v}", "work_email"),
        ("{doc_title} prefers email: {v}", "work_email"),
        ("send the mailer proof to {v}", "team_email_markup"),
        ("the vendor contact is {v}", "vendor_email"),
        ("RSVPs go to {v} by Friday", "team_email"),
    ],
    "event date": [
        ("CME dinner {v} at the Marriott", "date_short"),
        ("lunch-and-learn with {practice} on {v}", "date"),
        ("Q4 ortho campaign launches {v}", "date"),
        ("webinar moved to {v}, please update the invite", "date"),
        ("visiting {doc_title} {v} to drop off the new brochures", "date_short"),
        ("health fair booth on {v} - need 2 volunteers", "date"),
    ],
    "practice address": [
        ("{practice} moved to {v}", "address"),
        ("CME dinner Oct 14 at {v}", "address"),
        ("drop off the leave-behinds at {doc_title}'s office, {v}", "address"),
        ("new satellite clinic opening at {v}, Suite 200", "address"),
        ("mailers go out to offices near {v}", "address"),
    ],
    "campaign url": [
        ("landing page is live: {v}", "url_utm"),
        ("campaign link {v}", "url_utm_markup"),
        ("new physician referral page: {v}", "url_refer"),
        ("here's the deck for the webinar {v}", "url_deck"),
    ],
    "crm link": [
        ("logged the visit with {doc_title} in the CRM {v}", "url_salesforce"),
        ("territory dashboard {v}", "url_dashboard"),
        ("account record for {practice}: {v}", "url_hubspot"),
    ],
    "tracking number": [
        ("brochures shipped, FedEx tracking {v}", "digits12"),
        ("UPS tracking {v} for the booth banner", "ups"),
        ("USPS tracking # {v}, mailers arrive Thursday", "usps"),
    ],
    "invoice number": [
        ("invoice #{v} from the print vendor is approved", "digits6"),
        ("PO {v} covers the billboard", "po"),
        ("vendor invoice {v} for $4,250", "inv"),
        ("our Google Ads account {v} got suspended again", "ads_account"),
    ],
    "practice age": [
        ("{practice} is {v} this year, nice hook for the newsletter", "age_years_old"),
        ("the hospital turns {v} in June, anniversary gala planning", "age_number"),
        ("founded {v} ago, the practice is the oldest in the territory", "years"),
        ("patients over {v} are 1% of ortho volume", "age_number"),
        ("campaign targets ages 65-{v}", "age_number"),
    ],
    "business title": [
        ("Mr. {v}, practice administrator at {practice}, wants the referral report", "last"),
        ("Ms. {v} from the print vendor will bring the proofs to the meeting", "last"),
        ("met with Mrs. {v} (office manager) about the lunch-and-learn", "last"),
        ("Mr. {v} at {practice} asked for more brochures", "last"),
    ],
    "physician name": [
        ("{doc_title} at {practice} sent {v} referrals last month", "count"),
        ("Dr. {v} is splitting referrals with St. Mary's", "doc"),
        ("{v}, MD joined {practice}", "patient"),
        ("visit notes: {v} wants talking points on the new spine program", "doc_plain"),
        ("{doc_title} and {v} both asked about the cardiology access line", "doc_title"),
        ("{v} (NP) at the urgent care is our champion there", "patient"),
    ],
    "counts and money": [
        ("referrals from {practice} up {v} in Q3", "percent"),
        ("budget for the fall mailer is {v}", "dollars"),
        ("new patient appointments: {v} vs 1,104 last quarter", "thousands"),
        ("ICD-10 {v} volume up 12%", "icd"),
        ("CPT {v} cases are flat this quarter", "cpt"),
        ("we had {v} referrals per month across the territory", "count_list"),
    ],
    "rooms and extensions": [
        ("lunch is in conference room {v}", "room"),
        ("call me at ext. {v} if the vendor shows up", "digits4"),
        ("main number then x{v} for physician relations", "digits4"),
        ("booth {v} at the state ortho conference", "count3"),
    ],
    "business device": [
        ("the booth iPad S/N {v} is back in the marketing closet", "alnum46"),
        ("projector serial number {v} for the CME room", "alnum27"),
        ("badge scanner serial # {v} from the event vendor", "digits9"),
    ],
    "business vehicle": [
        ("the mobile mammography van, plate {v}, needs parking at the health fair", "plate"),
        ("vendor truck plate {v} will unload at the loading dock for the event", "plate"),
        ("fleet VIN {v} for the community outreach van", "vin"),
    ],
    "business ip": [
        ("the kiosk at the event uses {v}", "ip_private"),
        ("CRM sandbox is whitelisted for our office IP {v}", "ip"),
        ("website traffic spike from {v}, probably a bot", "ip"),
    ],
    "business license": [
        ("{doc_title}'s medical license {v} is needed for credentialing", "alnum26"),
        ("DEA # {v} on the new hire packet for {doc_title}", "alnum27"),
        ("vendor business license # {v} for the catering contract", "digits8"),
    ],
    "patient aggregates": [
        ("patient satisfaction for {v} is up 4 points", "practice"),
        ("new patient volume at {practice} is {v} this month", "count"),
        ("the patient experience survey goes out {v}", "date"),
        ("we need patient education brochures for {v}", "practice"),
        ("patients from {v} wait 3 weeks for an MRI", "practice"),
        ("{v} new patients referred by the territory in Q2", "count3"),
    ],
    "care words in business talk": [
        ("Mother's Day campaign launches {v} with the women's health mailer", "date"),
        ("ER wait-time billboard goes up {v}", "date_short"),
        ("discharge planning webinar for case managers on {v}", "date"),
        ("Admissions are up 8% at the surgery center since {v}", "date_short"),
        ("the chemo infusion suite opens {v}, tour for referring offices at 2pm", "date"),
        ("the ED is launching a text line {v} for EMS crews", "phone"),
        ("breast cancer awareness walk registration: {v}", "url_refer"),
        ("the practice's billing manager is Mr. {v}, 480-555-0122", "last"),
        ("our oldest volunteer is {v} and still runs the gift shop!", "age_number"),
        ("stroke admissions down 5% since {v}", "date"),
    ],
    "plain planning": [
        ("one of two offices at {v} still uses paper referral pads", "practice"),
        ("can marketing pull a target list of {v} cardiologists up north?", "count"),
        ("what's the status on the {v} talking points?", "service_line"),
        ("offer: attendance at {v}'s sales meeting next week", "doc"),
        ("Q{v} plan: 3 lunch-and-learns, 2 dinners, one mailer", "quarter"),
        ("splitters: {v} and two other groups refer to both us and St. Mary's", "practice"),
    ],
}


def _values(g: Gen) -> dict[str, Callable[[], str]]:
    r = g.r

    def ip() -> str:
        return ".".join(
            str(n)
            for n in (r.randint(11, 223), *(r.randint(0, 255) for _ in "ab"), r.randint(1, 254))
        )

    return {
        "ssn": lambda: g.grouped(g.ssn(), [3, 2, 4]),
        "ssn_bare": g.ssn,
        "ssn_dashed": lambda: g.ssn_shaped("-"),
        "ssn_spaced": lambda: g.ssn_shaped(" "),
        "ssn_spelled": lambda: g.spelled(g.ssn()),
        "ssn_masked": lambda: g.pick(["***-**-", "xxx-xx-", "XXX-XX-"]) + g.digits(4),
        "last4": lambda: g.digits(4),
        "mrn": lambda: g.pick(["00", "0", ""]) + g.digits(r.randint(6, 8)),
        "mrn_spaced": lambda: g.grouped(g.digits(8), [4, 4]),
        "mrn_prefixed": lambda: g.pick(["MR", "E", "A", "MRN-"]) + g.digits(7),
        "mrn_spelled": lambda: g.spelled(g.digits(7)),
        "dob": lambda: g.date(old=True),
        "member": lambda: g.alnum(r.randint(1, 3), r.randint(7, 9)),
        "member_w": lambda: "W" + g.digits(9),
        "policy": lambda: g.alnum(3, 6),
        "mbi": g.mbi,
        **{f"digits{n}": (lambda n=n: g.digits(n)) for n in (4, 6, 7, 8, 9, 10, 11, 12, 14)},
        "digits9_spaced": lambda: g.grouped(g.digits(9), [3, 3, 3]),
        "digits8_spaced": lambda: g.grouped(g.digits(8), [4, 4]),
        "digits11_grouped": lambda: g.grouped(g.digits(11), [3, 4, 4]),
        **{
            f"alnum{a}{d}": (lambda a=a, d=d: g.alnum(a, d))
            for a, d in ((1, 7), (2, 6), (2, 7), (3, 6), (1, 9), (4, 6))
        },
        "dl_grouped": lambda: g.grouped(g.alnum(1, 12), [5, 4, 4]),
        "serial_grouped": lambda: g.grouped(g.alnum(2, 8), [4, 6]),
        "plate": lambda: g.pick(["", "7", "8"]) + g.alnum(3, r.randint(3, 4)),
        "plate_dashed": lambda: f"{g.alnum(3, 0)}-{g.digits(4)}".lower(),
        "vin": g.vin,
        "patient": g.patient,
        "patient_upper": lambda: g.patient().upper(),
        "first": lambda: g.pick(FIRST),
        "last": lambda: g.pick(LAST),
        "last_lower": lambda: g.pick(LAST).lower(),
        "last_first_lower": lambda: f"{g.pick(LAST)}, {g.pick(FIRST)}".lower(),
        "phone": g.phone,
        "email": lambda: (
            f"{g.pick(FIRST).lower()}.{g.pick(LAST).lower()}{g.digits(r.randint(0, 2))}"
            f"@{g.pick(PERSONAL_DOMAINS)}"
        ),
        "email_spelled": lambda: (
            f"{g.pick(FIRST).lower()} dot {g.pick(LAST).lower()} at gmail dot com"
        ),
        "email_bracketed": lambda: f"{g.pick(LAST).lower()}[at]yahoo[dot]com",
        "email_markup": lambda: (lambda e: f"<mailto:{e}|{e}>")(
            f"{g.pick(FIRST).lower()}_{g.digits(3)}@{g.pick(PERSONAL_DOMAINS)}"
        ),
        "address": g.address,
        "po_box": lambda: f"PO Box {r.randint(10, 9999)}",
        "date": g.date,
        "date_short": lambda: g.date(year=r.random() < 0.5),
        "url_caringbridge": lambda: (
            f"https://www.caringbridge.org/visit/{g.pick(FIRST).lower()}{g.pick(LAST).lower()}"
        ),
        "url_gofundme": lambda: f"https://gofund.me/{g.digits(3)}abc{g.digits(4)}",
        "url_portal": lambda: f"https://mychart.example-health.org/patient/{g.digits(8)}",
        "url_instagram": lambda: f"https://instagram.com/{g.pick(FIRST).lower()}_{g.digits(2)}",
        "url_obituary": lambda: (
            f"https://www.legacy.com/obituaries/{g.pick(LAST).lower()}-{g.digits(5)}"
        ),
        "url_bare": lambda: f"caringbridge.org/visit/{g.pick(FIRST).lower()}{g.pick(LAST).lower()}",
        "ip": ip,
        "ip_private": lambda: f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        "age_yo": lambda: f"{r.randint(90, 104)} y/o",
        "age_year_old": lambda: f"{r.randint(90, 106)}-year-old",
        "age_years_old": lambda: f"{r.randint(90, 109)} years old",
        "age_short": lambda: f"{r.randint(90, 99)}{g.pick(['M', 'F'])}",
        "age_number": lambda: str(r.randint(90, 101)),
        "age_spelled": lambda: g.pick(["ninety-two", "ninety four", "ninety-seven"]) + " years old",
        "years": lambda: f"{r.randint(90, 105)} years",
        "npi": g.npi,
        "work_email": lambda: (
            f"{g.pick(DOCTORS).lower()}@{g.pick(['lakesideortho', 'riversidecardio', 'summitfm'])}"
            ".com"
        ),
        "team_email": lambda: (
            g.pick(["events", "marketing", "physicianrelations"]) + "@examplehealth.org"
        ),
        "team_email_markup": lambda: (
            "<mailto:marketing@examplehealth.org|marketing@examplehealth.org>"
        ),
        "vendor_email": lambda: f"{g.pick(FIRST).lower()}.{g.pick(LAST).lower()}@printvendor.com",
        "url_utm": lambda: (
            f"https://examplehealth.org/ortho?utm_source=mailer&utm_campaign=q{r.randint(1, 4)}"
        ),
        "url_utm_markup": lambda: (
            "<https://examplehealth.org/heart?utm_medium=email|examplehealth.org/heart>"
        ),
        "url_refer": lambda: "https://examplehealth.org/refer",
        "url_deck": lambda: f"https://docs.google.com/presentation/d/{g.alnum(10, 8)}",
        "url_salesforce": lambda: (
            f"https://examplehealth.my.salesforce.com/lightning/r/Contact/003{g.alnum(6, 6)}/view"
        ),
        "url_dashboard": lambda: (
            f"<https://crm.examplehealth.org/territory/{g.digits(4)}|dashboard>"
        ),
        "url_hubspot": lambda: (
            f"https://app.hubspot.com/contacts/{g.digits(7)}/company/{g.digits(9)}"
        ),
        "ups": lambda: "1Z" + g.alnum(6, 10),
        "usps": lambda: g.grouped(g.digits(22), [4, 4, 4, 4, 4, 2]),
        "po": lambda: "PO-" + g.digits(7),
        "inv": lambda: "INV-" + g.digits(6),
        "ads_account": lambda: g.grouped(g.digits(10), [3, 3, 4]),
        "count": lambda: str(r.randint(3, 40)),
        "count3": lambda: str(r.randint(100, 400)),
        "count_list": lambda: ", ".join(str(r.randint(10, 60)) for _ in range(4)),
        "doc": lambda: g.pick(DOCTORS),
        "doc_plain": lambda: "Dr " + g.pick(DOCTORS),
        "doc_title": g.doctor,
        "practice": g.practice,
        "percent": lambda: f"{r.randint(2, 40)}%",
        "dollars": lambda: f"${r.randint(2, 90)},{g.digits(3)}",
        "thousands": lambda: f"{r.randint(1, 2)},{g.digits(3)}",
        "icd": lambda: g.pick(["M17.11", "I25.10", "C50.911", "M54.5"]),
        "cpt": lambda: g.pick(["27447", "27130", "93458", "63030"]),
        "room": lambda: g.pick(["B204", "3100", "4-East", "220"]),
        "service_line": lambda: g.pick(["spine", "oncology", "women's health", "ortho"]),
        "quarter": lambda: str(r.randint(1, 4)),
    }


def _render(
    g: Gen, values: dict[str, Callable[[], str]], template: str, value: str
) -> tuple[str, int, int]:
    fields = {
        "first": g.pick(FIRST), "last": g.pick(LAST), "patient": g.patient(),
        "doc": g.pick(DOCTORS), "doc_title": g.doctor(), "practice": g.practice(),
        "date": g.date(), "n": str(g.r.randint(2, 40)),
    }  # fmt: skip
    head, tail = template.split("{v}")
    head, tail = head.format(**fields), tail.format(**fields)
    return head + value + tail, len(head), len(head) + len(value)


def _noise(g: Gen, text: str, start: int, end: int) -> tuple[str, int, int]:
    """Slack-style variation that keeps the identifier's span right: casing, entities,
    mentions, a trailing emoji, a typo away from the identifier."""
    r = g.r.random()
    if r < 0.1:
        text = text.lower()
    elif r < 0.15:
        text = text.upper()
    prefix = g.pick(["", "", "", "<@U024BE7LH> ", "fyi ", "Hi team - ", "quick q: ", "> "])
    suffix = g.pick(["", "", "", " :pray:", " thx", " &amp; thanks", "?", " (see thread)"])
    text = prefix + text + suffix
    start, end = start + len(prefix), end + len(prefix)
    if g.r.random() < 0.08:
        words = [i for i in range(len(text) - 6) if text[i] == " " and not start - 8 < i < end + 8]
        if words:
            i = g.r.choice(words) + 2
            if text[i : i + 2].isalpha():
                text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text, start, end


def corpus(seed: int = SEED) -> tuple[list[Sample], list[Sample]]:
    """(positives, negatives)."""
    g = Gen(random.Random(seed))
    values = _values(g)
    positives: list[Sample] = []
    heavy = {Kind.SSN, Kind.MRN, Kind.DOB, Kind.HEALTH_PLAN}
    for kind, templates in POSITIVES.items():
        for i in range(60 if kind in heavy else 36):
            template, name = templates[i % len(templates)]
            text, start, end = _noise(g, *_render(g, values, template, values[name]()))
            positives.append(Sample(text, kind, None, start, end))
    negatives: list[Sample] = []
    for lookalike, templates in NEGATIVES.items():
        for i in range(33):
            template, name = templates[i % len(templates)]
            text, start, end = _noise(g, *_render(g, values, template, values[name]()))
            negatives.append(Sample(text, None, lookalike, start, end))
    return positives, negatives
