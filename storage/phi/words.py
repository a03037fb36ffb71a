"""Words that follow a patient cue or a title but are not names ("patient satisfaction",
"pt was seen", "Mr. Smith's office"...): function words and the vocabulary of care and of
hospital marketing. Lower-case words with a common English ending are not names either."""

from __future__ import annotations

_WORDS = """
    acct acc hx sx tx fu s/p c/o w/ wo via per re pls plz thx ty asap fyi btw eta tbd
    driver drivers car truck vehicle keys key lot parking garage license licence plate tag
    bill bills billing card insurance coverage claim portal login account password copy
    copies form forms paperwork papers packet letter ride shuttle wheelchair walker cane
    hearing glasses dentures belongings phone wallet purse bag pacemaker pump implant
    model device serial defibrillator monitor aid cpap stent port
    policy subscriber mbi medicare medicaid ssn social dl fin csn har encounter
    a an the this that these those his her hers him he she they them their theirs its it we
    us our you your i me my mine who whom whose which what when where why how all any each
    every some no not none nobody one two three both either neither other another such same
    own is was were be been being am are has have had having do does did done will would
    shall should can could may might must need needs needed wants wanted get got gets
    getting go goes going went gone come came comes coming say says said see saw seen sees
    look looks looked call calls called make made take took taken give gave given let lets
    put tell told ask asked know knew think thought feel felt keep kept and or but nor so
    yet for of on in at by to from with without within into onto upon about above below over
    under after before during since until till via per vs than then too also just only still
    even very much more most less least many few lot lots again already always never ever
    often soon now today tonight tomorrow yesterday here there up down out off back away
    around through across along near next last first second third new old same different
    good great bad well better best okay ok yes yeah please thanks thank hi hello hey fyi
    asap re regarding attn note notes update updates mr mrs ms miss mx dr doctor sir madam
    patient patients pt pts person people family member members guy lady gentleman woman man
    men women male female child children kid kids baby infant adult adults elderly senior
    seniors resident residents client clients case cases visitor visitors admitted admit
    admission admissions readmitted readmission discharged discharge diagnosed diagnosis dx
    transferred transfer seen presented presents reports reported complains scheduled
    schedule rescheduled booked cancelled canceled confirmed arrived left passed expired
    died deceased fell stable unstable critical improving declining surgery surgeries
    procedure procedures operation op post pre postop preop consult consultation evaluation
    eval exam imaging mri ct pet scan scans xray x-ray ultrasound echo ekg ecg labs lab
    results result biopsy pathology chemo radiation infusion dialysis therapy treatment
    treatments medication medications meds prescription rx appointment appointments appt
    appts visit visits follow followup follow-up referral referrals referred referring chart
    charts record records file files note mrn dob ssn room rooms bed beds floor unit ward
    icu er ed or pacu nicu clinic clinics hospital hospitals center centers department dept
    office offices practice practices group groups team teams staff nurse nurses nursing
    physician physicians provider providers surgeon surgeons specialist specialists
    cardiologist oncologist hospitalist care caring experience satisfaction volume volumes
    portal access education engagement acquisition count counts number numbers navigator
    navigation advocate advocacy outcomes outcome population panel mix flow safety services
    service relations intake registration financial survey surveys feedback review reviews
    testimonial testimonials story stories journey demographics retention growth base list
    lists facing centered centric focused transport materials brochure brochures handout
    handouts guide seminar seminars event events loyalty leakage capture share census
    charges days mailer mailers letter letters line lines ambassador ambassadors marketing
    liaison liaisons campaign campaigns webinar lunch dinner breakfast meeting meetings
    territory invoice vendor ticket budget quarter q1 q2 q3 q4 plan plans goal goals target
    targets trend trends data report reports dashboard metrics metric rate rates percent
    inquiries inquiry conversion traffic web website site page link email emails phone
    phones fax cell mobile number address text message voicemail contact ortho orthopedics
    orthopedic cardiology cardiac heart vascular oncology cancer neuro neurology
    neurosciences spine spinal womens health primary internal family medicine pediatrics
    pediatric urology gi gastro pulmonary sleep wound rehab imaging radiology emergency
    urgent trauma maternity birthing behavioral january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov
    dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs
    fri sat sun week weeks month months year years day morning afternoon evening night knee
    hip shoulder back neck chest head arm leg foot hand pain fracture stroke injury diabetes
    copd chf afib pneumonia sepsis covid flu unknown anonymous redacted confidential private
    info information details detail status pending approved denied complete completed open
    closed active inactive name names named id identifier age aged yo old young lives states
    says wants likes prefers denies refuses agrees reports requests asks calls came went
    returned arrived isn't wasn't hasn't doesn't didn't can't won't declined understands
    knows feels looks seems walks uses takes remains continues works stays sleeps eats
    drinks smokes lost gained tested showed shows needs has doing says will wants wanting
    coming waiting wait ready due home alone safe fine currently recently finally still here
    there well sick ill dead alive awake
"""
COMMON = frozenset(_WORDS.split())

_ENDINGS = (
    "tion", "sion", "ment", "ness", "ity", "ing", "ed", "ly", "ance", "ence", "ship", "ics",
    "ies", "ous", "ive", "able", "ible", "ful", "less", "ism", "ist", "ers", "als", "ure",
    "ary", "ery", "ory", "ogy", "ical", "ated", "ize", "ise",
)  # fmt: skip


def common_shape(word: str) -> bool:
    """Whether a lower-case word has an ending that English words have and names rarely do."""
    return word.endswith(_ENDINGS)
