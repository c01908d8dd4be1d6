"""Templates for the detection-quality corpus (read by make_corpus.py).

Markup, resolved by make_corpus.render():

- ``{slot}``: filled by make_corpus (students, phones, e-mails, staff, scores, ...). Student
  slots refer to one student per template: ``{full}``, ``{first}``, ``{initial}``, ``{tag}``,
  ``{handle}``, ``{num}``, ``{email}`` are student A (never a media-release student), the
  same names ending in ``2`` are student B, and ``{cfull}``/``{cfirst}`` are a student WITH a
  media release (a hard negative).
- ``[[rule:label|text]]``: a gold span (``pii:birth_date``, ``lang:threat``, ``media:inquiry``).
- ``<<type|text>>``: a hard-negative span of that type (see make_corpus.NEG_RULE).

Each group is ``(kind, how many items, templates)``.
"""

from __future__ import annotations

# fmt: off
PII_GROUPS: dict[str, tuple[str, int, list[str]]] = {
    "pii.full_name": ("post", 55, [
        "Congratulations to {full} from {grade} for winning the district spelling bee! "
        "We are so proud of all our spellers.",
        "Huge shout-out to {full} who organised the food drive for the {school} community. "
        "Over 400 cans collected!",
        "Science fair results are in: first place goes to {full} for a project on "
        "composting worms. Well done!",
        "Our Student of the Month for October is {full}. Thank you for always helping "
        "classmates in the library.",
        "{full} and {full2} represented {school} at the regional cross-country meet today. "
        "Great running, both of you!",
        "Please welcome {full} to our {grade} class! We are excited to have a new friend "
        "in Room 12.",
        "Picture day reminder: retakes for {full} and anyone else who was away are "
        "next Tuesday morning.",
        "The Terry Fox Run was a success! Top fundraiser this year was {full}, who raised "
        "over $600 for cancer research.",
        "Today {full} read a land acknowledgement at our Orange Shirt Day assembly. "
        "Thank you for leading us.",
        "Bake sale winners: {full} baked the best bannock and {full2} the best "
        "cinnamon buns. Yum!",
        "Honour roll for term 1 includes {full}, {full2} and many others. Certificates go "
        "home Friday.",
        "Field trip to the fish hatchery was amazing. {full} spotted the first salmon fry "
        "in the tank!",
        "Our junior volleyball MVP is {full}. What a season for the team!",
        "Way to go {full}! First place in the {grade} speech contest with a talk about "
        "growing up on a farm.",
        "Reminder that {full} still has a library book overdue from September. Please "
        "return it to the front desk.",
        "We missed {full} at the choir concert. Hope you feel better soon!",
        "The art show features a watercolour by {full} titled 'Fraser River at Dusk'. "
        "Come see it in the gym.",
        "Please join us in congratulating {full}, winner of the {school} Remembrance Day "
        "poem contest.",
    ]),
    "pii.full_name_comment": ("comment", 40, [
        "So proud of {full}!! All that practice really paid off.",
        "go {lower} go!!! best runner on the team",
        "Way to go {full}, you make {school} proud!",
        "Is {full} in Mr. Osei's class this year? My daughter says they sit together.",
        "{full} was amazing in the play last night, what a voice.",
        "Can someone tell {full} that the blue water bottle is at our house? Thanks!",
        "My kid {full} forgot lunch today, can I drop it off at the office?",
        "{full}'s science fair project on bees was the best one in the gym.",
        "Loved seeing {full}'s painting in the hallway display!",
        "I think {full} and {full2} deserve the leadership award, they do so much for the "
        "younger kids.",
        "Has anyone seen {full}'s jacket? Blue with a yellow stripe, left at the Terry Fox Run.",
        "Tell {full} thank you for helping my little one on the bus every day.",
        "thanks {lower} for the card, it made my day",
        "Is this the same {full} who won the spelling bee last year? Amazing kid.",
    ]),
    "pii.variants": ("comment", 16, [
        "so proud of {plain}!! sorry, can't do accents on my phone",
        "Go {plain}, best goalie in the league!",
        "Congrats {plain} on the science fair ribbon, well deserved.",
        "CONGRATS {upper}!!! 🎉🎉",
        "{upper} FOR STUDENT COUNCIL PRESIDENT!!!",
        "way to go {lower}, you were amazing at the concert",
    ]),
    "pii.preferred_name": ("comment", 18, [
        "Go {pfull}!! Best goalie in the league.",
        "{pfull} was the star of the Christmas concert this year, what a voice!",
        "Congrats to {pfull} on making the honour roll, so well deserved.",
        "Our kids had so much fun with {pfull} at the bake sale table.",
        "{pfull}'s drawing is on the front of the yearbook, how cool is that?",
        "Shout out to {pfull} for running the whole Terry Fox route twice!",
    ]),
    "pii.initial": ("post", 20, [
        "Student of the Week: {initial} in {grade} for kindness on the playground!",
        "Math Olympiad: {initial} and {initial2} qualified for the provincial round.",
        "Reading challenge leaders this month: {initial} (42 books!) and {initial2} (38 books).",
        "Congratulations {initial} on your bronze medal at the BC Science Fair.",
        "Lost water bottle belongs to {initial}, Div. 7. It is at the office.",
        "A big thank you to {initial} for designing our Orange Shirt Day poster.",
    ]),
    "pii.list": ("post", 14, [
        "Honour roll, {grade}: {lastfirst}; {lastfirst2}; {lastfirst3}. Congratulations!",
        "Track meet heats. 100 m: {lastfirst}; 200 m: {lastfirst2}; relay: {lastfirst3}.",
        "Field trip groups, bus 2: {lastfirst}; {lastfirst2}. Please be at the loop by 8:15.",
        "Badminton tryouts, callbacks: {lastfirst}; {lastfirst2}; {lastfirst3}.",
    ]),
    "pii.tag": ("post", 20, [
        "What a day at the track meet! {tag} {tag2} #FVSDproud #TrackAndField",
        "First place in the robotics challenge! {tag} #STEM #FVSDproud",
        "So proud of our Terry Fox fundraisers {tag} #TerryFoxRun",
        "Check out the art from {handle} on display this week! #StudentArt",
        "Shout out to {handle} for the amazing photos of sports day 📸",
        "Congrats {handle} on the scholarship! #Classof2026 #FVSD",
        "Team captain {handle} led the warm-up today. #GoRiverside",
    ]),
    "pii.first_name": ("post", 24, [
        "Grade 2 had a great time at the pumpkin patch today! {first} found the biggest "
        "pumpkin in the whole field.",
        "In our class today {first} taught everyone how to count to ten in Punjabi. "
        "Thank you for sharing!",
        "Div. 4 news: {first} was our line leader all week and did a super job.",
        "Kindergarten update: {first} lost a first tooth during snack time! Big day in Room 3.",
        "Our reading buddy of the week is {first} from {grade}. Keep up the great reading!",
        "Happy birthday to {first} in our class, who turns 8 today! We sang at recess.",
        "Thank you to {first} for helping set up the chairs for the assembly this morning.",
        "Reminder for parents of our class: {first} is collecting the field trip forms "
        "this week.",
        "{first} scored the winning goal at lunch soccer today. The class is still cheering!",
        "Quiet reading time in Room 9. {first} chose a book about orcas for the class.",
    ]),
    "pii.first_name_comment": ("comment", 12, [
        "Is {first} in your class this year? All we hear about is the class pet hamster!",
        "{first} came home so happy about the field trip, thank you teachers!",
        "Please tell {first} the whole team misses you at practice!",
        "My kid says {first} is the fastest runner in Grade 4 lol",
    ]),
    "pii.student_number": ("comment", 18, [
        "Hi, my son's report card (student number {num}) still shows last year's "
        "address. Who do I contact?",
        "Lost Chromebook turned in, tagged with student # {num}. Please pick it up at the office.",
        "Can the office confirm my daughter's bus pass? Her student ID is {num}.",
        "For the field trip payment I used student number {num} in School Cash. "
        "Did it go through?",
        "{full} (student no. {num}) needs to see the counsellor about the timetable change.",
        "Student number for the scholarship form is {num}. Thanks for your help!",
    ]),
    "pii.phone": ("comment", 18, [
        "If anyone finds {first}'s lunch kit please call me at {phone}. Thanks!",
        "Carpool for {first}'s class to the Terry Fox Run? Text me at {phone}, we live near "
        "the school.",
        "Anyone want to trade hockey cards with my kid {full}? Call {phone} after 5.",
        "{full}'s mom here, my new number is {phone} for the field trip list.",
        "Selling {first}'s old uniform, size 10. Reach me at {phone}.",
        "Babysitting available! {full}, {grade}, call or text {phone}.",
    ]),
    "pii.email": ("comment", 16, [
        "Please send the photos of {first} to {email} so grandma can see them!",
        "Tutoring available from {full} (Grade 12), e-mail {email} for rates.",
        "Can you e-mail {first}'s field trip form to {email}? Thanks so much.",
        "{first} would love a pen pal! Write to {email}.",
        "{first} lost a pink backpack at the bake sale, email me at {email} if you found it.",
    ]),
    "pii.address": ("comment", 14, [
        "{full} can get a ride home, we live at {addr}.",
        "Drop off the bake sale trays at our place ({first}'s mom), {addr}, anytime after 4.",
        "The birthday party for {first} is at our house, {addr}, Saturday at 2!",
        "Lost cat near {addr} — {first} is heartbroken, please call.",
        "Pick-up for {first}'s carpool is at {addr} at 7:45.",
    ]),
    "pii.birth_date": ("comment", 18, [
        "{full} was born [[pii:birth_date|March 3, 2016]] and still waiting on a "
        "kindergarten spot for next year.",
        "For the registration form: {full}, date of birth [[pii:birth_date|2015-07-19]], "
        "Grade 4.",
        "Happy birthday {full}! Born [[pii:birth_date|June 2, 2014]] and already taller "
        "than me.",
        "Our little {first} was born on [[pii:birth_date|12/04/2017]], can we start "
        "kindergarten in September?",
        "DOB for {full} is [[pii:birth_date|Aug 9 2013]], the name was left off the "
        "field trip list.",
        "{full} (birthdate [[pii:birth_date|2016-11-28]]) needs an allergy form on file.",
        "Born [[pii:birth_date|January 21st, 2015]], {first} is the youngest on the team!",
    ]),
}

