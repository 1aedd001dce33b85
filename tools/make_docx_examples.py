"""Write the three fictional .docx example interviews in corpus/transcripts/.

The interviews are invented for this project (see corpus/transcripts/metadata.yaml,
fictional: true). This script is their source: run it to rebuild the .docx files
(python tools/make_docx_examples.py). Each file uses a different labelling style
that transcription services produce: bold labels without a colon, plain labels, and
bold labels with a colon.
"""

from __future__ import annotations

from pathlib import Path

import docx

OUT = Path(__file__).resolve().parents[1] / "corpus" / "transcripts"

INTERVIEWS = {
    "espoo_02_kokemusasiantuntija.docx": {
        "style": "bold-no-colon",
        "header": ["Päivämäärä: 20.3.2019", "Kesto: 42 min", "Rooli: kokemusasiantuntija"],
        "turns": [
            ("Haastattelija", "Miten kokemusasiantuntijatoiminta alkoi Espoossa?"),
            ("Haastateltava", "Hanke järjesti koulutuksen, johon haettiin ihmisiä, joilla on omaa kokemusta "
                              "asunnottomuudesta. Meitä oli kymmenen, ja koulutus kesti puoli vuotta."),
            ("Haastattelija", "Mitä olet tehnyt koulutuksen jälkeen?"),
            ("Haastateltava", "Olen ollut mukana asiakastapaamisissa työparina asumisneuvojan kanssa. "
                              "Riikka Laaksonen oli mun ensimmäinen työpari, ja Riikan kanssa me kehitettiin "
                              "tapa, jolla kokemusasiantuntija esittäytyy asiakkaalle."),
            ("Haastattelija", "Miten asiakkaat ovat suhtautuneet?"),
            ("Haastateltava", "Tosi hyvin. Moni on sanonut, että on helpompi puhua, kun tietää että toinen on "
                              "ollut samassa tilanteessa. Luottamus syntyy nopeammin."),
            ("Haastattelija", "Onko toiminnassa ollut ongelmia?"),
            ("Haastateltava", "Byrokratia. Palkkion maksaminen vaati verokortin ja henkilötunnuksen joka "
                              "kerta uudestaan, ja mä jouduin lähettämään tietoni sähköpostilla: "
                              "riikka.laaksonen@example.org ja henkilötunnus 070391-4553. "
                              "Se tuntui turvattomalta."),
            ("Haastattelija", "Mitä toivoisit jatkossa?"),
            ("Haastateltava", "Pysyviä työsuhteita kokemusasiantuntijoille. Nyt kaikki loppuu, kun hanke loppuu."),
        ],
    },
    "tampere_01_tyontekija.docx": {
        "style": "plain",
        "header": ["Päivämäärä: 15.5.2019", "Kesto: 55 min", "Rooli: työntekijä"],
        "turns": [
            ("H", "Mikä on ollut Tampereen AKU-hankkeen painopiste?"),
            ("V", "Meillä painopiste on ollut ennaltaehkäisyssä ja erityisesti nuorissa. Nuorten asunnottomuus "
                  "on Tampereella kasvanut, kun opiskelijoita ja nuoria muuttaa kaupunkiin enemmän kuin "
                  "asuntoja valmistuu."),
            ("H", "Millaisia keinoja olette kokeilleet?"),
            ("V", "Me aloitettiin nuorten asumisneuvonta yhdessä oppilaitosten kanssa. Opinto-ohjaaja voi "
                  "ohjata nuoren suoraan neuvontaan, jos vuokra jää maksamatta."),
            ("H", "Onko siitä ollut hyötyä?"),
            ("V", "On. Ensimmäisen vuoden aikana neuvonnassa kävi yli sata nuorta, ja suurin osa sai "
                  "asumisensa järjestykseen. Se on ollut meidän paras käytäntö."),
            ("H", "Mitä haasteita on ollut?"),
            ("V", "Päihde- ja mielenterveyspalveluihin on pitkät jonot. Ja kun asiakas ei saa hoitoa ajoissa, "
                  "asuminen vaarantuu. Emme onnistuneet saamaan psykiatriaa mukaan verkostoon, vaikka yritimme."),
            ("H", "Miten kokemusasiantuntijat ovat olleet mukana?"),
            ("V", "He ovat olleet mukana strategiatyöryhmässä alusta asti. Heidän ansiostaan strategiassa "
                  "puhutaan asiakkaan kohtaamisesta eikä vain prosesseista."),
        ],
    },
    "vantaa_03_asiakas.docx": {
        "style": "bold-colon",
        "header": ["Päivämäärä: 11.6.2019", "Kesto: 29 min", "Rooli: asiakas"],
        "turns": [
            ("H", "Miten jouduit asunnottomaksi?"),
            ("V", "Ero. Mä muutin pois yhteisestä asunnosta, eikä mulla ollut varaa omaan. Asuin ensin "
                  "siskon luona Kivistössä, sitten hostellissa."),
            ("H", "Mistä sait apua?"),
            ("V", "Sosiaalityöntekijä ohjasi mut Vantaan asumisen tuen tiimiin. Ne auttoi hakemaan "
                  "vuokra-asuntoa ja takuuvuokraa."),
            ("H", "Mikä oli vaikeinta?"),
            ("V", "Maksuhäiriömerkintä. Yksityiset vuokranantajat ei hyväksy, jos on luottotiedot menneet, "
                  "eikä kaupungin asuntoihin päässyt nopeasti."),
            ("H", "Miten tilanne ratkesi?"),
            ("V", "Asumisneuvoja soitti vuokrataloyhtiöön ja kertoi mun tilanteesta. Ne antoi mahdollisuuden. "
                  "Nyt mä oon asunut vuoden, eikä vuokra oo jäänyt kertaakaan maksamatta."),
        ],
    },
}


def write(name: str, spec: dict) -> None:
    document = docx.Document()
    for line in spec["header"]:
        document.add_paragraph(line)
    document.add_paragraph("")
    for label, text in spec["turns"]:
        paragraph = document.add_paragraph()
        if spec["style"] == "plain":
            paragraph.add_run(f"{label}: {text}")
        elif spec["style"] == "bold-colon":
            paragraph.add_run(f"{label}:").bold = True
            paragraph.add_run(f" {text}")
        else:
            paragraph.add_run(label).bold = True
            paragraph.add_run(f" {text}")
    document.core_properties.author = "arviointi (fiktiivinen esimerkki)"
    document.core_properties.title = "Fiktiivinen esimerkkihaastattelu"
    document.save(OUT / name)


if __name__ == "__main__":
    for name, spec in INTERVIEWS.items():
        write(name, spec)
        print(OUT / name)
