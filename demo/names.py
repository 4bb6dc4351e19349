"""Word lists the demo generator draws from: people, jobs, devices, org structures, places."""

from __future__ import annotations

FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Greta", "Hannah", "Ida", "Jan",
    "Jonas", "Julia", "Karl", "Lara", "Leon", "Lena", "Lukas", "Maja", "Marie", "Max",
    "Mia", "Moritz", "Nina", "Noah", "Olga", "Paul", "Petra", "Rafael", "Sara", "Simon",
    "Sophie", "Stefan", "Tanja", "Theo", "Tim", "Ulrike", "Valentin", "Vera", "Yusuf",
    "Zoe", "Aylin", "Björn", "Chiara", "Dario", "Emre", "Fatima", "Jürgen", "Katarzyna",
    "Linnea", "Mateo", "Nils", "Priya", "René", "Sören", "Tomasz", "Ingrid", "Oskar",
)  # fmt: skip

LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
    "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
    "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Schmid", "Köhler", "Maier",
    "Kowalski", "Nowak", "Yilmaz", "Rossi", "Jansen", "Lindqvist", "Andersen", "Novak",
    "Dubois", "García", "Papadopoulos", "Costa", "Sørensen", "Vogel", "Frank", "Berger",
)  # fmt: skip

# E-mail local parts are ASCII: the usual German transliteration, accents dropped.
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "á": "a", "í": "i", "ø": "oe"})


def mail_part(name: str) -> str:
    return name.lower().translate(_ASCII).replace(" ", "")


POSITIONS = {
    "sales": ("Account Manager", "Key Account Manager", "Sales Representative",
              "Sales Engineer", "Team Lead Sales", "Business Developer"),
    "operations": ("Dispatcher", "Driver", "Warehouse Operative", "Shift Supervisor",
                   "Logistics Coordinator", "Service Agent", "Field Technician"),
    "technology": ("Software Engineer", "Site Reliability Engineer", "IT Support Specialist",
                   "Data Analyst", "Product Owner", "Security Engineer"),
    "office": ("Accountant", "Controller", "HR Business Partner", "Payroll Specialist",
               "Legal Counsel", "Office Manager", "Assistant"),
    "field": ("Field Engineer", "Plant Operator", "Maintenance Technician",
              "Control Room Operator", "Project Engineer", "Safety Officer"),
}  # fmt: skip

# Which position list fits a division, by division name; anything else is office work.
DIVISION_JOBS = {
    "Sales": "sales", "Operations": "operations", "Technology": "technology",
    "Generation": "field", "Grid": "field", "Commercial": "sales", "Production": "field",
}  # fmt: skip

DEVICES = (
    ("iPhone 15", 18), ("iPhone 15 Pro", 8), ("iPhone 14", 10), ("iPhone SE", 6),
    ("Galaxy S24", 12), ("Galaxy S23", 8), ("Galaxy A55", 10), ("Galaxy XCover 7", 6),
    ("Pixel 8", 6), ("Fairphone 5", 4), ("Nokia XR21", 3), ("Router 5G (CPE)", 2),
)  # fmt: skip

# Division → its three departments, per demo company; the first two names are fixed by
# the README and the tests.
ORG_STRUCTURES = {
    "ACME": (
        ("Sales", ("Enterprise Sales", "SME Sales", "Sales Operations")),
        ("Operations", ("Warehousing", "Transport", "Customer Service")),
        ("Technology", ("Platform Engineering", "IT Support", "Data & Analytics")),
        ("Finance & HR", ("Accounting", "Controlling", "People & Culture")),
    ),
    "BOREALIS": (
        ("Generation", ("Wind Farms", "Solar Parks", "Hydro Plants")),
        ("Grid", ("Transmission", "Distribution", "Grid Control")),
        ("Corporate", ("Finance", "Legal & Compliance", "Human Resources")),
    ),
    "*": (
        ("Commercial", ("Sales", "Marketing", "Partner Management")),
        ("Production", ("Manufacturing", "Logistics", "Quality")),
        ("Support Functions", ("Finance", "IT", "People")),
    ),
}

TEAM_SUFFIXES = ("North", "South", "East", "West", "Central", "Projects", "Field", "Hub")

NATIONAL = "Germany"
INTERNATIONAL = ("Austria", "France", "Poland", "Netherlands", "United Kingdom", "USA", "Turkey")
ROAMING_EU = ("France", "Austria", "Italy", "Spain", "Netherlands", "Poland", "Denmark")
ROAMING_WORLD = ("Switzerland", "United Kingdom", "USA", "Turkey", "United Arab Emirates")