LANGUAGE_GROUPS: dict[str, tuple[str, int, list[str]]] = {
    "lang.obscenity": ("comment", 48, [
        "This new bus schedule is {obs_noun}. My kids wait 40 minutes in the rain.",
        "What the {obs_the} is going on with the parking lot at pickup??",
        "{obs_ij}, the field trip got cancelled again? Unbelievable.",
        "That referee at the basketball game was total {obs_noun}.",
        "Honestly the hot lunch program is {obs_noun} this year.",
        "Who the {obs_the} scheduled parent-teacher interviews during the hockey playoffs",
        "the new report cards are {obs_noun} nobody understands them",
        "lol this {obs_noun} again? same thing every year with picture day",
        "This {obs_adj} parking lot is a disaster every single morning.",
        "Can't believe the {obs_adj} field trip got cancelled AGAIN",
        "{obs_ij} I forgot it was pajama day, my kid is going to be so mad",
        "Sorry but the new lunch schedule is {obs_noun} and the teachers know it.",
    ]),
    "lang.insult": ("comment", 42, [
        "The coach is a complete {ins}, benching kids for no reason.",
        "Whoever planned this sports day is {a_ins}.",
        "Only {a_ins} would schedule the bake sale on a pro-d day.",
        "Mr. Harris is such {a_ins}, he never answers emails.",
        "Stop posting this stuff, you {ins}.",
        "You are all {ins_pl} if you think the new boundaries are fair.",
        "The bus driver is {a_ins} and everyone knows it.",
        "what kind of {ins} runs a school like this",
        "The people on the PAC are {ins_pl}, every single one of them.",
        "Reading these comments, some of you parents are real {ins_pl}.",
        "Imagine being {a_ins} enough to park in the bus lane every day.",
    ]),
    "lang.hate": ("comment", 16, [
        "[[lang:hate|Go back to where you came from, nobody wants you at this school]].",
        "[[lang:hate|Those immigrant families are ruining our school]], just look at the "
        "test scores.",
        "[[lang:hate|Girls are too dumb for the robotics team, let the boys do it]].",
        "Orange Shirt Day is a waste of time. [[lang:hate|Those people should get over it]].",
        "[[lang:hate|People like him shouldn't be allowed to teach kids because of his "
        "religion]].",
        "The new student can't even speak English. [[lang:hate|Send them back]].",
        "Why does the school celebrate Diwali? [[lang:hate|This is Canada, not their country]].",
        "[[lang:hate|That's so gay]], who picked these uniforms",
    ]),
    "lang.threat": ("comment", 22, [
        "[[lang:threat|I'm going to punch that kid in the face if he touches my son again]].",
        "[[lang:threat|Someone should beat him up after school and teach him a lesson]].",
        "[[lang:threat|Watch your back, Mr. Harris]]. We know what you did.",
        "[[lang:threat|If my daughter gets cut from the team again I will make that coach "
        "pay]].",
        "[[lang:threat|I know where you live and I will be paying you a visit]].",
        "[[lang:threat|I'll kill you if you post my kid's picture again]].",
        "[[lang:threat|Im bringing a knife tomorrow so nobody messes with me at the bus "
        "loop]].",
        "[[lang:threat|keep it up and you'll end up in the hospital]]",
        "[[lang:threat|There's going to be a fight at lunch and someone is getting hurt]].",
        "[[lang:threat|I will burn this school down if they cancel grad]].",
    ]),
    "lang.defamation": ("comment", 12, [
        "[[lang:defamation|Everyone knows Mr. Harris is stealing money from the PAC fund]].",
        "[[lang:defamation|Coach Baker drives the team bus drunk]], ask any of the kids.",
        "[[lang:defamation|Principal Dhaliwal fakes the attendance numbers to get more "
        "funding]].",
        "[[lang:defamation|Ms. Reid sells the students' personal information to tutoring "
        "companies]].",
        "Watch out, [[lang:defamation|the new vice-principal was fired from his last school "
        "for hitting a student]].",
        "[[lang:defamation|Mr. Osei takes bribes for better grades]]. Disgusting.",
    ]),
    "lang.confidential": ("post", 18, [
        "[[lang:confidential|CONFIDENTIAL - staff only]]: the lockdown drill is next "
        "Tuesday at 10:15, do not tell students.",
        "Posting the notes from the [[lang:confidential|in-camera board session]] so "
        "parents can see what was decided.",
        "Quick update for the team: [[lang:confidential|his IEP says he needs a scribe]] "
        "for all written tests.",
        "[[lang:confidential|Internal only - not for distribution]]. Draft budget cuts "
        "for next year attached.",
        "Reminder: [[lang:confidential|her psych-ed assessment results]] are in the binder "
        "in the office.",
        "[[lang:confidential|Per the custody order, dad is not allowed to pick her up]], "
        "please watch the gate.",
        "[[lang:confidential|Privileged and confidential]]: the grievance hearing summary "
        "is below.",
        "Sharing the [[lang:confidential|student discipline log]] for the Grade 9 "
        "fight last week.",
    ]),
}

