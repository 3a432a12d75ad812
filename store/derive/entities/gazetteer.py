"""Word lists for entity extraction: gazetteers shipped as data, and the cue-word tables.

The data files in ``store/gazetteer_data/`` hold what is *known* (countries, cities, regions,
well-known organisations, given names, common English words); the tables below hold the
*structure* of news English (titles, organisation cue words, speech verbs...) that lets
``store.derive.entities.extract`` find names nobody listed. Every word here is folded with
``store.text.clean.fold`` before use, so matching ignores case, accents and simple plurals.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from store.text.clean import fold

DATA_PACKAGE = "store.derive.entities"
DATA_DIR = "gazetteer_data"


class Row(NamedTuple):
    """One gazetteer line: a canonical name, its other names, its demonyms/adjectives."""

    canonical: str
    aliases: tuple[str, ...]
    adjectives: tuple[str, ...]


def _lines(name: str) -> Iterator[str]:
    text = resources.files(DATA_PACKAGE).joinpath(DATA_DIR, name).read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def rows(name: str) -> list[Row]:
    """Parse a ``canonical | aliases | adjectives`` file (missing columns are empty)."""
    out = []
    for line in _lines(name):
        parts = [p.strip() for p in line.split("|")] + ["", ""]
        aliases = tuple(a.strip() for a in parts[1].split(",") if a.strip())
        adjectives = tuple(a.strip() for a in parts[2].split(",") if a.strip())
        out.append(Row(parts[0], aliases, adjectives))
    return out


def words(name: str, plurals: bool = True) -> frozenset[str]:
    """A one-word-per-line file as a set of folded words (``name_key`` when not ``plurals``)."""
    return frozenset((fold if plurals else name_key)(w) for w in _lines(name))


@lru_cache(maxsize=50_000)
def name_key(word: str) -> str:
    """Case- and accent-folded, possessive dropped, but plurals kept: "James's" -> "james"."""
    w = word.casefold().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.rstrip("'")
    if not w.isascii():
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    return w


def _set(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


# Words before a name that make it a person when capitalised inside the name's sequence
# ("Prime Minister Donald Tusk", "Judge Sean Jordan"). Hyphenated forms fold as one word.
TITLE_HEADS = _set("""
president vice-president president-elect minister chancellor vice-chancellor secretary
secretary-general under-secretary chairman chairwoman chairperson chair ceo cfo coo cto cio
director director-general governor senator sen congressman congresswoman representative rep
mayor judge justice magistrate prosecutor attorney coach manager dr mr mrs ms mx prof
professor king queen prince princess emperor empress pope archbishop bishop cardinal rabbi
imam sheikh sheik ayatollah general gen colonel col admiral lieutenant lt captain capt
sergeant sgt marshal commander commissioner ambassador envoy spokesman spokeswoman
spokesperson speaker premier councillor councilman councilwoman councilor lord lady sir
dame baroness baron duke duchess earl officer detective inspector superintendent sheriff
deputy founder co-founder cofounder dean provost rector chief executive head leader boss
president emir sultan crown-prince pm mp mep
""")
# Titles that stand alone or after a qualifier, not before a name ("the Dalai Lama").
TITLES_ALONE = _set("lama patriarch mufti guru swami rinpoche")
# Military ranks: followed by common words they are part of a company name ("General Catalyst").
RANKS = _set("general gen admiral major colonel captain marshal")
# Words that may stand before a title head as part of the title ("Prime", "Foreign", "Chief").
TITLE_MODIFIERS = _set("""
prime vice deputy acting interim former ex foreign defence defense finance health interior
home economy economic energy trade education culture justice labour labor environment
agriculture transport transportation digital treasury attorney general chief executive
financial operating technology technical first senior junior state federal crown supreme
lead managing district county city shadow opposition competition regional assistant
associate principal head grand high special military national security intelligence police
fire press communications investment development research science medical affairs
""")
# Lower-case words just before a name that say it is a person ("coach Carlo Ancelotti").
PERSON_NOUNS = _set("""
president minister chancellor leader spokesman spokeswoman spokesperson chief executive ceo
founder co-founder cofounder coach manager striker midfielder defender goalkeeper forward
player star champion actor actress singer rapper director filmmaker author writer novelist
poet artist painter composer musician scientist researcher professor economist analyst
expert lawyer attorney prosecutor judge senator governor mayor lawmaker legislator candidate
official secretary ambassador envoy chairman chairwoman astronaut doctor surgeon nurse
teacher student officer commander general reporter journalist correspondent photographer
designer chef entrepreneur billionaire activist campaigner dissident wife husband son
daughter father mother brother sister widow boss deputy rival teammate opponent defendant
suspect victim witness plaintiff philanthropist historian physicist chemist biologist
astronomer epidemiologist virologist cyclist skier swimmer sprinter runner boxer golfer
driver rider jockey grandmaster captain premier king queen prince princess pope presenter
host comedian dancer producer conductor pianist violinist guitarist drummer strategist
adviser advisor aide diplomat negotiator mediator representative congressman congresswoman
councillor councilor mp administrator commissioner inspector detective sheriff colonel
sergeant soldier veteran pilot referee umpire owner heir heiress tycoon magnate mogul
investor curator chair archbishop cardinal bishop rabbi imam monk priest nun economist
psychologist psychiatrist neuroscientist engineer inventor architect sculptor dramatist
playwright screenwriter editor columnist blogger influencer youtuber streamer model
""")
# Lower-case words just before a name that say it is an organisation ("defense giant X").
ORG_NOUNS = _set("""
company firm giant group maker carmaker automaker chipmaker drugmaker planemaker retailer
bank lender insurer startup start-up operator airline carrier broadcaster newspaper
publisher agency regulator club team developer manufacturer supplier producer conglomerate
outlet platform network provider brand label studio charity organisation organization
nonprofit non-profit watchdog union party coalition miner utility exchange fund outfit
subsidiary journal magazine daily tabloid website app chain consultancy brewer distiller
telecom telco shipper shipbuilder contractor rival institute university college school
hospital lab laboratory foundation association federation league insurer bancorp automaker
fintech biotech foodmaker steelmaker streamer broadcaster
""")
# Lower-case words right after a name that say it is an organisation ("Walmart shares").
ORG_AFTER = _set("""
shares share stock stocks employees workers staff spokesman spokeswoman spokesperson
executives executive board shareholders investors customers users subscribers revenue
revenues profit profits sales earnings headquarters chief ceo boss founder chairman
association group organisation organization team squad players fans supporters officials
collaboration experiment consortium subsidiary unit brand's app platform website statement
party index indexes industrial average composite
""")
# Lower-case words right after a name that say it is a person ("the Biden administration").
PERSON_AFTER = _set("""
administration presidency campaign family wife husband son daughter aides aide loyalists
himself herself
""")
# Lower-case words right after a name that say it is a place ("Easton neighbourhood").
PLACE_AFTER = _set("""
neighbourhood neighborhood district region province area suburb village town city county
valley river island coast border municipality quarter borough oblast airport port residents
township prefecture peninsula plateau lake mountains mountain sea bay strait desert basin
delta glacier volcano
""")
# Lower-case nouns that, before "of", make the next name a place ("the town of Grindavík").
PLACE_OF = _set("town city village region province district state island port suburb capital")
# Lower-case words before a name that say it is a place ("in Bydgoszcz", "near Lahaina").
PLACE_BEFORE = _set("""
in near outside across throughout inside around northern southern eastern western central
north-east north-west south-east south-west northeastern northwestern southeastern
southwestern downtown
""")
PLACE_BEFORE_WEAK = _set("from via")
# Head words of organisation names ("Deutsche Bank", "Ministry of Health").
ORG_CUES = _set("""
bank ministry council court fund agency commission parliament university institute
institutet group corp corporation inc incorporated ltd llc plc ag sa gmbh nv se co company
companies holdings holding electronics motors motor airlines airline airways party union
federation association fc police department office service services authority board bureau
committee organization organisation foundation society club assembly senate congress
tribunal center centre laboratory laboratories labs lab hospital clinic school college
academy museum orchestra theatre theater army navy forces force guard command network media
times post journal press herald gazette tribune pharmaceuticals pharma therapeutics
biotech biosciences technologies technology systems software energy oil petroleum gas power
industries partners capital securities investments ventures insurance financial bancorp
railways railway telecom communications entertainment studios pictures records foods brewing
steel mining chemicals chemical automotive aerospace dynamics robotics semiconductor
semiconductors instruments exchange reserve secretariat alliance coalition movement front
brigade battalion regiment corps institution trust bancorp cooperative co-op team games
cars highways railway
administration inspectorate directorate commissariat church mission
""")
# Head words of place names ("Yilan County", "Krasnodar Territory") and leading ones
# ("Lake Victoria", "Mount Kenya").
PLACE_CUES = _set("""
county province region territory oblast krai district island islands peninsula valley river
mountains mountain hills heights coast sea ocean gulf bay strait canal desert airport
stadium arena square street avenue road bridge park beach forest harbour harbor prefecture
governorate municipality canton city village town borough state conservancy sanctuary
""")
PLACE_PREFIXES = _set(
    "lake mount mt port fort cape isle camp pointe point cap cabo punta isla ile île mont monte "
    "lac loch glen"
)
# Names of things that are neither people, places nor organisations: a sequence ending in
# (or containing) one of these is an event, an award, a law or a product, and is dropped.
EVENT_CUES = _set("""
cup open olympics olympic paralympics prize prizes award awards festival tour championship
championships prix marathon expo biennale bowl series act bill treaty accord accords
agreement protocol doctrine war revolution giro vuelta telescope collider rover satellite
summit conference games league derby classic trophy medal week day
""")
# "Games" is an event after these ("Olympic Games"), otherwise a company ("Epic Games").
GAMES_EVENT = _set("olympic paralympic commonwealth asian pan world youth winter summer")
# Named storms: the name after these is not a person.
WEATHER_PREFIXES = _set("storm hurricane typhoon cyclone tropical super subtropical")
# Capitalised words that are never entities and end a name ("Monday", "January", "The").
STOP_CAPS = _set("""
january february march april may june july august september october november december
feb apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
i he she it they we you his her its their our my your this that these those the a an some
any each every all both most many several such other another no none in on at by for from
with without after before over under during since until despite among between across
against amid through throughout within about around according following including and but
or nor yet so if when while although though because as whether meanwhile however moreover
furthermore also still then now today yesterday tomorrow tonight last next here there
what which who whom whose where why how not only even just more less once
""")
# Capitalised words that are not entities: diseases, festivals, movements, ethnic and
# religious adjectives without a place of their own.
NOT_ENTITIES = _set("""
covid covid-19 coronavirus ebola mpox monkeypox zika marburg sars mers hiv aids alzheimer
parkinson christmas easter ramadan eid diwali hanukkah thanksgiving brexit internet web
bitcoin ethereum kurdish kurd kurds arab arabs arabic muslim muslims christian christians
jewish jews jew islamic islamist islamists catholic catholics protestant orthodox hindu
hindus sikh sikhs buddhist sunni sunnis shia shiite shiites latino latinos hispanic
indigenous aboriginal roma pashtun hutu tutsi rohingya yazidi druze alawite bedouin berber
amazigh maori inuit slavic western eastern northern southern communist communists socialist
socialists democrat democrats republican republicans liberal liberals conservative
conservatives nazi nazis soviet allied celsius fahrenheit english-language category
mercury venus mars jupiter saturn uranus neptune pluto
""")
# (and the planets: "robots at work on Mars" names no organisation)
# All-capital words that are not organisations.
NOT_ORG_ACRONYMS = frozenset("""
CEO CFO COO CTO CIO GDP GNP AI TV EV EVs IPO UAV UAVs GPS DNA RNA HIV AIDS COVID PM AM PC IT
VAT USB LED LNG OK MP MPs MEP VIP FAQ ID IQ UFO ATM SUV CPU GPU NFT ESG ETF AGM R&D M&A UTC
GMT BC AD CO2 CO CBD PR HR IVF ICU ER MRI CT PhD MBA LGBT LGBTQ RSS API SMS US$ A.I. NB PS
HQ QR KM KG MW GW TWh MWh TB GB MB RPM MPH WWII WWI II III IV VI VII VIII IX XI XII XX
SOS DIY FYI ASAP TBD RIP AKA ET PT EST PST CET BST NYSE PE VR AR XR
DVD DVDs CD CDs PCs MP3 DSL VoIP WiFi HDTV LCD RFID PDA PDAs SUVs WAN LAN OS XP CEOs IPOs
""".split())
# Verbs after a name that make it a speaking subject ("Peskov said").
SPEECH_VERBS = _set("""
said says told tells added stated announced warned insisted argued claimed explained noted
wrote urged stressed emphasized emphasised confirmed denied acknowledged admitted replied
responded tweeted posted declared revealed vowed pledged promised suggested believes believed
thinks thought called criticized criticised praised accused thanked welcomed recalled asked
predicted estimated agreed hopes hoped wants wanted expects expected plans planned says
reiterated dismissed rejected condemned described signed met visited spoke speaks
""")
# Irregular past forms: verbs after a subject that no "-ed" rule catches.
PAST_VERBS = _set("""
lost won beat made took gave got went came led left met ran saw sent set told hit held kept
paid put sold bought brought built caught chose drew fell felt fought found flew grew heard
knew meant quit rode rose sank shot spent spoke stood struck threw wore wrote became began
broke cut drove forgot froze hid hung let read sang sat shut slept spread stole stuck swam
taught thought tore woke won't can't didn't doesn't wasn't isn't hasn't
""")
AUX_VERBS = _set("""
is was are were has have had will would can could may might must should shall did does do
also has been
""")
# Lower-case words that do not end a subject and cannot be a following verb.
FUNCTION_WORDS = _set("""
and or but of for in on at by from with to the a an as than that which who whose whom
into onto over under about after before between against during since until within without
""")
PERSON_PRONOUNS = _set("he she his her him himself herself")
ORG_PRONOUNS = _set("it its itself")
# Organisation heads that come first in other languages ("Polizia Postale", "Banco Santander").
FOREIGN_ORG_CUES = _set("""
polizia policia policía polícia politie polizei gendarmerie guardia carabinieri ministerio
ministère ministero ministerium banco banca banque universidad università université
universität universidade instituto istituto institut tribunale cour corte agencia agenzia
agence partido partito parti bundesamt bundesanstalt groupe grupo gruppo deutsche
""")
# Lower-case words after a name that make it a disease, a product or a kind: not an entity.
KIND_AFTER = _set("""
virus disease syndrome fever flu variant strain vaccine outbreak bacteria drug pill model
phone smartphone console chip app software rifle missile tank jet jets aircraft drone
drones language languages cuisine style
""")
# Endings of adjectives made from names ("Kurdish", "Midwestern"): not names themselves.
ADJECTIVE_SUFFIXES = ("ish", "ese", "ern", "ic", "ian", "ean", "an", "ist")
# Generic subjects that may start a sentence before "said" without being names.
GENERIC_SUBJECTS = _set("""
police staff management government officials everyone everybody nobody someone somebody
anyone others people residents authorities experts critics analysts scientists researchers
doctors investigators prosecutors witnesses organisers organizers sources
""")
# Lower-case particles inside names ("Lula da Silva", "von der Leyen", "bin Salman").
NAME_PARTICLES = frozenset(
    "de da di do dos das del della delle dello degli dei der den van von la le du des bin ibn al "
    "el y ter ten e".split()
)
# Lower-case words that may join capitalised words into one sequence.
CONNECTORS = NAME_PARTICLES | frozenset("of for and & the am upon on".split())
# Lower-case endings of hyphenated words that are not part of a name ("Paris-based").
HYPHEN_TAILS = _set("""
based led backed born listed owned made run style era wide bound speaking language controlled
funded linked affiliated registered headquartered focused operated built designed inspired
friendly sized level class area region era free bred raised trained educated flagged allied
aligned held occupied annexed administered dominated centric specific only majority minority
appointed elected installed supported sponsored brokered mediated ruled governed run
""")
# Person surname endings common enough to tell a lone surname from a company.
SURNAME_SUFFIXES = (
    "ov", "ova", "ev", "eva", "tin", "nin", "lin", "din", "kin", "sky", "skyy", "skiy", "ski",
    "ska", "skaya", "enko", "chuk", "shyn", "vich", "vych", "ovic", "ović", "ić", "escu", "yan",
    "opoulos", "akis", "idis", "oglu", "oğlu", "shvili", "dze", "sson", "zadeh", "uk", "iak",
    "czyk",
)
# Abbreviations whose period does not break a name ("Dr. Jill Biden", "Warner Bros. Discovery").
DOTTED = frozenset("mr mrs ms dr prof st gen sen rep gov lt col sgt capt jr sr inc corp co ltd "
                   "bros mt ft".split())
# Words of a role, a rank or an affiliation glued before a person's name ("Democrat John
# Kerry", "Second-seeded Lleyton Hewitt", "Incumbent Hamid Karzai"): never part of the name.
ROLE_WORDS = _set("""
democrat democratic republican gop tory labour liberal conservative socialist communist
independent incumbent challenger nominee candidate rookie veteran champion titleholder
defending reigning seeded top-seeded unseeded no former ex late then-president star ace
skipper striker midfielder defender goalkeeper quarterback pitcher shortstop outfielder
catcher infielder linebacker receiver halfback fullback guard center centre forward winger
left-hander right-hander lefty righty rival legend great chess tennis golf golfer world
olympic olympian american british french german chinese japanese russian indian australian
italian spanish canadian israeli palestinian iraqi iranian afghan saudi mexican brazilian
swiss swedish dutch greek irish scottish kenyan korean new-york
state secretary defense defence foreign treasury homeland interior attorney
""")
# Legal forms that end a company's name: the node is the name without them ("Microsoft").
LEGAL_SUFFIXES = _set("""
inc incorporated corp corporation co cos company ltd limited llc llp plc ag sa nv se gmbh
spa bv oyj asa ab kk
""")
# Words a company's short name is followed by in its full name ("Toyota Motor Corp.",
# "Apple Computer Inc."): "Toyota Motor" is "Toyota" when the store names both.
COMPANY_WORDS = _set("""
motor motors computer computers holding holdings group international communications
industries technologies technology systems entertainment enterprises brands stores
airlines airways financial worldwide global
""")
# Endings of one-word company names ("Microsystems", "PeopleSoft", "Genentech", "Wal-Mart").
ORG_ENDINGS = ("systems", "soft", "tech", "tronics", "ware", "works", "mart", "corp", "group",
               "bank", "media", "labs")
