"""Write ``school_posts.jsonl`` from the posts below (run it after editing them).

The posts are written for ``benchmarks/alert_precision.py`` in the voice of school and
district accounts and of parents commenting on them. The students are invented and listed
in ``school_roster.csv``; the organisation units' contacts are ``alert_district.json``.

Markup, one post a line (blank lines and ``#`` lines are skipped):

- ``[[text|code]]`` a span that must raise ``pii.student`` (codes in :data:`LABELS`);
- ``{{text|code}}`` a span that must not (codes in :data:`NEGATIVES`);
- a line starting ``photo=FILE |`` attaches ``tests/data/FILE`` to the post: a photo with
  faces and no consent is a ``photo`` label; ``photo+=FILE |`` records consent for the post
  (a ``consented photo`` negative).

    .venv/bin/python benchmarks/data/make_school_posts.py
"""

# ruff: noqa: E501 (the posts are written one a line, as they would be posted)
from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "school_posts.jsonl"
LABELS = {
    "F": ("full name", "critical"),
    "IS": ("initial + surname", "critical"),
    "T": ("name tag", "critical"),
    "N": ("student number", "critical"),
    "C": ("tied contact", "critical"),
    "B": ("tied birth date", "critical"),
    "FN": ("first name", "medium"),
    "FI": ("first name + initial", "high"),
}
NEGATIVES = {
    "sa": "school address", "sp": "school phone", "se": "school e-mail",
    "by": "birth year", "club": "club named like a given name", "fam": "famous person",
    "bib": "Bible reference", "sport": "sports player", "staff": "staff name",
    "place": "place", "word": "everyday word", "date": "event date", "brand": "brand",
    "cons": "student with consent", "spam": "spam or business phone", "num": "other number",
    "first": "first name without school context",
}  # fmt: skip
_MARK = re.compile(r"\[\[(.+?)\|(\w+)\]\]|\{\{(.+?)\|(\w+)\}\}")