MEDIA_GROUPS: dict[str, tuple[str, int, list[str]]] = {
    "media.inquiry": ("comment", 50, [
        "Hi, [[media:inquiry|I'm a reporter with {outlet} working on a story about the "
        "school closures. Could someone from the school comment]] before 4 pm today?",
        "[[media:inquiry|This is {reporter} from {outlet}. We'd like to interview the "
        "principal about the lockdown this morning]]. Please call our newsroom.",
        "[[media:inquiry|Journalist with {outlet} here — is anyone available for comment "
        "on the bus cancellations?]]",
        "[[media:inquiry|I'm writing a piece for {outlet} on the new cell phone ban. Who "
        "can I speak to?]] My deadline is tomorrow.",
        "Hello! [[media:inquiry|{reporter}, {outlet}. Can the district confirm how many "
        "students were evacuated]]? Thanks.",
        "[[media:inquiry|We're doing a segment on {outlet} about the Terry Fox Run "
        "fundraising record. Could we film at the school and talk to a teacher?]]",
        "[[media:inquiry|Media request: {outlet} would like a statement on the portables "
        "and overcrowding]] by end of day.",
        "[[media:inquiry|Is there a spokesperson I could reach for a story on the teacher "
        "shortage? I'm with {outlet}]].",
        "[[media:inquiry|DM me please — {reporter} at {outlet}, looking for comment on "
        "the board meeting vote]].",
        "[[media:inquiry|Could the school comment for our story on the flooded gym? "
        "{reporter}, {outlet}]]",
        "[[media:inquiry|Reporter here. Would the principal agree to an on-camera "
        "interview about Orange Shirt Day]] for our evening news?",
        "[[media:inquiry|Hi, I'm a freelance journalist writing for {outlet}. Can I get a "
        "quote about the new playground]]?",
    ]),
}

