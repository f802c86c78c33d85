"""Guessing what each column of a call list holds, from its header (English, German, Russian).

A header is read whole first ("Written Consent Date"), then by what it says about consent, an
inquiry or a purchase (before the phone words: "Phone Consent Date" is a date, not a number), then
word by word ("State/Region"). A column recognised as a field that another column already feeds is
not imported, and the mapping keeps it in `dropped` so the import reports it instead of losing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# The lead fields a column can map to. "phone" and "do_not_call" may be chosen for several columns.
FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "phone",
    "email",
    "kind",
    "warmth",
    "state",
    "postal_code",
    "source",
    "notes",
    "consent_written",
    "inquiry_date",
    "purchase_date",
    "consent_evidence",
    "external_id",
    "do_not_call",
)
IGNORE = ""
# Fields several columns may feed: every phone column is read, and a do-not-call flag in any column
# counts (a second "DNC" column is never dropped: its "yes" would be lost, and the lead called).
MULTI_COLUMN_FIELDS = frozenset({"phone", "do_not_call"})
# Fields holding dates of consent or of an established business relationship.
CONSENT_FIELDS = {"consent_written": "written", "inquiry_date": "inquiry", "purchase_date": "purchase"}

FIELD_LABELS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "company": "Company",
    "title": "Title",
    "phone": "Phone",
    "email": "Email",
    "kind": "Lead type (business/residential)",
    "warmth": "Warmth (warm/cold)",
    "state": "State",
    "postal_code": "ZIP / postal code",
    "source": "Source",
    "notes": "Notes",
    "consent_written": "Written consent (date)",
    "inquiry_date": "Inquiry (date)",
    "purchase_date": "Last purchase (date)",
    "consent_evidence": "Consent evidence",
    "external_id": "CRM record id",
    "do_not_call": "Do not call (flag)",
    IGNORE: "(ignore)",
}

# Header spellings per field, compared after lower-casing and dropping punctuation and spaces.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    # The lead's id in the CRM it was exported from (Salesforce "Id", HubSpot "Record ID" …).
    "external_id": (
        "id",
        "recordid",
        "contactid",
        "leadid",
        "externalid",
        "crmid",
        "salesforceid",
        "sfid",
        "sfdcid",
        "hubspotid",
        "hubspotrecordid",
        "pipedriveid",
        "zohoid",
    ),
    "first_name": ("firstname", "first", "givenname", "forename", "vorname", "имя"),
    "last_name": ("lastname", "last", "surname", "familyname", "nachname", "фамилия"),
    "full_name": ("name", "fullname", "contact", "contactname", "person", "фио", "контакт"),
    "company": (
        "company",
        "companyname",
        "organization",
        "organisation",
        "business",
        "account",
        "firm",
        "employer",
        "firma",
        "unternehmen",
        "компания",
        "организация",
    ),
    "title": ("title", "jobtitle", "position", "role", "designation", "должность", "position"),
    "email": ("email", "emailaddress", "mail", "почта"),
    "kind": ("type", "leadtype", "kind", "customertype", "category", "b2bb2c", "тип"),
    "warmth": ("warmth", "temperature", "interest", "leadstatus", "rating", "warm", "hotcold"),
    "state": ("state", "province", "region", "st", "bundesland", "штат"),
    "postal_code": (
        "zip",
        "zipcode",
        "zip4",
        "postalcode",
        "postcode",
        "postal",
        "zippostal",
        "zippostalcode",
        "postleitzahl",
        "plz",
        "индекс",
        "почтовыйиндекс",
    ),
    "source": ("source", "leadsource", "origin", "list", "источник"),
    "consent_written": (
        "consent",
        "writtenconsent",
        "consentdate",
        "consentwritten",
        "expresswrittenconsent",
        "pewc",
        "optin",
        "optindate",
    ),
    "inquiry_date": ("inquiry", "inquirydate", "lastinquiry", "enquiry", "enquirydate", "inquiredon"),
    "purchase_date": ("purchase", "purchasedate", "lastpurchase", "lastpurchasedate", "customersince"),
    # A CRM's do-not-call flag (Salesforce "DoNotCall", HubSpot "Do not call"): the lead goes on the
    # firm's internal do-not-call list at import.
    "do_not_call": (
        "donotcall",
        "dnc",
        "dncflag",
        "donotcallflag",
        "isdonotcall",
        "nocall",
        "nocalls",
        "donotphone",
        "donotcontactbyphone",
        "phoneoptout",
        "calloptout",
        "dnccheck",
        "internaldnc",
        "nichtanrufen",
        "незвонить",
    ),
    "consent_evidence": ("evidence", "consentevidence", "consentsource", "optinsource"),
    "notes": (
        "notes",
        "note",
        "comment",
        "comments",
        "remarks",
        "description",
        "заметки",
        "комментарий",
        "примечание",
    ),
}
_PHONE_WORDS = (
    "phone",
    "mobile",
    "cell",
    "tel",
    "telephone",
    "direct",
    "work",
    "home",
    "number",
    "telefon",
    "handy",
    "телефон",
    "мобильный",
    "тел",
)
_POSTAL_WORDS = ("zip", "postal", "postcode", "postleitzahl")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Words that make a consent column the evidence of the consent rather than its date.
_EVIDENCE_WORDS = ("evidence", "source", "proof", "method", "channel", "how", "url", "recording", "text")


@dataclass
class ColumnMapping:
    """Which lead field each column (by index) feeds; columns mapped to "" are ignored."""

    headers: list[str]
    fields: list[str] = field(default_factory=list)
    # Columns recognised as a field another column already feeds: not imported, and reported.
    dropped: dict[int, str] = field(default_factory=dict)

    def dropped_columns(self) -> list[str]:
        """Why each recognised column is not imported, in words for the user."""
        found = []
        for index, field_name in sorted(self.dropped.items()):
            if index < len(self.fields) and self.fields[index]:
                continue  # the user mapped it after all
            first = next(iter(self.columns_for(field_name)), None)
            label = FIELD_LABELS.get(field_name, field_name)
            if first is None:
                found.append(f"column '{self.headers[index]}' looks like {label} but is not imported")
            else:
                found.append(
                    f"column '{self.headers[index]}' looks like {label} too: only "
                    f"'{self.headers[first]}' is imported as {label}"
                )
        return found

    def ignored_columns(self) -> list[str]:
        """The headers of the columns no field is read from (the dropped ones included)."""
        return [header for header, name in zip(self.headers, self.fields, strict=False) if not name]

    def columns_for(self, field_name: str) -> list[int]:
        return [index for index, name in enumerate(self.fields) if name == field_name]

    def has_name(self) -> bool:
        return any(name in ("first_name", "last_name", "full_name", "company") for name in self.fields)

    def has_phone(self) -> bool:
        return "phone" in self.fields

    def problems(self) -> list[str]:
        """What stops an import with this mapping, in words for the user."""
        issues = []
        if not self.has_phone():
            issues.append("no column is mapped to Phone")
        if not self.has_name():
            issues.append("no column is mapped to a name or a company")
        for field_name in FIELDS:
            if field_name not in MULTI_COLUMN_FIELDS and len(self.columns_for(field_name)) > 1:
                issues.append(f"{FIELD_LABELS[field_name]} is mapped to more than one column")
        return issues


def _key(header: str) -> str:
    return _NON_WORD.sub("", header.strip().lower())


def guess_field(header: str) -> str:
    """The field a header most likely names, or IGNORE."""
    key = _key(header)
    if not key:
        return IGNORE
    for field_name, words in _SYNONYMS.items():
        if key in words:
            return field_name
    if "donotcall" in key:
        # "Do Not Call (Y/N)", "Do Not Call Date": a date or a reason there says do not call as well.
        return "do_not_call"
    if _not_written_consent(key):
        return IGNORE
    dated = _consent_field(key)
    if dated:
        return dated
    if key.endswith("id") and any(
        word in key for word in ("record", "crm", "salesforce", "hubspot", "external")
    ):
        return "external_id"
    # Before the phone words: "Home ZIP" and "Work Postal Code" are where someone lives or works.
    if any(word in key for word in _POSTAL_WORDS):
        return "postal_code"
    if any(word in key for word in _PHONE_WORDS) and "email" not in key:
        return "phone"
    if "email" in key or "e-mail" in header.lower():
        return "email"
    if "company" in key or "organi" in key:
        return "company"
    if "first" in key and "name" in key:
        return "first_name"
    if ("last" in key or "sur" in key) and "name" in key:
        return "last_name"
    if "note" in key or "comment" in key:
        return "notes"
    return _field_by_words(header)


# Words that say a consent (or a purchase, an inquiry) column is not a date of written consent: one
# that ended ("Consent Revoked Date", "Opt-out"), was never given ("No Consent") or is not written
# ("Verbal Consent Date"). Read as written consent they would let calls through that the law forbids;
# such a column is not imported, and reported as not imported.
_NOT_WRITTEN_CONSENT = (
    "revok",
    "withdr",
    "rescind",
    "optout",
    "unsub",
    "expir",
    "denied",
    "declin",
    "refus",
    "cancel",
    "refund",
    "verbal",
    "oral",
    "implied",
    "noconsent",
    "nopermission",
    "notconsent",
    "status",
)


def _not_written_consent(key: str) -> bool:
    """A consent, inquiry or purchase column whose header says it is no date of written consent."""
    about = ("consent", "optin", "pewc", "permission", "inquir", "enquir", "purchase")
    if not any(word in key for word in about):
        return False
    return any(word in key for word in _NOT_WRITTEN_CONSENT) or key.endswith("no")


def _consent_field(key: str) -> str:
    """Consent and established-business-relationship columns, by what their header says."""
    if any(word in key for word in ("consent", "optin", "pewc", "permission")):
        if any(word in key for word in _EVIDENCE_WORDS):
            return "consent_evidence"
        return "consent_written"
    if "inquir" in key or "enquir" in key:
        return "inquiry_date"
    if "purchase" in key or "customersince" in key:
        return "purchase_date"
    return IGNORE


def _field_by_words(header: str) -> str:
    """The field every word of the header that names one agrees on ("State/Region"), else IGNORE."""
    named = {
        field_name
        for word in _NON_WORD.split(header.strip().lower())
        if word
        for field_name, words in _SYNONYMS.items()
        if word in words
    }
    return named.pop() if len(named) == 1 else IGNORE


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Guess a mapping for all headers; a field other than phone or the do-not-call flag is given to one
    column only: the first that says what the field means most exactly (`_SAYS_EXACTLY`), else the first."""
    guesses = [guess_field(header) for header in headers]
    chosen: dict[str, int] = {}
    for index, guess in enumerate(guesses):
        if not guess or guess in MULTI_COLUMN_FIELDS:
            continue
        if guess not in chosen or (
            _says_exactly(guess, headers[index]) and not _says_exactly(guess, headers[chosen[guess]])
        ):
            chosen[guess] = index
    fields: list[str] = []
    dropped: dict[int, str] = {}
    for index, guess in enumerate(guesses):
        if guess and guess not in MULTI_COLUMN_FIELDS and chosen[guess] != index:
            dropped[index] = guess
            guess = IGNORE
        fields.append(guess)
    return ColumnMapping(headers=list(headers), fields=fields, dropped=dropped)


# Header words that name a field exactly where other headers only may: a "Written Consent Date" is
# written consent, a bare "Consent Date" may date a verbal or implied one. When both are given the
# written one is read, so a bare consent date never counts as written consent beside a written one.
_SAYS_EXACTLY: dict[str, tuple[str, ...]] = {"consent_written": ("written", "pewc")}


def _says_exactly(field_name: str, header: str) -> bool:
    key = _key(header)
    return any(word in key for word in _SAYS_EXACTLY.get(field_name, ()))


# Cell values of a do-not-call flag, after lower-casing and dropping punctuation and spaces.
_FLAG_SET = frozenset({"true", "yes", "y", "1", "x", "checked", "on", "t", "dnc", "donotcall", "ja", "да"})
_FLAG_CLEAR = frozenset({"false", "no", "n", "0", "unchecked", "off", "f", "nein", "нет", "none", "null"})


def do_not_call_flag(text: str) -> bool | None:
    """Whether a do-not-call cell says "do not call": True, False (empty, "false", "no", "0"), or None
    for a value that is neither (the import treats that as do not call, the stricter reading, and
    reports it)."""
    key = _key(text)
    if not key or key in _FLAG_CLEAR:
        return False
    if key in _FLAG_SET:
        return True
    return None
