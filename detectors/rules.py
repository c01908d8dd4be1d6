"""The rules, in one table: each rule's plain name, the clause of Procedure 417 it enforces,
what to do about a flag, and the reason a person gives when hiding content it flagged.

Everything that shows a rule to a person (alerts, digests, the console, the CLI, the
noncompliance report, the hide reasons) reads it from here, and so does the plain title of
each flag (:func:`flag_title`: "A student's full name in a post on @patel-grade3"), which
alert subjects, chat messages, the digest and the console's to-do list all show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Rule:
    """One rule: ``id`` as flags store it; ``name`` as a principal reads it.

    ``titles`` say what one flag found, and where: pairs of (finding-key prefix, template),
    the first whose prefix starts the flag's finding key wins. A template may use
    ``{account}``, ``{where}`` ("a comment", "a post", "the profile"), ``{what}`` (the
    detector's label in plain words, capitalised: "A student's full name"), ``{count}``
    and ``{s}`` (a plural s for ``count``).
    """

    id: str
    name: str
    clause: str
    advice: str
    hide_reason: str = ""  # the HIDE_REASONS key for content this rule flags, if hideable
    titles: tuple[tuple[str, str], ...] = ()


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
            titles=(
                ("window:", "{count} comment{s} waiting for review on {account}"),
                ("comments-on", "Comments are switched on against the register on {account}"),
                ("", "Comments not reviewed on {account}"),
            ),
        ),
        Rule(
            "visibility.public",
            "Public account or post",
            "Procedure 417, Monitoring: sites should be private networks unless there is a "
            "specific educational need for a public network.",
            "Make the account private, or record the educational need for a public presence "
            "(with an expiry) in the exceptions register.",
            titles=(
                ("post:", "A public post on {account}"),
                ("changed:", "The privacy setting of {account} changed"),
                ("educational-need", "{account} is public with no valid educational need"),
                ("account", "{account} is public but registered as private"),
                ("", "{account} is public"),
            ),
        ),
        Rule(
            "pii.student",
            "Student information",
            "Procedure 417, Guidance: no personally identifiable student information, "
            "including photographs, without consent.",
            "Remove the student's information or confirm consent is on file, then resolve the "
            "flag.",
            "student-information",
            titles=(("", "{what} in {where} on {account}"),),
        ),
        Rule(
            "language.prohibited",
            "Prohibited language",
            "Procedure 417, Guidance: no harassing, obscene, discriminatory, defamatory or "
            "threatening language; no confidential information.",
            "Hide the content, document it, and follow up under the District's policies.",
            "prohibited-language",
            titles=(("", "{what} in {where} on {account}"),),
        ),
        Rule(
            "media.inquiry",
            "Media inquiry",
            "Procedure 417, Media Inquiries: media inquiries are referred to the District.",
            "The communications office answers media inquiries; do not reply on the account.",
            "media-inquiry",
            titles=(("", "A media inquiry in {where} on {account}"),),
        ),
        Rule(
            "account.personal_email",
            "Personal e-mail on an account",
            "Procedure 417, Separate E-mail Accounts: the professional presence uses a District "
            "e-mail address.",
            "Move the account to a District e-mail address and update the registry.",
            titles=(
                ("email:missing", "{account} has no contact e-mail on record"),
                ("", "{account} uses a personal e-mail address"),
            ),
        ),
        Rule(
            "account.unapproved",
            "Account not approved or not working",
            "Procedure 417, Monitoring: supervisor approval before an account is set up, and an "
            "up-to-date list of accounts.",
            "Approve the account in the registry, or have IT reconnect its credentials, or "
            "retire it.",
            titles=(
                ("credentials", "{account} stopped working: IT must reconnect it"),
                ("poll-problem:", "Hallwatch cannot check {account}: IT must fix the connection"),
                ("stale", "{account} has not been checked lately"),
                ("approval:", "{account} has no supervisor approval"),
                ("", "{account} is not approved or not working"),
            ),
        ),
        Rule(
            "account.unidentified",
            "Account does not identify the school",
            "Procedure 417, Communication with Students: professional sites identify the "
            "District or school and link to its website.",
            "Add the school or District name and a link to the school website to the profile.",
            titles=(("", "{account} does not identify the school"),),
        ),
        Rule(
            "account.unacknowledged",
            "Owner has not acknowledged the procedure",
            "Procedure 417, Communication with District Students: employees inform their "
            "supervisor before setting up a professional social media presence and acknowledge "
            "they have read and understood all District policies and procedures.",
            "Ask the owner to open the acknowledgement e-mail from Hallwatch and confirm it; "
            "`hallwatch accounts acknowledge-requests` sends any request that is missing.",
            titles=(
                ("acknowledgement:", "The owner of {account} has not acknowledged Procedure 417"),
            ),
        ),
        Rule(
            "account.admin_access",
            "Administrative access not in order",
            "Procedure 417, Monitoring: supervisors maintain an up-to-date list of social media "
            "accounts created, including administrative access.",
            "Remove administrators who left the District or sign in with a personal e-mail, "
            "and make the registry's list of administrators match the platform's.",
            titles=(
                ("admin:personal:", "An administrator of {account} uses a personal e-mail"),
                ("admin:departed:", "An administrator of {account} has left the District"),
                ("admin:unregistered:", "{account} has an administrator the registry lacks"),
                ("admin:missing:", "The registry lists an administrator {account} does not have"),
            ),
        ),
        Rule(
            "wellbeing.self_harm",
            "Signs of self-harm",
            "Duty of care, beside the procedure: signs that a student or anyone else may be "
            "thinking of suicide or self-harm go to the principal and a counsellor at once.",
            "This is not a disciplinary matter. Follow the District's suicide-risk protocol now: "
            "the counsellor reaches out to the person today. Do not hide the comment or reply "
            "to it on the platform. In Canada, the 9-8-8 Suicide Crisis Helpline (call or text "
            "988) answers at any hour.",
            titles=(("", "Signs of self-harm in {where} on {account}"),),
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
# A detector's label (``details["label"]``) in the words of a title.
LABEL_WORDS: dict[str, str] = {
    "student name": "a student's name",
    "student number": "a student number",
    "phone number": "a phone number",
    "e-mail address": "a personal e-mail address",
    "street address": "a home address",
    "birth date": "a child's birth date",
    "photo": "a photo of students with no consent on file",
    "location data": "a photo's location data",
    "threat": "threatening language",
    "discriminatory language": "discriminatory language",
    "insult": "a harassing insult",
    "obscenity": "obscene language",
    "accusation": "a possibly defamatory accusation",
    "confidential information": "confidential information",
    "offensive language": "offensive language",
    "media inquiry": "a media inquiry",
}
NAME_FORMS = {"full": "a student's full name", "first": "a student's first name"}
# A photo ("media") is always in a post.
WHERE = {"comment": "a comment", "post": "a post", "media": "a post", "account": "the profile"}


class FlagLike(Protocol):
    """What :func:`flag_title` reads of a flag (``monitor``'s model has these fields)."""

    @property
    def rule_id(self) -> str: ...
    @property
    def dedup_key(self) -> str: ...
    @property
    def subject_type(self) -> str: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


def rule_name(rule_id: str) -> str:
    """The rule's plain name, or its id for a rule this version does not know."""
    rule = RULES.get(rule_id)
    return rule.name if rule else rule_id


def advice(rule_id: str) -> str:
    """What the person who gets a flag of this rule should do."""
    rule = RULES.get(rule_id)
    return rule.advice if rule else DEFAULT_ADVICE


def _what(rule_id: str, details: Mapping[str, Any]) -> str:
    label = str(details.get("label", ""))
    if label == "student name":
        words = NAME_FORMS.get(str(details.get("form", "")), LABEL_WORDS[label])
    else:
        words = LABEL_WORDS.get(label, rule_name(rule_id).lower())
    return words[:1].upper() + words[1:]


def flag_title(flag: FlagLike, account: str) -> str:
    """What a flag found and where, in a principal's words: "A student's full name in a post
    on @patel-grade3". Never the rule id or a severity word."""
    details = flag.details or {}
    key = flag.dedup_key.split(":", 2)[2] if flag.dedup_key.count(":") >= 2 else ""
    rule = RULES.get(flag.rule_id)
    template = next(
        (t for prefix, t in (rule.titles if rule else ()) if key.startswith(prefix)),
        f"{rule_name(flag.rule_id)} on {{account}}",
    )
    where = WHERE.get(flag.subject_type, "the account")
    if details.get("post") and flag.subject_type in ("account", "item"):
        where = "a post"  # a photo's finding names the post it is in
    overdue = details.get("overdue", [])
    count = len(overdue) if isinstance(overdue, list) else 0
    return template.format(
        account=account,
        where=where,
        what=_what(flag.rule_id, details),
        count=count,
        s="" if count == 1 else "s",
    )