# Hard negatives: nothing here is a finding.
NEGATIVE_GROUPS: dict[str, tuple[str, int, list[str]]] = {
    "neg.staff": ("post", 26, [
        "Welcome back! {staff} and {staff2} will be running the lunchtime chess club "
        "starting Monday.",
        "Thank you to {stafffull} for 25 years of teaching at {school}. Happy retirement!",
        "Please welcome our new vice-principal, {stafffull}, who joins us from Abbotsford.",
        "{staff}'s Grade 6 class visited the Chilliwack Museum today and learned about "
        "Stó:lō history.",
        "Sports day is organised by {staff} this year. Sign-up sheets are in the gym.",
        "Questions about the band trip? Email {staff} at {demail}.",
        "Congratulations to {stafffull}, this year's district Teacher of the Year!",
    ]),
    "neg.staff_comment": ("comment", 16, [
        "Thank you {staff} for everything you do for our kids!",
        "{staff} is the best teacher my son has ever had.",
        "We will miss {staff} so much, enjoy your retirement!",
        "Does anyone know if {staff} is still coaching volleyball this year?",
        "Shout out to {staff} for running the bake sale in the rain!",
    ]),
    "neg.consented": ("post", 34, [
        "Congratulations to {cfull} for winning the district spelling bee! (Shared with "
        "family permission.)",
        "Student of the Month: {cfull} from {grade}. Thank you for being a great friend "
        "to everyone.",
        "{cfull} will represent {school} at the provincial track meet this weekend. Good luck!",
        "Our valedictorian for the Class of 2026 is {cfull}. Congratulations!",
        "Top fundraiser at the Terry Fox Run was {cfull}, who raised $540!",
        "So proud of {cfull} for reading the land acknowledgement at the assembly.",
        "Shout-out to {cfull} for designing the new school logo!",
    ]),
    "neg.famous": ("post", 30, [
        "Today we ran for <<famous_person|Terry Fox>>! {school} raised $3,412 for "
        "cancer research.",
        "Fun fact for hockey fans: <<famous_person|Wayne Gretzky>> scored 50 goals in "
        "39 games. Our Grade 5s graphed his seasons in math.",
        "The Grade 7 dance to <<famous_person|Taylor Swift>> had the whole gym singing!",
        "We learned about <<famous_person|Viola Desmond>>, the woman on the $10 bill, "
        "for Black History Month.",
        "Our space unit ended with a video call about <<famous_person|Chris Hadfield>>'s "
        "time on the space station.",
        "Grade 3 wrote letters to <<famous_person|Connor McDavid>>. Fingers crossed "
        "for a reply!",
        "Orange Shirt Day began with <<famous_person|Phyllis Webstad>>'s story. "
        "Wear orange on September 30.",
        "Basketball lesson: <<famous_person|Michael Jordan>> was cut from his high "
        "school team and never gave up.",
        "Our walk this spring honours <<famous_person|Rick Hansen>> and his Man in "
        "Motion tour.",
        "The Grade 4s compared <<famous_person|Jane Goodall>>'s chimpanzee notes with "
        "their own bird watching.",
        "We watched <<famous_person|Sidney Crosby>>'s golden goal from 2010 during the "
        "Olympics unit.",
        "Music class is learning 'Man! I Feel Like a Woman!' by <<famous_person|Shania "
        "Twain>> for the spring concert.",
    ]),
    "neg.place": ("post", 28, [
        "The Grade 10 band is heading to <<place_name|Victoria>> on the ferry for the "
        "music festival on {date}.",
        "Our exchange students sent photos from <<place_name|Florence>>, Italy. Look at "
        "that cathedral!",
        "The jazz band leaves for <<place_name|Austin>>, Texas next week. Safe travels!",
        "Soccer club is watching the <<place_name|Chelsea>> vs Arsenal match at lunch.",
        "Welcome to our new families from <<place_name|Jordan>>! We're so glad you're here.",
        "Grade 6 pen pals in <<place_name|Sydney>>, Nova Scotia wrote back this week.",
        "Our curling team travels to <<place_name|Regina>> for nationals in March!",
        "The Grade 12 history trip visits <<place_name|Victoria>> and the BC Legislature "
        "in May.",
        "Fundraiser for the trip to <<place_name|Florence>> and Rome: pizza lunch on {date}.",
        "Watch the Grade 9 video about the <<place_name|Jordan>> River on Vancouver Island.",
    ]),
    "neg.common_word": ("post", 16, [
        "<<common_word|Hope>> to see everyone at the bake sale on {date}!",
        "<<common_word|Grace>> and kindness are our school values this month.",
        "<<common_word|Hope>> you all have a restful spring break.",
        "<<common_word|Mark>> your calendars: the spring concert is {date}.",
        "<<common_word|June>> is a busy month with sports day, field trips and grad!",
        "<<common_word|Hope>> everyone enjoyed the Terry Fox Run today!",
        "We will say <<common_word|grace>> before the community lunch at noon.",
        "The Grade 2s planted a <<common_word|Hope>> garden by the front doors.",
    ]),
    "neg.score": ("post", 26, [
        "Senior girls volleyball won <<score|3-2>> in a nail-biter against {school}!",
        "Final score <<score|21-14>> for our junior football team. Great game!",
        "Our boys basketball team beat Cedar Middle <<score|45-38>> on the road.",
        "A <<score|2-2>> tie at the soccer tournament, then we won on penalties!",
        "We lost <<score|58-61>> in overtime but the team never gave up.",
        "Ultimate frisbee is undefeated: <<score|13-9>>, <<score|13-7>> and "
        "<<score|15-11>> this weekend.",
        "Rugby sevens result: <<score|24-19>> win over Mountain Secondary.",
        "The staff vs students hockey game ended <<score|7-6>> for the students (of course).",
    ]),
    "neg.event_date": ("post", 28, [
        "Picture day is on <<event_date|May 14>>. Order forms go home this week.",
        "Terry Fox Run: <<event_date|Friday, September 26>> at 1:30 pm. Wear comfy shoes!",
        "Orange Shirt Day is <<event_date|September 30>>. Please wear orange.",
        "The next board meeting is <<event_date|Tuesday, October 14, 2025>> at 7 pm.",
        "Report cards go home <<event_date|Nov. 21>>. Conferences follow the week after.",
        "Science fair judging happens on <<event_date|March 5>>; projects are due the day before.",
        "No school on <<event_date|2025-11-11>> for Remembrance Day.",
        "Kindergarten registration opens <<event_date|January 20, 2026>>. Bring proof "
        "of age and address.",
        "Spring concert: <<event_date|June 4>> at 6:30 in the gym. Doors open at 6.",
        "Bake sale <<event_date|Thursday 12/11>> at lunch. Cash and e-transfer accepted.",
    ]),
    "neg.office_contact": ("post", 28, [
        "Questions about bus routes? Call the district office at {ophone} or e-mail {demail}.",
        "To report an absence, call the school office at {ophone} before 9 am.",
        "Kindergarten registration help: {demail} or {ophone}.",
        "Lost and found is in the front foyer. Call {ophone} if you are looking for "
        "something.",
        "For hot lunch orders contact the PAC at {orgemail}.",
        "Media and communications office: {demail}, {ophone}.",
        "Transportation department: {ophone}. Weather updates at {demail}.",
        "The district office is at <<venue_address|33046 Fourth Avenue>>; call "
        "{ophone} for appointments.",
    ]),
    "neg.venue": ("post", 12, [
        "Sports day is at Townsend Park, <<venue_address|45000 Watson Road>>. Bring water!",
        "The band concert is at the Cultural Centre, <<venue_address|9201 Corbould "
        "Street>>, at 7 pm.",
        "Field trip buses leave for the Fish Hatchery at <<venue_address|56080 Chilliwack "
        "Lake Road>> at 9.",
        "Graduation ceremony: Heritage Park, <<venue_address|44140 Luckakuck Way>>.",
    ]),
    "neg.numbers": ("comment", 20, [
        "Paid for the field trip, my School Cash order number is <<other_number|{onum}>>. "
        "Thanks!",
        "My daughter is in Room 204 and takes Bus 17. Is the bus running late today?",
        "We raised $1,250 at the bake sale and <<other_number|{onum}>> points for the "
        "reading challenge!",
        "Receipt <<other_number|{onum}>> for the yearbook, can you confirm it went through?",
        "The Terry Fox total is $4,512 so far. Grade 3 raised $812 of it!",
        "Invoice <<other_number|{onum}>> for the grad photos was paid on Monday.",
    ]),
    "neg.adult_names": ("comment", 22, [
        "Thanks to <<adult_name|{adult}>> and the whole PAC for the pancake breakfast!",
        "Signed, <<adult_name|{adult}>>, PAC chair.",
        "Our guest speaker was <<adult_name|{adult}>> from the Chilliwack Fire Department.",
        "Condolences to the family of <<adult_name|{adult}>>, a longtime school bus driver.",
        "Please welcome <<adult_name|{adult}>>, our new crossing guard!",
        "My niece <<non_roster_name|{nonroster}>> goes to school in Abbotsford and loved "
        "your Terry Fox video.",
    ]),
    "neg.idiom": ("comment", 36, [
        "The Grade 5 choir absolutely <<idiom|killed it>> at the concert!",
        "Anyone want to <<idiom|shoot some hoops>> after school on Friday?",
        "The robotics team <<idiom|crushed it>> at regionals, so proud.",
        "We're going to <<idiom|destroy>> Cedar Middle at sports day, just watch.",
        "<<idiom|Break a leg>> to the drama club tonight!",
        "That math test was <<idiom|murder>> according to my son lol",
        "I'm <<idiom|dying>> to see the Grade 7 play 😂",
        "Our relay team <<idiom|blew them away>> on the last lap.",
        "<<idiom|Knock 'em dead>> at the talent show tomorrow!",
        "The bake sale cookies were <<idiom|the bomb>>, please make them again.",
        "The junior team will <<idiom|beat>> Mountain Secondary next time!",
        "Shot put and <<idiom|javelin>> practice moved inside because of the rain.",
        "<<idiom|I could kill>> for one of those cinnamon buns right now haha",
    ]),
    "neg.scunthorpe": ("post", 16, [
        "Grade 10 English is reading <<scunthorpe|Moby Dick>> this term.",
        "Our math <<scunthorpe|assessment>> results are ready for conferences.",
        "The Grade 8 class went to the <<scunthorpe|Sussex>> Avenue community garden.",
        "Ms. Liu's <<scunthorpe|classic>> car show raised money for the library.",
        "Culinary class made <<scunthorpe|shiitake>> mushroom soup for the staff lunch.",
        "Our <<scunthorpe|therapist>> dog visits the library every Wednesday.",
        "Please read the <<scunthorpe|passage>> on page 42 and <<scunthorpe|analyse>> "
        "the author's tone.",
        "The Grade 4s learned about the <<scunthorpe|cockatoo>> at the bird sanctuary.",
    ]),
    "neg.civil_criticism": ("comment", 20, [
        "I'm disappointed that the field trip was cancelled with so little notice.",
        "With respect, I disagree with the board's decision to close the pool.",
        "The new pick-up system is confusing. Could we get a map?",
        "The budget cuts to music are a mistake and I'll be at the board meeting to say so.",
        "Not happy about the portables again this year. Please build the new wing!",
        "Why is the bus always late on Mondays? It has happened four weeks in a row.",
        "Respectfully, the homework load in Grade 8 is too much for the kids.",
        "Communication about the snow day was poor. Please post earlier next time.",
        "I think the new dress code is unfair to the girls and I have written to the board.",
    ]),
    "neg.confidentiality": ("post", 12, [
        "The parent survey is anonymous and <<confidentiality_mention|confidential>>. "
        "Please share your thoughts!",
        "Students can speak <<confidentiality_mention|confidentially>> with our school "
        "counsellor any lunch hour.",
        "All report card conferences are private; book your time online.",
        "Your child's information is kept <<confidentiality_mention|confidential>> under "
        "FOIPPA.",
        "Report cards are <<confidentiality_mention|private>>: please don't share photos "
        "of other children's marks.",
        "The nurse keeps health forms <<confidentiality_mention|confidential>> and locked "
        "in the office.",
    ]),
    "neg.news": ("comment", 32, [
        "<<news_mention|Saw the school on the news last night>>, so proud of these kids!",
        "<<news_mention|Global News covered our Terry Fox Run>>! Great job everyone.",
        "Did anyone else <<news_mention|see the CBC story about the new playground>>?",
        "<<news_mention|The Chilliwack Progress article>> about the robotics team was "
        "great.",
        "My daughter wants to be a <<news_mention|journalist>> after the career fair!",
        "Is the school going to be <<news_mention|on TV>> for the Orange Shirt Day event?",
        "Our Grade 7s interviewed a <<news_mention|reporter>> from the Valley Herald for "
        "their newspaper unit.",
        "The student newspaper, <<news_mention|The Riverside Reporter>>, comes out Friday!",
        "I heard about the lockdown <<news_mention|on CKNW this morning>>. Is everyone okay?",
    ]),
}