POSTS = r"""
# --- full names (critical) ---------------------------------------------------------------
Congratulations to [[Maple Ortiz|F]] for winning the grade 2 spelling bee!
Huge shout-out to [[Jaden Rivera|F]] and [[Sofia Rivera|F]] for organizing the food drive.
Our student of the month for October is [[Autumn Nakamura|F]]. Way to go!
[[Grace Okafor|F]] read her poem at this morning's assembly.
Way to go [[King Watson|F]], who placed first in the district science fair!
Please welcome [[Love Adeyemi|F]] to Ms. Tran's grade 5 class.
Congrats to [[Justice Park|F]] on being named a National Merit semifinalist.
[[River Thompson|F]] lost a first tooth today and the whole class cheered!
The kindergarten art show features work by [[Rose Bennett|F]] and [[Lucas Kim|F]].
Cross-country results: 1st [[Mark Sullivan|F]], 2nd [[Elijah Scott|F]], 3rd [[Dallas Reed|F]].
Graduation speaker this year is [[Bill Harper|F]] from Cedar Hills.
Honour roll: [[Harper Wilson|F]], [[Ethan Brooks|F]], [[Victoria Hughes|F]], [[Georgia Evans|F]].
Go [[Summer Alvarez|F]]! Two goals in today's game against Lakeview.
So proud of [[Faith Morrison|F]] for her science fair project on bees.
[[Angel Ramirez|F]] and [[Major Collins|F]] helped the custodians set up the gym.
Grade 4 spelling champion: [[Sunny Patel|F]]!!
Thank you [[Star Robinson|F]] for leading the school tour for new families.
[[Emma Young|F]] will represent Cedar Hills at the state debate finals.
Our robotics team ([[Liam King|F]], [[Noah Rose|F]], [[Ava Love|F]]) won the regional!
Welcome back [[Mateo Hernandez|F]], we missed you!
[[Isabella Nguyen|F]]'s painting was picked for the district calendar.
Lost and found: a blue lunchbox with [[Mia Johnson|F]] written on the lid.
We're cheering for [[Aiden Murphy|F]] at the state wrestling tournament this weekend.
Happy birthday [[Chloe Martin|F]] from all your friends in room 12!
Reading buddies this week: [[Austin Gray|F]] with [[Paris Coleman|F]].
Congratulations [[Lincoln Wood|F]] on your black belt!
[[Phoenix Long|F]] designed this year's yearbook cover.
Math Olympiad team: [[Zoe Bergstrom|F]], [[Priya Raman|F]], [[Destiny Morales|F]], [[Brooks Anderson|F]].
[[Chase Bell|F]] scored the winning basket at the buzzer!
Ivy league bound? Not yet, but [[Ivy Summers|F]] just won the grade 4 essay contest.
[[Daniel Garcia|F]] is our new student council treasurer.
Thanks to [[Jordan Price|F]] for running the recycling club all year.
[[Hope Delgado|F]] and [[Joy Castillo|F]] sang the anthem at the assembly.
[[May Lin|F]] and [[June Walker|F]] are our kindergarten helpers this month.
[[Royal Jenkins|F]] read 100 books this year!
[[Will Foster|F]] is our athlete of the week.
[[William Foster|F]] has been accepted to the state honor band.
ORTIZ, MAPLE - GRADE 2 - PERFECT ATTENDANCE: [[ORTIZ, MAPLE|F]] gets a certificate.
Field day winners: [[Rivera, Jaden|F]]; [[Okafor, Grace|F]]; [[Castillo, Joy|F]].
great job [[maple ortiz|F]] and [[jaden rivera|F]]!!!
WELL DONE [[AUTUMN NAKAMURA|F]] ON THE REGIONAL ART AWARD
Proud mom moment: [[Sunny Patel|F]] made the honor roll again.
Can someone tell me if [[Hope Delgado|F]]'s bus is running late today?
My son [[Mateo Hernandez|F]] forgot his jacket in the gym.
I think [[Justice Park|F]] left her backpack on the field.
The 5th grade play stars [[Love Adeyemi|F]] as Dorothy.
Our chess club champion is [[Jordan Price|F]] — again!
Shout out to the kindergarten teachers and to [[River Thompson|F]]'s dad for the pumpkins.
Please keep [[Major Collins|F]] and his family in your thoughts this week.
#proud of [[Angel Ramirez|F]] on making state!
Today [[Star Robinson|F]] taught us how to make paper cranes.
Students who have not returned the form: [[Bill Harper|F]], [[Mark Sullivan|F]].
Happy 10th birthday to [[Rose Bennett|F]]!
[[Danny Garcia|F]] won the book character costume contest as a dragon.
Cedar Hills senior [[Emma Young|F]] signed with Oregon State softball today.
1st place poster: [[Paris Coleman|F]] (gr 4). 2nd place: [[Lincoln Wood|F]] (gr 2).
[[Victoria Hughes|F]] was chosen for the Young Writers camp in Portland.
[[Dallas Reed|F]] and [[Austin Gray|F]] built the best bridge in the engineering challenge.
[[Georgia Evans|F]] is heading to nationals for spelling.
[[Phoenix Long|F]] is the new drum major.
Student leadership: [[Destiny Morales|F]] (president), [[Brooks Anderson|F]] (secretary).
Big thanks to [[Chase Bell|F]] for fixing the library computers!
[[Ivy Summers|F]] made the regional choir.
Grade 6 field trip photos: [[Jaden Rivera|F]] at the salmon hatchery.
# --- initial + surname, first name + initial ----------------------------------------------
Art prize winners: [[J. Rivera|IS]] (gr 6) and [[M. Ortiz|IS]] (gr 2).
Spelling bee finalists: [[A. Nakamura|IS]], grade 7, and [[G. Okafor|IS]], grade 4.
Top readers in Ms. Lee's class: [[K. Watson|IS]] and [[E. Brooks|IS]].
Honour roll (grade 8): [[L. King|IS]], [[V. Hughes|IS]].
[[S. Rivera|IS]] from grade 5 won the poster contest.
Well done [[Maple O.|FI]] on your science project!
Shout out to [[Jaden R.|FI]] in grade 6 for helping a classmate.
Student of the week: [[Grace O|FI]]. from Room 4.
Thank you [[Autumn N.|FI]] and [[King W.|FI]] for tidying the library.
Star readers in grade 3: [[Joy C.|FI]] and [[Hope D.|FI]]
# --- name tags and handles ---------------------------------------------------------------
So proud of our spelling champ #[[MapleOrtiz|T]]!
Follow our young artist @[[jaden_rivera|T]] for more of his drawings.
Go [[#AutumnNakamura|T]] #TeamMaple
Congrats [[#GraceOkafor|T]] on the award!
Our photographer this year: @[[kingwatson12|T]].
# --- roster student numbers (any format; some fail a check digit) --------------------------
Student [[118364027|N]], your jacket is at the office.
Lost library book belongs to student #[[529013846|N]].
Will the student with ID [[630482915|N]] please see the counselor.
Bus pass for [[741250398|N]] is ready for pickup.
The locker assigned to [[852016473|N]] needs to be cleared by Friday.
Scholarship applicant [[963571204|N]] has been selected for an interview.
Student number [[RSD-04518|N]] - lunch account balance is low.
ID card for [[2045-1877|N]] was found in the gym.
Please return the permission slip for student [[RSD 04518|N]].
Grades posted for [[174209385|N]], [[285930617|N]] and [[396407128|N]].
Found: a calculator labelled [[407518239|N]].
Parking permit [[730841562|N]] (student) expires Friday.
Student 1 of 3 - [[841952673|N]] - needs to bring a signed form.
Reminder for [[rsd-04518|N]]: library fines are due.
Exam seat for [[952063784|N]]: room 214.
[[163174895|N]] please come to the main office at lunch.
Chromebook [[274285906|N]] was left on the bus.
Locker combination for [[385396017|N]] has been reset.
# --- photos --------------------------------------------------------------------------------
photo=face.jpg | Our astronaut day was a blast!
photo=group.jpg | Grade 3 on the field trip today.
photo=face.jpg | Meet our new kindergarten class!
photo=group.jpg | Science fair winners!
photo=face.jpg | Picture day was today.
photo=group.jpg | Look who got a visit from the firefighters!
photo=face.jpg | Reading corner fun.
photo=group.jpg | The choir after the winter concert.
photo=face.jpg | Lunch with the principal winners!
photo=group.jpg | Buddy reading in the library.
# --- contact details and birth dates tied to a student (critical) --------------------------
[[Maple Ortiz|F]] lives at [[1402 Elm Street|C]], please drop the costume there.
If [[Jaden Rivera|F]] needs a ride, his mom's cell is [[503-555-0187|C]].
My daughter's number is [[(503) 555-0163|C]] if the kids want to practice together.
[[Grace Okafor|F]]'s birthday is [[March 3, 2018|B]], the class is making cards.
My son was born on [[June 12, 2019|B]] and starts kindergarten in the fall.
Student DOB: [[14/05/2016|B]] - allergy form attached.
Please send [[King Watson|F]]'s homework to [[kwatson.family@gmail.com|C]].
For pickup of [[Love Adeyemi|F]] call [[541-555-0172|C]].
The kids can meet at [[88 Larch Court|C]] where my son lives.
Her daughter turns 8 on [[May 14|B]]!
[[Justice Park|F]] (birthdate [[2011-02-19|B]]) needs a new emergency form.
Email my kid's tutor at [[tutor.parkfamily@outlook.com|C]], she helps [[Justice Park|F]] with math.
# --- first name with a school cue (medium) ------------------------------------------------
[[Maple|FN]] from grade 2 is the kindest kid.
[[Autumn|FN]] in grade 7 won the poster contest.
[[Hope|FN]] (gr 3) read her story to the class.
Congratulations to grade 4 student [[Grace|FN]] on the art award!
[[Will|FN]] from Mr. Dunn's class helped set up the assembly.
Our kindergartener [[River|FN]] brought in a snake for show and tell.
[[Summer|FN]], grade 5, raised $400 for the food bank.
A big thank you to [[Jaden|FN]] in grade 6 for helping the new student.
[[Mateo|FN]]'s science fair project is about volcanoes.
[[Isabella|FN]]'s artwork is hanging in the front hall.
Grade 1 student [[Lucas|FN]] read 50 books this term!
[[Love|FN]] from Ms. Tran's class won the spelling bee.
Student of the month: [[Chloe|FN]] (grade 2)!
[[Aiden|FN]] in grade 4 scored two goals at recess.
Shout-out to [[Priya|FN]] in grade 11 for tutoring younger students.
[[Destiny|FN]] from Room 7 was our reading buddy today.
[[Justice|FN]] (Div 3) is our new class rep.
5th grader [[Sofia|FN]] made the honor roll.
[[Ethan|FN]]'s report card made his teacher proud.
[[King|FN]] from grade 8 ran the bake sale.
# --- more: possessives, hashtags, lists, comments by parents --------------------------------
[[Maple Ortiz|F]]'s drawing won the district calendar contest.
We loved [[Autumn Nakamura|F]]’s speech at the grade 7 assembly.
[[King Watson|F]]'s mom dropped off cupcakes for the whole class.
Is [[Grace Okafor|F]]'s recital still on for Thursday?
This is [[Will Foster|F]]’s third year on varsity.
#Congrats #[[JadenRivera|T]] #ArtPrize
#StudentOfTheMonth #[[SofiaRivera|T]]
Shoutout @[[maple.ortiz|T]] for the amazing poster!
Tagging @[[hope_delgado|T]] — your story is on the bulletin board!
Roll call for the field trip bus 2: [[Emma Young|F]], [[Liam King|F]], [[Noah Rose|F]], [[Ava Love|F]].
Volleyball roster: [[Harper Wilson|F]] (captain), [[Chloe Martin|F]], [[Mia Johnson|F]].
Lunch helpers today were [[Elijah Scott|F]] and [[Aiden Murphy|F]]. Thank you!
Our newest library volunteer is [[Isabella Nguyen|F]] (grade 3).
Super proud of [[Lucas Kim|F]] and the whole kindergarten class today.
Thank you [[Mateo Hernandez|F]] for the beautiful card, Ms. Lopez.
Did anyone see [[Ethan Brooks|F]]'s water bottle? It's green.
Our grade 12 valedictorian is [[Priya Raman|F]].
[[Zoe Bergstrom|F]] tied for first in the 100m dash.
Carpool for [[Brooks Anderson|F]] and [[Chase Bell|F]] leaves at 3:15.
[[Destiny Morales|F]] got the lead in the spring musical!
A big welcome to our new student, [[Ivy Summers|F]]!
Way to go [[Paris Coleman|F]] and [[Georgia Evans|F]], 4x100 relay champions!
[[Phoenix Long|F]] and [[Lincoln Wood|F]] helped plant the school garden.
[[Victoria Hughes|F]] read the morning announcements today.
Tonight's game MVP: [[Austin Gray|F]].
Best costume: [[Dallas Reed|F]] as a T. rex!
Thank you to [[Jordan Price|F]] for the pep rally speech.
Peer tutor of the month: [[Justice Park|F]].
Our grade 1 buddies [[River Thompson|F]] and [[Rose Bennett|F]] planted tulips.
Grade 3 spelling: 1. [[Joy Castillo|F]] 2. [[Hope Delgado|F]] 3. [[Star Robinson|F]]
Congratulations to [[Love Adeyemi|F]] (gr 5) and [[Summer Alvarez|F]] (gr 5)!
Welcome to kindergarten, [[May Lin|F]]!
[[June Walker|F]] brought her grandma for Grandparents Day.
[[Royal Jenkins|F]] and [[Angel Ramirez|F]] are our recycling captains.
Our choir soloist at the winter concert was [[Faith Morrison|F]].
[[Mark Sullivan|F]] is the new editor of the school paper.
Bill Nye visited! [[Bill Harper|F]] introduced him at the assembly.
[[Major Collins|F]] was our grade 6 student of the week.
Homework club helper: [[Sunny Patel|F]].
[[J. Rivera|IS]] (gr 6) and [[A. Nakamura|IS]] (gr 7) will represent us at the district art show.
Spelling finals: [[G. Okafor|IS]] (Room 4) vs [[H. Delgado|IS]] (Room 9).
[[R. Thompson|IS]], kindergarten, was our reader of the week.
Honor roll grade 10: [[W. Foster|IS]], [[E. Young|IS]].
[[Maple|FN]] (grade 2) drew the picture on our newsletter.
Our grade 6 student [[Jaden|FN]] organized the food drive.
[[Faith|FN]] from grade 6 sang the solo at the concert.
Kindergarten student [[Rose|FN]] lost her first tooth!
[[Mark|FN]] in grade 9 fixed the projector.
[[Lucas|FN]]'s backpack was left on the bus.
Student [[396407128|N]] - please collect your lost phone from the office.
Student ID [[2045-1877|N]] has a library hold waiting.
Permission slip missing for [[RSD-04518|N]].
[[King Watson|F]] (student no. [[741250398|N]]) won the essay prize.
[[Love Adeyemi|F]]'s address for the party invite is [[209 Spruce Lane|C]].
Please call [[Justice Park|F]]'s grandma at [[503-555-0118|C]] about the ride.
My kid's birthday is [[April 2, 2017|B]]; can we bring treats to class?
# --- more negatives ------------------------------------------------------------------------
Registration for children {{born in 2021|by}} opens February 1 at every school.
Families with a child born in {{2021|by}}: kindergarten information night is on {{Jan 15|date}}.
All students born in {{2011|by}} must get the grade 9 vaccines.
The {{Grace|club}} Hopper Coding Club is open to all grade 6 girls.
The {{Hope|club}} Squad peer support group meets Thursdays.
{{Autumn|club}} Fest is on Friday for the whole school!
{{Justice|club}} for All club members made posters for the hallway.
{{Maple|club}} Ridge Middle School band won gold at the festival.
{{Love|club}} Your Library week starts Monday for every class.
Our grade 8 class read {{Hatchet|word}} by {{Gary Paulsen|fam}}.
{{Josh Allen|sport}} threw three touchdowns, and the grade 7 class won the office pool.
Our students watched {{Simone Biles|fam}} in the gym class video.
{{Caitlin Clark|sport}} visited a school near us and our grade 5 girls are inspired.
The grade 4 students wrote reports on {{George Washington|fam}}.
{{Matthew 5:9|bib}}: blessed are the peacemakers. Our theme for Peace Week.
{{John 15:12|bib}} is our grade 6 chapel verse.
{{Psalm 23|bib}} was read at the assembly.
{{Luke 18:16|bib}} reminds us to welcome every child.
Our Fall {{Festival|word}} raised $2,000 for the library.
{{Grace|word}} period for library fines ends Friday for every class.
{{Will|word}} there be school on Monday? Yes, classes run as usual.
Picture retakes are {{June|word}} 3 for all grades.
The office will be closed {{May|word}} 20 for the staff day.
{{Mark|word}} the date: our grade 5 play is on the 12th.
{{Hope|word}} you all had a great spring break, students!
The {{Rivera|place}} Elementary choir joined ours at the concert.
Visit the office at {{2050 Cedar Street|sa}} for a paper copy of the registration form.
New families: call {{(971) 555-0150|sp}} or email {{frontdesk@lakeviewk8.example.net|se}}.
# --- negatives: the school's own contact details ---------------------------------------------
Our school is located at {{418 Alder Avenue|sa}}. Come visit during open house!
Riverside School District office: {{2050 Cedar Street|sa}}, Riverside.
If your child will be absent, call the office at {{503-555-0110|sp}}.
Absences: please call {{(503) 555-0100|sp}} before 8:30 am.
Questions about registration? Email {{info@rsd.example.org|se}}.
Report an absence to {{attendance.mrms@rsd.example.org|se}} or call {{503-555-0130|sp}}.
Oak Grove Elementary, {{77 Birchwood Drive|sa}}. Office: {{503.555.0120|sp}}. Email {{oakgroveoffice@gmail.com|se}}.
Lakeview K-8 front desk: {{frontdesk@lakeviewk8.example.net|se}}, {{(971) 555-0150|sp}}.
Cedar Hills High School, {{5150 Summit Boulevard|sa}}, {{503 555 0140|sp}}.
Send your student's volunteer forms to {{chhs-main@rsd.example.org|se}}.
Maple Ridge Middle School ({{1900 Kingsway Road|sa}}) will be closed Monday.
Parents of grade 3 students: questions go to {{riverside.office@rsd.example.org|se}} or {{503-555-0110|sp}}.
The district office at {{2050 Cedar St.|sa}} is open 8-4 over the break.
Kids' lost items are at the office, {{418 Alder Ave|sa}}.
Our new bus loop is at {{1900 Kingsway Rd|sa}}; students use the north doors.
Child absent? Text {{(503) 555-0100|sp}} with their name and class.
Kindergarten parents: our office number is {{503-555-0130|sp}}; email {{attendance.mrms@rsd.example.org|se}}.
# --- negatives: registration notices and years of birth ----------------------------------
Registration opens for children {{born in 2021|by}}.
Kindergarten registration is open for children born in {{2021|by}} (they must turn 5 by {{Dec 31, 2026|date}}).
Preschool spots available for kids born in {{2022|by}} and {{2023|by}}.
Is your child born in {{2020|by}}? Register for kindergarten by {{March 1|date}}!
Children born between {{Jan 1, 2021|by}} and {{Dec 31, 2021|by}} may register for kindergarten.
Soccer sign-ups: players born in {{2015|by}} or {{2016|by}} play U11.
Kindergarten roundup: children who turn 5 on or before {{September 1|by}} are eligible.
# --- negatives: clubs and programmes named like given names ------------------------------
Our {{Autumn|club}} Reading Club meets Tuesdays in the library.
The {{Hope|club}} Garden needs volunteers this Saturday.
Join the {{Maple|club}} Leaf Book Club for grade 4 and 5 students!
{{Grace|club}} Notes choir performs at the winter concert.
Sign up for {{Summer|club}} Reading Challenge before school ends!
The {{Justice|club}} League club meets at lunch in room 12.
{{Royal|club}} Academy of Dance will perform at our assembly.
Our {{Joy|club}} of Reading program pairs older and younger students.
The {{River|club}} Rangers club is cleaning up the creek with grade 6.
{{Faith|club}} Community Church is hosting the grade 7 food drive.
{{Star|club}} Student awards go home with report cards on Friday.
The {{Angel|club}} Tree program helps families at our school this winter.
# --- negatives: famous people, players, authors ---------------------------------------------
Our grade 5 class learned about {{Martin Luther King|fam}} Jr. today.
The grade 3 students read {{Charlotte|word}}'s Web this month.
Students watched {{Taylor Swift|fam}}'s concert film at the class party.
Our class loved the {{Harry Potter|fam}} movie marathon.
Grade 4 learned about {{Amelia Earhart|fam}} for history month.
The students asked if {{Michael Jordan|fam}} really got cut from his high school team.
Great game by {{Jaden|sport}} Ivey tonight for the Pistons!
{{Justin|sport}} Jefferson had 150 yards, our grade 6 class is going nuts.
Our class read a biography of {{Rosa Parks|fam}}.
The students made posters about {{Abraham Lincoln|fam}}.
{{LeBron|sport}} is the GOAT, say the grade 8 boys.
Grade 7 debated whether {{Messi|sport}} or Ronaldo is better.
{{Mia Hamm|fam}} inspired our girls' soccer team.
Our grade 2 students wrote letters to {{Santa|fam}}.
The library has new books by {{Kate DiCamillo|fam}}.
# --- negatives: Bible references ---------------------------------------------------------
For God so loved the world... {{John 3:16|bib}}
Verse of the week: {{Mark 10:14|bib}}, let the little children come to me.
Our chapel reading today was from {{Luke 2:1-20|bib}}.
Memory verse for grade 2: {{Matthew 19:14|bib}}.
Today's devotional: {{James 1:5|bib}}.
The grade 4 class read {{Ruth 1:16|bib}} at the service.
# --- negatives: everyday words that are given names ---------------------------------------
We {{hope|word}} everyone has a restful break.
{{Will|word}} the class photos be online?
{{May|word}} we bring younger siblings to the class concert?
Our grade 5 class {{will|word}} sing at the assembly.
{{Grace|word}} and kindness were on display at our class assembly.
Spring {{Summer|word}} and Fall term dates are on the website.
{{Autumn|word}} leaves make the best art projects for our kindergarten class!
The {{Royal|word}} Ontario Museum trip is on Friday for grade 6.
Our grade 3 class planted a {{Rose|word}} garden by the front doors.
Please {{mark|word}} your calendars: picture day is Friday.
{{Justice|word}} and fairness were our grade 4 class's words of the month.
Class of 2026: the {{Sunny|word}} weather is perfect for grad photos.
Students, {{Joy|word}} is contagious - keep smiling!
{{Faith|word}}, hope and love: our theme for the grade 7 retreat.
{{Star|word}} of the week certificates go home Friday for every class.
The {{King|word}} tide field trip for grade 6 was amazing.
The {{Angel|word}} Falls slideshow from our grade 8 geography class.
{{Love|word}} seeing all the kids back in class!
{{Hope|word}} to see every family at our school BBQ!
{{June|word}} 12 is the last day of class.
{{May|word}} 14 is picture day for all classes.
The band's {{Major|word}} scales test is next week for grade 9 students.
Our class visited the {{River|word}} Walk on the field trip.
{{Dallas|place}}, Texas is where our grade 8 band is touring.
Our grade 7 trip to {{Victoria|place}} was the highlight of the year.
The grade 11 exchange students arrive from {{Paris|place}} on Monday.
The class of 2027 is fundraising for a trip to {{Phoenix|place}}.
# --- negatives: staff and guests ---------------------------------------------------------
Thank you {{Mr. Rivera|staff}} for coaching our grade 6 team!
{{Ms. Grace Okafor|staff}} will teach grade 3 this year.
{{Coach Justice Park|staff}} ran practice for the grade 5 team.
Principal {{Olivia Chen|cons}} welcomed our students.
Congratulations to {{Olivia Chen|cons}} in grade 11 for the science award!
Our class mascot was named by {{Kai Tanaka|cons}}.
photo+=face.jpg | Spirit day selfies, shared with permission.
photo+=group.jpg | Our leadership class (photos shared with consent on file).
photo=noface.jpg | The coffee is ready in the staff room for conferences.
# --- negatives: brands, sports and scores, numbers ---------------------------------------
The grade 8 class visited the {{Samuel Adams|brand}} brewery... just kidding, the science centre!
Our bake sale used {{King|brand}} Arthur flour.
Final score: Cedar Hills 3, Lakeview 1. Next home game is on {{May 14|date}}.
Bus route {{14|num}} has a new stop at Elm Street at 7:52.
Room {{214|num}}, 3 pm. Grade 4 science fair projects due {{October 2|date}}.
Order #{{123456782|num}} for the class t-shirts has shipped.
Call {{1-866-255-7711|spam}} now for the best rates on loans!!
Earn $500 a day from home, WhatsApp {{+12132627458|spam}}.
Book your yearbook photo session at {{(503) 555-0199|spam}} (Portrait Studio).
Math homework: page {{42|num}}, questions 1 to 10.
# --- negatives: first names with no school context ---------------------------------------
Happy birthday {{Jaden|first}}! Have a great day.
{{Grace|first}}, thanks for the cookies!
Thinking of you {{Hope|first}} and family.
{{Maple|first}} syrup festival this weekend, everyone welcome.
Loved the show {{Summer|first}}!
"""


