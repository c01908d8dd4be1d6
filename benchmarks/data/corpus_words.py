"""Word lists for the detection-quality corpus (read by make_corpus.py). All fictional."""

from __future__ import annotations

# fmt: off
# (legal first name, preferred first name or ""). First names that double as places, famous
# people's names or ordinary words are always on the roster (TRAP_FIRSTS): they make the hard
# negatives hard.
TRAP_FIRSTS: list[tuple[str, str]] = [
    ("Jordan", ""), ("Victoria", ""), ("Chelsea", ""), ("Florence", ""), ("Austin", ""),
    ("Sydney", ""), ("Regina", ""), ("Taylor", ""), ("Connor", ""), ("Hope", ""),
    ("Grace", ""), ("June", ""), ("Mark", ""), ("Daniel", ""), ("Sarah", ""),
    ("James", "Jamie"), ("Samuel", "Sam"), ("Priya", ""), ("Mei", ""), ("Wayne", ""),
]
FIRST_NAMES: list[tuple[str, str]] = [
    ("Emma", ""), ("Noah", ""), ("Olivia", "Liv"), ("Aarav", ""), ("Liam", ""), ("Chloe", ""),
    ("Ethan", ""), ("Maya", ""), ("Lucas", ""), ("Sofia", ""), ("Mason", ""), ("Ava", ""),
    ("Jackson", ""), ("Harper", ""), ("Logan", ""), ("Amelia", ""), ("Benjamin", "Ben"),
    ("Charlotte", "Charlie"), ("Owen", ""), ("Zoë", ""), ("Caleb", ""), ("Isla", ""),
    ("Wyatt", ""), ("Ella", ""), ("Hunter", ""), ("Nora", ""), ("Carter", ""), ("Avery", ""),
    ("Dylan", ""), ("Leah", ""), ("Gavin", ""), ("Hannah", ""), ("Nathan", "Nate"),
    ("Abigail", "Abby"), ("Ryan", ""), ("Madison", ""), ("Tyler", ""), ("Brooke", ""),
    ("Cole", ""), ("Paige", ""), ("Evan", ""), ("Sienna", ""), ("Gabriel", "Gabe"),
    ("Camila", ""), ("Mateo", ""), ("Lucía", ""), ("Diego", ""), ("Valentina", "Vale"),
    ("Arjun", ""), ("Simran", ""), ("Harjot", ""), ("Navneet", "Navi"), ("Gurpreet", "Preet"),
    ("Jaspreet", ""), ("Manveer", ""), ("Ishaan", ""), ("Kiran", ""), ("Anika", ""),
    ("Rohan", ""), ("Diya", ""), ("Wei", ""), ("Jun", ""), ("Ming", ""), ("Hao", ""),
    ("Yuna", ""), ("Min-jun", ""), ("Ji-woo", ""), ("Seo-yeon", ""), ("Sakura", ""),
    ("Ren", ""), ("Kenji", ""), ("Minh", ""), ("Linh", ""), ("Bao", ""), ("José", ""),
    ("Miguel", ""), ("Ana", ""), ("Rafael", ""), ("Isabella", "Bella"), ("Mohammed", ""),
    ("Fatima", ""), ("Omar", ""), ("Layla", ""), ("Yusuf", ""), ("Aisha", ""), ("Zainab", ""),
    ("Hamza", ""), ("Amir", ""), ("Tariq", ""), ("Noor", ""), ("Ibrahim", ""), ("Mariam", ""),
    ("Kwame", ""), ("Amara", ""), ("Chidi", ""), ("Nia", ""), ("Kofi", ""), ("Zara", ""),
    ("Malik", ""), ("Imani", ""), ("Dakota", ""), ("Tessa", ""), ("Quinn", ""), ("Rowan", ""),
    ("Skye", ""), ("Finn", ""), ("Declan", ""), ("Aiden", ""), ("Colton", ""), ("Jace", ""),
    ("Kai", ""), ("Rylan", ""), ("Tristan", ""), ("Holden", ""), ("Brynn", ""), ("Keira", ""),
    ("Maeve", ""), ("Sadie", ""), ("Piper", ""), ("Jade", ""), ("Ruby", ""), ("Violet", ""),
    ("Hazel", ""), ("Ivy", ""), ("Willow", ""), ("Aurora", ""), ("Stella", ""), ("Lily", ""),
    ("Ellie", ""), ("Mila", ""), ("Naomi", ""), ("Eden", ""), ("Gemma", ""),
    ("Mackenzie", "Kenzie"), ("Alexandra", "Lexi"), ("Katherine", "Kate"),
    ("Margaret", "Maggie"), ("Theodore", "Teddy"), ("Nicholas", "Nico"),
    ("Christopher", "Kit"), ("Sebastian", "Seb"), ("Jacob", ""), ("Elijah", "Eli"),
    ("Isaac", ""), ("Levi", ""), ("Julian", ""), ("Adrian", ""), ("Felix", ""), ("Oscar", ""),
    ("Hugo", ""), ("Leo", ""), ("Milo", ""), ("Jasper", ""), ("Silas", ""), ("Ezra", ""),
    ("Amélie", ""), ("Camille", ""), ("Élodie", ""), ("Béatrice", "Bea"), ("François", ""),
    ("Mathéo", ""), ("Gaël", ""), ("Kateri", ""), ("Tenzin", ""), ("Mykola", ""),
    ("Anastasia", "Nastya"), ("Yaroslav", ""), ("Oleksandr", "Sasha"), ("Angelo", ""),
    ("Jasmine", ""), ("Andrea", ""), ("Rhys", ""), ("Bronwyn", ""), ("Callum", ""),
    ("Fiona", ""), ("Ewan", ""), ("Isha", ""), ("Tanvir", ""), ("Reza", ""), ("Darius", ""),
    ("Soraya", ""), ("Lukas", ""), ("Greta", ""), ("Henrik", ""), ("Astrid", ""),
    ("Matteo", ""), ("Giulia", ""), ("Thiago", ""), ("Beatriz", ""), ("Rania", ""),
    ("Karim", ""), ("Tomasz", ""), ("Zofia", ""), ("Pavel", ""), ("Irina", ""), ("Luca", ""),
    ("Maximilian", "Max"), ("Emmett", ""), ("Harvey", ""), ("Juniper", ""), ("Talia", ""),
    ("Esme", ""), ("Cora", ""), ("Elias", ""), ("Roman", ""), ("Arlo", ""), ("Sage", ""),
    ("Lachlan", ""), ("Beckett", ""),
]
LAST_NAMES: list[str] = [
    "Schmidt", "Tremblay", "Chen", "Sandhu", "Dhillon", "Gill", "Sidhu", "Grewal", "Bains",
    "Johal", "Brar", "Nguyen", "Tran", "Pham", "Le", "Wong", "Li", "Wang", "Zhang", "Huang",
    "Kim", "Park", "Choi", "Tanaka", "Sato", "Santos", "Reyes", "Cruz", "Garcia", "Rodriguez",
    "Martinez", "Lopez", "Silva", "Smith", "Johnson", "Brown", "Wilson", "MacDonald",
    "Campbell", "Stewart", "Anderson", "Martin", "Roy", "Gagnon", "Côté", "Bouchard",
    "Gauthier", "Morin", "Lavoie", "Fortin", "Pelletier", "Bergeron", "Leblanc", "Friesen",
    "Wiebe", "Penner", "Klassen", "Dyck", "Janzen", "Thiessen", "Enns", "Reimer", "Patel",
    "Shah", "Sharma", "Singh", "Kaur", "Ahmed", "Khan", "Hussain", "Rahman", "Hassan",
    "Okafor", "Mensah", "Adeyemi", "Osei", "Kowalski", "Nowak", "Petrov", "Shevchenko",
    "Bondarenko", "Kovalenko", "O'Brien", "O'Connor", "Murphy", "Kelly", "Walsh", "Byrne",
    "D'Souza", "Fernandes", "Pereira", "Costa", "Rossi", "Romano", "Bianchi", "Müller",
    "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Van der Berg",
    "De Vries", "Jansen", "Bakker", "Visser", "Garcia-Lopez", "Smith-Tremblay", "Lam", "Ho",
    "Chan", "Leung", "Cheung", "Ng", "Fong", "Hall", "Young", "King", "Wright", "Scott",
    "Green", "Baker", "Adams", "Nelson", "Hill", "Moore", "Clark", "Lewis", "Walker",
    "Robinson", "Harris", "Reid", "Fontaine", "Sinclair", "Whitehead", "Douglas", "Victor",
    "Jimmie", "Commodore", "George", "Paul", "Thompson", "Liu", "Dhaliwal",
]
SCHOOLS: dict[str, tuple[str, tuple[int, int]]] = {
    "RIV": ("Riverside Elementary", (0, 5)),
    "LAK": ("Lakeview Elementary", (0, 5)),
    "CED": ("Cedar Middle", (6, 8)),
    "MTN": ("Mountain Secondary", (9, 12)),
}
STAFF: list[str] = [
    "Ms. Patel", "Mr. Harris", "Mme Fontaine", "Mr. Osei", "Ms. Liu", "Mrs. Dhaliwal",
    "Mr. Desrosiers", "Ms. Reid", "Coach Baker", "Mr. Nguyen", "Mrs. Sandhu", "Ms. Chen",
    "Mr. Thompson", "Madame Côté", "Principal Dhaliwal", "Vice-Principal Okafor", "Mrs. Friesen",
]
STAFF_FULL: list[str] = [
    "Anita Patel", "James Harris", "Claire Fontaine", "Samuel Osei", "Karen Liu",
    "Harjit Dhaliwal", "Paul Desrosiers", "Tanya Reid", "Daniel Okafor", "Sarah McLeod",
    "Grace Thompson", "Mark Friesen", "Priya Raman",
]
FAMOUS: list[str] = [
    "Terry Fox", "Wayne Gretzky", "Taylor Swift", "Viola Desmond", "Chris Hadfield",
    "Connor McDavid", "Phyllis Webstad", "Michael Jordan", "Rick Hansen", "Jane Goodall",
    "Sidney Crosby", "Shania Twain",
]
OFFICE_PHONES: list[str] = [
    "604-555-0100", "(604) 555-0110", "604-555-0120", "604.555.0130", "604 555 0140",
    "1-800-555-0199",
]
DISTRICT_EMAILS: list[str] = [
    "office.riverside@fvsd.example.ca", "comms@fvsd.example.ca",
    "transportation@fvsd.example.ca", "a.patel@fvsd.example.ca",
    "registration@fvsd.example.ca", "office.mountain@fvsd.example.ca", "k.liu@fvsd.example.ca",
]
ORG_EMAILS: list[str] = [
    "riversidepac@gmail.com", "mountainsecondarypac@gmail.com", "cedarmiddle.pac@outlook.com",
]
OUTLETS: list[str] = [
    "CBC News", "CTV News Vancouver", "Global BC", "The Province", "the Vancouver Sun",
    "the Chilliwack Progress", "the Valley Herald", "CKNW", "The Canadian Press",
    "Black Press Media",
]
REPORTERS: list[str] = [
    "Jen Morrison", "Dave Kellerman", "Alicia Wong", "Marc Tessier", "Tom Hughes",
    "Nadia Qureshi", "Ben Oduya",
]
ADULTS: list[str] = [
    "Karen Wiebe", "Doug Friesen", "Michelle Tran", "Raj Grewal", "Linda MacDonald",
    "Tom Bergeron", "Sukhwinder Gill", "Brenda Klassen", "Steve Kowalski", "Mei Ling Chan",
    "Heather Campbell", "Darren Penner",
]
NON_ROSTER: list[str] = ["Kaylee Martens", "Jaxon Reimer", "Aria Kaur", "Brody Enns"]
STREETS: list[str] = [
    "Maple Crescent", "Young Road", "Wellington Ave", "Yale Rd", "Airport Road",
    "Promontory Rd", "Vedder Road", "Spruce Drive", "Alder Street", "Knight Road",
    "Cedar Lane", "Hodgins Avenue", "Bluejay Place", "Tyson Road",
]
SWEARS: dict[str, list[tuple[str, str]]] = {
    "obs_noun": [("shit", "obscenity"), ("bullshit", "obscenity"), ("horseshit", "obscenity")],
    "obs_the": [("fuck", "obscenity")],
    "obs_ij": [("shit", "obscenity"), ("fuck", "obscenity"), ("wtf", "obscenity"),
               ("ffs", "obscenity")],
    "obs_adj": [("fucking", "obscenity"), ("shitty", "obscenity")],
    "ins": [("idiot", "insult"), ("moron", "insult"), ("loser", "insult"), ("jerk", "insult"),
            ("imbecile", "insult"), ("dumbass", "insult"), ("asshole", "insult"),
            ("bitch", "insult"), ("clown", "insult")],
    "ins_pl": [("idiots", "insult"), ("morons", "insult"), ("losers", "insult"),
               ("jerks", "insult"), ("dumbasses", "insult"), ("assholes", "insult"),
               ("clowns", "insult")],
}
SWEARS["a_ins"] = SWEARS["ins"]
# fmt: on
