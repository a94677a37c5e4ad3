"""The readers' problem messages in Danish: the file, row and column stay as they are, the words change.

The dataset reader, the workbook reader and the YAML reader word their problems in English, the command
line's language; the web workspace is Danish first, and a contract manager who drops a workbook on a page
should read in Danish what is wrong. Each entry below is one message's shape — a regular expression over the
whole English message, its variable parts as named groups — with its Danish wording and an example. A group
whose name starts with `t_` is itself a message and is put into Danish in turn; one starting with `n_` is a
number written with thousands separators (1,000,000 becomes 1.000.000). A message without an entry is
shown as it is: `tests/test_messages.py` sees to it that every message of the hostile-input corpus, and
every entry's example, has its Danish.
"""

from __future__ import annotations

import functools
import re

from procurekit.privacy import NOT_SHOWN

#: `privacy.NOT_SHOWN` in Danish: what stands where a value that could hold a CPR number is left out.
NOT_SHOWN_DA = "[værdien vises ikke]"

#: (English message shape, Danish wording, an English example of it). The first shape that matches wins.
ENTRIES: tuple[tuple[str, str, str], ...] = (
    # --- a file -----------------------------------------------------------------------------------
    (r"UTF-16 text; save the file as CSV UTF-8", "UTF-16-tekst; gem filen som CSV UTF-8",
     "UTF-16 text; save the file as CSV UTF-8"),
    (r"binary file \(contains NUL bytes\); expected CSV text",
     "binær fil (indeholder NUL-byte); der skal være CSV-tekst",
     "binary file (contains NUL bytes); expected CSV text"),
    (r"not UTF-8 or Windows-1252 text \(byte (?P<b>\d+)\)", "hverken UTF-8- eller Windows-1252-tekst (byte {b})",
     "not UTF-8 or Windows-1252 text (byte 17)"),
    (r"not UTF-8 \(byte (?P<b>\d+)\)", "ikke UTF-8-tekst (byte {b})", "not UTF-8 (byte 3)"),
    (r"file is larger than (?P<n>\d+) MiB", "filen er større end {n} MiB", "file is larger than 200 MiB"),
    (r"cannot read file \((?P<why>.+)\)", "filen kan ikke læses ({why})", "cannot read file (Permission denied)"),
    (r"file is empty; expected a header row", "filen er tom; der skal være en overskriftsrække",
     "file is empty; expected a header row"),
    (r"not a regular file", "ikke en almindelig fil", "not a regular file"),
    (r"a symbolic link that leads to no file", "et symbolsk link, der ikke fører til nogen fil",
     "a symbolic link that leads to no file"),
    (r"a symbolic link to a file outside the dataset folder; copy the file into the folder",
     "et symbolsk link til en fil uden for datasættets mappe; kopiér filen ind i mappen",
     "a symbolic link to a file outside the dataset folder; copy the file into the folder"),
    (r"not a folder \(a contract dataset is a folder with contract\.yaml\)",
     "ikke en mappe (et kontraktdatasæt er en mappe med contract.yaml)",
     "not a folder (a contract dataset is a folder with contract.yaml)"),
    (r"missing \(every dataset needs contract\.yaml\)", "mangler (hvert datasæt skal have contract.yaml)",
     "missing (every dataset needs contract.yaml)"),
    (r"missing \(participants\.csv, or a 'participants' sheet in an \.xlsx workbook, is required\)",
     "mangler (participants.csv eller et ark 'participants' i en .xlsx-projektmappe skal være med)",
     "missing (participants.csv, or a 'participants' sheet in an .xlsx workbook, is required)"),
    (r"files changed while being recorded; nothing was recorded, try again",
     "filerne blev ændret, mens de blev gemt; intet er gemt, prøv igen",
     "files changed while being recorded; nothing was recorded, try again"),
    (r"looks like a CPR number; use pseudonyms \(value not shown; nothing recorded\)",
     "ligner et CPR-nummer; brug pseudonymer (værdien vises ikke; intet er gemt)",
     "looks like a CPR number; use pseudonyms (value not shown; nothing recorded)"),
    (r"part (?P<part>\S+) is larger than (?P<n>\d+) MiB", "delen {part} er større end {n} MiB",
     "part xl/worksheets/sheet1.xml is larger than 200 MiB"),
    (r"not a readable \.xlsx workbook", "ikke en læsbar .xlsx-projektmappe", "not a readable .xlsx workbook"),
    # --- a CSV table ------------------------------------------------------------------------------
    (r"unreadable header \((?P<t_why>.+)\)", "overskriftsrækken kan ikke læses ({t_why})",
     "unreadable header (unexpected end of data)"),
    (r"malformed CSV \((?P<t_why>.+)\)", "ugyldig CSV ({t_why})", "malformed CSV (unexpected end of data)"),
    (r"unexpected end of data", "uventet slut på data", "unexpected end of data"),
    (r"'(?P<c>.)' expected after '(?P<q>.)'", "'{c}' forventet efter '{q}'", "',' expected after '\"'"),
    (r"field larger than field limit \((?P<n>\d+)\)", "et felt er større end grænsen ({n} tegn)",
     "field larger than field limit (10000)"),
    (r"unknown column '(?P<c>.*)' \(expected: (?P<cols>.*)\)", "ukendt kolonne '{c}' (forventet: {cols})",
     "unknown column 'navn' (expected: participant_id, month)"),
    (r"unknown column, not shown as it is not a column name \(expected: (?P<cols>.*)\)",
     "ukendt kolonne, ikke vist, da den ikke er et kolonnenavn (forventet: {cols})",
     "unknown column, not shown as it is not a column name (expected: participant_id, month)"),
    (r"column '(?P<c>.*)' appears twice", "kolonnen '{c}' står der to gange", "column 'month' appears twice"),
    (r"missing column (?P<cols>.*)", "manglende kolonne(r): {cols}", "missing column month, praktik_hours"),
    (r"expected (?P<n>\d+) fields, found (?P<m>\d+)", "der skal være {n} felter, der er {m}",
     "expected 10 fields, found 3"),
    (r"cell longer than (?P<n>\d+) characters", "cellen er længere end {n} tegn", "cell longer than 1000 characters"),
    (r"looks like a CPR number; use a pseudonym \(value not shown\)",
     "ligner et CPR-nummer; brug et pseudonym (værdien vises ikke)",
     "looks like a CPR number; use a pseudonym (value not shown)"),
    (r"looks like a CPR number; use a pseudonym", "ligner et CPR-nummer; brug et pseudonym",
     "looks like a CPR number; use a pseudonym"),
    # --- a subject to explain (check --explain, the web's Forklaring) --------------------------------
    (r"the subject contains a control character \(not shown\)", "emnet indeholder et styretegn (vises ikke)",
     "the subject contains a control character (not shown)"),
    (r"the subject looks like a CPR number \(not shown\); use the pseudonym",
     "emnet ligner et CPR-nummer (vises ikke); brug pseudonymet",
     "the subject looks like a CPR number (not shown); use the pseudonym"),
    (r"not a subject \(a participant pseudonym, ID@YYYY-MM, YYYY-MM or YYYY\)",
     "ikke et emne (et deltagerpseudonym, ID@ÅÅÅÅ-MM, ÅÅÅÅ-MM eller ÅÅÅÅ)",
     "not a subject (a participant pseudonym, ID@YYYY-MM, YYYY-MM or YYYY)"),
    (r"'(?P<s>.*)' is not a participant of (?P<c>.+) on (?P<d>\S+)", "'{s}' er ikke en deltager i {c} pr. {d}",
     "'IB-999' is not a participant of IB-RENG-2016 on 2019-10-31"),
    (r"'(?P<s>.*)' is not a participant-month of (?P<c>.+) on (?P<d>\S+)",
     "'{s}' er ikke en deltagermåned i {c} pr. {d}", "'IB-001@2030-01' is not a participant-month of X on 2019-10-31"),
    (r"'(?P<s>.*)' is not a month of (?P<c>.+) on (?P<d>\S+)", "'{s}' er ikke en måned i {c} pr. {d}",
     "'2030-01' is not a month of IB-RENG-2016 on 2019-10-31"),
    (r"'(?P<s>.*)' is not a year of (?P<c>.+) on (?P<d>\S+)", "'{s}' er ikke et år i {c} pr. {d}",
     "'2030' is not a year of IB-RENG-2016 on 2019-10-31"),
    # --- a cell -----------------------------------------------------------------------------------
    (r"'(?P<v>.*)' is not a date \(YYYY-MM-DD\)", "'{v}' er ikke en dato (ÅÅÅÅ-MM-DD)",
     "'2017-02-30' is not a date (YYYY-MM-DD)"),
    (r"'(?P<v>.*)' is not a date \(no such day\)", "'{v}' er ikke en dato (dagen findes ikke)",
     "'31-02-2017' is not a date (no such day)"),
    (r"'(?P<v>.*)' has a two-digit year, which is ambiguous; write YYYY-MM-DD or DD-MM-YYYY",
     "'{v}' har et tocifret årstal, og det er tvetydigt; skriv ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ",
     "'1-2-17' has a two-digit year, which is ambiguous; write YYYY-MM-DD or DD-MM-YYYY"),
    (r"'(?P<v>.*)' is ambiguous \(day or month first\?\); write YYYY-MM-DD or DD-MM-YYYY",
     "'{v}' er tvetydig (dag eller måned først?); skriv ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ",
     "'1/2/2017' is ambiguous (day or month first?); write YYYY-MM-DD or DD-MM-YYYY"),
    (r"'(?P<v>.*)' is not a number", "'{v}' er ikke et tal", "'x' is not a number"),
    (r"'(?P<v>.*)' is not a finite number", "'{v}' er ikke et endeligt tal", "'NaN' is not a finite number"),
    (r"'(?P<v>.*)' is not a whole number", "'{v}' er ikke et helt tal", "'2.5' is not a whole number"),
    (r"(?P<v>.*) is negative", "{v} er negativt", "-2.5 is negative"),
    (r"(?P<v>.*) is too large", "{v} er for stort", "1e20 is too large"),
    (r"(?P<v>.*) has more than (?P<n>\d+) decimals", "{v} har mere end {n} decimaler",
     "[value not shown] has more than 28 decimals"),
    (r"'(?P<v>.*)' is not yes or no \(true/false, ja/nej, sand/falsk\) or empty",
     "'{v}' er hverken ja eller nej (true/false, ja/nej, sand/falsk) eller tom",
     "'ja?nej' is not yes or no (true/false, ja/nej, sand/falsk) or empty"),
    (r"'(?P<v>.*)' is not one of (?P<options>.*)", "'{v}' er ikke en af {options}",
     "'done' is not one of completed, dropped_out"),
    (r"participant_id is empty", "participant_id er tom", "participant_id is empty"),
    (r"'(?P<v>.*)' is not a pseudonym \(letters, digits, \. _ -; at most (?P<n>\d+)\)",
     "'{v}' er ikke et pseudonym (bogstaver, cifre, . _ -; højst {n} tegn)",
     "'Søren' is not a pseudonym (letters, digits, . _ -; at most 64)"),
    (r"'(?P<v>.*)' is not a month \(YYYY-MM\)", "'{v}' er ikke en måned (ÅÅÅÅ-MM)",
     "'2019-13' is not a month (YYYY-MM)"),
    (r"'(?P<v>.*)' is not a year \(YYYY\)", "'{v}' er ikke et år (ÅÅÅÅ)", "'19' is not a year (YYYY)"),
    # --- a row ------------------------------------------------------------------------------------
    (r"participant_id '(?P<p>.*)' already on row (?P<r>\d+)", "participant_id '{p}' står allerede i række {r}",
     "participant_id 'P1' already on row 2"),
    (r"more than 100 years", "mere end 100 år", "more than 100 years"),
    (r"(?P<a>\w+) and (?P<b>\w+) must both be given or both be empty",
     "{a} og {b} skal enten begge være udfyldt eller begge være tomme",
     "left_on and exit_reason must both be given or both be empty"),
    (r"unknown participant '(?P<p>.*)' \(not in participants\.csv\)",
     "ukendt deltager '{p}' (findes ikke i participants.csv)", "unknown participant 'P7' (not in participants.csv)"),
    (r"(?P<m>\S+) is outside (?P<p>.+)'s course \((?P<a>\S+) to (?P<b>\S+)\)",
     "{m} ligger uden for forløbet for {p} ({a} til {b})", "2018-02 is outside P2's course (2017-02 to 2018-01)"),
    (r"(?P<m>\S+) is outside (?P<p>.+)'s course \(from (?P<a>\S+)\)",
     "{m} ligger uden for forløbet for {p} (fra {a})", "2017-02 is outside P1's course (from 2017-03)"),
    (r"(?P<y>\S+) is outside the contract \((?P<a>\S+) to (?P<b>\S+)\)",
     "{y} ligger uden for kontrakten ({a} til {b})", "2023 is outside the contract (2017 to 2021)"),
    (r"target_group_fte exceeds contract_fte", "target_group_fte er større end contract_fte",
     "target_group_fte exceeds contract_fte"),
    (r"reported_on is before (?P<y>\S+) began", "reported_on ligger før {y} begyndte",
     "reported_on is before 2019 began"),
    (r"end: end is before start", "end: slutdatoen ligger før startdatoen", "end: end is before start"),
    (r"(?P<a>\w+) is before (?P<b>\w+)", "{a} ligger før {b}", "left_on is before enrolled_on"),
    (r"(?P<key>.+) already on row (?P<r>\d+)", "{key} står allerede i række {r}", "P1 2017-01 already on row 2"),
    (r"column (?P<c>\w+): too many decimals to hold exactly \(at most (?P<n>\d+) digits\)",
     "kolonne {c}: for mange decimaler til at holde tallene nøjagtigt (højst {n} cifre)",
     "column praktik_hours: too many decimals to hold exactly (at most 38 digits)"),
    # --- a workbook -------------------------------------------------------------------------------
    (r"an old Excel 97-2003 workbook \(\.xls\); save it as \.xlsx",
     "en gammel Excel 97-2003-projektmappe (.xls); gem den som .xlsx",
     "an old Excel 97-2003 workbook (.xls); save it as .xlsx"),
    (r"a workbook's file name looks like a CPR number; rename it \(name not shown\)",
     "en projektmappes filnavn ligner et CPR-nummer; omdøb den (navnet vises ikke)",
     "a workbook's file name looks like a CPR number; rename it (name not shown)"),
    (r"sheet (?P<i>\d+): the name looks like a CPR number; rename the sheet \(name not shown\)",
     "ark {i}: navnet ligner et CPR-nummer; omdøb arket (navnet vises ikke)",
     "sheet 2: the name looks like a CPR number; rename the sheet (name not shown)"),
    (r"unknown sheet '(?P<s>.*)' \(expected: (?P<names>.*); sheets whose names start with _ are skipped\)",
     "ukendt ark '{s}' (forventet: {names}; ark, hvis navn begynder med _, springes over)",
     "unknown sheet 'Ark2' (expected: participants, hours; sheets whose names start with _ are skipped)"),
    (r"table (?P<k>\w+) is also given in (?P<where>.+); keep only one of them",
     "tabellen {k} findes også i {where}; behold kun den ene af dem",
     "table participants is also given in participants.csv; keep only one of them"),
    (r"password-protected workbook or old \.xls format; remove the password and save as \.xlsx",
     "projektmappe med adgangskode eller i det gamle .xls-format; fjern adgangskoden, og gem den som .xlsx",
     "password-protected workbook or old .xls format; remove the password and save as .xlsx"),
    (r"not an \.xlsx workbook \(damaged, or another format renamed\)",
     "ikke en .xlsx-projektmappe (beskadiget, eller et andet format med et nyt navn)",
     "not an .xlsx workbook (damaged, or another format renamed)"),
    (r"damaged workbook \((?P<why>.+)\)", "beskadiget projektmappe ({why})", "damaged workbook (BadZipFile)"),
    (r"workbook unpacks to more than (?P<n>\d+) MiB", "projektmappen fylder mere end {n} MiB, når den pakkes ud",
     "workbook unpacks to more than 500 MiB"),
    (r"damaged sheet \((?P<why>.+)\)", "beskadiget ark ({why})", "damaged sheet (ParseError: unclosed token)"),
    (r"the header must be in row 1 \(the first values are in row (?P<r>\d+)\)",
     "overskrifterne skal stå i række 1 (de første værdier står i række {r})",
     "the header must be in row 1 (the first values are in row 3)"),
    (r"sheet is empty; expected a header row", "arket er tomt; der skal være en overskriftsrække",
     "sheet is empty; expected a header row"),
    (r"sheet has more than (?P<n_rows>[\d,]+) rows", "arket har mere end {n_rows} rækker",
     "sheet has more than 1,000,000 rows"),
    (r"sheet has more than (?P<n_cells>[\d,]+) cells", "arket har mere end {n_cells} celler",
     "sheet has more than 20,000,000 cells"),
    (r"row has a value in column (?P<c>\w+); at most (?P<n>\d+) columns are read",
     "rækken har en værdi i kolonne {c}; højst {n} kolonner læses",
     "row has a value in column AA; at most 26 columns are read"),
    (r"malformed cell: its value does not fit the cell's type \(value not shown\)",
     "ugyldig celle: værdien passer ikke til cellens type (værdien vises ikke)",
     "malformed cell: its value does not fit the cell's type (value not shown)"),
    (r"formula without a saved value; open the workbook in Excel and save it",
     "formel uden gemt værdi; åbn projektmappen i Excel, og gem den",
     "formula without a saved value; open the workbook in Excel and save it"),
    (r"the cell holds the Excel error (?P<e>.*)", "cellen indeholder Excel-fejlen {e}",
     "the cell holds the Excel error #N/A"),
    # --- contract.yaml ----------------------------------------------------------------------------
    (r"must be a mapping of (?P<keys>.+)", "skal have felterne {keys}",
     "must be a mapping of contract_id, municipality, supplier, ruleset, start, end"),
    (r"YAML syntax error: (?P<why>.+)", "fejl i YAML-syntaksen: {why}", "YAML syntax error: expected ':'"),
    (r"YAML error: (?P<why>.+)", "YAML-fejl: {why}", "YAML error: ReaderError"),
    (r"nested deeper than (?P<n>\d+) levels", "indlejret i mere end {n} niveauer", "nested deeper than 60 levels"),
    (r"control character U\+(?P<u>[0-9A-F]{4,6}) is not allowed", "styretegnet U+{u} er ikke tilladt",
     "control character U+0001 is not allowed"),
    (r"surrogate U\+(?P<u>[0-9A-F]{4,6}) is not allowed", "surrogattegnet U+{u} er ikke tilladt",
     "surrogate U+D800 is not allowed"),
    (r"non-character U\+(?P<u>[0-9A-F]{4,6}) is not allowed", "ikke-tegnet U+{u} er ikke tilladt",
     "non-character U+FFFE is not allowed"),
    (r"document expands to too many nodes", "dokumentet udfolder sig til for mange dele",
     "document expands to too many nodes"),
    (r"unsupported YAML tag '(?P<tag>.*)'", "YAML-mærket '{tag}' understøttes ikke",
     "unsupported YAML tag '!!python/name'"),
    (r"bad merge key: (?P<why>.+)", "ugyldig sammenfletningsnøgle: {why}", "bad merge key: expected a mapping"),
    (r"a key must be a scalar", "en nøgle skal være en enkelt værdi", "a key must be a scalar"),
    (r"duplicate key '(?P<k>.*)'", "nøglen '{k}' står der to gange", "duplicate key 'start'"),
    (r"bad value: (?P<why>.+)", "ugyldig værdi: {why}", "bad value: day is out of range for month"),
    # pydantic's words for a field of contract.yaml ("start: Field required")
    (r"(?P<where>[\w.\[\]]+): (?P<t_what>.+)", "{where}: {t_what}", "contract_id: Field required"),
    (r"Field required", "skal udfyldes", "Field required"),
    (r"Extra inputs are not permitted", "ukendt felt (ikke tilladt)", "Extra inputs are not permitted"),
    (r"Input should be a valid string", "skal være en tekst", "Input should be a valid string"),
    (r"String should have at least (?P<n>\d+) characters?", "skal have mindst {n} tegn",
     "String should have at least 1 character"),
    (r"String should have at most (?P<n>\d+) characters?", "må have højst {n} tegn",
     "String should have at most 100 characters"),
    (r"Input should be a valid date.*", "skal være en dato (ÅÅÅÅ-MM-DD)",
     "Input should be a valid date or datetime, input is too short"),
    (r"Datetimes provided to dates should have zero time.*", "skal være en dato uden klokkeslæt (ÅÅÅÅ-MM-DD)",
     "Datetimes provided to dates should have zero time - e.g. be exact dates"),
    (r"Input should be a valid (?P<t_kind>\w+)", "har en forkert type ({t_kind})",
     "Input should be a valid dictionary"),
)

_WORDS = {"dictionary": "oversigt", "list": "liste", "integer": "heltal", "number": "tal", "boolean": "ja/nej"}


@functools.cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(shape, re.DOTALL), danish) for shape, danish, _ in ENTRIES)


def danish(message: str, strict: bool = False) -> str | None:
    """The Danish of one reader message; None when it has no entry (`strict`: nor a message inside it,
    which is otherwise left in English, as a library such as the csv module words it)."""
    for shape, wording in _compiled():
        found = shape.fullmatch(message)
        if found is None:
            continue
        parts: dict[str, str] = {}
        for name, value in found.groupdict().items():
            value = value or ""
            if name.startswith("t_"):
                inner = _WORDS.get(value) or danish(value, strict)
                if inner is None and strict:
                    return None
                value = inner or value
            elif name.startswith("n_"):
                value = value.replace(",", ".")
            parts[name] = value
        return wording.format(**parts).replace(NOT_SHOWN, NOT_SHOWN_DA)
    return None


def problem_text(message: str, lang: str) -> str:
    """A reader message in `lang` (da or en): the Danish where it has an entry, else as it is."""
    if lang != "da":
        return message
    return danish(message) or message