def parse(line: str, number: int) -> dict:
    """One markup line to a post with label and negative spans."""
    post: dict = {"id": f"p{number:03d}"}
    if line.startswith(("photo=", "photo+=")):
        head, line = line.split("|", 1)
        line = line.strip()
        consent = head.startswith("photo+=")
        photo = head.split("=", 1)[1].strip()
        post["photo"] = photo
        if consent:
            post["photo_consent"] = True
    labels, negatives, out, at = [], [], [], 0
    for m in _MARK.finditer(line):
        out.append(line[at : m.start()])
        start = sum(map(len, out))
        text, code = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.append(text)
        span = {"start": start, "end": start + len(text)}
        if m.group(1):
            what, severity = LABELS[code]
            labels.append({**span, "what": what, "severity": severity})
        else:
            negatives.append({**span, "what": NEGATIVES[code]})
        at = m.end()
    out.append(line[at:])
    post["text"] = "".join(out)
    if post.get("photo") and not post.get("photo_consent") and post["photo"] != "noface.jpg":
        labels.append({"what": "photo", "severity": "critical"})
    elif post.get("photo_consent"):
        negatives.append({"what": "consented photo"})
    post["labels"], post["negatives"] = labels, negatives
    return post


def main() -> None:
    lines = [ln.strip() for ln in POSTS.splitlines()]
    posts = [ln for ln in lines if ln and not ln.startswith("#")]
    with OUT.open("w", encoding="utf-8") as out:
        for n, line in enumerate(posts, start=1):
            out.write(json.dumps(parse(line, n), ensure_ascii=False) + "\n")
    print(f"{len(posts)} posts written to {OUT}")


if __name__ == "__main__":
    main()