BENIGN_GROUPS: dict[str, tuple[str, int, list[str]]] = {
    "benign.post": ("post", 24, [
        "Picture day is coming up! Order forms went home in backpacks today.",
        "Thank you to all our families who came out for the pancake breakfast.",
        "Our Orange Shirt Day assembly reminded us that every child matters.",
        "The library is open at lunch for Grade 4 and 5 students this week.",
        "Winter concert tickets are free but please reserve a seat online.",
        "Reminder: indoor shoes are needed for gym class starting Monday.",
        "The Grade 1s planted bean seeds and are measuring them every day.",
        "Terry Fox Run pledge forms are due back by the end of the week.",
        "Thank you PAC for the new outdoor play equipment! The kids love it.",
        "Our science fair had 60 projects this year, from volcanoes to robots.",
        "Hot lunch this Friday is pizza. Please order by Wednesday.",
        "The board meeting agenda is posted on the district website.",
        "Cross-country practice is Tuesdays and Thursdays before school.",
    ]),
    "benign.comment": ("comment", 20, [
        "Thank you for the update!",
        "What time does the concert start?",
        "My kids loved the field trip, thank you teachers!",
        "Is there school on the Friday before the long weekend?",
        "Great pictures, looks like everyone had fun.",
        "Can we still order hot lunch for next week?",
        "Where do we pick up the lost and found items?",
        "Love this! Thanks to all the volunteers.",
        "Is the Terry Fox Run still on if it rains?",
        "So happy to see the garden coming back this spring.",
        "Will the board meeting be streamed on YouTube?",
    ]),
}
# fmt: on
