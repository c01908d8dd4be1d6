"""The rules, in one table: each rule's plain name, the clause of Procedure 417 it enforces,
what to do about a flag, and the reason a person gives when hiding content it flagged.

Everything that shows a rule to a person (alerts, digests, the console, the CLI, the
noncompliance report, the hide reasons) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One rule: ``id`` as flags store it; ``name`` as a principal reads it."""

    id: str
    name: str
    clause: str
    advice: str
    hide_reason: str = ""  # the HIDE_REASONS key for content this rule flags, if hideable


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "comments.unreviewed",
            "Comments not reviewed",
            "Procedure 417, Monitoring: comments are turned off or moderated; if comments are "
            "on, they must be monitored daily.",
            "Review the listed comments, hide any that break the procedure, then mark them "
            "reviewed. Consider turning comments off or holding them for review.",
        ),
        Rule(
            "visibility.public",
            "Public account or post",
            "Procedure 417, Monitoring: sites should be private networks unless there is a "
            "specific educational need for a public network.",
            "Make the account private, or record the educational need for a public presence "
            "(with an expiry) in the exceptions register.",
        ),
        Rule(
            "pii.student",
            "Student information",
            "Procedure 417, Guidance: no personally identifiable student information, "
            "including photographs, without consent.",
            "Remove the student's information or confirm consent is on file, then resolve the "
            "flag.",
            "student-information",
        ),
        Rule(
            "language.prohibited",
            "Prohibited language",
            "Procedure 417, Guidance: no harassing, obscene, discriminatory, defamatory or "
            "threatening language; no confidential information.",
            "Hide the content, document it, and follow up under the District's policies.",
            "prohibited-language",
        ),
        Rule(
            "media.inquiry",
            "Media inquiry",
            "Procedure 417, Media Inquiries: media inquiries are referred to the District.",
            "The communications office answers media inquiries; do not reply on the account.",
            "media-inquiry",
        ),
        Rule(
            "account.personal_email",
            "Personal e-mail on an account",
            "Procedure 417, Separate E-mail Accounts: the professional presence uses a District "
            "e-mail address.",
            "Move the account to a District e-mail address and update the registry.",
        ),
        Rule(
            "account.unapproved",
            "Account not approved or not working",
            "Procedure 417, Monitoring: supervisor approval before an account is set up, and an "
            "up-to-date list of accounts.",
            "Approve the account in the registry, or have IT reconnect its credentials, or "
            "retire it.",
        ),
        Rule(
            "account.unidentified",
            "Account does not identify the school",
            "Procedure 417, Communication with Students: professional sites identify the "
            "District or school and link to its website.",
            "Add the school or District name and a link to the school website to the profile.",
        ),
        Rule(
            "account.unacknowledged",
            "Owner has not acknowledged the procedure",
            "Procedure 417, Communication with District Students: employees inform their "
            "supervisor before setting up a professional social media presence and acknowledge "
            "they have read and understood all District policies and procedures.",
            "Ask the owner to open the acknowledgement e-mail from Hallwatch and confirm it; "
            "`hallwatch accounts acknowledge-requests` sends any request that is missing.",
        ),
        Rule(
            "account.admin_access",
            "Administrative access not in order",
            "Procedure 417, Monitoring: supervisors maintain an up-to-date list of social media "
            "accounts created, including administrative access.",
            "Remove administrators who left the District or sign in with a personal e-mail, "
            "and make the registry's list of administrators match the platform's.",
        ),
    )
}

# Content-neutral reasons a person may give for hiding a comment, each citing Procedure 417.
HIDE_REASONS: dict[str, str] = {
    "student-information": "Procedure 417: no personally identifiable student information, "
    "including photographs, without consent.",
    "prohibited-language": "Procedure 417: no harassing, obscene, discriminatory, defamatory "
    "or threatening language.",
    "confidential-information": "Procedure 417: no disclosure of confidential information.",
    "media-inquiry": "Procedure 417: media inquiries are referred to the District.",
    "off-purpose": "Procedure 417: school-based sites address instructional, educational or "
    "extra-curricular matters.",
}

CLAUSES: dict[str, str] = {rule_id: rule.clause for rule_id, rule in RULES.items()}
DEFAULT_ADVICE = "Review the item and resolve the flag."


def rule_name(rule_id: str) -> str:
    """The rule's plain name, or its id for a rule this version does not know."""
    rule = RULES.get(rule_id)
    return rule.name if rule else rule_id


def advice(rule_id: str) -> str:
    """What the person who gets a flag of this rule should do."""
    rule = RULES.get(rule_id)
    return rule.advice if rule else DEFAULT_ADVICE
