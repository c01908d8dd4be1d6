"""Procedure 417's key points, as owners read them before they acknowledge it.

The one place this text lives: the acknowledgement page, the request e-mail and the console
all read it from here. Each point is the procedure's own wording (District Administrative
Procedure 417, Social Media), shortened only where marked with an ellipsis; the section it
comes from is its heading. When the District amends the procedure, update these points and
raise ``procedure.version`` in the settings so that every owner is asked again.
"""

from __future__ import annotations

from dataclasses import dataclass

TITLE = "Administrative Procedure 417: Social Media"


@dataclass(frozen=True)
class KeyPoint:
    """One point of the procedure: the section it is from, and its words."""

    section: str
    text: str


KEY_POINTS: tuple[KeyPoint, ...] = (
    KeyPoint(
        "Separate professional and personal e-mail",
        "The professional social media presence will utilize a District email address and "
        "must be completely separate from any personal social media presence maintained by "
        "the employee.",
    ),
    KeyPoint(
        "Before you set up an account",
        "Employees will inform their supervisor before setting up a professional social "
        "media presence and acknowledge they have read and understood all district policies "
        "and procedures including, but not limited to, those regarding privacy, use of "
        "technology and social media.",
    ),
    KeyPoint(
        "Approval",
        "Employees shall receive district/department/site supervisor approval prior to "
        "setting up social media accounts and platforms.",
    ),
    KeyPoint(
        "Identify the site",
        "Professional district social media sites are to include language identifying the "
        "sites as professional social media district sites … and be linked to the school "
        "website.",
    ),
    KeyPoint(
        "Students' information",
        "No personally identifiable student information may be posted by employees on "
        "professional social media sites, including student photographs, without the "
        "consent of the students. If students are under the age of consent, their "
        "parents/guardians/caregivers must consent.",
    ),
    KeyPoint(
        "Language",
        "Professional social media communication must be in compliance with existing "
        "District policies and procedures, and applicable laws, including, but not limited "
        "to, prohibitions on the disclosure of confidential information and prohibitions on "
        "the use of harassing, obscene, discriminatory, defamatory or threatening language.",
    ),
    KeyPoint(
        "Privacy settings",
        "It is a recommended practice for professional social media sites to be private "
        "networks unless there is a specific educational need for the site to be a public "
        "network.",
    ),
    KeyPoint(
        "Comments",
        "The default setting for comments on professional social media sites is to be "
        "turned off or moderated regularly. If the default setting for comments is turned "
        "on, the comments on the site must be monitored on a daily basis by the user.",
    ),
    KeyPoint(
        "Administrative access",
        "The district/department/site supervisors shall maintain an up to date list of "
        "social media accounts created including administrative access, username and "
        "passwords.",
    ),
    KeyPoint(
        "Media inquiries",
        "Any media inquiries received via professional social media sites are to be "
        "referred to the District.",
    ),
    KeyPoint(
        "Personal accounts",
        "Employees are not to communicate with students who are currently enrolled in "
        "District schools on personal social media sites.",
    ),
)
